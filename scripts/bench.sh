#!/usr/bin/env bash
# Whole-command benchmark of `followdrop scan` against the targets of
# BENCHMARKS.md ("Faster than the fastest engine can merely read the file, in
# a fixed memory budget"), measured in one run:
#
#   bash scripts/bench.sh                       # 20,000 and 100,000 accounts x 365 days
#   bash scripts/bench.sh 1000 10000 20000      # sizes (accounts) as arguments: a quick run
#   SIZES="1000 10000" bash scripts/bench.sh    # the same through the environment
#   bash scripts/bench.sh --scale 1000 10000    # also the scale curve (SCALE_SIZES)
#   bash scripts/bench.sh --scale-only          # only the scale curve
#
# For each size N it makes `followdrop simulate --accounts N --days 365
# --interval 1d --scenario mixed --seed 1` data (timestamp,account,followers,
# following, in the simulator's time order) as CSV, as NDJSON (--format
# ndjson) and as a `gzip -k` copy of the CSV, each with and without the
# `following` column (CSV: `cut -d, -f1-3`; NDJSON: --no-following). Then,
# page cache warm, for every file it alternates RUNS times
#
#   followdrop scan --format json FILE > /dev/null
#   the reference: DuckDB's bare read through the Python client,
#       python3 -c '<print duckdb.sql(Q).fetchall()>' "Q"  with
#       Q = SELECT count(*), count(DISTINCT account), sum(followers),
#           sum(following), max(timestamp) FROM read_csv('FILE')
#       (read_json for NDJSON; no sum(following) when the column is absent),
#     or, for FILE.csv.gz, `gzip -dc FILE.csv.gz > /dev/null`
#
# each under `/usr/bin/time -f '%e %M'` (wall seconds, peak KiB): a whole
# process, interpreter start and `import duckdb` included. It keeps the best
# wall time of each command and the highest peak RSS of followdrop's runs,
# and judges, per file:
#   speed   followdrop best / reference best  <= 1.0 (CSV), 1.2 (NDJSON, gzip)
#   memory  followdrop peak RSS <= 8 B x snapshots + 64 MiB
# A checked run of each command comes first (it also warms the cache):
# followdrop must exit 0 or 1 with a JSON document, and its row and account
# counts must match DuckDB's count(*) and count(DISTINCT account).
#
# The scale curve (--scale, --scale-only) runs followdrop alone on a stream:
#   followdrop simulate --accounts N --days 365 --interval 1d ... \
#     | /usr/bin/time -f '%e %M' followdrop scan --format json - > /dev/null
# for N in SCALE_SIZES, after one `followdrop simulate ... | wc -l` (snapshot
# count and the simulator's own time, which bounds the stream's); it writes
# RESULTS/scale.csv and plots it with scripts/bench_plot.py into
# RESULTS/scale.svg (python3, stdlib only).
#
# Output: a Markdown section on stdout (commit, date, machine, the exact
# commands, the tables and the verdicts), also saved as RESULTS/bench.md and
# written between the bench:start and bench:end markers of BENCH_MD. Raw
# timings: RESULTS/runs.tsv and RESULTS/cases.tsv. Progress goes to stderr.
#
# Options:
#   --scale        also measure the scale curve
#   --scale-only   only the scale curve (BENCH_MD is then left alone)
#   --no-md        do not write BENCH_MD
#   --report-only  measure nothing: the tables (and the scale plot) again
#                  from the results of the last run, as after a fix to how
#                  they are written
#   SIZE...        accounts per data set, instead of SIZES
#
# Environment:
#   SIZES        accounts per data set             (default "20000 100000")
#   DAYS         days of daily snapshots           (default 365)
#   RUNS         timed runs per command, best kept (default 3)
#   FORMATS      any of "csv ndjson gz"            (default all three)
#   FOLLOWING    any of "with without"             (default both)
#   FOLLOWDROP   the binary to measure; unset: `cargo build --release`
#                (fat LTO, about 2 min) and target/release/followdrop
#   REUSE_DATA   1: keep data files already generated with the same parameters
#   BENCH_DIR    data and results                  (default target/bench)
#   BENCH_MD     the file whose marked section is rewritten (default
#                BENCHMARKS.md; empty: none)
#   SCALE_SIZES  accounts for the scale curve
#                (default "300 1000 3000 10000 30000 100000 300000 1000000",
#                1e5 to 3.65e8 snapshots; a million accounts is about 20 GB of CSV
#                streamed, never stored)
#   SCALE_RUNS   runs per scale size, best kept    (default 1)
#   SCALE_FOLLOWING  with | without                (default with)
#   NO_INSTALL   1: never apt-get / pip install
#
# Disk: at 100,000 accounts about 1.9 + 1.6 GB of CSV, 3.4 + 3.0 GB of NDJSON
# and 0.9 GB of gzip. Followdrop exits 1 when it reports events: success here.
set -euo pipefail

usage() { sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$0"; }

SCALE=0
SCALE_ONLY=0
WRITE_MD=1
REPORT_ONLY=0
ARG_SIZES=()
while [ $# -gt 0 ]; do
    case $1 in
    --scale) SCALE=1 ;;
    --scale-only) SCALE=1 SCALE_ONLY=1 ;;
    --no-md) WRITE_MD=0 ;;
    --report-only) REPORT_ONLY=1 ;;
    -h | --help)
        usage
        exit 0
        ;;
    [0-9]*) ARG_SIZES+=("$1") ;;
    *)
        printf 'bench.sh: unknown argument %s (see --help)\n' "$1" >&2
        exit 2
        ;;
    esac
    shift
done

# A FOLLOWDROP given relative to the caller's directory still works below.
if [ -n "${FOLLOWDROP:-}" ]; then
    FOLLOWDROP=$(realpath -- "$FOLLOWDROP")
fi
if [ -n "${BENCH_DIR:-}" ]; then
    mkdir -p -- "$BENCH_DIR"
    BENCH_DIR=$(realpath -- "$BENCH_DIR")
fi
if [ -n "${BENCH_MD:-}" ]; then
    BENCH_MD=$(realpath -m -- "$BENCH_MD")
fi

cd "$(dirname "$0")/.."
ROOT=$PWD
# Paths under the repository are shown relative to it (the script runs there).
rel() { case $1 in "$ROOT"/*) printf '%s' "${1#"$ROOT"/}" ;; *) printf '%s' "$1" ;; esac; }

if [ ${#ARG_SIZES[@]} -gt 0 ]; then
    SIZES=${ARG_SIZES[*]}
fi
SIZES=${SIZES:-"20000 100000"}
DAYS=${DAYS:-365}
RUNS=${RUNS:-3}
FORMATS=${FORMATS:-"csv ndjson gz"}
FOLLOWING=${FOLLOWING:-"with without"}
REUSE_DATA=${REUSE_DATA:-0}
BENCH_DIR=$(rel "${BENCH_DIR:-$ROOT/target/bench}")
BENCH_MD=${BENCH_MD-$ROOT/BENCHMARKS.md}
SCALE_SIZES=${SCALE_SIZES:-"300 1000 3000 10000 30000 100000 300000 1000000"}
SCALE_RUNS=${SCALE_RUNS:-1}
SCALE_FOLLOWING=${SCALE_FOLLOWING:-with}
NO_INSTALL=${NO_INSTALL:-0}
DATA=$BENCH_DIR/data
RESULTS=$BENCH_DIR/results
SIM=(--days "$DAYS" --interval 1d --scenario mixed --seed 1)

LOAD_AT_START=$(cut -d' ' -f1-3 /proc/loadavg)

say() { printf 'bench.sh: %s\n' "$*" >&2; }
die() {
    say "$*"
    exit 1
}

# ---------------------------------------------------------------- report
# The scale plot (when there is a scale curve) and the Markdown section from
# RESULTS (cases.tsv, scale.csv, machine.env), printed, saved as
# RESULTS/bench.md and written into BENCH_MD.
report() {
if [ -f "$RESULTS/scale.csv" ]; then
    python3 scripts/bench_plot.py "$RESULTS/scale.csv" -o "$RESULTS/scale.svg" >&2 ||
        say "plotting failed: $RESULTS/scale.csv is intact"
fi
python3 - "$RESULTS" <<'PY' > "$RESULTS/bench.md"
"""cases.tsv, scale.csv and machine.env -> the Markdown section."""
import csv
import math
import pathlib
import sys

results = pathlib.Path(sys.argv[1])
m = dict(l.split("=", 1) for l in (results / "machine.env").read_text().splitlines() if "=" in l)
MB, MIB = 1e6, 2**20
budget = lambda snaps: 8 * snaps + 64 * MIB
LABEL = {"csv": "CSV", "ndjson": "NDJSON", "gz": "CSV .gz"}
verdict = lambda ok: "**pass**" if ok else "**fail**"

out = ["<!-- bench:start -->",
       "<!-- Written by scripts/bench.sh: edits between these markers are overwritten. -->", ""]
out.append(
    f"Measured {m['date']} on {m['nproc']} cores ({m['cpu']}, {m['mem_gib']} GiB, {m['kernel']}; "
    f"load average {m['load']} before, {m.get('load_after', '?')} after), commit `{m['rev']}`, "
    f"binary `{m['binary']}` ({m['build']}; built {m['binary_built']}"
    + (f", **{m['binary_stale']}**" if m.get("binary_stale") else "")
    + f"), {m['version']}, {m['rustc']}, {m['python']}"
    + (f", DuckDB {m['duckdb']}" if m.get("duckdb") else "")
    + f", {m['gzip']}."
)
out.append("")

cases = []
p = results / "cases.tsv"
if m.get("scale_only") != "1" and p.exists():
    for line in p.read_text().splitlines():
        f = line.split("\t")
        cases.append(dict(n=int(f[0]), kind=f[1], fol=f[2], file=f[3], bytes=int(f[4]),
                          snaps=int(f[5]), ref=f[6], ref_s=float(f[7]), ref_kib=int(f[8]),
                          fd_s=float(f[9]), fd_kib=int(f[10]), bar=float(f[11]), fd_all=f[12],
                          ref_all=f[13], fd_cmd=f[14], ref_cmd=f[15], check=f[16]))

if cases:
    out.append(
        f"Data: `followdrop simulate --accounts N {m['sim']}` (CSV `timestamp,account,followers,"
        "following` in the simulator's time order; `--format ndjson` for NDJSON; `--no-following` or "
        "`cut -d, -f1-3` without the `following` column; `gzip -k` for .gz), page cache warm. "
        f"Each command ran once unmeasured (checked), then in {m['runs']} alternating rounds under "
        "`/usr/bin/time -f '%e %M'`: the best wall time is kept, and followdrop's highest peak RSS. "
        "Ratio = followdrop ÷ reference; budget = 8 B × snapshots + 64 MiB; MB = 10⁶ bytes.")
    out += ["", "| accounts × days | input | `following` | snapshots | file MB | reference | reference s "
            "| followdrop s | ratio | bar | speed | peak RSS MB | B / snapshot | budget MB | memory "
            "| reference RSS MB |",
            "|---|---|---|---:|---:|---|---:|---:|---:|---:|---|---:|---:|---:|---|---:|"]
    for c in cases:
        ratio = c["fd_s"] / c["ref_s"] if c["ref_s"] > 0 else math.inf
        rss = c["fd_kib"] * 1024
        c["ratio"], c["rss"] = ratio, rss
        c["speed_ok"], c["mem_ok"] = ratio <= c["bar"], rss <= budget(c["snaps"])
        out.append("| " + " | ".join([
            f"{c['n']:,} × {m['days']}d", LABEL[c["kind"]], c["fol"], f"{c['snaps']:,}",
            f"{c['bytes'] / MB:,.1f}", c["ref"], f"{c['ref_s']:.2f}", f"{c['fd_s']:.2f}",
            f"{ratio:.2f}×", f"≤ {c['bar']:.1f}×", verdict(c["speed_ok"]), f"{rss / MB:,.1f}",
            f"{rss / c['snaps']:.1f}", f"{budget(c['snaps']) / MB:,.1f}", verdict(c["mem_ok"]),
            f"{c['ref_kib'] * 1024 / MB:,.1f}"]) + " |")
    out.append("")

    # Verdicts per target.
    def line(name, sel, key, show):
        if not sel:
            return f"- **{name}**: not measured in this run."
        ok = all(c[key] for c in sel)
        parts = ", ".join(f"{c['n']:,} {c['fol']} {show(c)} {'pass' if c[key] else 'FAIL'}" for c in sel)
        return f"- **{name}: {'pass' if ok else 'fail'}** ({parts})."
    ratio_s = lambda c: f"{c['ratio']:.2f}×"
    target_sizes = {20000, 100000}
    sizes = sorted({c["n"] for c in cases})
    out.append("Verdicts (ratio = best wall time of followdrop ÷ the reference's):")
    out.append("")
    out.append(line("CSV speed, ≤ 1.0× DuckDB read_csv", [c for c in cases if c["kind"] == "csv"], "speed_ok", ratio_s))
    out.append(line("NDJSON speed, ≤ 1.2× DuckDB read_json", [c for c in cases if c["kind"] == "ndjson"], "speed_ok", ratio_s))
    out.append(line("gzip, ≤ 1.2× `gzip -dc` alone", [c for c in cases if c["kind"] == "gz"], "speed_ok", ratio_s))
    # Memory: every file; the failures, or else the tightest, by name.
    worst = max(cases, key=lambda c: c["rss"] / budget(c["snaps"]))
    fails = [c for c in cases if not c["mem_ok"]]
    mem = lambda c: (f"{c['n']:,} {LABEL[c['kind']]} {c['fol']} {c['rss'] / MB:,.1f} MB of "
                     f"{budget(c['snaps']) / MB:,.1f}")
    if fails:
        out.append(f"- **memory, peak RSS ≤ 8 B × snapshots + 64 MiB: fail** ({len(fails)} of {len(cases)} "
                   "files over: " + ", ".join(mem(c) for c in fails) + ").")
    else:
        out.append(f"- **memory, peak RSS ≤ 8 B × snapshots + 64 MiB: pass** ({'all ' if len(cases) > 1 else ''}"
                   f"{len(cases)} file{'s' if len(cases) > 1 else ''}; "
                   f"the tightest: {mem(worst)}).")
    missing = sorted(target_sizes - set(sizes))
    if missing:
        out.append("")
        out.append("The speed targets are set at 20,000 and 100,000 accounts × 365 days; this run "
                   f"did not measure {' and '.join(f'{x:,}' for x in missing)}, so its speed verdicts "
                   "are for the sizes above only.")
    bad = [c for c in cases if c["check"] != "ok"]
    if bad:
        out.append("")
        out += [f"- check failed, {c['n']:,} {c['kind']} {c['fol']}: {c['check']}" for c in bad]
    out.append("")

    out.append(f"Commands, for N = {sizes[0]:,} (other sizes: the same with their own files):")
    out.append("")
    out.append("```sh")
    first = [c for c in cases if c["n"] == sizes[0]]
    n0, fd, d = sizes[0], m["binary"], m["data_dir"]
    kinds = {(c["kind"], c["fol"]) for c in first}
    if any(k in ("csv", "gz") for k, _ in kinds):
        out.append(f"{fd} simulate --accounts {n0} {m['sim']} -q -o {d}/data-{n0}.csv")
    if any(k in ("csv", "gz") and f == "without" for k, f in kinds):
        out.append(f"cut -d, -f1-3 {d}/data-{n0}.csv > {d}/data-{n0}-nofollowing.csv")
    for k, f in sorted(kinds):
        if k == "gz":
            out.append(f"gzip -k {d}/data-{n0}{'-nofollowing' if f == 'without' else ''}.csv")
        if k == "ndjson":
            out.append(f"{fd} simulate --accounts {n0} {m['sim']}{' --no-following' if f == 'without' else ''} "
                       f"--format ndjson -q -o {d}/data-{n0}{'-nofollowing' if f == 'without' else ''}.ndjson")
    for c in first:
        out.append(f"# {LABEL[c['kind']]}, {c['fol']} following")
        out.append(f"/usr/bin/time -f '%e %M' {c['fd_cmd']}")
        out.append(f"/usr/bin/time -f '%e %M' {c['ref_cmd']}")
    out.append("```")
    out.append("")
    out.append("All wall times (s), in run order: " + "; ".join(
        f"{c['n']:,} {LABEL[c['kind']]} {c['fol']}: followdrop {c['fd_all']}, reference {c['ref_all']}"
        for c in cases) + ".")
    out.append("")

sp = results / "scale.csv"
if sp.exists():
    rows = list(csv.DictReader(sp.open()))
    cmd = (results / "scale.cmd").read_text().strip() if (results / "scale.cmd").exists() else "?"
    out.append(f"Scale curve: followdrop alone on a stream, `/usr/bin/time -f '%e %M'` on the scan of "
               f"`{cmd}`; best of the runs, the simulator alone for comparison (the stream cannot be "
               "faster than it). Raw: `scale.csv`, plot: `scale.svg` (`python3 scripts/bench_plot.py`).")
    out += ["", "| accounts × days | snapshots | scan s | s per M snapshots | simulate alone s | peak RSS MB "
            "| B / snapshot | budget MB | memory |", "|---|---:|---:|---:|---:|---:|---:|---:|---|"]
    pts = []
    for r in rows:
        s, snaps, b = float(r["scan_s"]), int(r["snapshots"]), int(r["peak_bytes"])
        pts.append((snaps, s))
        out.append(f"| {int(r['accounts']):,} × {r['days']}d | {snaps:,} | {s:.2f} | {s / snaps * 1e6:.3f} "
                   f"| {float(r['simulate_s']):.2f} | {b / MB:,.1f} | {b / snaps:.1f} | "
                   f"{budget(snaps) / MB:,.1f} | {verdict(b <= budget(snaps))} |")
    out.append("")
    fit = [(math.log(n), math.log(t)) for n, t in pts if n >= 100_000 and t > 0]
    if len(fit) >= 2:
        mx = sum(x for x, _ in fit) / len(fit)
        my = sum(y for _, y in fit) / len(fit)
        sxx = sum((x - mx) ** 2 for x, _ in fit)
        k = sum((x - mx) * (y - my) for x, y in fit) / sxx if sxx else float("nan")
        out.append(f"Time grows as snapshots^{k:.2f} over {len(fit)} sizes from 1e5 snapshots up "
                   f"(least squares on log-log; linear is 1.00), {min(n for n, _ in pts):,} to "
                   f"{max(n for n, _ in pts):,} snapshots measured; the target runs to 3.65e8.")
        out.append("")

out.append("<!-- bench:end -->")
print("\n".join(out))
PY

cat "$RESULTS/bench.md"
if [ "$WRITE_MD" = 1 ] && [ "$SCALE_ONLY" = 0 ] && [ -n "$BENCH_MD" ] && [ -f "$BENCH_MD" ]; then
    python3 - "$RESULTS/bench.md" "$BENCH_MD" <<'PY'
import pathlib, sys
section = pathlib.Path(sys.argv[1]).read_text().rstrip("\n")
md = pathlib.Path(sys.argv[2])
START, END = "<!-- bench:start -->", "<!-- bench:end -->"
text = md.read_text()
if START in text and END in text:
    head, rest = text.split(START, 1)
    _, tail = rest.split(END, 1)
    text = head + section + tail
else:
    text = text.rstrip("\n") + "\n\n" + section + "\n"
md.write_text(text)
PY
    say "wrote the section between the bench markers of $(rel "$BENCH_MD")"
fi
say "results in $RESULTS"
}

if [ "$REPORT_ONLY" = 1 ]; then
    [ -f "$RESULTS/machine.env" ] || die "no results to report in $RESULTS (run the benchmark first)"
    # As the run that measured them: a scale-only run leaves BENCH_MD alone.
    SCALE_ONLY=$(sed -n 's/^scale_only=//p' "$RESULTS/machine.env")
    report
    exit 0
fi

# ---------------------------------------------------------------- tools
apt_ready=0
apt_install() {
    local pkg=$1
    [ "$NO_INSTALL" != 1 ] || { say "$pkg is missing (NO_INSTALL=1)"; return 1; }
    [ "$(id -u)" = 0 ] || { say "$pkg is missing and this is not root: cannot apt-get install it"; return 1; }
    if [ "$apt_ready" = 0 ]; then
        apt-get update -qq >&2 || { say "apt-get update failed (offline?)"; return 1; }
        apt_ready=1
    fi
    say "installing $pkg"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$pkg" >&2
}

if [ ! -x /usr/bin/time ]; then
    apt_install time || true
fi
[ -x /usr/bin/time ] || die "GNU /usr/bin/time is needed (wall time and peak RSS)"
command -v python3 >/dev/null || die "python3 is needed (DuckDB, checks, the tables)"
command -v gzip >/dev/null || die "gzip is needed"
if [ "$SCALE_ONLY" = 0 ] && ! python3 -c 'import duckdb' 2>/dev/null; then
    if [ "$NO_INSTALL" != 1 ]; then
        say "installing the duckdb Python package"
        python3 -m pip install -q duckdb >&2 ||
            python3 -m pip install -q --break-system-packages duckdb >&2 || true
    fi
    python3 -c 'import duckdb' 2>/dev/null ||
        die "the duckdb Python package is missing (pip install duckdb): the speed targets are relative to it"
fi

# ---------------------------------------------------------------- binary
if [ -n "${FOLLOWDROP:-}" ]; then
    FD=$(rel "$FOLLOWDROP")
    BUILD="given as FOLLOWDROP=$FD"
else
    say "building followdrop (cargo build --release: fat LTO, about 2 min)"
    cargo build --release --quiet
    FD=target/release/followdrop
    BUILD="cargo build --release (profile.release: lto = \"fat\", codegen-units = 1)"
fi
[ -x "$FD" ] || die "no followdrop binary at $FD"
case $FD in */*) ;; *) FD=./$FD ;; esac
mkdir -p "$DATA" "$RESULTS"

# ---------------------------------------------------------------- machine
rev=$(git rev-parse --short=12 HEAD 2>/dev/null || echo unknown)
if [ -n "$(git status --porcelain -- src Cargo.toml Cargo.lock 2>/dev/null)" ]; then
    rev="$rev + uncommitted changes in src/ or Cargo.*"
fi
bin_time=$(stat -c %Y "$FD")
newest_src=$(find src Cargo.toml Cargo.lock -type f -printf '%T@\n' 2>/dev/null | sort -n | tail -1 | cut -d. -f1)
stale=""
if [ -n "$newest_src" ] && [ "$newest_src" -gt "$bin_time" ]; then
    stale="older than the newest file in src/ or Cargo.* (it may not be this commit)"
    say "warning: $FD is $stale"
fi
{
    echo "date=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
    echo "nproc=$(nproc)"
    echo "cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
    echo "mem_gib=$(awk '/MemTotal/ {printf "%.1f", $2 / 1048576}' /proc/meminfo)"
    echo "kernel=$(uname -sr)"
    echo "load=$LOAD_AT_START"
    echo "rev=$rev"
    echo "binary=$FD"
    echo "binary_built=$(date -u -d "@$bin_time" +%Y-%m-%dT%H:%M:%SZ)"
    echo "binary_stale=$stale"
    echo "build=$BUILD"
    echo "version=$("$FD" --version 2>/dev/null || echo '?')"
    echo "rustc=$(rustc --version 2>/dev/null || echo '?')"
    echo "python=$(python3 --version 2>&1)"
    if [ "$SCALE_ONLY" = 0 ]; then
        echo "duckdb=$(python3 -c 'import duckdb; print(duckdb.__version__)')"
    fi
    echo "gzip=$(gzip --version | head -1)"
    echo "runs=$RUNS"
    echo "days=$DAYS"
    echo "data_dir=$DATA"
    echo "sim=${SIM[*]}"
    echo "scale_only=$SCALE_ONLY"
} > "$RESULTS/machine.env"

# ---------------------------------------------------------------- measuring
# timed OUT CMD...: one run of CMD (stdout to /dev/null, stderr to OUT.err)
# under /usr/bin/time; sets T_WALL (s), T_KIB (peak KiB) and T_STATUS.
timed() {
    local out=$1
    shift
    T_STATUS=0
    /usr/bin/time -f '%e %M' -o "$out.time" "$@" > /dev/null 2> "$out.err" || T_STATUS=$?
    read -r T_WALL T_KIB < <(tail -n 1 "$out.time")
}

# shq ARG: ARG quoted for a shell, readably.
shq() {
    local a=$1
    if [[ $a =~ ^[A-Za-z0-9_./,:=@%+-]+$ ]]; then
        printf '%s' "$a"
    elif [[ $a != *"'"* ]]; then
        printf "'%s'" "$a"
    elif [[ $a != *[\"\$\`\\!]* ]]; then
        printf '"%s"' "$a"
    else
        printf '%q' "$a"
    fi
}
# shown CMD...: the command as a shell would take it.
shown() {
    local a s=""
    for a in "$@"; do s+="${s:+ }$(shq "$a")"; done
    printf '%s' "$s"
}
# minf A B: the smaller number (A may be empty).
minf() { awk -v a="$1" -v b="$2" 'BEGIN { print (a == "" || b + 0 < a + 0) ? b : a }'; }
# has LIST WORD: is WORD in the space-separated LIST?
has() { case " $1 " in *" $2 "*) return 0 ;; esac; return 1; }

# The reference's Python: print DuckDB's answer to the query in argv[1]
# (without the progress bar, which DuckDB prints on stdout past 2 s).
DUCK_PY='import sys, duckdb; duckdb.execute("SET enable_progress_bar = false"); print(duckdb.sql(sys.argv[1]).fetchall())'
duck_query() { # FILE READER FOLLOWING
    local cols="count(*), count(DISTINCT account), sum(followers)"
    if [ "$3" = with ]; then cols="$cols, sum(following)"; fi
    printf "SELECT %s, max(timestamp) FROM %s('%s')" "$cols" "$2" "$1"
}

# datafile N KIND FOLLOWING: the data file measured.
datafile() {
    local suffix=""
    if [ "$3" = without ]; then suffix=-nofollowing; fi
    case $2 in
    csv) printf '%s' "$DATA/data-$1$suffix.csv" ;;
    gz) printf '%s' "$DATA/data-$1$suffix.csv.gz" ;;
    ndjson) printf '%s' "$DATA/data-$1$suffix.ndjson" ;;
    esac
}

# make_data N: the data files of N accounts that FORMATS and FOLLOWING need.
# With REUSE_DATA=1, a file is kept when its .params says it was made alike.
make_data() {
    local n=$1 fol f src
    local want="accounts=$n ${SIM[*]}"
    fresh() { [ "$REUSE_DATA" = 1 ] && [ -s "$1" ] && [ "$(cat "$1.params" 2>/dev/null)" = "$want" ]; }
    stamp() { echo "$want" > "$1.params"; }
    if has "$FORMATS" csv || has "$FORMATS" gz; then
        src=$(datafile "$n" csv with) # also the source of the one without
        if ! fresh "$src"; then
            say "generating $src"
            "$FD" simulate --accounts "$n" "${SIM[@]}" -q -o "$src"
            stamp "$src"
        fi
        if has "$FOLLOWING" without; then
            f=$(datafile "$n" csv without)
            if ! fresh "$f"; then
                say "generating $f (cut -d, -f1-3)"
                cut -d, -f1-3 "$src" > "$f"
                stamp "$f"
            fi
        fi
    fi
    if has "$FORMATS" gz; then
        for fol in $FOLLOWING; do
            f=$(datafile "$n" csv "$fol")
            if ! fresh "$f.gz"; then
                say "compressing $f (gzip -k, level 6)"
                gzip -k -f "$f"
                stamp "$f.gz"
            fi
        done
    fi
    if has "$FORMATS" ndjson; then
        for fol in $FOLLOWING; do
            f=$(datafile "$n" ndjson "$fol")
            if ! fresh "$f"; then
                say "generating $f"
                if [ "$fol" = without ]; then
                    "$FD" simulate --accounts "$n" "${SIM[@]}" --no-following --format ndjson -q -o "$f"
                else
                    "$FD" simulate --accounts "$n" "${SIM[@]}" --format ndjson -q -o "$f"
                fi
                stamp "$f"
            fi
        done
    fi
}

# case_run N KIND FOLLOWING: a checked run of followdrop and of the
# reference, then RUNS rounds of one timed run each; a line in cases.tsv.
case_run() {
    local n=$1 kind=$2 fol=$3 file bar ref_name snapshots ref_cmd
    file=$(datafile "$n" "$kind" "$fol")
    local fd_cmd=("$FD" scan --format json "$file")
    case $kind in
    csv)
        bar=1.0 ref_name="DuckDB read_csv"
        ref_cmd=(python3 -c "$DUCK_PY" "$(duck_query "$file" read_csv "$fol")") ;;
    ndjson)
        bar=1.2 ref_name="DuckDB read_json"
        ref_cmd=(python3 -c "$DUCK_PY" "$(duck_query "$file" read_json "$fol")") ;;
    gz)
        bar=1.2 ref_name="gzip -dc"
        ref_cmd=(gzip -dc "$file") ;;
    esac
    local tag=$RESULTS/$n-$kind-$fol
    say "$n accounts, $kind, $fol following: $file"

    # Snapshots: the data lines (a CSV has a header).
    case $kind in
    csv) snapshots=$(($(wc -l < "$file") - 1)) ;;
    ndjson) snapshots=$(wc -l < "$file") ;;
    gz) # the CSV it was made from, if still there
        if [ -f "${file%.gz}" ]; then
            snapshots=$(($(wc -l < "${file%.gz}") - 1))
        else
            snapshots=$(($(gzip -dc "$file" | wc -l) - 1))
        fi ;;
    esac

    cat "$file" > /dev/null # page cache warm
    # The checked runs (also the warm-up).
    local st=0
    "${fd_cmd[@]}" > "$tag.scan.json" 2> "$tag.scan.err" || st=$?
    if [ "$st" -gt 1 ]; then
        cat "$tag.scan.err" >&2
        die "followdrop scan failed on $file (status $st)"
    fi
    st=0
    "${ref_cmd[@]}" > "$tag.ref.out" 2> "$tag.ref.err" || st=$?
    if [ "$st" != 0 ]; then
        cat "$tag.ref.err" >&2
        die "the reference failed on $file (status $st)"
    fi
    local check
    check=$(python3 - "$tag.scan.json" "$tag.ref.out" "$kind" "$snapshots" <<'PY'
import json, re, sys
scan = json.load(open(sys.argv[1]))["input"]
kind, lines = sys.argv[3], int(sys.argv[4])
notes = []
if scan["rows"] != lines:
    notes.append(f"followdrop read {scan['rows']:,} rows of {lines:,}")
if kind != "gz":
    m = re.search(r"\[\((\d+), (\d+),", open(sys.argv[2]).read())
    if not m:
        notes.append("DuckDB's answer unreadable")
    else:
        c, a = int(m[1]), int(m[2])
        if c != lines:
            notes.append(f"DuckDB count(*) {c:,} (lines {lines:,})")
        if a != scan["accounts"]:
            notes.append(f"accounts: DuckDB {a:,}, followdrop {scan['accounts']:,}")
print("; ".join(notes) or "ok")
PY
)
    if [ "$check" != ok ]; then say "check: $check"; fi

    local r fd_best="" fd_kib=0 ref_best="" ref_kib=0 fd_all="" ref_all=""
    for r in $(seq 1 "$RUNS"); do
        timed "$tag.fd.$r" "${fd_cmd[@]}"
        [ "$T_STATUS" -le 1 ] || die "followdrop scan failed on $file in run $r (status $T_STATUS)"
        printf '%s\t%s\t%s\tfollowdrop\t%s\t%s\t%s\n' "$n" "$kind" "$fol" "$r" "$T_WALL" "$T_KIB" >> "$RESULTS/runs.tsv"
        fd_all+="${fd_all:+ }$T_WALL"
        fd_best=$(minf "$fd_best" "$T_WALL")
        if [ "$T_KIB" -gt "$fd_kib" ]; then fd_kib=$T_KIB; fi

        timed "$tag.ref.$r" "${ref_cmd[@]}"
        [ "$T_STATUS" = 0 ] || die "the reference failed on $file in run $r (status $T_STATUS)"
        printf '%s\t%s\t%s\treference\t%s\t%s\t%s\n' "$n" "$kind" "$fol" "$r" "$T_WALL" "$T_KIB" >> "$RESULTS/runs.tsv"
        ref_all+="${ref_all:+ }$T_WALL"
        ref_best=$(minf "$ref_best" "$T_WALL")
        if [ "$T_KIB" -gt "$ref_kib" ]; then ref_kib=$T_KIB; fi
        say "  run $r: followdrop ${fd_all##* } s, $ref_name ${ref_all##* } s"
    done
    printf '%s\n' "$n" "$kind" "$fol" "$(rel "$file")" "$(stat -c %s "$file")" "$snapshots" \
        "$ref_name" "$ref_best" "$ref_kib" "$fd_best" "$fd_kib" "$bar" "$fd_all" "$ref_all" \
        "$(shown "${fd_cmd[@]}") > /dev/null" "$(shown "${ref_cmd[@]}") > /dev/null" "$check" |
        paste -sd '\t' >> "$RESULTS/cases.tsv"
}

# ---------------------------------------------------------------- compare
if [ "$SCALE_ONLY" = 0 ]; then
    rm -f "$RESULTS"/[0-9]*-*-with* "$RESULTS"/[0-9]*-*-without* # the last run's per-run files
    : > "$RESULTS/cases.tsv"
    printf 'accounts\tinput\tfollowing\tcommand\trun\twall_s\tpeak_kib\n' > "$RESULTS/runs.tsv"
    for n in $SIZES; do
        make_data "$n"
        for kind in $FORMATS; do
            for fol in $FOLLOWING; do
                case_run "$n" "$kind" "$fol"
            done
        done
    done
fi

# ---------------------------------------------------------------- scale
if [ "$SCALE" = 1 ]; then
    scale_extra=()
    if [ "$SCALE_FOLLOWING" = without ]; then scale_extra=(--no-following); fi
    rm -f "$RESULTS"/scale-*
    printf 'accounts,days,snapshots,scan_s,peak_kib,peak_bytes,bytes_per_snapshot,budget_bytes,simulate_s,following\n' \
        > "$RESULTS/scale.csv"
    for n in $SCALE_SIZES; do
        gen=("$FD" simulate --accounts "$n" "${SIM[@]}" "${scale_extra[@]}" -q)
        say "scale: $n accounts: counting the stream ($(shown "${gen[@]}") | wc -l)"
        lines=$(/usr/bin/time -f '%e %M' -o "$RESULTS/scale-$n.gen.time" "${gen[@]}" | wc -l) ||
            die "followdrop simulate failed"
        snapshots=$((lines - 1))
        read -r gen_s _ < <(tail -n 1 "$RESULTS/scale-$n.gen.time")
        best="" kib=0
        for r in $(seq 1 "$SCALE_RUNS"); do
            set +e
            "${gen[@]}" | /usr/bin/time -f '%e %M' -o "$RESULTS/scale-$n.$r.time" \
                "$FD" scan --format json - > /dev/null 2> "$RESULTS/scale-$n.$r.err"
            ps=("${PIPESTATUS[@]}")
            set -e
            if [ "${ps[0]}" != 0 ] || [ "${ps[1]}" -gt 1 ]; then
                cat "$RESULTS/scale-$n.$r.err" >&2
                die "the stream failed (simulate status ${ps[0]}, scan ${ps[1]})"
            fi
            read -r w k < <(tail -n 1 "$RESULTS/scale-$n.$r.time")
            best=$(minf "$best" "$w")
            if [ "$k" -gt "$kib" ]; then kib=$k; fi
            say "  run $r: $w s, $k KiB (simulate alone: $gen_s s, $snapshots snapshots)"
        done
        awk -v n="$n" -v d="$DAYS" -v s="$snapshots" -v t="$best" -v k="$kib" -v g="$gen_s" \
            -v f="$SCALE_FOLLOWING" 'BEGIN {
                b = k * 1024
                # %.0f, not %d: mawk clamps %d to 2^31 - 1, and a million
                # accounts take more bytes than that.
                printf "%.0f,%.0f,%.0f,%s,%.0f,%.0f,%.2f,%.0f,%s,%s\n", n, d, s, t, k, b, b / s, 8 * s + 64 * 1048576, g, f
            }' >> "$RESULTS/scale.csv"
    done
    printf '%s | %s\n' "$(shown "$FD" simulate --accounts N "${SIM[@]}" "${scale_extra[@]}" -q)" \
        "$(shown "$FD" scan --format json -) > /dev/null" > "$RESULTS/scale.cmd"
else
    rm -f "$RESULTS/scale.csv" "$RESULTS/scale.cmd" "$RESULTS/scale.svg"
fi

echo "load_after=$(cut -d' ' -f1-3 /proc/loadavg)" >> "$RESULTS/machine.env"

report
