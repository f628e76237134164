#!/usr/bin/env bash
# Installs what is missing, configures and builds attnc into build/.
# Sourced by demo.sh and test.sh; safe to re-run (a built tree rebuilds nothing).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD="${ATTNC_BUILD_DIR:-$ROOT/build}"

# Debian packages the build, the tests and the examples need.
PACKAGES=(
  cmake ninja-build g++ clang-19 lld-19
  llvm-19-dev llvm-19-tools libmlir-19-dev mlir-19-tools
  zlib1g-dev libzstd-dev
  libgtest-dev libopenblas-openmp-dev
  libclang-rt-19-dev   # AddressSanitizer runtime for the runtime's ASan tests
  python3 python3-numpy python3-torch
  graphviz             # dot: renders attnc --emit=dot (its tests, docs/images)
  make pkg-config      # examples/make_app, built by the install tests
)

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q '^install ok installed$'; then
    missing+=("$p")
  fi
done
if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}"
  SUDO=""
  if [[ $(id -u) -ne 0 ]]; then SUDO="sudo"; fi
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update
  $SUDO apt-get install -y --no-install-recommends "${missing[@]}"
fi

# The compiler that builds attnc: clang 19 unless ATTNC_CC/ATTNC_CXX say
# otherwise (scripts/test-gcc.sh builds with g++). ccache is used when present.
CC_FOR_BUILD="${ATTNC_CC:-clang-19}"
CXX_FOR_BUILD="${ATTNC_CXX:-clang++-19}"
LAUNCHER=()
if command -v ccache >/dev/null; then
  LAUNCHER=(-DCMAKE_C_COMPILER_LAUNCHER=ccache -DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
fi
if [[ ! -f "$BUILD/build.ninja" ]]; then
  cmake -S "$ROOT" -B "$BUILD" -G Ninja \
    -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_C_COMPILER="$CC_FOR_BUILD" -DCMAKE_CXX_COMPILER="$CXX_FOR_BUILD" \
    "${LAUNCHER[@]}" \
    -DMLIR_DIR=/usr/lib/llvm-19/lib/cmake/mlir \
    -DLLVM_EXTERNAL_LIT=/usr/lib/llvm-19/build/utils/lit/lit.py \
    ${ATTNC_CMAKE_ARGS:-}
fi
cmake --build "$BUILD" -j2
