#!/usr/bin/env bash
# TPC-H data for the analytics plugin's tests: installs tpchgen-cli 4.0 into the shared tool cache
# once (a pure-Rust generator from crates.io; ~4 minutes to build on 2 cores) and writes the eight
# tables as Parquet at the scale factor asked (default 0.1) into $CACHE/tpch/sf<SF>/. Each step is
# skipped when its output is already there, so `make test` pays for it once per machine.
set -euo pipefail

SF="${1:-0.1}"
CACHE="${CACHE:-$HOME/.cache/arrow-rs-wasm}"
TOOLS="$CACHE/tools"
TPCHGEN="$TOOLS/bin/tpchgen-cli"
OUT="$CACHE/tpch/sf$SF"
TABLES=(region nation supplier customer part partsupp orders lineitem)

if [[ ! -x "$TPCHGEN" ]]; then
  echo "installing tpchgen-cli 4.0 into $TOOLS (once)" >&2
  cargo install --locked --quiet tpchgen-cli@~4.0 --root "$TOOLS"
fi

complete=1
for t in "${TABLES[@]}"; do
  [[ -s "$OUT/$t.parquet" ]] || complete=0
done
if [[ $complete == 1 ]]; then
  exit 0
fi

# Generate into a temporary folder and move it into place, so an interrupted run never leaves a
# half-written data set that a later run would take as complete.
tmp="$OUT.tmp.$$"
rm -rf "$tmp"
mkdir -p "$tmp"
"$TPCHGEN" parquet --scale-factor "$SF" --output-dir "$tmp" >&2
for t in "${TABLES[@]}"; do
  [[ -s "$tmp/$t.parquet" ]] || { echo "tpchgen-cli wrote no $t.parquet" >&2; exit 1; }
done
rm -rf "$OUT"
mkdir -p "$(dirname "$OUT")"
mv "$tmp" "$OUT"
echo "TPC-H SF $SF in $OUT" >&2
