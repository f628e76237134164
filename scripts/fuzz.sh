#!/usr/bin/env bash
# Runs every libFuzzer target (docs/FUZZING.md) for SECONDS each (default
# 600) on a copy of its seed corpus, one job per core, and prints each
# one's last status line (executions, exec/s, cov, ft, corpus). A crash,
# leak, sanitizer report or timeout stops that fuzzer, keeps the
# reproducer in build/fuzz-runs/<fuzzer>/ and makes the script fail.
#   usage: scripts/fuzz.sh [SECONDS]
#   env:   ATTNC_BUILD_DIR (default build-asan/ if it exists, else build/)
# The frontend target is a real fuzzer only in the sanitizer build
# (scripts/test-sanitized.sh makes build-asan/); elsewhere it is skipped.
set -uo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DEFAULT_BUILD="$ROOT/build"
[[ -f $ROOT/build-asan/build.ninja ]] && DEFAULT_BUILD="$ROOT/build-asan"
BUILD="${ATTNC_BUILD_DIR:-$DEFAULT_BUILD}"
SECONDS_EACH="${1:-600}"

# fuzzer name, corpus and dictionary under fuzz/ (- for none)
FUZZERS=(
  "attnrt-safetensors-fuzzer safetensors safetensors.dict"
  "attnc-entry-points-fuzzer entry-points -"
)
if grep -q "^LLVM_USE_SANITIZE_COVERAGE:.*=ON" "$BUILD/CMakeCache.txt" 2>/dev/null; then
  FUZZERS+=("attnc-frontend-fuzzer frontend attn.dict")
else
  echo "attnc-frontend-fuzzer: skipped ($BUILD is not a coverage build; see docs/FUZZING.md)"
fi

cmake --build "$BUILD" --target $(for f in "${FUZZERS[@]}"; do echo "${f%% *}"; done) || exit 1
status=0
for entry in "${FUZZERS[@]}"; do
  read -r name corpus dict <<<"$entry"
  work="$BUILD/fuzz-runs/$name"
  rm -rf "$work" && mkdir -p "$work/corpus"
  cp "$ROOT/fuzz/corpus/$corpus"/* "$work/corpus/"
  dict_flag=()
  [[ $dict != - ]] && dict_flag=(-dict="$ROOT/fuzz/$dict")
  (cd "$work" && "$BUILD/bin/$name" -max_total_time="$SECONDS_EACH" \
     -timeout=10 -rss_limit_mb=2048 "${dict_flag[@]}" \
     -print_final_stats=1 corpus > log.txt 2>&1)
  result=$?
  echo "$name: exit $result"
  grep -E "^#[0-9]+.*(DONE|pulse|REDUCE|NEW)" "$work/log.txt" | tail -1
  grep -E "^stat::number_of_executed_units|^stat::average_exec_per_sec|^stat::peak_rss_mb" "$work/log.txt"
  echo "corpus: $(ls "$work/corpus" | wc -l) inputs"
  if ((result)); then
    status=1
    grep -E "ERROR|SUMMARY|crash-|leak-|timeout-" "$work/log.txt" | head -5
  fi
done
exit $status
