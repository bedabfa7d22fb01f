#!/usr/bin/env bash
# Moves SIZE bytes (2 GiB unless told) through our netcats and through Debian's nc, socat and
# ncat, in the same run, each way: a download (a loopback server sends, the tool writes a pipe)
# and an upload (the tool reads a pipe and sends). Byte counts are checked; the median of RUNS (5)
# is kept. One JSON line per tool and direction, in MB/s (10^6 bytes a second).
#   scripts/bench-netcat.sh BIN_DIR [SIZE] [RUNS]
set -euo pipefail
bin=${1:?usage: scripts/bench-netcat.sh BIN_DIR [SIZE] [RUNS]}
size=${2:-$((2 << 30))}
runs=${3:-5}

# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"
scratch gonet-bench-netcat

# Starts `bytes MODE ...` in the background and sets $port once it listens.
start_bytes() {
  "$bin/bytes" "$@" >"$work/$1.out" 2>"$work/$1.log" &
  pids+=($!)
  port=$(listening_port "$work/$1.log")
}

now() { date +%s.%N; }

# The median of the numbers on stdin.
median() { sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

download_cmd() {  # the tool reads the connection and writes stdout
  case $1 in
    netcat1) echo "$bin/netcat1 127.0.0.1 $port" ;;
    nc) echo "nc -d 127.0.0.1 $port" ;;
    socat) echo "socat -u TCP:127.0.0.1:$port STDOUT" ;;
    ncat) echo "ncat --recv-only 127.0.0.1 $port" ;;
  esac
}

upload_cmd() {  # the tool reads stdin and writes the connection, then waits for the server
  case $1 in
    netcat3) echo "$bin/netcat3 -log-level warn 127.0.0.1 $port" ;;
    nc) echo "nc -N 127.0.0.1 $port" ;;
    socat) echo "socat -u STDIN TCP:127.0.0.1:$port" ;;
    ncat) echo "ncat --send-only 127.0.0.1 $port" ;;
  esac
}

start_bytes serve -bytes "$size"
for tool in netcat1 nc socat ncat; do
  [ "$tool" = netcat1 ] || command -v "$tool" >/dev/null || { echo "{\"tool\":\"$tool\",\"direction\":\"download\",\"missing\":true}"; continue; }
  rates=()
  for _ in $(seq "$runs"); do
    start=$(now)
    got=$($(download_cmd "$tool") </dev/null | "$bin/bytes" count)
    end=$(now)
    if [ "$got" != "$size" ]; then echo "bench-netcat: $tool download got $got of $size bytes" >&2; exit 1; fi
    rates+=("$(awk -v s="$size" -v a="$start" -v b="$end" 'BEGIN { printf "%.0f", s / (b - a) / 1e6 }')")
  done
  echo "{\"tool\":\"$tool\",\"direction\":\"download\",\"mb_per_s\":$(printf '%s\n' "${rates[@]}" | median),\"runs\":[$(IFS=,; echo "${rates[*]}")]}"
done

start_bytes sink
sink_out="$work/sink.out"
for tool in netcat3 nc socat ncat; do
  [ "$tool" = netcat3 ] || command -v "$tool" >/dev/null || { echo "{\"tool\":\"$tool\",\"direction\":\"upload\",\"missing\":true}"; continue; }
  rates=()
  for _ in $(seq "$runs"); do
    before=$(wc -l <"$sink_out")
    start=$(now)
    "$bin/bytes" source -bytes "$size" | $(upload_cmd "$tool") >/dev/null
    # The transfer ends when the sink has read to EOF, whenever the tool itself exits.
    for _ in $(seq 500); do [ "$(wc -l <"$sink_out")" -gt "$before" ] && break; sleep 0.01; done
    read -r got end < <(tail -n 1 "$sink_out")
    if [ "$got" != "$size" ]; then echo "bench-netcat: $tool upload: the server got $got of $size bytes" >&2; exit 1; fi
    rates+=("$(awk -v s="$size" -v a="$start" -v b="$end" 'BEGIN { printf "%.0f", s / (b - a) / 1e6 }')")
  done
  echo "{\"tool\":\"$tool\",\"direction\":\"upload\",\"mb_per_s\":$(printf '%s\n' "${rates[@]}" | median),\"runs\":[$(IFS=,; echo "${rates[*]}")]}"
done
