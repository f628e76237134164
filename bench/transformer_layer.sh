#!/usr/bin/env bash
# The transformer layer benchmark (bench/README.md, "Transformer layer"):
# builds attnc and libattnrt if needed, compiles one
# nn.TransformerEncoderLayer (bench/transformer/layer.attn: d 512, 8 heads,
# ffn 2048, post-norm, relu) with a C driver, writes random weights, checks
# attnc's output against PyTorch 1.13's fast path (eval, no_grad: the fused
# encoder-layer kernel) and plain paths on the same inputs (1e-4 relative),
# then times attnc, the PyTorch paths and the OpenBLAS GEMM floor (the
# layer's products alone, same shapes) for S in 128, 512, 2048, B in 1, 8,
# on 1 and 2 threads, each in a fresh process, with GFLOP/s and peak RSS
# growth. Prints markdown tables and writes
# bench/results/transformer_layer.json (bench/transformer/run.py).
#   usage: bench/transformer_layer.sh [--quick] [--samples S] [--seconds X]
#                                     [--s 128,512,2048] [--b 1,8] [--runs R]
#     --quick      a smoke run: S = 128,512, B = 1, at most 5 samples or
#                  0.5 s per measurement; writes transformer_layer-quick.json
#                  in $ATTNC_BUILD_DIR/bench/transformer/ instead of the
#                  committed results
#     --samples S  samples per measurement (default 20), fewer when they
#                  would take more than --seconds X (default 3; at least 3)
#     --runs R     processes per measurement, the fastest kept (default 1)
#   env:   ATTNC_BUILD_DIR (default build/), BENCH_THREADS (default 1,2),
#          BENCH_NO_BUILD=1 (use the build as it is), CC (the C driver,
#          default clang-19), ATTNC_FLAGS (more attnc flags)
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/.." && pwd)"
BUILD="${ATTNC_BUILD_DIR:-$ROOT/build}"
THREADS="${BENCH_THREADS:-1,2}"
WORK="$BUILD/bench/transformer"
PY=/usr/bin/python3   # Debian's: numpy and PyTorch (DESIGN.md section 6)
OUT="$ROOT/bench/results/transformer_layer.json"

options=()
for arg in "$@"; do
  case $arg in
    --quick) options+=(--s 128,512 --b 1 --samples 5 --seconds 0.5)
             OUT="$WORK/transformer_layer-quick.json" ;;
    *) options+=("$arg") ;;
  esac
done

source "$HERE/lib/build.sh"
bench_build "$BUILD" attnc attnrt

mkdir -p "$WORK" "$(dirname "$OUT")"
"$PY" "$HERE/transformer/run.py" --root "$ROOT" --build "$BUILD" \
  --work "$WORK" --out "$OUT" --threads "$THREADS" "${options[@]}" \
  --command "${ATTNC_BUILD_DIR:+ATTNC_BUILD_DIR=$ATTNC_BUILD_DIR }bench/transformer_layer.sh${*:+ $*}"
