# Sourced by the bench/ scripts: bench_build BUILD TARGET... configures
# BUILD as scripts/setup.sh does if it has no build.ninja yet, then builds
# the targets (-j2); all output goes to stderr.
bench_build() {
  local build=$1 root
  shift
  root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
  if [[ ! -f "$build/build.ninja" ]]; then
    cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release \
      -DCMAKE_C_COMPILER=clang-19 -DCMAKE_CXX_COMPILER=clang++-19 \
      -DMLIR_DIR=/usr/lib/llvm-19/lib/cmake/mlir \
      -DLLVM_EXTERNAL_LIT=/usr/lib/llvm-19/build/utils/lit/lit.py >&2
  fi
  ninja -C "$build" -j2 "$@" >&2
}
