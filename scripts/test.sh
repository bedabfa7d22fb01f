#!/usr/bin/env bash
# Sets up, builds and runs the tests, then prints how long each phase took.
#   scripts/test.sh          the normal build (build/) and its whole suite: a few minutes
#   scripts/test.sh --all    that, then the suite under ASan+UBSan (build-asan/), where g++ 12's
#                            coroutine miscompilations show; the tests of several event loops
#                            (-threads N) under TSan (build-tsan/); each fuzzer for
#                            GONET_FUZZ_SECONDS (30). What CI runs.
# Exits non-zero if any phase failed (a test phase fails on a skip tests/expected-skips/ does not
# expect, too); the phases after a failed one still run.
set -euo pipefail
cd "$(dirname "$0")/.."

all=false
case "${1:-}" in
  "") ;;
  --all) all=true ;;
  *) echo "usage: scripts/test.sh [--all]" >&2; exit 2 ;;
esac

# A sanitizer report in any program fails the test that started it.
export ASAN_OPTIONS="${ASAN_OPTIONS:-abort_on_error=0:detect_leaks=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}"
export TSAN_OPTIONS="${TSAN_OPTIONS:-halt_on_error=1:second_deadlock_stack=1}"

status=0
timings=()
# Runs one phase, noting its time and whether it passed.
phase() {
  local name=$1
  shift
  echo "== $name"
  local start=$SECONDS rc=0
  "$@" || rc=$?
  local verdict=ok
  if [ "$rc" -ne 0 ]; then verdict="FAILED (exit $rc)"; status=1; fi
  timings+=("$(printf '%-14s %5d s  %s' "$name" $((SECONDS - start)) "$verdict")")
}

build() { cmake --build "$1" -j "$(nproc)" "${@:2}"; }
# Runs a build's tests: suite DIR VARIANT [CTEST ARGS]. Twice as many tests as cores: most wait
# on the programs they started; those that load the machine (label load) run alone. A test that
# skipped fails the phase too, unless tests/expected-skips/VARIANT.txt lists it: a machine where
# Redis failed to install must not pass quietly.
suite() {
  local dir=$1 variant=$2 rc=0
  local report="$PWD/$dir/ctest-report.xml"
  rm -f "$report"
  ctest --test-dir "$dir" --output-on-failure --timeout 120 -j $((2 * $(nproc))) \
    --output-junit "$report" "${@:3}" || rc=$?
  python3 tests/expected-skips/check_skips.py "$report" "tests/expected-skips/$variant.txt" ||
    [ "$rc" -ne 0 ] || rc=1
  return "$rc"
}

groups=()
if $all; then groups=(fuzz); fi
phase setup scripts/setup.sh "${groups[@]}"
normal=$(scripts/configure.sh normal)
phase "normal build" build "$normal"
phase "normal tests" suite "$normal" normal
if $all; then
  asan=$(scripts/configure.sh asan)
  phase "asan build" build "$asan"
  phase "asan tests" suite "$asan" asan
  # TSan checks what shares memory between threads: the programs' several event loops.
  tsan=$(scripts/configure.sh tsan)
  phase "tsan build" build "$tsan" --target e2e_tests unit_tests
  phase "tsan tests" suite "$tsan" tsan -R 'MultiLoop\.|MultiLoopCluster\.|ServesOnEveryEventLoop|ConnectionCaps'
  phase fuzzing scripts/fuzz.sh "${GONET_FUZZ_SECONDS:-30}"
fi

echo "== timings"
printf '%s\n' "${timings[@]}"
printf '%-14s %5d s\n' total "$SECONDS"
exit "$status"
