#!/usr/bin/env bash
# Builds attnc with g++ (the distribution's default compiler) into build-gcc/
# and runs the whole test suite on that build; the last line of output is
# `N passed, N failed`, as for scripts/test.sh. The code must be correct C++,
# not just correct under clang: a g++ build once crashed where clang's did not.
set -uo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ATTNC_BUILD_DIR="${ATTNC_BUILD_DIR:-$ROOT/build-gcc}" ATTNC_CC=gcc ATTNC_CXX=g++ \
  exec "$ROOT/scripts/test.sh"
