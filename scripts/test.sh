#!/usr/bin/env bash
# Sets up, builds and runs every test twice: in a normal build (build/) and under
# -fsanitize=address,undefined (build-asan/), where g++ 12's coroutine miscompilations show.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh

launcher=()
if command -v ccache >/dev/null; then launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache); fi

# A sanitizer report in any program fails the test that started it.
export ASAN_OPTIONS="${ASAN_OPTIONS:-abort_on_error=0:detect_leaks=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}"

status=0
for variant in normal asan; do
  dir=build
  flags=(-DCMAKE_BUILD_TYPE=RelWithDebInfo)
  if [ "$variant" = asan ]; then
    dir=build-asan
    flags=(-DCMAKE_BUILD_TYPE=Debug -DGONET_SANITIZE=ON)
  fi
  echo "== $variant build ($dir)"
  cmake -S . -B "$dir" "${flags[@]}" "${launcher[@]}" >/dev/null
  cmake --build "$dir" -j "$(nproc)"
  echo "== $variant tests"
  ctest --test-dir "$dir" --output-on-failure --timeout 120 -j 2 || status=1
done
exit "$status"
