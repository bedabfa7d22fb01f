#!/usr/bin/env bash
# One chat room across three chat servers, all on loopback, deployed as a careful operator would:
# Redis speaking TLS only, with the default user off and an ACL user for the nodes that may touch
# only the room's keys and channel (servers/deploy/redis-acl.txt); three chat nodes logging in as
# that user over TLS, signing the room's frames with its key, each with -proxy-protocol; and
# HAProxy in front with TLS, handing connections to the nodes in turn. Two netcat3 clients then
# talk through it, each on a different node; after them the room is yours (the command to join is
# printed) until Ctrl-C, which ends everything the script started.
#   scripts/cluster-demo.sh [--scripted]   --scripted: the two clients only, then end
# GONET_BIN=DIR runs the programs already built in DIR instead of building build/bin.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/lib.sh
. scripts/lib.sh
programs
scratch gonet-cluster
# A CA for the demo, and a certificate for localhost signed by it: HAProxy's, and Redis's.
make_certs demo-ca
# The secrets, readable by their owner only: the room's key, and the nodes' password on Redis.
(
  umask 077
  head -c 32 /dev/urandom | base64 >"$work/room.key"
  head -c 24 /dev/urandom | base64 >"$work/redis.password"
  printf 'user default off\nuser chatnode on >%s %s\n' "$(cat "$work/redis.password")" \
    "$(cat servers/deploy/redis-acl.txt)" >"$work/redis.conf"
)
redis_port=$(free_port)
start_redis "$work/redis.conf" --tls-port "$redis_port" --tls-cert-file "$work/server.crt" \
  --tls-key-file "$work/server.key" --tls-ca-cert-file "$work/ca.pem" --tls-auth-clients no

# heard WHO LINE: waits until the client WHO has been sent the line LINE.
heard() { wait_until "$1 hearing '$2'" grep -qxF -- "$2" "$work/$1.out"; }

# Each node logs at debug level, so that its "accept" lines tell which node a client is on.
backends=""
for n in 1 2 3; do
  "$bin/chat" -port 0 -redis "rediss://chatnode@localhost:$redis_port" \
    -redis-tls-ca "$work/ca.pem" -redis-password-file "$work/redis.password" \
    -room-key-file "$work/room.key" -proxy-protocol -log-level debug 2>"$work/chat$n.log" &
  pids+=($!)
  port=$(listening_port "$work/chat$n.log")
  wait_until "chat$n joining the room" grep -q "joined as node" "$work/chat$n.log"
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
wait_until "haproxy listening on $front" nc -z 127.0.0.1 "$front"

join="$bin/netcat3 -tls-ca $work/ca.pem localhost:$front"
echo "== Redis (TLS, ACL user chatnode) on localhost:$redis_port; chat nodes behind HAProxy (TLS) on localhost:$front"

# Starts a client whose input is the fifo WHO.in, held open for writing on descriptor
# ${input[WHO]}; sets `landed` to the node it landed on, the one whose log has an "accept" line
# no earlier client's has.
declare -A input
seen=()
start_client() {
  local who=$1 log fd
  mkfifo "$work/$who.in"
  $join <"$work/$who.in" >"$work/$who.out" 2>"$work/$who.err" &
  pids+=($!)
  exec {fd}>"$work/$who.in"
  input[$who]=$fd
  wait_until "$who joining" grep -q "^You are " "$work/$who.out"
  landed="none"
  while read -r log; do
    if [[ " ${seen[*]} " != *" $log "* ]]; then seen+=("$log"); landed=$(basename "$log" .log); fi
  done < <(grep -l "accept " "$work"/chat?.log)
}
say() { echo "$2" >&"${input[$1]}"; }
hang_up() { local fd=${input[$1]}; exec {fd}>&-; }
name_of() { sed -n 's/^You are //p' "$work/$1.out"; }

# Two clients, one after the other, so that HAProxy's round robin puts them on different nodes.
start_client alice
alice_node=$landed
start_client bob
bob_node=$landed
alice=$(name_of alice)
bob=$(name_of bob)
echo "== alice is $alice on $alice_node, bob is $bob on $bob_node"
heard alice "$bob has arrived"
say bob "hello from another node"
heard alice "$bob: hello from another node"
say alice "hi back"
heard bob "$alice: hi back"
hang_up bob
heard alice "$bob has left"
hang_up alice
echo "== what alice saw"
cat "$work/alice.out"
echo "== what bob saw"
cat "$work/bob.out"
grep -h "joined as node" "$work"/chat?.log | sed 's/^/== /'

[ "${1:-}" = --scripted ] && exit 0
echo "== join the room: $join   (Ctrl-C here ends everything)"
while sleep 3600; do :; done
