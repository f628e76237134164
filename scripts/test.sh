#!/usr/bin/env bash
# Installs what is missing, builds, and runs the whole test suite (lit and
# ctest). The last line of output is `N passed, N failed`.
set -uo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD="${ATTNC_BUILD_DIR:-$ROOT/build}"

bash "$ROOT/scripts/setup.sh" || { echo "test: setup or build failed"; exit 1; }

RESULTS="$BUILD/test-results"
rm -rf "$RESULTS" && mkdir -p "$RESULTS"

# Oracles and lit itself run under Debian's python3 (numpy, torch).
/usr/bin/python3 /usr/lib/llvm-19/build/utils/lit/lit.py -sv \
  --xunit-xml-output "$RESULTS/lit.xml" "$BUILD/test"
lit_status=$?

ctest --test-dir "$BUILD" --output-on-failure -j2 \
  --output-junit "$RESULTS/ctest.xml"
ctest_status=$?

/usr/bin/python3 "$ROOT/scripts/summarize_tests.py" \
  "$RESULTS/lit.xml" "$RESULTS/ctest.xml"
summary_status=$?

if ((lit_status || ctest_status || summary_status)); then exit 1; fi
