#!/usr/bin/env bash
# Sets up and builds the programs into build/bin/ (quietly, and quickly when nothing changed).
#   scripts/build.sh [normal|asan|tsan|release]
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
dir=$(scripts/configure.sh "${1:-normal}")
cmake --build "$dir" -j "$(nproc)" >/dev/null
