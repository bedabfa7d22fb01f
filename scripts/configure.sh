#!/usr/bin/env bash
# Configures one build variant and prints its folder: the one place that knows how.
#   normal  build/       RelWithDebInfo
#   asan    build-asan/  Debug at -O1, -fsanitize=address,undefined (where g++ 12's coroutine bugs show)
#   tsan    build-tsan/  RelWithDebInfo, -fsanitize=thread (for -threads N, several event loops)
#   release build-release/ Release, for benchmarks
set -euo pipefail
cd "$(dirname "$0")/.."
variant="${1:-normal}"
case "$variant" in
  normal) dir=build; flags=(-DCMAKE_BUILD_TYPE=RelWithDebInfo) ;;
  asan) dir=build-asan; flags=(-DCMAKE_BUILD_TYPE=Debug -DGONET_SANITIZE=address -DGONET_BENCHMARKS=OFF) ;;
  tsan) dir=build-tsan; flags=(-DCMAKE_BUILD_TYPE=RelWithDebInfo -DGONET_SANITIZE=thread -DGONET_BENCHMARKS=OFF) ;;
  release) dir=build-release; flags=(-DCMAKE_BUILD_TYPE=Release) ;;
  *) echo "configure.sh: unknown variant $variant (normal, asan, tsan, release)" >&2; exit 2 ;;
esac
if command -v ccache >/dev/null; then flags+=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache); fi
cmake -S . -B "$dir" "${flags[@]}" >/dev/null
echo "$dir"
