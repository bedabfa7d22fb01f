#!/usr/bin/env bash
# Moves SIZE bytes (1 GiB unless told) over TLS 1.3 with AES-128-GCM through our netcats and
# through Debian's socat and ncat as TLS clients, in the same run, each way: a download (socat's
# OPENSSL-LISTEN sends /dev/zero, the client writes a pipe) and an upload (the client reads a
# pipe; socat's OPENSSL-LISTEN passes it on to `bytes sink`, which times the end). The servers
# speak only TLS 1.3 with TLS_AES_128_GCM_SHA256 (an OpenSSL configuration of their own), so
# every client negotiates the same. Byte counts are checked; the median of RUNS (5) is kept, and
# the client's own CPU time (user + system, core-seconds per GB) beside it, since on a machine of
# two cores the server shares them. A peer that delivers fewer bytes than it was given has them
# counted as lost (ncat --send-only can exit before its last writes are through); ours may not.
# One JSON line per tool and direction, MB/s in 10^6 bytes.
#   scripts/bench-tls.sh BIN_DIR [SIZE] [RUNS]
set -euo pipefail
bin=${1:?usage: scripts/bench-tls.sh BIN_DIR [SIZE] [RUNS]}
size=${2:-$((1 << 30))}
runs=${3:-5}

# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"
scratch gonet-bench-tls
# A CA and a certificate for localhost it signed; the servers' OpenSSL configuration.
make_certs bench-ca
cat >"$work/server-openssl.cnf" <<'CNF'
openssl_conf = default_conf
[default_conf]
ssl_conf = ssl_sect
[ssl_sect]
system_default = system_default_sect
[system_default_sect]
MinProtocol = TLSv1.3
Ciphersuites = TLS_AES_128_GCM_SHA256
CNF
ca="$work/ca.pem"
listen="OPENSSL-LISTEN:0,bind=127.0.0.1,reuseaddr,fork,cert=$work/server.pem,verify=0"

# start_tls_server ADDRESS: socat's OPENSSL-LISTEN on a free port, passing what it gets to or
# from ADDRESS; sets $port once it listens.
start_tls_server() {
  local direction=$1 address=$2
  port=$(free_port)
  OPENSSL_CONF="$work/server-openssl.cnf" socat -b 131072 "$direction" \
    "${listen/LISTEN:0/LISTEN:$port}" "$address" 2>"$work/socat.log" &
  pids+=($!)
  # Asked of the kernel: a probe connection would be a handshake that fails in socat's log.
  wait_until "socat listening on $port" awk -v p="$(printf '%04X' "$port")" \
    '$2 ~ ":" p "$" && $4 == "0A" { found = 1 } END { exit !found }' /proc/net/tcp || exit 1
}

start_bytes() {  # `bytes sink` in the background; sets $sink_port once it listens
  "$bin/bytes" sink >"$work/sink.out" 2>"$work/sink.log" &
  pids+=($!)
  sink_port=$(listening_port "$work/sink.log")
}

now() { date +%s.%N; }
median() { sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
cpu() { awk '{ print $1 + $2 }' "$work/time"; }  # user + system seconds of the last client

download_cmd() {
  case $1 in
    netcat1) echo "$bin/netcat1 -tls-ca $ca localhost:$port" ;;
    socat) echo "socat -u OPENSSL:localhost:$port,cafile=$ca STDOUT" ;;
    ncat) echo "ncat --ssl --ssl-verify --ssl-trustfile $ca --recv-only localhost $port" ;;
  esac
}

upload_cmd() {
  case $1 in
    netcat3) echo "$bin/netcat3 -log-level warn -tls-ca $ca localhost:$port" ;;
    socat) echo "socat -u STDIN OPENSSL:localhost:$port,cafile=$ca" ;;
    ncat) echo "ncat --ssl --ssl-verify --ssl-trustfile $ca --send-only localhost $port" ;;
  esac
}

report() {  # TOOL DIRECTION: from the arrays rates and cpus, and $lost
  local gb
  gb=$(awk -v s="$size" 'BEGIN { print s / 1e9 }')
  echo "{\"tool\":\"$1\",\"direction\":\"$2\",\"mb_per_s\":$(printf '%s\n' "${rates[@]}" | median),\"cpu_s_per_gb\":$(printf '%s\n' "${cpus[@]}" | median | awk -v g="$gb" '{ printf "%.3f", $1 / g }'),\"lost_bytes\":$lost,\"runs\":[$(IFS=,; echo "${rates[*]}")]}"
}

# check TOOL GOT: ours must deliver every byte; a peer that loses some is reported, not fatal.
check() {
  [ "$2" = "$size" ] && return 0
  case $1 in
    netcat1 | netcat3) echo "bench-tls: $1 delivered $2 of $size bytes" >&2; exit 1 ;;
  esac
  lost=$((lost + size - $2))
}

start_tls_server -U "OPEN:/dev/zero,readbytes=$size"
for tool in netcat1 socat ncat; do
  [ "$tool" = netcat1 ] || command -v "$tool" >/dev/null || { echo "{\"tool\":\"$tool\",\"direction\":\"download\",\"missing\":true}"; continue; }
  rates=() cpus=() lost=0
  for _ in $(seq "$runs"); do
    start=$(now)
    # shellcheck disable=SC2046
    got=$(/usr/bin/time -f '%U %S' -o "$work/time" $(download_cmd "$tool") </dev/null | "$bin/bytes" count)
    end=$(now)
    check "$tool" "$got"
    rates+=("$(awk -v s="$size" -v a="$start" -v b="$end" 'BEGIN { printf "%.0f", s / (b - a) / 1e6 }')")
    cpus+=("$(cpu)")
  done
  report "$tool" download
done

start_bytes
start_tls_server -u "TCP:127.0.0.1:$sink_port"
for tool in netcat3 socat ncat; do
  [ "$tool" = netcat3 ] || command -v "$tool" >/dev/null || { echo "{\"tool\":\"$tool\",\"direction\":\"upload\",\"missing\":true}"; continue; }
  rates=() cpus=() lost=0
  for _ in $(seq "$runs"); do
    before=$(wc -l <"$work/sink.out")
    start=$(now)
    # shellcheck disable=SC2046
    "$bin/bytes" source -bytes "$size" | /usr/bin/time -f '%U %S' -o "$work/time" $(upload_cmd "$tool") >/dev/null
    for _ in $(seq 500); do [ "$(wc -l <"$work/sink.out")" -gt "$before" ] && break; sleep 0.01; done
    read -r got end < <(tail -n 1 "$work/sink.out")
    check "$tool" "$got"
    rates+=("$(awk -v s="$size" -v a="$start" -v b="$end" 'BEGIN { printf "%.0f", s / (b - a) / 1e6 }')")
    cpus+=("$(cpu)")
  done
  report "$tool" upload
done
