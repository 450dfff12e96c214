#!/usr/bin/env python3
"""Plot the scale curve of scripts/bench.sh (scale.csv) as an SVG, stdlib only.

Usage: python3 scripts/bench_plot.py target/bench/results/scale.csv [-o scale.svg]

Two log-log panels against snapshots: the scan's wall time (with the
simulator's own time, which bounds a streamed scan, and a line of slope 1
through the largest point: linear growth follows it), and followdrop's peak
RSS with the memory budget, 8 B x snapshots + 64 MiB.
"""

import argparse
import csv
import html
import math
import pathlib
import sys

W, H = 960, 420  # whole picture
PW, PH = 380, 300  # one panel's plotting area
LEFT, TOP = 70, 50  # first panel's origin (top-left of the plotting area)
GAP = 100  # between the panels


def log_range(values):
    lo = min(v for v in values if v > 0)
    hi = max(values)
    a, b = math.floor(math.log10(lo)), math.ceil(math.log10(hi))
    if a == b:
        b += 1
    return a, b


def fmt_pow(e):
    return {0: "1", 1: "10", 2: "100", 3: "1k", 4: "10k", 5: "100k", 6: "1M", 7: "10M",
            8: "100M", 9: "1G", 10: "10G", -1: "0.1", -2: "0.01", -3: "0.001"}.get(e, f"1e{e}")


class Panel:
    def __init__(self, x0, title, xlab, ylab, xs, ys_all):
        self.x0, self.y0 = x0, TOP
        self.xa, self.xb = log_range(xs)
        self.ya, self.yb = log_range(ys_all)
        self.title, self.xlab, self.ylab = title, xlab, ylab
        self.parts = []

    def px(self, x):
        return self.x0 + (math.log10(x) - self.xa) / (self.xb - self.xa) * PW

    def py(self, y):
        return self.y0 + PH - (math.log10(y) - self.ya) / (self.yb - self.ya) * PH

    def frame(self):
        p = self.parts
        x0, y0 = self.x0, self.y0
        p.append(f'<rect x="{x0}" y="{y0}" width="{PW}" height="{PH}" fill="none" stroke="#444"/>')
        for e in range(self.xa, self.xb + 1):
            x = self.px(10**e)
            p.append(f'<line x1="{x:.1f}" y1="{y0}" x2="{x:.1f}" y2="{y0 + PH}" stroke="#ddd"/>')
            p.append(f'<text x="{x:.1f}" y="{y0 + PH + 16}" text-anchor="middle">{fmt_pow(e)}</text>')
        for e in range(self.ya, self.yb + 1):
            y = self.py(10**e)
            p.append(f'<line x1="{x0}" y1="{y:.1f}" x2="{x0 + PW}" y2="{y:.1f}" stroke="#ddd"/>')
            p.append(f'<text x="{x0 - 6}" y="{y + 4:.1f}" text-anchor="end">{fmt_pow(e)}</text>')
        p.append(f'<text x="{x0 + PW / 2}" y="{y0 - 18}" text-anchor="middle" font-weight="bold">'
                 f"{html.escape(self.title)}</text>")
        p.append(f'<text x="{x0 + PW / 2}" y="{y0 + PH + 36}" text-anchor="middle">{html.escape(self.xlab)}</text>')
        p.append(f'<text transform="translate({x0 - 48},{y0 + PH / 2}) rotate(-90)" text-anchor="middle">'
                 f"{html.escape(self.ylab)}</text>")

    def series(self, pts, colour, dash=None, dots=True):
        pts = [(x, y) for x, y in pts if x > 0 and y > 0]
        if not pts:
            return
        d = " ".join(f"{self.px(x):.1f},{self.py(y):.1f}" for x, y in pts)
        extra = f' stroke-dasharray="{dash}"' if dash else ""
        self.parts.append(f'<polyline points="{d}" fill="none" stroke="{colour}" stroke-width="2"{extra}/>')
        if dots:
            for x, y in pts:
                self.parts.append(f'<circle cx="{self.px(x):.1f}" cy="{self.py(y):.1f}" r="3.5" fill="{colour}">'
                                  f"<title>{x:,} snapshots: {y:.4g}</title></circle>")

    def legend(self, items):
        for i, (label, colour, dash) in enumerate(items):
            x, y = self.x0 + 10, self.y0 + 16 + 16 * i
            extra = f' stroke-dasharray="{dash}"' if dash else ""
            self.parts.append(f'<line x1="{x}" y1="{y - 4}" x2="{x + 22}" y2="{y - 4}" stroke="{colour}" '
                              f'stroke-width="2"{extra}/>')
            self.parts.append(f'<text x="{x + 28}" y="{y}">{html.escape(label)}</text>')


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("csv", type=pathlib.Path)
    ap.add_argument("-o", "--output", type=pathlib.Path, help="default: the CSV's name with .svg")
    args = ap.parse_args()
    rows = sorted(csv.DictReader(args.csv.open()), key=lambda r: int(r["snapshots"]))
    if not rows:
        print(f"bench_plot.py: {args.csv} has no rows", file=sys.stderr)
        return 1
    n = [int(r["snapshots"]) for r in rows]
    scan = [float(r["scan_s"]) for r in rows]
    sim = [float(r["simulate_s"]) for r in rows]
    rss = [int(r["peak_bytes"]) / 1e6 for r in rows]
    budget = [int(r["budget_bytes"]) / 1e6 for r in rows]
    # Slope 1 through the largest point.
    k = scan[-1] / n[-1]
    lin = [(x, k * x) for x in (n[0], n[-1])]

    t = Panel(LEFT, "scan wall time", "snapshots", "seconds", n,
              [v for v in scan + sim + [y for _, y in lin] if v > 0])
    t.frame()
    t.series(lin, "#999", dash="6,4", dots=False)
    t.series(list(zip(n, sim)), "#e08a00")
    t.series(list(zip(n, scan)), "#1f5fbf")
    t.legend([("followdrop scan (stream)", "#1f5fbf", None), ("simulate alone", "#e08a00", None),
              ("linear through the largest", "#999", "6,4")])

    m = Panel(LEFT + PW + GAP, "peak RSS", "snapshots", "MB (10⁶ bytes)", n, rss + budget)
    m.frame()
    # The budget is linear, so curved on log axes: draw it at 50 points.
    lo, hi = math.log10(n[0]), math.log10(n[-1])
    xs = [10 ** (lo + (hi - lo) * i / 49) for i in range(50)] if hi > lo else [n[0]]
    m.series([(x, (8 * x + 64 * 2**20) / 1e6) for x in xs], "#c0392b", dash="6,4", dots=False)
    m.series(list(zip(n, rss)), "#1f5fbf")
    m.legend([("followdrop peak RSS", "#1f5fbf", None), ("budget 8 B × snapshots + 64 MiB", "#c0392b", "6,4")])

    note = f"followdrop scan --format json - fed by followdrop simulate; {rows[0]['days']} days, " \
           f"following column: {rows[0].get('following', '?')}"
    svg = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" viewBox="0 0 {W} {H}" '
        'font-family="sans-serif" font-size="12">',
        f'<rect width="{W}" height="{H}" fill="white"/>',
        *t.parts,
        *m.parts,
        f'<text x="{W / 2}" y="{H - 10}" text-anchor="middle" fill="#555">{html.escape(note)}</text>',
        "</svg>",
    ]
    out = args.output or args.csv.with_suffix(".svg")
    out.write_text("\n".join(svg) + "\n")
    print(f"bench_plot.py: wrote {out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
