#!/usr/bin/env bash
# Builds rssflow and runs the whole test suite (unit and integration: a throwaway PostgreSQL,
# loopback HTTP servers, a Pushgateway and promtool are started by the tests themselves).
#
#   scripts/test.sh              release build
#   scripts/test.sh --sanitize   the same suite under ASan+UBSan
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh "$@"
build_dir=build
[[ "${1:-}" == "--sanitize" ]] && build_dir=build-asan
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
log=$(mktemp)
trap 'rm -f "$log"' EXIT
status=0
ctest --test-dir "$build_dir" --output-on-failure -j"$(nproc)" --timeout 900 2>&1 | tee "$log" || status=$?
# ctest counts a skipped test as not failed, and GoogleTest reports every test of a suite whose
# SetUpTestSuite failed as skipped: here a skip is a failure (no test skips on purpose).
if grep -q '(Skipped)$' "$log"; then
  echo "test.sh: some tests were skipped (listed above); that counts as a failure" >&2
  status=1
fi
exit "$status"
