#!/usr/bin/env bash
# Installs what is missing, builds attnc, and runs the main demo: the trained
# date translator of examples/seq2seq. Two .attn models (a bidirectional-GRU
# encoder and a GRU decoder, with and without Bahdanau attention) are
# compiled to objects + headers, linked into a C program with the PyTorch-
# trained weights, and asked to translate dates written in many formats;
# the attention model also draws what it looks at (an SVG heatmap).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD="${ATTNC_BUILD_DIR:-$ROOT/build}"
bash "$ROOT/scripts/setup.sh"

EXAMPLE="$ROOT/examples/seq2seq"
OUT="$BUILD/demo"
mkdir -p "$OUT"
cd "$OUT"

run() { echo "\$ $*"; "$@"; }

echo
echo "== 1. compile the models and link the C program (examples/seq2seq/build.sh)"
for model in date date_noattention; do
  run "$BUILD/bin/attnc" "$EXAMPLE/$model.attn" -o "$model.o" --header "$model.h"
done
run cc -O2 -I. -I"$EXAMPLE" -I"$ROOT/runtime/include" "$EXAMPLE/translate.c" \
  date.o date_noattention.o -L"$BUILD/lib" -Wl,-rpath,"$BUILD/lib" \
  -lattnrt -lopenblas -lm -o translate

DATES="Tue, Nov 24 2026
24 November 2026
11/24/26
24.11.26
the 3rd of March 1957
Dec 31, 49
SATURDAY, 1 JANUARY 2000
19821122"
echo
echo "== 2. translate dates (weights trained by examples/seq2seq/train.py)"
echo "\$ ./translate --weights date_attention.safetensors --heatmap heatmap.svg"
paste <(echo "$DATES") <(echo "$DATES" | ./translate \
  --weights "$EXAMPLE/date_attention.safetensors" --heatmap heatmap.svg || true) \
  | awk -F'\t' '{ printf "  %-28s -> %s\n", $1, $2 }'
echo
echo "== 3. the same decoder without attention (it sees only the last encoder state)"
paste <(echo "$DATES") <(echo "$DATES" | ./translate --no-attention \
  --weights "$EXAMPLE/date_noattention.safetensors" || true) \
  | awk -F'\t' '{ printf "  %-28s -> %s\n", $1, $2 }'
echo
echo "== 4. what the attention model looked at for \"$(echo "$DATES" | head -1)\""
echo "  $OUT/heatmap.svg (open it in a browser; rows: output, columns: source)"
echo
echo "== 5. bad input gets a message, not a crash"
set +e
echo "24 Novemb€r 2026" | run ./translate --weights "$EXAMPLE/date_attention.safetensors"
echo "(exit status $?)"
