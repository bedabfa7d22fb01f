#!/usr/bin/env bash
# Runs the whole end-to-end suite ROUNDS times in a row (20 unless told) while a CPU hog keeps
# every core busy, in the normal and the sanitizer build; prints "N passed, M failed", a round
# counting as passed only when every test in it passed. Run it before every submission: a test
# that fails here is a bug in the program or in the test.
#   scripts/stress-test.sh [ROUNDS] [VARIANT...]      (variants: normal asan; default both)
set -euo pipefail
cd "$(dirname "$0")/.."

rounds="${1:-20}"
shift || true
variants=("$@")
if [ ${#variants[@]} -eq 0 ]; then variants=(normal asan); fi

scripts/setup.sh stress
export ASAN_OPTIONS="${ASAN_OPTIONS:-abort_on_error=0:detect_leaks=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}"

logs=$(mktemp -d /tmp/gonet-stress.XXXXXX)
hog=""
stop_hog() { if [ -n "$hog" ]; then kill "$hog" 2>/dev/null || true; wait "$hog" 2>/dev/null || true; fi; }
trap stop_hog EXIT

passed=0
failed=0
for variant in "${variants[@]}"; do
  dir=$(scripts/configure.sh "$variant")
  cmake --build "$dir" -j "$(nproc)" >/dev/null
  # Bounded: the hog ends by itself after a day even if this script is killed.
  stress-ng --cpu "$(nproc)" --timeout 86400 --quiet &
  hog=$!
  for round in $(seq 1 "$rounds"); do
    log="$logs/$variant-$round.log"
    report="$logs/$variant-$round.xml"
    start=$(date +%s)
    # A skip not expected fails the round, as in scripts/test.sh: a test that did not run did not
    # pass under load.
    if ctest --test-dir "$dir" -R '^(Clock|Reverb|Netcat|Clockwall|BadServer|Churn|Flood|HostileBytes|DescriptorExhaustion|Shutdown|MultiLoop|SocketActivation|Journal|Addresses|Help|Chat|ConnectionCaps|ProxyProtocol|BehindHaproxy|TlsClients|ClusterDemo|Demo|HostileBus|RedisAccess|RedisOverTls|RoomKey)' \
        --output-on-failure --timeout 120 -j $((2 * $(nproc))) --output-junit "$report" >"$log" 2>&1 &&
      python3 tests/expected-skips/check_skips.py "$report" "tests/expected-skips/$variant.txt" \
        >>"$log" 2>&1; then
      passed=$((passed + 1))
      echo "$variant round $round: passed ($(( $(date +%s) - start )) s)"
    else
      failed=$((failed + 1))
      echo "$variant round $round: FAILED ($(( $(date +%s) - start )) s), log $log:"
      grep -E '^\s*[0-9]+ - |Failed|\*\*\*|SKIPPED, not expected' "$log" | head -20 || true
    fi
  done
  stop_hog
  hog=""
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
