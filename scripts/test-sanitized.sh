#!/usr/bin/env bash
# Builds attnc, libattnrt and the tests under AddressSanitizer and UBSan
# into build-asan/ (LLVM's LLVM_USE_SANITIZER, with coverage instrumentation
# so that attnc-frontend-fuzzer is a real libFuzzer target there) and runs
# the whole test suite on that build; the last line of output is
# `N passed, N failed`, as for scripts/test.sh. Any sanitizer report fails
# the test it happens in. See docs/FUZZING.md.
set -uo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export ATTNC_BUILD_DIR="${ATTNC_BUILD_DIR:-$ROOT/build-asan}"
export ATTNC_CC=clang-19 ATTNC_CXX=clang++-19
export ATTNC_CMAKE_ARGS="-DLLVM_USE_SANITIZER=Address;Undefined -DLLVM_USE_SANITIZE_COVERAGE=ON"
exec "$ROOT/scripts/test.sh"
