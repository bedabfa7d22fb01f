#!/usr/bin/env bash
# Installs what the suite needs to build and test, from Debian's packages; each group named adds
# what one more script needs: "fuzz" clang for the fuzzers, "stress" the CPU hog of the stress
# run, "bench" ncat, the peer the benchmarks run beside ours and socat (which the TLS tests use
# too, so it is in the base set). Idempotent and silent when everything is already there.
#   scripts/setup.sh [fuzz] [stress] [bench]
set -euo pipefail

packages=(g++ cmake make libasio-dev libspdlog-dev libcxxopts-dev libgtest-dev libicu-dev
          netcat-openbsd netbase ccache python3 util-linux tzdata
          mandoc dpkg-dev file lintian systemd faketime haproxy openssl libssl-dev socat
          libhiredis-dev redis-server pkg-config)
for group in "$@"; do
  case "$group" in
    fuzz) packages+=(clang libclang-rt-14-dev) ;;
    stress) packages+=(stress-ng) ;;
    bench) packages+=(ncat time) ;;
    *) echo "usage: scripts/setup.sh [fuzz] [stress] [bench]" >&2; exit 2 ;;
  esac
done

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "setup: installing ${missing[*]}" >&2
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq >/dev/null
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
