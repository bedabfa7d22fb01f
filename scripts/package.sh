#!/usr/bin/env bash
# Builds the Debian package of the Release build with CPack (the settings are in
# scripts/package.cmake), has lintian check it, and prints its path:
# build-release/gonet_X.Y.Z_ARCH.deb. Install it with `apt install ./build-release/gonet_...deb`.
#   scripts/package.sh
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/build.sh release
dir=build-release
rm -f "$dir"/gonet_*.deb
if ! log=$(cpack --config "$dir/CPackConfig.cmake" -B "$dir" 2>&1); then
  echo "$log" >&2
  exit 1
fi
deb=$(ls "$dir"/gonet_*.deb)
# Errors fail; warnings and notes are shown.
lintian --fail-on error "$deb" >&2
echo "$PWD/$deb"
