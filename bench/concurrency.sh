#!/usr/bin/env bash
# Concurrent callers (bench/README.md): compiles the date translator
# (examples/seq2seq/date.attn) with bench/concurrency/driver.c, then times
# 8,000 calls of its `step` made by one thread and by 8 threads sharing one
# handle, with OMP_NUM_THREADS unset, 1 and 2. Prints a markdown table and
# writes bench/results/concurrency.json.
#   usage: bench/concurrency.sh [RUNS]     (default 5)
#   env:   ATTNC_BUILD_DIR (default build/), BENCH_NO_BUILD=1
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/.." && pwd)"
BUILD="${ATTNC_BUILD_DIR:-$ROOT/build}"
RUNS="${1:-5}"
WORK="$BUILD/bench/concurrency"
CC="${CC:-clang-19}"

source "$HERE/lib/build.sh"
bench_build "$BUILD" attnc attnrt

mkdir -p "$WORK" "$ROOT/bench/results"
"$BUILD/bin/attnc" "$ROOT/examples/seq2seq/date.attn" -o "$WORK/date.o" \
  --header "$WORK/date.h"
"$CC" -O2 -Wall -Wextra -std=c11 -D_POSIX_C_SOURCE=200809L -I "$WORK" \
  -I "$ROOT/runtime/include" "$HERE/concurrency/driver.c" "$WORK/date.o" \
  -L "$BUILD/lib" -Wl,-rpath,"$BUILD/lib" -lattnrt -lopenblas -lm -lpthread \
  -o "$WORK/driver"
/usr/bin/python3 "$HERE/concurrency/run.py" --driver "$WORK/driver" \
  --weights "$ROOT/examples/seq2seq/date_attention.safetensors" \
  --runs "$RUNS" --out "$ROOT/bench/results/concurrency.json" \
  --command "bench/concurrency.sh${*:+ $*}"
