#!/usr/bin/env bash
# Compile time against model size (bench/README.md): attnc on generated
# models growing by params, fns, statements, terms of sums and nested calls,
# at doubling sizes; the ratio to the previous size is 2 where compile time
# is linear. Prints a markdown table, writes bench/results/compile_time.json.
#   usage: bench/compile_time.sh [SIZES]    (default 250,500,1000,2000)
#   env:   ATTNC_BUILD_DIR (default build/), BENCH_NO_BUILD=1
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/.." && pwd)"
BUILD="${ATTNC_BUILD_DIR:-$ROOT/build}"
source "$HERE/lib/build.sh"
bench_build "$BUILD" attnc
mkdir -p "$ROOT/bench/results"
/usr/bin/python3 "$HERE/compile_time.py" --attnc "$BUILD/bin/attnc" \
  --work "$BUILD/bench/compile_time" --sizes "${1:-250,500,1000,2000}" \
  --out "$ROOT/bench/results/compile_time.json" \
  --command "bench/compile_time.sh${*:+ $*}"
