#!/usr/bin/env bash
# Builds the libFuzzer targets of tests/fuzz into build-fuzz/ and runs each for SECONDS
# (default 30), one per core at a time, on a copy of its seed corpus, under ASan+UBSan with leak
# checking.
#   scripts/fuzz.sh [SECONDS] [TARGET...]
# One line per target; the logs stay in build-fuzz/logs/, a crashing input in
# build-fuzz/artifacts/TARGET/. Exits non-zero if any target found anything.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=${1:-30}
shift || true
if ! [[ $seconds =~ ^[0-9]+$ ]] || [ "$seconds" -eq 0 ]; then
  echo "usage: scripts/fuzz.sh [SECONDS] [TARGET...]" >&2
  exit 2
fi
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  targets=(fuzz_line_splitter fuzz_case_mapping fuzz_flags fuzz_address_duration fuzz_clockwall_args
           fuzz_terminal_safe fuzz_proxy_header fuzz_bus_frame fuzz_cell_text)
fi

scripts/setup.sh fuzz
launcher=()
if command -v ccache >/dev/null; then launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache); fi
mkdir -p build-fuzz
if ! { cmake -S tests/fuzz -B build-fuzz -DCMAKE_CXX_COMPILER=clang++ "${launcher[@]}" &&
       cmake --build build-fuzz -j "$(nproc)" --target "${targets[@]}"; } >build-fuzz/build.log 2>&1; then
  tail -n 30 build-fuzz/build.log
  echo "fuzz: the build failed; see build-fuzz/build.log" >&2
  exit 1
fi

export ASAN_OPTIONS="detect_leaks=1${ASAN_OPTIONS:+:$ASAN_OPTIONS}"
export UBSAN_OPTIONS="print_stacktrace=1${UBSAN_OPTIONS:+:$UBSAN_OPTIONS}"
# Runs one target and prints its line; the report of a finding follows it.
fuzz_one() {
  local target=$1
  # New inputs go to the copy; tests/fuzz/corpus holds only the seeds that are checked in.
  local corpus=build-fuzz/corpus/$target
  local artifacts=build-fuzz/artifacts/$target
  local log=build-fuzz/logs/$target.log
  rm -rf "$corpus" "$artifacts"
  mkdir -p "$corpus" "$artifacts" build-fuzz/logs
  cp -R "tests/fuzz/corpus/$target/." "$corpus/"
  local rc=0
  "build-fuzz/$target" -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10 \
    -print_final_stats=1 -artifact_prefix="$artifacts/" "$corpus" >"$log" 2>&1 || rc=$?
  local runs speed
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
  speed=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n 1)
  # A run that crashed prints no final stats: take its last status line.
  if [ -z "$runs" ]; then runs=$(sed -n 's/^#\([0-9]*\).*/\1/p' "$log" | tail -n 1); fi
  if [ -z "$speed" ]; then speed=$(sed -n 's/.*exec\/s: \([0-9]*\).*/\1/p' "$log" | tail -n 1); fi
  if [ "$rc" -eq 0 ]; then
    printf '%-24s %10s runs %7s exec/s  ok\n' "$target" "${runs:-?}" "${speed:-?}"
    return 0
  fi
  local found
  found=$(find "$artifacts" -type f | head -n 1)
  printf '%-24s %10s runs %7s exec/s  FAILED (exit %s) %s\n' "$target" "${runs:-?}" \
    "${speed:-?}" "$rc" "${found:-}"
  # The report without libFuzzer's own progress lines and stack frames.
  grep -v -E '^(#[0-9]+|INFO:|MS:|base unit:|stat::|NOTE:| +Combine libFuzzer|0x|\s+NEW_FUNC)' "$log" |
    grep -v -E 'in (fuzzer::|__sanitizer_print_stack_trace|__libc_start|_start |main \(|abort |raise |__pthread_kill)|libc\.so\.6\+' |
    tail -n 25 | sed 's/^/    /'
  return 1
}

# One target per core at a time: each is a single process on a single thread.
mkdir -p build-fuzz/results
for target in "${targets[@]}"; do
  while [ "$(jobs -rp | wc -l)" -ge "$(nproc)" ]; do wait -n || true; done
  rm -f "build-fuzz/results/$target.ok"
  { fuzz_one "$target" && touch "build-fuzz/results/$target.ok" || true; } \
    >"build-fuzz/results/$target.txt" &
done
wait
passed=0
failed=0
for target in "${targets[@]}"; do
  cat "build-fuzz/results/$target.txt"
  if [ -e "build-fuzz/results/$target.ok" ]; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
