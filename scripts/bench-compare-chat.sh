#!/usr/bin/env bash
# chat's benchmark rows with two builds side by side, in one run, rounds alternating: what a
# change to chat costs, judged against the code before it on the same machine at the same time.
#   scripts/bench-compare-chat.sh BEFORE_BIN AFTER_BIN [ROUNDS] [SECS]
#   ROWS='crowd|churn' scripts/bench-compare-chat.sh ...   only the rows whose names match
# BEFORE_BIN and AFTER_BIN are bin/ folders of Release builds (each with chat and chatload), for
# instance a worktree of the previous commit's build-release/bin. Loopback only; every row bounded
# in connections and time. Prints one JSON line per row and run, then a table of medians.
set -euo pipefail
cd "$(dirname "$0")/.."
[ $# -ge 2 ] || { echo "usage: scripts/bench-compare-chat.sh BEFORE_BIN AFTER_BIN [ROUNDS] [SECS]" >&2; exit 2; }
before=$(realpath "$1") after=$(realpath "$2") rounds=${3:-3} secs=${4:-10}
ulimit -n "$(ulimit -Hn)"
# shellcheck source=scripts/lib.sh
. scripts/lib.sh
scratch gonet-bench-compare
results="$work/results.jsonl"

# run LABEL BIN NAME SERVER-FLAGS -- GENERATOR FLAGS...
run() {
  local label=$1 bin=$2 name=$3 server=() pid port line
  shift 3
  [[ "$name" =~ ${ROWS:-.} ]] || return 0
  while [ "$1" != -- ]; do server+=("$1"); shift; done
  shift
  TZ=UTC "$bin/chat" -host 127.0.0.1 -port 0 "${server[@]}" 2>"$work/server.log" &
  pid=$!
  pids+=("$pid")
  port=$(listening_port "$work/server.log")
  line=$("$bin/$1" -addr "127.0.0.1:$port" -pid "$pid" "${@:2}")
  kill "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  echo "{\"build\":\"$label\",\"row\":\"$name\",${line#\{}" | tee -a "$results"
}

rows() {
  local label=$1 bin=$2
  run "$label" "$bin" "chat 500" -- chatload -conns 500 -senders 10 -rate 10 -secs "$secs"
  run "$label" "$bin" "chat 2000" -- chatload -conns 2000 -senders 10 -rate 5 -secs "$secs"
  run "$label" "$bin" "crowd chat" -- chatload -conns 2000 -arrive 1s -senders 10 -rate 5 -secs "$secs"
  run "$label" "$bin" "storm chat" -- chatload -conns 3000 -storm -senders 0
  run "$label" "$bin" "loops2 chat" -threads 2 -- chatload -conns 500 -senders 10 -rate 10 -secs "$secs"
  run "$label" "$bin" "churn chat" -- chatload -conns 1000 -senders 10 -rate 5 -churn 500 -secs "$secs"
}

for ((round = 1; round <= rounds; round++)); do
  if ((round % 2)); then rows before "$before"; rows after "$after"; else rows after "$after"; rows before "$before"; fi
done
python3 - "$results" <<'PY'
import json, statistics, sys
runs = [json.loads(line) for line in open(sys.argv[1])]
keys = [k for k in ("latency_p50_ms", "latency_p99_ms", "deliveries_per_s", "arrival_secs",
                      "newcomer_greeted_ms", "arrival_cpu_secs", "server_cpu_pct",
                      "server_kib_per_conn", "missing", "skipped")
        if any(k in r for r in runs)]
rows = list(dict.fromkeys(r["row"] for r in runs))
print("| row | build | " + " | ".join(keys) + " |")
print("|---|---|" + "---|" * len(keys))
for row in rows:
    for build in ("before", "after"):
        mine = [r for r in runs if r["row"] == row and r["build"] == build]
        cells = []
        for k in keys:
            values = [r[k] for r in mine if k in r]
            cells.append(f"{statistics.median(values):.4g}" if values else "")
        print(f"| {row} | {build} | " + " | ".join(cells) + " |")
PY
