#!/usr/bin/env bash
# Checks the systemd units as `cmake --install` installs them, offline, with systemd-analyze (no
# running systemd needed):
#   verify    no warning from `systemd-analyze verify`, with and without the example drop-in;
#             each ExecStart= names the program the same install put in BINDIR, and each
#             Documentation= a man page it installed
#   security  each service's exposure under `systemd-analyze security` is at most 1.0 ("SAFE")
#
#   tests/systemd/check_units.sh verify|security BUILD_DIR BINDIR
# BINDIR is the configured CMAKE_INSTALL_FULL_BINDIR, which the units' ExecStart= must name.
set -euo pipefail
check=$1 build=$2 bindir=$3
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

DESTDIR="$scratch/root" cmake --install "$build" >/dev/null
units=$(find "$scratch/root" -path '*/systemd/system/*' -type f | sort)
[ -n "$units" ] || { echo "no units installed under $scratch/root"; exit 1; }

# The installed units, with ExecStart= moved into the scratch root where the program was installed.
mkdir "$scratch/units"
for unit in $units; do
  name=$(basename "$unit")
  case "$name" in
    *.service)
      program=${name%.service}
      grep -qx "ExecStart=$bindir/$program" "$unit" ||
        { echo "$name: ExecStart= is not $bindir/$program"; exit 1; } ;;
  esac
  sed "s|^ExecStart=$bindir/|ExecStart=$scratch/root$bindir/|" "$unit" >"$scratch/units/$name"
done
cd "$scratch/units"
names=$(ls)

# systemd-analyze verify warns but exits 0 on unknown keys: any output is a failure.
verify() {
  local out
  out=$(MANPATH="$(find "$scratch/root" -type d -name man | head -1)" \
        systemd-analyze verify $names 2>&1) || { echo "$out"; return 1; }
  [ -z "$out" ] || { echo "$out"; return 1; }
}

case "$check" in
  verify)
    verify
    # The example drop-in, applied to each socket as `systemctl edit` would.
    example=$(find "$scratch/root" -name listen.conf -path '*/examples/*')
    [ -n "$example" ] || { echo "the example drop-in listen.conf is not installed"; exit 1; }
    for socket in *.socket; do
      mkdir "$socket.d" && cp "$example" "$socket.d/"
    done
    verify
    echo "verified: $(echo $names), and with the example drop-in" ;;
  security)
    for service in *.service; do
      systemd-analyze security --offline=yes --threshold=10 "./$service" | tail -1
    done ;;
  *) echo "usage: $0 verify|security BUILD_DIR BINDIR" >&2; exit 2 ;;
esac
