#!/usr/bin/env bash
# Installs what is missing, builds attnc, and runs the main demo: compile the
# self-attention example to an object + header, link it into a C program,
# load random weights from safetensors, run it, and check it against numpy.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD="${ATTNC_BUILD_DIR:-$ROOT/build}"
bash "$ROOT/scripts/setup.sh"

EXAMPLE="$ROOT/examples/self_attention"
OUT="$BUILD/demo"
mkdir -p "$OUT"
cd "$OUT"

run() { echo "\$ $*"; "$@"; }

echo
echo "== 1. compile the model (examples/self_attention/self_attention.attn)"
run "$BUILD/bin/attnc" "$EXAMPLE/self_attention.attn" \
  -o self_attention.o --header self_attention.h
echo
echo "== 2. link it into a C application"
run clang-19 -O2 -I. -I"$ROOT/runtime/include" "$EXAMPLE/app.c" self_attention.o \
  -L"$BUILD/lib" -Wl,-rpath,"$BUILD/lib" -lattnrt -lopenblas -lm -o app
echo
echo "== 3. make random weights and run"
run /usr/bin/python3 "$EXAMPLE/make_weights.py" weights.safetensors
run ./app weights.safetensors 6 | tee output.txt
echo
echo "== 4. check against numpy"
run /usr/bin/python3 "$EXAMPLE/check.py" weights.safetensors output.txt
echo
echo "== 5. bad input gets a status and a message, not a crash"
set +e
run ./app weights.safetensors 600
echo "(exit status $?)"
