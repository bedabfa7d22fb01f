#!/usr/bin/env bash
# Builds the Release variant, runs every benchmark (our programs, and Debian's nc, socat and
# ncat beside them in the same run) and writes tests/bench/BENCHMARKS.md, with the JSON lines it
# was made from in tests/bench/results.jsonl. About 35 minutes on 2 cores; loopback only, every
# run bounded in connections (under the descriptor limit) and in time.
#   scripts/bench.sh [--quick]      --quick: small counts and short runs, to check that it works
set -euo pipefail
cd "$(dirname "$0")/.."
quick=false
[ "${1:-}" = --quick ] && quick=true

scripts/setup.sh bench
dir=$(scripts/configure.sh release)
cmake --build "$dir" -j "$(nproc)" >/dev/null
bin="$PWD/$dir/bin"
ulimit -n "$(ulimit -Hn)"

if $quick; then
  big=2000 secs=3 sweep_clock="500 1000" sweep_reverb="100" reverb_conns=500 size=$((256 << 20)) tls_size=$((64 << 20)) runs=1
  chat_conns=100 chat_big=200 storm=300 churn_room=100 churn_rate=50 attackers=30
  hostile_small=50 hostile_big=100
else
  big=19900 secs=15 sweep_clock="1000 5000 10000 19900" sweep_reverb="100 1000 5000"
  reverb_conns=5000 size=$((2 << 30)) tls_size=$((1 << 30)) runs=5
  chat_conns=500 chat_big=2000 storm=3000 churn_room=1000 churn_rate=500 attackers=300
  hostile_small=300 hostile_big=1000
fi

# shellcheck source=scripts/lib.sh
. scripts/lib.sh
scratch gonet-bench
results="$work/results.jsonl"
server_pid=""
stop_server() {
  if [ -n "$server_pid" ]; then
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
    server_pid=""
  fi
}

# start_server PROGRAM FLAG...: in UTC, on a free loopback port; sets $server_pid and $port.
start_server() {
  TZ=UTC "$bin/$1" -host 127.0.0.1 -port 0 "${@:2}" 2>"$work/server.log" &
  server_pid=$!
  pids+=("$server_pid")
  port=$(listening_port "$work/server.log")
}

# row NAME COMMAND...: runs a generator; its JSON line, tagged with NAME, goes to the results.
row() {
  local name=$1 line
  shift
  line=$("$@")
  echo "{\"row\":\"$name\",${line#\{}" | tee -a "$results"
}

# start_ncat: Debian's ncat --chat on a free loopback port, as a peer of chat; sets $server_pid
# and $port. (It names no port when it starts: wait until it takes connections.)
start_ncat() {
  port=$(free_port)
  ncat_log="$work/ncat.log"
  ncat -l --chat --max-conns 20000 127.0.0.1 "$port" 2>"$ncat_log" &
  server_pid=$!
  pids+=("$server_pid")
  wait_until "ncat --chat listening on $port" nc -z 127.0.0.1 "$port" || exit 1
}

# measure_ncat NAME -- GENERATOR FLAGS...: as measure, against a fresh ncat --chat; a run it
# does not survive still gives its row (the generator counts what was lost), with whether ncat
# quit and its last words.
measure_ncat() {
  local name=$1 line quit=false said
  shift 2
  start_ncat
  line=$("$bin/$1" -addr "127.0.0.1:$port" -pid "$server_pid" -ncat "${@:2}")
  # Exited, or a zombie not yet reaped.
  if ! ps -o stat= -p "$server_pid" 2>/dev/null | grep -qv '^Z'; then quit=true; fi
  said=$(tail -n 1 "$ncat_log" | tr -d '"\\')
  echo "{\"row\":\"$name\",\"peer_quit\":$quit,\"peer_said\":\"$said\",${line#\{}" | tee -a "$results"
  stop_server
}

# measure NAME SERVER-FLAGS -- GENERATOR FLAGS...: a fresh server for each row.
measure() {
  local name=$1 server=()
  shift
  while [ "$1" != -- ]; do server+=("$1"); shift; done
  shift
  start_server "${server[@]}"
  row "$name" "$bin/$1" -addr "127.0.0.1:$port" -pid "$server_pid" "${@:2}"
  stop_server
}

measure "clock2 $big" clock2 -- clockload -conns "$big" -secs "$secs"
measure "clock2 $big -threads 2" clock2 -threads 2 -- clockload -conns "$big" -secs "$secs"
measure "clock2 1000" clock2 -- clockload -conns 1000 -secs "$secs"
measure "clock2 1000 -threads 2" clock2 -threads 2 -- clockload -conns 1000 -secs "$secs"
measure "churn clock2" clock2 -- churn -workers 16 -secs "$secs"
# A client that closes without reading the time, beside one that reads it and then closes (as
# nc's users do): the second's socket stays until the tick that its close makes fail, since a
# client that only half-closes keeps its ticks.
measure "churn clock2, closing unread" clock2 -- churn -workers 16 -secs "$secs" -no-read
# The PROXY protocol's cost: with the flag, and the same header bytes to a server without it.
measure "churn clock2 -proxy-protocol" clock2 -proxy-protocol -- \
  churn -workers 16 -secs "$secs" -proxy-v2
measure "churn clock2 header as input" clock2 -- churn -workers 16 -secs "$secs" -proxy-v2
measure "reverb2 $reverb_conns" reverb2 -delay 1s -- \
  reverbload -conns "$reverb_conns" -rate 1 -delay 1s -secs "$secs"
# 50,000 and 100,000 deliveries a second (issue 11's two loads).
measure "chat $chat_conns" chat -- \
  chatload -conns "$chat_conns" -senders 10 -rate 10 -secs "$secs"
measure "chat $chat_big" chat -- chatload -conns "$chat_big" -senders 10 -rate 5 -secs "$secs"
# chat under crowds, storms, churn and two loops (issue 18), ncat --chat beside it.
measure "crowd chat" chat -- \
  chatload -conns "$chat_big" -arrive 1s -senders 10 -rate 5 -secs "$secs"
measure_ncat "crowd ncat" -- \
  chatload -conns "$chat_big" -arrive 1s -senders 10 -rate 5 -secs "$secs"
measure "storm chat" chat -- chatload -conns "$storm" -storm -senders 0
measure_ncat "storm ncat" -- chatload -conns "$storm" -storm -senders 0
measure "loops1 chat" chat -- chatload -conns "$chat_conns" -senders 10 -rate 10 -secs "$secs"
measure "loops2 chat" chat -threads 2 -- \
  chatload -conns "$chat_conns" -senders 10 -rate 10 -secs "$secs"
measure_ncat "loops ncat" -- chatload -conns "$chat_conns" -senders 10 -rate 10 -secs "$secs"
measure "churn chat" chat -- \
  chatload -conns "$churn_room" -senders 10 -rate 5 -churn "$churn_rate" -secs "$secs"
measure_ncat "churn ncat" -- \
  chatload -conns "$churn_room" -senders 10 -rate 5 -churn "$churn_rate" -secs "$secs"
# Issue 30: connect and close at once from 8 at a time, one address or 64, beside two rooms.
for room in small big; do
  conns=$([ "$room" = small ] && echo "$hostile_small" || echo "$hostile_big")
  for from in one many; do
    measure "hostile churn $room $from chat" chat -- chatload -conns "$conns" -senders 10 \
      -rate 5 -churn-workers 8 -churn-from "$from" -secs "$secs"
  done
done
# ncat --chat quits at the first churn (getpeername fails on a connection already closed); one
# row shows it, as every one would.
measure_ncat "hostile churn small one ncat" -- chatload -conns "$hostile_small" -senders 10 \
  -rate 5 -churn-workers 8 -churn-from one -secs "$secs"
measure "names chat" chat -names -- namesflood -conns "$attackers" -secs "$secs"
for n in $sweep_clock; do
  measure "sweep clock2 $n" clock2 -- clockload -conns "$n" -secs "$secs"
done
for n in $sweep_reverb; do
  measure "sweep reverb2 $n" reverb2 -delay 1s -- \
    reverbload -conns "$n" -rate 1 -delay 1s -secs "$secs"
done
scripts/bench-netcat.sh "$bin" "$size" "$runs" | while read -r line; do
  echo "{\"row\":\"netcat\",${line#\{}" | tee -a "$results"
done
scripts/bench-cluster.sh "$bin" "$secs" | tee -a "$results"
scripts/bench-tls.sh "$bin" "$tls_size" "$runs" | while read -r line; do
  echo "{\"row\":\"tls\",${line#\{}" | tee -a "$results"
done

machine="$(nproc) cores, $(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1), $(uname -sr), open-file limit $(ulimit -Hn)"
python3 scripts/bench_report.py "$results" "$machine" "$(date -u +%Y-%m-%d)" $($quick && echo --quick) \
  >tests/bench/BENCHMARKS.md
cp "$results" tests/bench/results.jsonl
echo "bench: wrote tests/bench/BENCHMARKS.md"
