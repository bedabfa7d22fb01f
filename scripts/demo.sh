#!/usr/bin/env bash
# The suite at work: sets up and builds if needed, starts clock2 three times (New York, London,
# Tokyo) on free ports, and runs clockwall against them in the foreground until Ctrl-C (or, with
# arguments, passes them to clockwall: scripts/demo.sh -once). The servers stop when it ends.
# GONET_BIN=DIR runs the programs already built in DIR instead of building build/bin.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/lib.sh
. scripts/lib.sh
programs
scratch gonet-demo

clocks=()
for city in NewYork=America/New_York London=Europe/London Tokyo=Asia/Tokyo; do
  name=${city%%=*}
  TZ=${city#*=} "$bin/clock2" -port 0 2>"$work/$name" &
  pids+=($!)
  clocks+=("$name=localhost:$(listening_port "$work/$name")")
done
"$bin/clockwall" "$@" "${clocks[@]}"
