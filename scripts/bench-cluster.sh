#!/usr/bin/env bash
# One chat room across three nodes on Redis (issue 21), beside plain chat servers, in the same
# run: Redis on a Unix socket in a scratch folder, three `chat -redis` nodes, three plain chats,
# and chatload against them: one server with 500 clients; three nodes with 500 clients each
# (clients spread by -addrs, one order checked across them); three plain servers with 500 each at
# once (the same work per server without a bus) and one server with 1,500 (the same deliveries
# from one process): the floors under the nodes' tail; one server, one node (alone in a room of
# its own) and three nodes with 10 clients and one sender, where what the bus adds to a message's
# latency is Redis's hop, measured alone by pubsub_rtt; and what signing costs: a node alone in
# its room on Redis's socket and one reaching Redis over TLS, each beside one plain server at
# 1,000 messages a second (the servers' CPU per message), and framecost (sealing, unsealing and
# checking a frame, nothing else). CPU is the servers' own (the nodes and Redis together), from
# /proc. One JSON line per row.
#   scripts/bench-cluster.sh BIN_DIR [SECS]
set -euo pipefail
bin=${1:?usage: scripts/bench-cluster.sh BIN_DIR [SECS]}
secs=${2:-15}

# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"
scratch gonet-bench-cluster
make_certs bench-ca
(umask 077; head -c 32 /dev/urandom | base64 >"$work/room.key")
tls_port=$(free_port)
start_redis --tls-port "$tls_port" --tls-cert-file "$work/server.crt" \
  --tls-key-file "$work/server.key" --tls-ca-cert-file "$work/ca.pem" --tls-auth-clients no

# start_chat NAME FLAG...: a chat on a free port; sets $port and $pid once it listens (and, with
# -redis, once it joined its room).
start_chat() {
  local log="$work/$1.log"
  "$bin/chat" -host 127.0.0.1 -port 0 -rate 0 "${@:2}" 2>"$log" &
  pid=$!
  pids+=("$pid")
  port=$(listening_port "$log")
  [ "${2:-}" != -redis ] && return 0
  wait_until "chat $1 joining its room" grep -q "joined as node" "$log" ||
    { cat "$log" >&2; exit 1; }
}

ticks() {  # the CPU ticks (user + system) of the given processes together
  local total=0 pid
  for pid in "$@"; do total=$((total + $(awk '{ print $14 + $15 }' "/proc/$pid/stat"))); done
  echo "$total"
}

# row NAME SECS PIDS -- CHATLOAD FLAGS...: chatload's line, with the servers' CPU (% of one core),
# together and each (in the order given: a node's, then Redis's).
row() {
  local name=$1 window=$2 servers=() before=() after=() line hz total=0 each="" i
  shift 2
  while [ "$1" != -- ]; do servers+=("$1"); shift; done
  shift
  hz=$(getconf CLK_TCK)
  for i in "${servers[@]}"; do before+=("$(ticks "$i")"); done
  line=$("$bin/$1" "${@:2}" -secs "$window")
  for i in "${servers[@]}"; do after+=("$(ticks "$i")"); done
  # chatload runs a second before its window and reads a little after it.
  pct() { awk -v t="$1" -v hz="$hz" -v s="$window" 'BEGIN { printf "%.1f", 100 * t / hz / (s + 2) }'; }
  for i in "${!servers[@]}"; do
    total=$((total + after[i] - before[i]))
    each+="${each:+,}$(pct $((after[i] - before[i])))"
  done
  echo "{\"row\":\"$name\",\"at\":\"$(date -u +%Y-%m-%dT%H:%MZ)\",\"servers_cpu_pct\":$(pct "$total"),\"each_cpu_pct\":[$each],${line#\{}"
}

# The floor under the nodes' tail: the same work for each server without a bus. Three plain
# servers at once, 500 clients each, each its own room of 10 senders x 10/s: every server
# delivers 100 messages a second to 500 clients, as every node does, but at moments of its own.
floor() {
  local before after loads=() port
  before=$(ticks "$one_pid" "$two_pid" "$three_pid")
  for port in "$one" "$two" "$three"; do
    "$bin/chatload" -addr "127.0.0.1:$port" -conns 500 -senders 10 -rate 10 -secs "$secs" \
      >"$work/floor.$port.json" &
    loads+=($!)
  done
  wait "${loads[@]}"
  after=$(ticks "$one_pid" "$two_pid" "$three_pid")
  python3 - "$work/floor.$one.json" "$work/floor.$two.json" "$work/floor.$three.json" \
    "$((after - before))" "$(getconf CLK_TCK)" "$secs" <<'PY'
import json, statistics, sys
runs = [json.load(open(path)) for path in sys.argv[1:4]]
ticks, hz, secs = int(sys.argv[4]), int(sys.argv[5]), int(sys.argv[6])
print(json.dumps({
    "row": "cluster 3 plain servers x 500 at once",
    "servers_cpu_pct": round(100 * ticks / hz / (secs + 2), 1),
    "deliveries_per_s": sum(r["deliveries_per_s"] for r in runs),
    "missing": sum(r["missing"] for r in runs),
    "latency_p50_ms": statistics.median(r["latency_p50_ms"] for r in runs),
    "latency_p99_ms": max(r["latency_p99_ms"] for r in runs),
}))
PY
}

start_chat one; one=$port one_pid=$pid
start_chat two; two=$port two_pid=$pid
start_chat three; three=$port three_pid=$pid
nodes=() node_pids=()
key=(-room-key-file "$work/room.key")
for n in 1 2 3; do
  start_chat "node$n" -redis "$work/redis.sock" "${key[@]}"
  nodes+=("127.0.0.1:$port")
  node_pids+=("$pid")
done
addrs=$(IFS=,; echo "${nodes[*]}")
# A node alone in a room of its own: a message's hop through Redis, with no other node woken by it.
start_chat solo -redis "$work/redis.sock" -room solo "${key[@]}"; solo=$port solo_pid=$pid
# The same over TLS to Redis (its TLS port), in a room of its own too.
start_chat solotls -redis "rediss://localhost:$tls_port" -redis-tls-ca "$work/ca.pem" \
  -room solotls "${key[@]}"
solotls=$port solotls_pid=$pid

# The host's neighbours move a tail by 2x from one run to the next: the loads are interleaved
# rounds, and each row is the median of its rounds (counts summed; every round in the row).
rounds="$work/rounds.jsonl"
for _ in 1 2 3; do
  row "cluster one server 500" "$secs" "$one_pid" -- \
    chatload -addr "127.0.0.1:$one" -conns 500 -senders 10 -rate 10 >>"$rounds"
  row "cluster 3 nodes x 500" "$secs" "${node_pids[@]}" "$redis" -- \
    chatload -addr "${nodes[0]}" -addrs "$addrs" -conns 1500 -senders 10 -rate 10 >>"$rounds"
  floor >>"$rounds"
  # The same 150,000 deliveries a second from one plain server: what two cores give them.
  row "cluster one server 1500" "$secs" "$one_pid" -- \
    chatload -addr "127.0.0.1:$one" -conns 1500 -senders 10 -rate 10 >>"$rounds"
done
# A message's latency alone, 10 clients and one sender at 100/s: one server, one node, three
# nodes, in 9 rounds of 3 s (an idle server's p50 moves by 50 us from one round to the next, as
# much as the hop measured).
for _ in 1 2 3 4 5 6 7 8 9; do
  row "cluster one server 10" 3 "$one_pid" -- \
    chatload -addr "127.0.0.1:$one" -conns 10 -senders 1 -rate 100 >>"$rounds"
  row "cluster 1 node x 10" 3 "$solo_pid" "$redis" -- \
    chatload -addr "127.0.0.1:$solo" -conns 10 -senders 1 -rate 100 >>"$rounds"
  row "cluster 3 nodes x 10" 3 "${node_pids[@]}" "$redis" -- \
    chatload -addr "${nodes[0]}" -addrs "$addrs" -conns 30 -senders 1 -rate 100 >>"$rounds"
  row "cluster 1 node over TLS x 10" 3 "$solotls_pid" "$redis" -- \
    chatload -addr "127.0.0.1:$solotls" -conns 10 -senders 1 -rate 100 >>"$rounds"
done
# What a message costs the servers' CPU, bus and signing included: 10 clients, 10 senders of
# 100 lines a second each (1,000 messages a second), in 3 rounds of 5 s.
for _ in 1 2 3; do
  row "cluster one server 10 at 1000/s" 5 "$one_pid" -- \
    chatload -addr "127.0.0.1:$one" -conns 10 -senders 10 -rate 100 >>"$rounds"
  row "cluster 1 node x 10 at 1000/s" 5 "$solo_pid" "$redis" -- \
    chatload -addr "127.0.0.1:$solo" -conns 10 -senders 10 -rate 100 >>"$rounds"
  row "cluster 1 node over TLS x 10 at 1000/s" 5 "$solotls_pid" "$redis" -- \
    chatload -addr "127.0.0.1:$solotls" -conns 10 -senders 10 -rate 100 >>"$rounds"
done
python3 - "$rounds" <<'PY'
import json, statistics, sys
counts = {"missing", "skipped", "garbled", "order_mismatches", "notices", "failed", "dropped",
          "arrivals_missing", "delivered", "expected"}
rows = {}
for line in open(sys.argv[1]):
    run = json.loads(line)
    rows.setdefault(run["row"], []).append(run)
for name, runs in rows.items():
    row = dict(runs[0])
    for key, value in runs[0].items():
        if key in counts:
            row[key] = sum(r[key] for r in runs)
        elif isinstance(value, (int, float)) and not isinstance(value, bool):
            row[key] = round(statistics.median(r[key] for r in runs), 4)
        elif key == "each_cpu_pct":
            row[key] = [round(statistics.median(r[key][i] for r in runs), 1)
                        for i in range(len(value))]
    row["rounds"] = len(runs)
    row["rounds_p50_ms"] = [r["latency_p50_ms"] for r in runs]
    row["rounds_p99_ms"] = [r["latency_p99_ms"] for r in runs]
    print(json.dumps(row))
PY

# Redis's own round trip on this socket, one client, one PING at a time; and the hop a message
# takes, PUBLISH to its one subscriber, nothing of ours in it.
ping_p50=$(redis-benchmark -s "$work/redis.sock" -t ping -n 20000 -c 1 -q 2>/dev/null |
  tr '\r' '\n' | sed -n 's/.*p50=\([0-9.]*\) msec.*/\1/p' | tail -n 1)
echo "{\"row\":\"cluster redis ping\",\"p50_ms\":${ping_p50:-null}}"
"$bin/pubsub_rtt" -redis "$work/redis.sock" -n 20000 -subscribers 1
# Sealing a chat line's frame on the sender, and unsealing and checking it on a receiver (two
# keys, as in a rotation: both are tried); the same for a heartbeat of 1,000 clients.
"$bin/framecost" -n 200000 -bytes 60 -members 1000
