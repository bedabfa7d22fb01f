#!/usr/bin/env bash
# Configures one build variant and prints its folder: the one place that knows how.
#   normal  build/         RelWithDebInfo, the whole suite
#   asan    build-asan/    -O1 -g1, -fsanitize=address,undefined (where g++ 12's coroutine bugs show)
#   tsan    build-tsan/    -O1 -g1, -fsanitize=thread (for -threads N, several event loops)
#   release build-release/ Release, for benchmarks and the package
# The normal and ASan variants are unity builds (a target's sources compiled a few at a time as
# one), and the sanitizer ones keep line tables only (-g1): Asio's templates are then
# instantiated, instrumented and described once per batch instead of once per file, which more
# than halves the time a cold build takes (docs/development.md has the figures). TSan's, the
# smallest, compiles each file on its own as the release build does, so that a file using what
# only a unity sibling included fails in CI, not in `scripts/build.sh release`.
set -euo pipefail
cd "$(dirname "$0")/.."
variant="${1:-normal}"
unity=(-DCMAKE_UNITY_BUILD=ON)
# Stated, not left out: a folder configured before as a unity build would otherwise stay one.
one_by_one=(-DCMAKE_UNITY_BUILD=OFF)
case "$variant" in
  normal) dir=build; flags=(-DCMAKE_BUILD_TYPE=RelWithDebInfo "${unity[@]}") ;;
  asan) dir=build-asan; flags=(-DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS_DEBUG=-g1
                              -DGONET_SANITIZE=address -DGONET_BENCHMARKS=OFF "${unity[@]}") ;;
  tsan) dir=build-tsan; flags=(-DCMAKE_BUILD_TYPE=RelWithDebInfo
                              "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O1 -g1 -DNDEBUG"
                              -DGONET_SANITIZE=thread -DGONET_BENCHMARKS=OFF "${one_by_one[@]}") ;;
  release) dir=build-release; flags=(-DCMAKE_BUILD_TYPE=Release "${one_by_one[@]}") ;;
  *) echo "configure.sh: unknown variant $variant (normal, asan, tsan, release)" >&2; exit 2 ;;
esac
# ccache, with paths taken relative to the source tree, so that a clone in another folder hits
# what this one compiled.
if command -v ccache >/dev/null; then
  flags+=("-DCMAKE_CXX_COMPILER_LAUNCHER=env;CCACHE_BASEDIR=$PWD;CCACHE_NOHASHDIR=true;ccache")
fi
cmake -S . -B "$dir" "${flags[@]}" >/dev/null
echo "$dir"
