#!/usr/bin/env bash
# The suite at work: sets up and builds if needed, starts clock2 three times (New York, London,
# Tokyo) on free ports, and runs clockwall against them in the foreground until Ctrl-C (or, with
# arguments, passes them to clockwall: scripts/demo.sh -once). The servers stop when it ends.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/build.sh

logs=$(mktemp -d)
servers=()
cleanup() {
  for pid in "${servers[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$logs"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Waits for a server's "listening on HOST:PORT" line and prints PORT.
port_of() {
  local log=$1 port=""
  for _ in $(seq 100); do
    port=$(sed -n 's/.*listening on .*:\([0-9]*\)$/\1/p' "$log")
    [ -n "$port" ] && break
    sleep 0.05
  done
  [ -n "$port" ] || { cat "$log" >&2; return 1; }
  echo "$port"
}

clocks=()
for city in NewYork=America/New_York London=Europe/London Tokyo=Asia/Tokyo; do
  name=${city%%=*}
  TZ=${city#*=} build/bin/clock2 -port 0 2>"$logs/$name" &
  servers+=($!)
  clocks+=("$name=localhost:$(port_of "$logs/$name")")
done
build/bin/clockwall "$@" "${clocks[@]}"
