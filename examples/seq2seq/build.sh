#!/usr/bin/env bash
# Compiles date.attn and date_noattention.attn with attnc and links
# translate.c against the two objects and libattnrt.
#   usage: examples/seq2seq/build.sh [OUT_DIR]     (default: build/seq2seq)
#   env:   ATTNC_BUILD_DIR, CC (default cc), CFLAGS (added to -O2 -Wall)
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
BUILD="${ATTNC_BUILD_DIR:-$ROOT/build}"
OUT="${1:-$BUILD/seq2seq}"
mkdir -p "$OUT"
for model in date date_noattention; do
  "$BUILD/bin/attnc" "$HERE/$model.attn" -o "$OUT/$model.o" --header "$OUT/$model.h"
done
"${CC:-cc}" -O2 -Wall ${CFLAGS:-} -I "$OUT" -I "$HERE" -I "$ROOT/runtime/include" \
  "$HERE/translate.c" "$OUT/date.o" "$OUT/date_noattention.o" \
  -L "$BUILD/lib" -Wl,-rpath,"$BUILD/lib" -lattnrt -lopenblas -lm \
  -o "$OUT/translate"
echo "$OUT/translate"
