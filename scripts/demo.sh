#!/usr/bin/env bash
# The suite at work: sets up and builds if needed, starts clock2 on a free port and shows its
# ticks through netcat1 until Ctrl-C; the server is stopped on the way out.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/build.sh

log=$(mktemp)
server=""
cleanup() {
  [ -n "$server" ] && kill "$server" 2>/dev/null && wait "$server" 2>/dev/null
  rm -f "$log"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

build/bin/clock2 -port 0 2>"$log" &
server=$!
port=""
for _ in $(seq 50); do
  port=$(sed -n 's/.*listening on .*:\([0-9]*\)$/\1/p' "$log")
  [ -n "$port" ] && break
  sleep 0.1
done
[ -n "$port" ] || { cat "$log" >&2; exit 1; }
echo "clock2 is listening on port $port; netcat1 shows its ticks (Ctrl-C ends the demo)" >&2
build/bin/netcat1 "localhost:$port"
