#!/usr/bin/env bash
# `make demo`: the CLI's main job on the bundled sample (5,000 taxi trips as CSV), every step run
# inside the core component: look at it, convert it to LZ4 Feather and zstd Parquet, validate the
# results, and show by the content fingerprint that nothing changed on the way; then ask the
# converted file a question with SQL (the analytics plugin, composed with the core). Then the same
# component under Node reads what the CLI wrote.
#
# Usage: scripts/demo.sh CLI_BINARY OUT_DIR
set -euo pipefail
cli=$1
out=$2
sample=testdata/sample/trips.csv
rm -rf "$out" && mkdir -p "$out"

run() {
  printf '\n\033[1m$ arrow-rs-wasm %s\033[0m\n' "$*"
  "$cli" "$@"
}

run inspect "$sample"
run head "$sample" -n 8
run convert "$sample" "$out/trips.feather" --compression lz4
run convert "$sample" "$out/trips.parquet" --compression zstd
run validate "$out/trips.feather" "$out/trips.parquet"
run inspect "$out/trips.parquet"

fingerprint() { "$cli" inspect "$1" | sed -n 's/^fingerprint: //p'; }
csv=$(fingerprint "$sample")
feather=$(fingerprint "$out/trips.feather")
parquet=$(fingerprint "$out/trips.parquet")
printf '\n\033[1mSizes\033[0m: CSV %s bytes, Feather/LZ4 %s bytes, Parquet/zstd %s bytes\n' \
  "$(wc -c <"$sample")" "$(wc -c <"$out/trips.feather")" "$(wc -c <"$out/trips.parquet")"
if [[ "$csv" == "$feather" && "$csv" == "$parquet" ]]; then
  echo "Same content in all three: fingerprint $csv"
else
  echo "fingerprints differ: CSV $csv, Feather $feather, Parquet $parquet" >&2
  exit 1
fi

printf '\n\033[1mA question, answered by the analytics plugin:\033[0m trips and mean fare by pickup zone and hour\n'
run query "$out/trips.parquet" --max-rows 12 --sql "SELECT pickup_zone, hour(pickup) AS hour, count(*) AS trips, round(avg(fare), 2) AS mean_fare FROM t GROUP BY ALL ORDER BY trips DESC, pickup_zone, hour"

printf '\n\033[1mThe same component under Node (jco):\033[0m\n'
node js-bindings/examples/demo.mjs "$out" testdata/pandas
