#!/usr/bin/env bash
# The attention benchmark (bench/README.md, issue 6): builds attnc and
# libattnrt if needed, writes and compiles one single-head attention model
# per configuration (bench/attention/run.py), checks that attnc, a naive
# unfused attention on OpenBLAS and PyTorch agree, and times them side by
# side with the OpenBLAS sgemm reference, for N in 512..8192, D = 64 and 128,
# causal or not, 1 and 2 threads; plus extra rows at N = 4096 (additive and
# general scores tiled against unfused, returning the weights). Prints markdown
# tables and writes bench/results/attention.json.
#   usage: bench/attention.sh [--quick] [--samples S] [--seconds X]
#                             [--n 512,1024,...] [--d 64,128] [--causal 0,1]
#                             [--extra-n N|0] [--runs R]
#     --quick      a smoke run: N = 512,1024, extra rows at N = 512, at most
#                  5 samples or 0.5 s per measurement; writes
#                  $ATTNC_BUILD_DIR/bench/attention/attention-quick.json
#                  instead of the committed results
#     --samples S  samples per measurement (default 20), fewer when they
#                  would take more than --seconds X (default 3; at least 3)
#     --runs R     processes per measurement, the fastest kept (default 1)
#   env:   ATTNC_BUILD_DIR (default build/), BENCH_THREADS (default 1,2),
#          BENCH_NO_BUILD=1 (use the build as it is),
#          CC (the C harness, default clang-19), ATTNC_FLAGS (more attnc
#          flags for every model, e.g. "--query-block=64 --key-block=512")
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/.." && pwd)"
BUILD="${ATTNC_BUILD_DIR:-$ROOT/build}"
THREADS="${BENCH_THREADS:-1,2}"
WORK="$BUILD/bench/attention"
PY=/usr/bin/python3   # Debian's: numpy and PyTorch (DESIGN.md section 6)
OUT="$ROOT/bench/results/attention.json"

options=()
for arg in "$@"; do
  case $arg in
    --quick) options+=(--n 512,1024 --extra-n 512 --samples 5 --seconds 0.5)
             OUT="$WORK/attention-quick.json" ;;
    *) options+=("$arg") ;;
  esac
done

source "$HERE/lib/build.sh"
bench_build "$BUILD" attnc attnrt

mkdir -p "$WORK" "$(dirname "$OUT")"
"$PY" "$HERE/attention/run.py" --root "$ROOT" --build "$BUILD" \
  --work "$WORK" --out "$OUT" --threads "$THREADS" "${options[@]}" \
  --command "${ATTNC_BUILD_DIR:+ATTNC_BUILD_DIR=$ATTNC_BUILD_DIR }bench/attention.sh${*:+ $*}"
