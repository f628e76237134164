#!/usr/bin/env bash
# The decoder-step benchmark (bench/README.md): builds attnc and libattnrt
# if needed, compiles the date translator (examples/seq2seq/date.attn, its
# trained weights, S = 24) and bench/seq2seq/large.attn (hidden size 512,
# random weights, S = 100) with a small C harness, checks attnc's outputs
# against PyTorch on the same inputs, and times one `step` with attnc,
# PyTorch eager, TorchScript and the OpenBLAS sgemv floor, on 1 and 2
# threads. Prints a markdown table and writes bench/results/seq2seq_step.json.
#   usage: bench/seq2seq_step.sh [SAMPLES]        (default 200; there is no
#          --quick: every run writes bench/results/seq2seq_step.json)
#   env:   ATTNC_BUILD_DIR (default build/), BENCH_THREADS (default 1,2),
#          BENCH_NO_BUILD=1 (use the build as it is)
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/.." && pwd)"
BUILD="${ATTNC_BUILD_DIR:-$ROOT/build}"
SAMPLES="${1:-200}"
THREADS="${BENCH_THREADS:-1,2}"
WORK="$BUILD/bench/seq2seq"
PY=/usr/bin/python3   # Debian's: numpy and PyTorch (DESIGN.md section 6)
CC="${CC:-clang-19}"
CBLAS_INCLUDE=/usr/include/x86_64-linux-gnu/openblas-openmp

source "$HERE/lib/build.sh"
bench_build "$BUILD" attnc attnrt

mkdir -p "$WORK" "$ROOT/bench/results"
specs=()
for model in date large; do
  case $model in
    date) attn="$ROOT/examples/seq2seq/date.attn"
          weights="$ROOT/examples/seq2seq/date_attention.safetensors"; S=24 ;;
    large) attn="$HERE/seq2seq/large.attn"
           weights="$WORK/large/no-such-file"; S=100 ;;   # random weights
  esac
  "$BUILD/bin/attnc" "$attn" -o "$WORK/$model.o" --header "$WORK/$model.h"
  "$CC" -O2 -Wall -std=c11 -D_POSIX_C_SOURCE=200809L -DMODEL=$model \
    -include "$WORK/$model.h" -I "$ROOT/runtime/include" -I "$CBLAS_INCLUDE" \
    "$HERE/seq2seq/step_bench.c" "$WORK/$model.o" \
    -L "$BUILD/lib" -Wl,-rpath,"$BUILD/lib" -lattnrt -lopenblas -lm \
    -o "$WORK/step_$model"
  specs+=("$model:$attn:$weights:$S:$WORK/step_$model")
done

"$PY" "$HERE/seq2seq/torch_step.py" --work "$WORK" \
  --out "$ROOT/bench/results/seq2seq_step.json" --samples "$SAMPLES" \
  --threads "$THREADS" \
  --command "${ATTNC_BUILD_DIR:+ATTNC_BUILD_DIR=$ATTNC_BUILD_DIR }bench/seq2seq_step.sh${*:+ $*}" \
  "${specs[@]}"
