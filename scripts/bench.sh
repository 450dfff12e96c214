#!/usr/bin/env bash
# Whole-command benchmark of `followdrop scan` (issue 4), reproducible:
#
#   bash scripts/bench.sh                        # 1k, 10k and 100k accounts x 365 days
#   SIZES="1000 10000" bash scripts/bench.sh     # a quick run
#
# For each size N it generates `followdrop simulate` data of N accounts x
# 365 daily snapshots (rows in time order, as the simulator writes them),
# then times side by side in one hyperfine run, page cache warm:
#   wc -l FILE  |  followdrop scan --format json FILE  |  the DuckDB query
# (scripts/duckdb_detect.sql); measures followdrop's (and DuckDB's) peak RSS
# with /usr/bin/time -v; and times a gzip'd copy against `gzip -dc | wc -l`.
# The hyperfine JSON goes to target/bench/results/, and the table between
# the bench markers of BENCHMARKS.md is rewritten (python3, stdlib only).
#
# Environment:
#   SIZES      accounts per data set          (default "1000 10000 100000")
#   DAYS       days of daily snapshots        (default 365)
#   RUNS       timed runs per command         (default 3)
#   WARMUP     untimed runs first             (default 1)
#   REUSE_DATA 1: keep data files already generated (same SIZES/DAYS)
#   BENCH_DIR  data and results               (default target/bench)
#   BENCH_MD   the file whose table is written (default BENCHMARKS.md)
#   NO_INSTALL 1: never apt-get / pip install
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

SIZES=${SIZES:-"1000 10000 100000"}
DAYS=${DAYS:-365}
RUNS=${RUNS:-3}
WARMUP=${WARMUP:-1}
REUSE_DATA=${REUSE_DATA:-0}
BENCH_DIR=${BENCH_DIR:-$ROOT/target/bench}
BENCH_MD=${BENCH_MD:-$ROOT/BENCHMARKS.md}
NO_INSTALL=${NO_INSTALL:-0}
DATA=$BENCH_DIR/data
RESULTS=$BENCH_DIR/results
FD=$ROOT/target/release/followdrop
DUCKDB_RUNNER=$ROOT/scripts/duckdb_detect.py

# Before anything of ours runs: other work on this (shared) machine.
LOAD_AT_START=$(cut -d' ' -f1-3 /proc/loadavg)

say() { printf 'bench.sh: %s\n' "$*" >&2; }

# ---------------------------------------------------------------- tools
apt_ready=0
apt_install() {
    local pkg=$1
    if [ "$NO_INSTALL" = 1 ]; then
        say "$pkg is missing (NO_INSTALL=1)"
        return 1
    fi
    if [ "$(id -u)" != 0 ]; then
        say "$pkg is missing and this is not root: cannot apt-get install it"
        return 1
    fi
    if [ "$apt_ready" = 0 ]; then
        if ! apt-get update -qq >&2; then
            say "apt-get update failed (offline?): cannot install $pkg"
            return 1
        fi
        apt_ready=1
    fi
    say "installing $pkg"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$pkg" >&2 || {
        say "apt-get install $pkg failed"
        return 1
    }
}

if ! command -v hyperfine >/dev/null; then
    apt_install hyperfine || true
fi
if ! command -v hyperfine >/dev/null; then
    say "hyperfine is needed for the timings and could not be installed; nothing measured"
    exit 1
fi

have_time=1
if [ ! -x /usr/bin/time ]; then
    apt_install time || true
    [ -x /usr/bin/time ] || {
        have_time=0
        say "no /usr/bin/time: peak RSS left out"
    }
fi

if ! command -v python3 >/dev/null; then
    say "python3 is needed (checking the scan's JSON, writing the table)"
    exit 1
fi
have_duckdb=1
if ! python3 -c 'import duckdb' 2>/dev/null; then
    if [ "$NO_INSTALL" != 1 ]; then
        say "installing the duckdb Python package"
        python3 -m pip install -q duckdb >&2 ||
            python3 -m pip install -q --break-system-packages duckdb >&2 || true
    fi
    if ! python3 -c 'import duckdb' 2>/dev/null; then
        have_duckdb=0
        say "the duckdb Python package is missing and could not be installed (offline?): the DuckDB column is left out"
    fi
fi
if ! command -v gzip >/dev/null; then
    say "gzip is needed"
    exit 1
fi

# ---------------------------------------------------------------- build
say "building followdrop (release)"
cargo build --release --quiet
mkdir -p "$DATA" "$RESULTS"

# followdrop exits 1 when it reports events: that is success here; 2 is not.
fd_scan() { printf '%q scan --format json %q > /dev/null; test $? -le 1' "$FD" "$1"; }

# ---------------------------------------------------------------- machine
{
    echo "date=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
    echo "nproc=$(nproc)"
    echo "cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
    echo "mem_gib=$(awk '/MemTotal/ {printf "%.1f", $2 / 1048576}' /proc/meminfo)"
    echo "load=$LOAD_AT_START"
    echo "kernel=$(uname -sr)"
    rev=$(git rev-parse --short=12 HEAD 2>/dev/null || echo unknown)
    if [ -n "$(git status --porcelain -- src Cargo.toml Cargo.lock 2>/dev/null)" ]; then
        rev="$rev+uncommitted changes in src/ or Cargo.*"
    fi
    echo "rev=$rev"
    echo "rustc=$(rustc --version)"
    echo "hyperfine=$(hyperfine --version)"
    if [ "$have_duckdb" = 1 ]; then
        echo "duckdb=$(python3 -c 'import duckdb; print(duckdb.__version__)')"
    fi
    echo "runs=$RUNS"
    echo "warmup=$WARMUP"
    echo "days=$DAYS"
} > "$RESULTS/machine.env"

# ---------------------------------------------------------------- sizes
: > "$RESULTS/sizes.tsv"
for n in $SIZES; do
    csv=$DATA/data-$n.csv
    gz=$csv.gz
    if [ "$REUSE_DATA" = 1 ] && [ -s "$csv" ] && [ -s "$gz" ] && [ -s "$csv.params" ] &&
        [ "$(cat "$csv.params")" = "days=$DAYS" ]; then
        say "reusing $csv"
    else
        say "generating $n accounts x $DAYS days"
        "$FD" simulate --accounts "$n" --days "$DAYS" --interval 1d --scenario mixed \
            --no-following --seed 1 -o "$csv"
        say "compressing"
        gzip -k -f "$csv"
        echo "days=$DAYS" > "$csv.params"
    fi
    rows=$(($(wc -l < "$csv") - 1))
    bytes=$(stat -c %s "$csv")
    gz_bytes=$(stat -c %s "$gz")

    # A checked run first: the scan must succeed (status 0 or 1) and give
    # one JSON document; the DuckDB query must return its counts.
    status=0
    "$FD" scan --format json "$csv" > "$RESULTS/scan-$n.json" 2> "$RESULTS/scan-$n.stderr" || status=$?
    if [ "$status" -gt 1 ]; then
        say "followdrop scan failed on $csv (status $status):"
        cat "$RESULTS/scan-$n.stderr" >&2
        exit 1
    fi
    events=$(python3 -c 'import json, sys; print(len(json.load(open(sys.argv[1]))["events"]))' \
        "$RESULTS/scan-$n.json")
    flagged=""
    if [ "$have_duckdb" = 1 ]; then
        python3 "$DUCKDB_RUNNER" "$csv" > "$RESULTS/duckdb-$n.txt"
        flagged=$(sed -n 's/^flagged rows: \([0-9]*\).*/\1/p' "$RESULTS/duckdb-$n.txt")
        say "DuckDB: $(cat "$RESULTS/duckdb-$n.txt")"
    fi
    say "followdrop: $events events"

    # Side by side, page cache warm.
    cat "$csv" "$gz" > /dev/null
    cmds=(-n "wc -l" "wc -l $(printf %q "$csv")" -n "followdrop scan" "$(fd_scan "$csv")")
    if [ "$have_duckdb" = 1 ]; then
        cmds+=(-n "duckdb" "python3 $(printf %q "$DUCKDB_RUNNER") $(printf %q "$csv") > /dev/null")
    fi
    hyperfine --style basic --warmup "$WARMUP" --runs "$RUNS" \
        --export-json "$RESULTS/plain-$n.json" "${cmds[@]}" >&2
    hyperfine --style basic --warmup "$WARMUP" --runs "$RUNS" \
        --export-json "$RESULTS/gzip-$n.json" \
        -n "gzip -dc | wc -l" "gzip -dc $(printf %q "$gz") | wc -l" \
        -n "followdrop scan (gz)" "$(fd_scan "$gz")" >&2

    # Peak RSS (KiB), one run each.
    fd_rss="" duck_rss=""
    if [ "$have_time" = 1 ]; then
        /usr/bin/time -v -o "$RESULTS/time-fd-$n.txt" "$FD" scan --format json "$csv" \
            > /dev/null 2>&1 || true
        fd_rss=$(awk -F: '/Maximum resident set size/ {gsub(/ /, "", $2); print $2}' \
            "$RESULTS/time-fd-$n.txt")
        if [ "$have_duckdb" = 1 ]; then
            /usr/bin/time -v -o "$RESULTS/time-duckdb-$n.txt" python3 "$DUCKDB_RUNNER" "$csv" \
                > /dev/null 2>&1 || true
            duck_rss=$(awk -F: '/Maximum resident set size/ {gsub(/ /, "", $2); print $2}' \
                "$RESULTS/time-duckdb-$n.txt")
        fi
    fi
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$n" "$rows" "$bytes" "$gz_bytes" \
        "$fd_rss" "$duck_rss" "$events" "$flagged" >> "$RESULTS/sizes.tsv"
done

# ---------------------------------------------------------------- table
python3 - "$RESULTS" "$BENCH_MD" <<'PY'
"""hyperfine JSON + RSS -> the table between the bench markers of BENCHMARKS.md."""
import json
import pathlib
import sys

results, md_path = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
START, END = "<!-- bench:start -->", "<!-- bench:end -->"
machine = dict(
    line.split("=", 1) for line in (results / "machine.env").read_text().splitlines() if "=" in line
)


def timings(path):
    data = json.loads(path.read_text())
    return {r["command"]: r for r in data["results"]}


def secs(r):
    return f"{r['mean']:.3f} ± {r['stddev']:.3f}" if r.get("stddev") is not None else f"{r['mean']:.3f}"


MB = 1e6  # decimal megabytes throughout
rows_out, gz_out, notes = [], [], []
prev = None
last = None
for line in (results / "sizes.tsv").read_text().splitlines():
    n, rows, size, gz_size, fd_rss, duck_rss, events, flagged = (line.split("\t") + [""] * 8)[:8]
    rows, size, gz_size = int(rows), int(size), int(gz_size)
    plain = timings(results / f"plain-{n}.json")
    gz = timings(results / f"gzip-{n}.json")
    fd, wc, duck = plain["followdrop scan"], plain["wc -l"], plain.get("duckdb")
    rss = int(fd_rss) * 1024 if fd_rss else None
    marginal = ""
    if rss is not None and prev and prev["rss"] is not None and rows > prev["rows"]:
        marginal = f"{(rss - prev['rss']) / (rows - prev['rows']):.1f}"
    rows_out.append(
        "| "
        + " | ".join(
            [
                f"{int(n):,} × {machine.get('days', '365')}d",
                f"{rows:,}",
                f"{size / MB:,.1f}",
                secs(fd),
                f"{fd['mean'] / rows * 1e6:.3f}",
                f"{size / MB / fd['mean']:,.0f}",
                f"{rss / MB:,.1f}" if rss is not None else "n/a",
                f"{rss / rows:.1f}" if rss is not None else "n/a",
                marginal or "—",
                f"{wc['mean']:.3f}",
                f"{fd['mean'] / wc['mean']:.1f}×",
                f"{duck['mean']:.3f}" if duck else "n/a",
                f"{fd['mean'] / duck['mean']:.2f}×" if duck else "n/a",
                f"{int(duck_rss) * 1024 / MB:,.1f}" if duck_rss else "n/a",
                events,
                flagged or "n/a",
            ]
        )
        + " |"
    )
    gd, gf = gz["gzip -dc | wc -l"], gz["followdrop scan (gz)"]
    gz_out.append(
        f"| {int(n):,} | {rows:,} | {gz_size / MB:,.1f} | {secs(gd)} | {secs(gf)} | "
        f"{gf['mean'] / gd['mean']:.1f}× | {fd['mean']:.3f} |"
    )
    prev = {"rows": rows, "rss": rss}
    last = {"n": int(n), "rows": rows, "fd": fd, "wc": wc, "duck": duck, "rss": rss, "gd": gd, "gf": gf}

out = [
    START,
    "<!-- Written by scripts/bench.sh: edits between these markers are overwritten. -->",
    "",
    f"Measured {machine.get('date', '?')} on {machine.get('nproc', '?')} cores "
    f"({machine.get('cpu', '?')}, {machine.get('mem_gib', '?')} GiB, {machine.get('kernel', '?')}; "
    f"load average before the script {machine.get('load', '?')}), followdrop `{machine.get('rev', '?')}`, "
    f"{machine.get('rustc', '?')}, {machine.get('hyperfine', '?')}"
    + (f", DuckDB {machine['duckdb']}" if "duckdb" in machine else "")
    + f"; {machine.get('runs', '?')} timed runs after {machine.get('warmup', '?')} warm-up, "
    "means ± standard deviation in seconds.",
    "",
    "| accounts × days | rows | file MB | followdrop s | s per M rows | MB/s | peak RSS MB | "
    "RSS bytes/row | Δ RSS / Δ rows | `wc -l` s | ÷ `wc -l` | DuckDB s | ÷ DuckDB | DuckDB RSS MB | "
    "events | DuckDB flagged |",
    "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    *rows_out,
    "",
    "gzip input (`gzip -k`, level 6), the same data:",
    "",
    "| accounts | rows | .gz MB | `gzip -dc \\| wc -l` s | followdrop on .gz s | ÷ gzip | followdrop on .csv s |",
    "|---:|---:|---:|---:|---:|---:|---:|",
    *gz_out,
    "",
]
if last:
    t = last


    def verdict(a, b, factor=1.0):
        """Is a's mean at most factor x b's, beyond their standard deviations?"""
        slack = (a.get("stddev") or 0.0) + factor * (b.get("stddev") or 0.0)
        if a["mean"] + slack <= factor * b["mean"]:
            return "met"
        if a["mean"] - slack > factor * b["mean"]:
            return "not met"
        return "too close to call (within one standard deviation)"

    checks = [
        f"scan ≤ 4 × `wc -l`: {t['fd']['mean'] / t['wc']['mean']:.1f}× — " + verdict(t["fd"], t["wc"], 4.0),
    ]
    if t["duck"]:
        checks.append(
            f"faster than DuckDB: {t['fd']['mean'] / t['duck']['mean']:.2f}× DuckDB's time — "
            + verdict(t["fd"], t["duck"])
        )
    if t["rss"] is not None:
        rss_line = f"peak RSS: {t['rss'] / MB:,.0f} MB, {t['rss'] / t['rows']:.1f} bytes per snapshot overall"
        if t["rows"] >= 30_000_000:
            rss_line += " — " + ("met (< 450 MB)" if t["rss"] < 450 * MB else "not met (≥ 450 MB)")
        else:
            rss_line += " (the 450 MB bar is for 36.5 M rows; see the Δ column for the per-snapshot slope)"
        checks.append(rss_line)
    checks.append(
        f"gzip at decompression speed: {t['gf']['mean'] / t['gd']['mean']:.1f}× `gzip -dc | wc -l`"
    )
    out += [f"At the largest size measured ({t['n']:,} accounts, {t['rows']:,} rows):", ""]
    out += [f"- {c}" for c in checks]
    out.append("")
out.append(END)
section = "\n".join(out)

text = md_path.read_text() if md_path.exists() else "# Benchmarks\n\n"
if START in text and END in text:
    head, rest = text.split(START, 1)
    _, tail = rest.split(END, 1)
    text = head + section + tail
else:
    text = text.rstrip("\n") + "\n\n" + section + "\n"
md_path.write_text(text)
PY
say "wrote the table in $BENCH_MD (hyperfine JSON in $RESULTS)"
