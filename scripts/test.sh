#!/usr/bin/env bash
# Sets up, builds and runs every test: the whole suite in a normal build (build/) and under
# ASan+UBSan (build-asan/), where g++ 12's coroutine miscompilations show; the tests of several
# event loops (-threads N) under TSan (build-tsan/); then each fuzzer for a bounded time.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh

# A sanitizer report in any program fails the test that started it.
export ASAN_OPTIONS="${ASAN_OPTIONS:-abort_on_error=0:detect_leaks=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}"
export TSAN_OPTIONS="${TSAN_OPTIONS:-halt_on_error=1:second_deadlock_stack=1}"

status=0
for variant in normal asan tsan; do
  dir=$(scripts/configure.sh "$variant")
  echo "== $variant build ($dir)"
  cmake --build "$dir" -j "$(nproc)"
  echo "== $variant tests"
  only=()
  if [ "$variant" = tsan ]; then only=(-R 'MultiLoop\.|ServesOnEveryEventLoop|ConnectionCaps'); fi
  ctest --test-dir "$dir" --output-on-failure --timeout 120 -j 2 "${only[@]}" || status=1
done

echo "== fuzzing"
scripts/fuzz.sh "${GONET_FUZZ_SECONDS:-30}" || status=1
exit "$status"
