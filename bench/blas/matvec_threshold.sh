#!/usr/bin/env bash
# Measures the break-even of attn-matmul-to-blas's min-flops for
# matrix-vector products: loops (blas-min-flops at its maximum) against
# attnrt_sgemv (blas-min-flops=0), one thread. Prints a markdown table.
#   usage: bench/blas/matvec_threshold.sh       env: ATTNC_BUILD_DIR
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
BUILD="${ATTNC_BUILD_DIR:-$ROOT/build}"
WORK="$BUILD/bench/blas"
mkdir -p "$WORK"
ninja -C "$BUILD" -j2 attn-opt attn-llc attnrt >&2
for variant in loops:9223372036854775807 blas:0; do
  name=${variant%%:*} flops=${variant#*:}
  sed "s/@NAME/@mv_$name/" "$HERE/matvec_threshold.mlir" > "$WORK/mv_$name.mlir"
  "$BUILD/bin/attn-opt" "$WORK/mv_$name.mlir" \
    --attnc-lower="blas-min-flops=$flops c-interface=0" -o "$WORK/mv_$name.llvm.mlir"
  "$BUILD/bin/attn-llc" "$WORK/mv_$name.llvm.mlir" -O3 -o "$WORK/mv_$name.o"
done
"${CC:-clang-19}" -O2 -Wall "$HERE/matvec_threshold.c" "$WORK/mv_loops.o" \
  "$WORK/mv_blas.o" -L "$BUILD/lib" -Wl,-rpath,"$BUILD/lib" -lattnrt \
  -lopenblas -lm -o "$WORK/matvec_threshold"
OMP_NUM_THREADS=1 "$WORK/matvec_threshold"
