# Sourced by the bench/ scripts: bench_build BUILD TARGET... configures
# BUILD as scripts/setup.sh does if it has no build.ninja yet, then builds
# the targets (-j2); all output goes to stderr. With BENCH_NO_BUILD=1 it
# builds nothing and uses BUILD's attnc and libattnrt as they are (while
# someone else is rebuilding BUILD, or to measure a given build).
bench_build() {
  local build=$1 root
  shift
  if [[ ${BENCH_NO_BUILD:-0} == 1 ]]; then
    if [[ ! -x $build/bin/attnc || ! -e $build/lib/libattnrt.so ]]; then
      echo "bench_build: BENCH_NO_BUILD=1 but $build has no bin/attnc and" \
        "lib/libattnrt.so" >&2
      return 1
    fi
    echo "bench_build: BENCH_NO_BUILD=1: using $build as it is" >&2
    return 0
  fi
  root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
  if [[ ! -f "$build/build.ninja" ]]; then
    cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release \
      -DCMAKE_C_COMPILER=clang-19 -DCMAKE_CXX_COMPILER=clang++-19 \
      -DMLIR_DIR=/usr/lib/llvm-19/lib/cmake/mlir \
      -DLLVM_EXTERNAL_LIT=/usr/lib/llvm-19/build/utils/lit/lit.py >&2
  fi
  ninja -C "$build" -j2 "$@" >&2
}
