#!/usr/bin/env bash
# One chat room across three chat servers, all on loopback: Redis on a Unix socket in a scratch
# folder, three chat nodes sharing it (each with -proxy-protocol), and HAProxy in front with TLS,
# handing connections to the nodes in turn. Two netcat3 clients then talk through it, each on a
# different node; after them the room is yours (the command to join is printed) until Ctrl-C,
# which ends everything the script started.
#   scripts/cluster-demo.sh [--scripted]   --scripted: the two clients only, then end
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/build.sh
bin=$PWD/build/bin

work=$(mktemp -d /tmp/gonet-cluster.XXXXXX)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

redis-server --port 0 --unixsocket "$work/redis.sock" --save '' --appendonly no --dir "$work" \
  >"$work/redis.log" 2>&1 &
pids+=($!)
for _ in $(seq 100); do [ -S "$work/redis.sock" ] && break; sleep 0.05; done

# A CA for the demo, and HAProxy's certificate for localhost signed by it.
(
  cd "$work"
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 -subj /CN=demo-ca \
    -keyout ca.key -out ca.pem 2>/dev/null
  openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj /CN=localhost \
    -keyout server.key -out server.csr 2>/dev/null
  printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\n' >server.ext
  openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 1 \
    -extfile server.ext -out server.crt 2>/dev/null
  cat server.crt server.key >server.pem
)

backends=""
for n in 1 2 3; do
  "$bin/chat" -port 0 -redis "$work/redis.sock" -proxy-protocol 2>"$work/chat$n.log" &
  pids+=($!)
  port=""
  for _ in $(seq 100); do
    port=$(sed -n 's/.*listening on 127.0.0.1:\([0-9]*\)$/\1/p' "$work/chat$n.log")
    [ -n "$port" ] && grep -q "joined as node" "$work/chat$n.log" && break
    sleep 0.05
  done
  backends+="    server chat$n 127.0.0.1:$port send-proxy-v2"$'\n'
done

front=$(free_port)
cat >"$work/haproxy.cfg" <<CFG
global
    log stderr format short local0 notice
defaults
    mode tcp
    timeout connect 5s
    timeout client 1h
    timeout server 1h
    timeout client-fin 30s
    timeout server-fin 30s
frontend chat_tls
    bind 127.0.0.1:$front ssl crt $work/server.pem
    default_backend chat
backend chat
    balance roundrobin
$backends
CFG
haproxy -db -f "$work/haproxy.cfg" 2>"$work/haproxy.log" &
pids+=($!)
for _ in $(seq 100); do nc -z 127.0.0.1 "$front" 2>/dev/null && break; sleep 0.05; done

join="$bin/netcat3 -tls-ca $work/ca.pem localhost:$front"
echo "== Redis on $work/redis.sock; chat nodes behind HAProxy (TLS) on localhost:$front"
# Two clients, one after the other, so HAProxy's round robin puts them on different nodes.
mkfifo "$work/alice.in"
$join <"$work/alice.in" >"$work/alice.out" 2>/dev/null &
pids+=($!)
exec 3>"$work/alice.in"
sleep 0.5
{ sleep 0.5; echo "hello from another node"; sleep 2; } | $join >"$work/bob.out" 2>/dev/null &
bob=$!
sleep 1.5
echo "hi back" >&3
wait "$bob"
exec 3>&-
sleep 0.5
echo "== what alice saw"
cat "$work/alice.out"
echo "== what bob saw"
cat "$work/bob.out"
grep -h "joined as node" "$work"/chat*.log | sed 's/^/== /'

[ "${1:-}" = --scripted ] && exit 0
echo "== join the room: $join   (Ctrl-C here ends everything)"
while sleep 3600; do :; done
