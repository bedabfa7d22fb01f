#!/usr/bin/env bash
# One chat room across three nodes on Redis (issue 21), beside one chat server, in the same run:
# Redis on a Unix socket in a scratch folder, three `chat -redis` nodes, one plain chat, and
# chatload against each: one server with 500 clients; three nodes with 500 clients each (clients
# spread by -addrs, one order checked across them); and both again with 10 clients each and one
# sender, where what the cluster adds to a message's latency is Redis's hop. CPU is the servers'
# own (the nodes and Redis together), from /proc. One JSON line per row.
#   scripts/bench-cluster.sh BIN_DIR [SECS]
set -euo pipefail
bin=${1:?usage: scripts/bench-cluster.sh BIN_DIR [SECS]}
secs=${2:-15}

work=$(mktemp -d /tmp/gonet-bench-cluster.XXXXXX)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

redis-server --port 0 --unixsocket "$work/redis.sock" --save '' --appendonly no --dir "$work" \
  >"$work/redis.log" 2>&1 &
redis=$!
pids+=($redis)
for _ in $(seq 100); do [ -S "$work/redis.sock" ] && break; sleep 0.05; done

# start_chat NAME FLAG...: a chat on a free port; sets $port and $pid once it listens (and, with
# -redis, once it joined its room).
start_chat() {
  local log="$work/$1.log"
  "$bin/chat" -host 127.0.0.1 -port 0 -rate 0 "${@:2}" 2>"$log" &
  pid=$!
  pids+=($pid)
  for _ in $(seq 200); do
    port=$(sed -n 's/.*listening on 127.0.0.1:\([0-9]*\)$/\1/p' "$log")
    if [ -n "$port" ] && { [ "${2:-}" != -redis ] || grep -q "joined as node" "$log"; }; then return 0; fi
    sleep 0.05
  done
  echo "bench-cluster: chat $1 did not start" >&2
  cat "$log" >&2
  exit 1
}

ticks() {  # the CPU ticks (user + system) of the given processes together
  local total=0 pid
  for pid in "$@"; do total=$((total + $(awk '{ print $14 + $15 }' "/proc/$pid/stat"))); done
  echo "$total"
}

# row NAME PIDS -- CHATLOAD FLAGS...: chatload's line, with the servers' CPU (% of one core).
row() {
  local name=$1 servers=() before after line hz
  shift
  while [ "$1" != -- ]; do servers+=("$1"); shift; done
  shift
  hz=$(getconf CLK_TCK)
  before=$(ticks "${servers[@]}")
  line=$("$bin/$1" "${@:2}")
  after=$(ticks "${servers[@]}")
  # chatload runs a second before its window and reads a little after it.
  echo "{\"row\":\"$name\",\"at\":\"$(date -u +%Y-%m-%dT%H:%MZ)\",\"servers_cpu_pct\":$(awk -v t=$((after - before)) -v hz="$hz" -v s="$secs" \
    'BEGIN { printf "%.1f", 100 * t / hz / (s + 2) }'),${line#\{}"
}

start_chat one; one=$port one_pid=$pid
nodes=() node_pids=()
for n in 1 2 3; do
  start_chat "node$n" -redis "$work/redis.sock"
  nodes+=("127.0.0.1:$port")
  node_pids+=("$pid")
done
addrs=$(IFS=,; echo "${nodes[*]}")

row "cluster one server 500" "$one_pid" -- \
  chatload -addr "127.0.0.1:$one" -conns 500 -senders 10 -rate 10 -secs "$secs"
row "cluster 3 nodes x 500" "${node_pids[@]}" "$redis" -- \
  chatload -addr "${nodes[0]}" -addrs "$addrs" -conns 1500 -senders 10 -rate 10 -secs "$secs"
row "cluster one server 10" "$one_pid" -- \
  chatload -addr "127.0.0.1:$one" -conns 10 -senders 1 -rate 10 -secs "$secs"
row "cluster 3 nodes x 10" "${node_pids[@]}" "$redis" -- \
  chatload -addr "${nodes[0]}" -addrs "$addrs" -conns 30 -senders 1 -rate 10 -secs "$secs"
# Redis's own round trip on this socket, one client, one PING at a time: the hop a message takes.
ping_p50=$(redis-benchmark -s "$work/redis.sock" -t ping -n 20000 -c 1 -q 2>/dev/null |
  tr '\r' '\n' | sed -n 's/.*p50=\([0-9.]*\) msec.*/\1/p' | tail -n 1)
echo "{\"row\":\"cluster redis ping\",\"p50_ms\":${ping_p50:-null}}"
