#!/bin/sh
# Seeds fuzz/corpus/<target>/ from fixtures/ (corpora are not committed).
# Run from anywhere: sh fuzz/seed.sh. Files over 64 KiB (the readers' -max_len)
# are cut to their first ~60 KB at a line end; libFuzzer would cut them anyway.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
fx="$here/../fixtures"
c="$here/corpus"
mkdir -p "$c/csv" "$c/json" "$c/ndjson" "$c/time" "$c/duration"

cut60k() { head -c 60000 "$1" | sed '$d'; }   # drop the partial last line

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
