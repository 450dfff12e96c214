#!/bin/sh
# Seeds fuzz/corpus/<target>/ from fixtures/ (corpora are not committed).
# Run from anywhere: sh fuzz/seed.sh. For the pipeline targets (csv, json,
# ndjson) files over 64 KiB (their -max_len) are cut to their first ~60 KB at a
# line end; for the reader-only targets (read_*, -max_len=4096) to ~4 KB.
# libFuzzer would cut them anyway, but not at a line end.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
fx="$here/../fixtures"
c="$here/corpus"
mkdir -p "$c/csv" "$c/json" "$c/ndjson" "$c/time" "$c/duration" \
    "$c/read_csv" "$c/read_json" "$c/read_ndjson" "$c/read_opts"

# cut N FILE: FILE, or, when it is over N bytes, its first N bytes without the
# partial last line (a smaller file is kept whole, its last line too).
cut() { if [ "$(wc -c < "$2")" -gt "$1" ]; then head -c "$1" "$2" | sed '$d'; else cat "$2"; fi; }
cut60k() { cut 60000 "$1"; }

# csv: every CSV fixture, the per-account files, the bad and nasty ones, and gzip forms.
for f in "$fx"/*.csv "$fx"/per-account/*.csv "$fx"/bad/*.csv "$fx"/nasty/*.csv; do
    cut60k "$f" > "$c/csv/$(basename "$f")"
done
cp "$fx"/bad/*.gz "$c/csv/"
gzip -9nc "$fx/three-accounts.csv" > "$c/csv/three-accounts.csv.gz"
printf '' > "$c/csv/empty"

# json: the bad fixture and JSON arrays built from CSV fixtures (flat and nested).
cp "$fx/bad/bad-json.json" "$c/json/"
awk -F, 'NR>1 { printf "%s{\"timestamp\":\"%s\",\"account\":\"%s\",\"followers\":%s,\"following\":%s}", (n++ ? ",\n" : "[\n"), $1, $2, $3, $4 } END { print "\n]" }' \
    "$fx/three-accounts.csv" > "$c/json/three-accounts.json"
awk -F, 'NR>1 { printf "%s{\"collected_at\":\"%s\",\"username\":\"nasa\",\"public_metrics\":{\"followers_count\":%s}}", (n++ ? "," : "["), $1, $2 } END { print "]" }' \
    "$fx/per-account/nasa.csv" > "$c/json/nasa-nested.json"
gzip -dc "$fx/twitter-2018-07-locked.ndjson.gz" | head -c 60000 | sed '$d' \
    | awk '{ printf "%s%s", (n++ ? ",\n" : "[\n"), $0 } END { print "\n]" }' > "$c/json/twitter-array.json"

# ndjson: the Twitter fixture (plain, cut, and the gzip itself), the bad one.
gzip -dc "$fx/twitter-2018-07-locked.ndjson.gz" | head -c 60000 | sed '$d' > "$c/ndjson/twitter.ndjson"
cp "$fx/twitter-2018-07-locked.ndjson.gz" "$c/ndjson/twitter.ndjson.gz"
cp "$fx/bad/bad-line.ndjson" "$c/ndjson/"
awk -F, 'NR>1 { printf "{\"timestamp\":\"%s\",\"account\":\"%s\",\"followers\":%s,\"following\":%s}\n", $1, $2, $3, $4 }' \
    "$fx/three-accounts.csv" > "$c/ndjson/three-accounts.ndjson"

# time: one seed per accepted form, and a few edge cases.
i=0
for s in '2019-02-13T14:00:00Z' '2019-02-13t14:00:00z' '2019-02-13T14:00:00.123456Z' \
         '2019-02-13T15:00:00+01:00' '2019-02-13T15:00:00+0100' '2019-02-13T15:00:00+01' \
         '2019-02-13 14:00' '2019-02-13 14:00:00' '2019-02-13T14:00' '2019-02-13' \
         '1550066400' '1550066400000' '2016-12-31T23:59:60Z' '2019-03-31 02:30' \
         '2019-10-27 02:30' '9999-12-31T23:59:59Z' '0001-01-01T00:00:00Z' '-1' \
         ' 2019-02-13T14:00:00Z ' '1969-12-31T23:59:59-23:59'; do
    i=$((i + 1)); printf '%s' "$s" > "$c/time/seed$i"
done

# duration
i=0
for s in '90s' '15m' '1h' '6h' '1d' '2w' '1h30m' '1 h' '3days' '100weeks' '0s' '5200w' ' 1d ' '1hour30mins'; do
    i=$((i + 1)); printf '%s' "$s" > "$c/duration/seed$i"
done

# Reader-only targets (-max_len=4096): inputs of at most ~4 KB.
cut4k() { cut 4000 "$1"; }

# They skip compressed and container inputs (fuzz_targets/readers.rs), so
# their seeds are plain text.

# read_csv: the plain csv seeds cut to ~4 KB, the CSV shapes, one per-account
# history.
for f in "$c"/csv/*; do
    case "$f" in
        *.gz) ;;
        *) cut4k "$f" > "$c/read_csv/$(basename "$f")" ;;
    esac
done
for f in "$fx"/shapes/*.csv "$fx"/shapes/platforms/*.csv "$fx"/shapes/history/alice_art.csv; do
    cut4k "$f" > "$c/read_csv/shape-$(basename "$f")"
done

# read_json: whole (small) JSON documents: the bad fixture, arrays of 40
# records built from fixtures (flat, nested), an API response with records
# under "data", a YouTube-shaped one under "items".
cp "$fx/bad/bad-json.json" "$c/read_json/"
head -n 40 "$fx/three-accounts.csv" | awk -F, 'NR>1 { printf "%s{\"timestamp\":\"%s\",\"account\":\"%s\",\"followers\":%s,\"following\":%s}", (n++ ? ",\n" : "[\n"), $1, $2, $3, $4 } END { print "\n]" }' \
    > "$c/read_json/three-accounts.json"
head -n 40 "$fx/per-account/nasa.csv" | awk -F, 'NR>1 { printf "%s{\"collected_at\":\"%s\",\"username\":\"nasa\",\"public_metrics\":{\"followers_count\":%s}}", (n++ ? "," : "["), $1, $2 } END { print "]" }' \
    > "$c/read_json/nasa-nested.json"
gzip -dc "$fx/twitter-2018-07-locked.ndjson.gz" | head -c 3500 | sed '$d' \
    | awk '{ printf "%s%s", (n++ ? ",\n" : "[\n"), $0 } END { print "\n]" }' > "$c/read_json/twitter-array.json"
cp "$fx/shapes/twitter-v2/2024-01-01T0600Z.json" "$c/read_json/twitter-v2.json"
cp "$fx/shapes/youtube/day-01.json" "$c/read_json/youtube.json"

# read_ndjson: the Twitter and Twitch fixtures cut to ~4 KB, the bad one, three-accounts.
gzip -dc "$fx/twitter-2018-07-locked.ndjson.gz" | head -c 4000 | sed '$d' > "$c/read_ndjson/twitter.ndjson"
cut4k "$fx/shapes/twitch-followers.ndjson" > "$c/read_ndjson/twitch.ndjson"
cp "$fx/bad/bad-line.ndjson" "$c/read_ndjson/"
cut4k "$c/ndjson/three-accounts.ndjson" > "$c/read_ndjson/three-accounts.ndjson"

# read_opts: 4 option bytes (see fuzz_targets/read_opts.rs), then an input.
# Every reader seed with the default options (0 0 0 0), and a few with the
# options they need: European counts and times, Excel serials, a cohort
# column, records under "data", a delimiter, a skip, renamed columns, a time
# from the name.
opt() { printf "$1"; cat "$2"; }   # opt '\ooo\ooo\ooo\ooo' file
for t in read_csv read_json read_ndjson; do
    for f in "$c/$t"/*; do
        opt '\000\000\000\000' "$f" > "$c/read_opts/$t-$(basename "$f")"
    done
done
# byte 1 = 0x21: --thousands . and --time-format '%d.%m.%Y %H:%M', on the
# European shape with its German header (Datum;Konto;Follower) in English
sed '1s/.*/date;account;followers/' "$c/read_csv/shape-european.csv" > "$c/read_opts/.e"
opt '\000\041\000\000' "$c/read_opts/.e" > "$c/read_opts/european-dot"
# byte 0 = 0x41, byte 2 = ';': --input-format csv --delimiter ';'
opt '\101\041\073\000' "$c/read_opts/.e" > "$c/read_opts/european-delim"
# byte 1 = 0x10: --time-format excel; 0x14: and --tz Europe/Paris
opt '\000\020\000\000' "$c/read_csv/shape-excel-serial.csv" > "$c/read_opts/excel"
opt '\000\024\000\000' "$c/read_csv/shape-excel-serial.csv" > "$c/read_opts/excel-paris"
# byte 0 = 0x30: --cohort-by c; the platforms file with its column renamed c
sed '1s/^platform,/c,/' "$c/read_csv/shape-platforms.csv" > "$c/read_opts/.p"
opt '\060\000\000\000' "$c/read_opts/.p" > "$c/read_opts/cohort-c"
# byte 0 = 0x10, 0x20: --cohort-by file, --cohort-by none
opt '\020\000\000\000' "$c/read_csv/shape-platforms.csv" > "$c/read_opts/cohort-file"
opt '\040\000\000\000' "$c/read_csv/shape-platforms.csv" > "$c/read_opts/cohort-none"
rm "$c/read_opts/.p"
# byte 1 = 0x40: --records data; 0x80: --records response.items (both with
# byte 0 = 0x80: --time-from-name, as these responses hold no time of their own)
opt '\200\100\000\000' "$c/read_json/twitter-v2.json" > "$c/read_opts/records-data"
{ printf '{"response":'; cat "$c/read_json/youtube.json"; printf '}'; } > "$c/read_opts/.y"
opt '\200\200\000\000' "$c/read_opts/.y" > "$c/read_opts/records-response-items"
# byte 0 = 0x08: --on-error skip, on the bad fixtures
for f in "$fx"/bad/bad-count.csv "$fx"/bad/bad-time.csv "$fx"/bad/negative-count.csv "$fx"/bad/bad-line.ndjson; do
    opt '\010\000\000\000' "$f" > "$c/read_opts/skip-$(basename "$f")"
done
# byte 0 = 0x40: --delimiter '|' (byte 2 = 0x7c)
tr , '|' < "$c/read_csv/three-accounts.csv" > "$c/read_opts/.t"
opt '\100\000\174\000' "$c/read_opts/.t" > "$c/read_opts/pipe"
# byte 0 = 0x80: --time-from-name, on an API response saved without a time
opt '\200\000\000\000' "$c/read_json/twitter-v2.json" > "$c/read_opts/time-from-name"
# byte 0 = 0x04: --wide, on a wide table (a time column, then one column per account)
printf 'date,alice,bob\n2024-01-01,10,20\n2024-01-02,11,19\n2024-01-03,12,\n' > "$c/read_opts/.w"
opt '\004\000\000\000' "$c/read_opts/.w" > "$c/read_opts/wide"
# byte 3 = 0x1f: every column renamed (t, a, n, g, l)
printf 't,a,n,g,l\n2024-01-01T00:00:00Z,x,10,3,X\n2024-01-02T00:00:00Z,x,9,3,X\n' > "$c/read_opts/.r"
opt '\000\000\000\037' "$c/read_opts/.r" > "$c/read_opts/renamed"
rm "$c/read_opts/.e" "$c/read_opts/.t" "$c/read_opts/.w" "$c/read_opts/.r" "$c/read_opts/.y"
