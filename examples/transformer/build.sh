#!/usr/bin/env bash
# Compiles encoder.attn and decoder.attn with attnc and links app.c against
# the two objects, libattnrt and OpenBLAS.
#   usage: examples/transformer/build.sh [OUT_DIR]   (default: build/transformer)
# ATTNC_BUILD_DIR: attnc's build directory (default: build/ at the top of
# the tree); CC: the C compiler (default: cc); CFLAGS: added to its flags.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
BUILD="${ATTNC_BUILD_DIR:-$ROOT/build}"
OUT="${1:-$BUILD/transformer}"
mkdir -p "$OUT"
for model in encoder decoder; do
  "$BUILD/bin/attnc" "$HERE/$model.attn" -o "$OUT/$model.o" --header "$OUT/$model.h"
done
"${CC:-cc}" -O2 -Wall -Wextra ${CFLAGS:-} -I "$OUT" -I "$ROOT/runtime/include" \
  "$HERE/app.c" "$OUT/encoder.o" "$OUT/decoder.o" \
  -L "$BUILD/lib" -Wl,-rpath,"$BUILD/lib" -lattnrt -lopenblas -lm \
  -o "$OUT/app"
echo "$OUT/app"
