# shellcheck shell=bash
# What the demo and benchmark scripts share; sourced, never run: `. scripts/lib.sh`.

# scratch NAME: a folder $work (/tmp/NAME.XXXXXX) and a list $pids of the processes the script
# starts in the background; however the script ends (Ctrl-C included), those processes end and
# the folder goes. Only the processes listed, by PID, and only those still running as this
# shell's jobs: a PID whose process ended and was reaped may be another process's by now.
scratch() {
  work=$(mktemp -d "/tmp/$1.XXXXXX")
  pids=()
  trap end_scratch EXIT
  trap 'exit 130' INT TERM
}

end_scratch() {
  local pid running
  running=" $(jobs -pr | tr '\n' ' ') "
  for pid in "${pids[@]}"; do
    if [[ $running == *" $pid "* ]]; then kill "$pid" 2>/dev/null || true; fi
  done
  wait 2>/dev/null || true
  rm -rf "$work"
}

# programs: sets $bin to the folder of the built programs: $GONET_BIN if given (a test runs a
# script with the build under test), else build/bin, set up and built first if need be.
programs() {
  # shellcheck disable=SC2034  # $bin is the caller's
  if [ -n "${GONET_BIN:-}" ]; then
    bin=$GONET_BIN
  else
    scripts/build.sh
    bin=$PWD/build/bin
  fi
}

# wait_until WHAT COMMAND...: runs COMMAND every 50 ms until it succeeds, for 10 s at most;
# then says that WHAT did not happen, and fails.
wait_until() {
  local what=$1
  shift
  for _ in $(seq 200); do
    "$@" 2>/dev/null && return 0
    sleep 0.05
  done
  echo "$0: $what: not after 10 s" >&2
  return 1
}

# listening_port LOG: waits for a program's "listening on HOST:PORT" line in LOG and prints PORT;
# without one, prints LOG to stderr and fails.
listening_port() {
  wait_until "a 'listening on' line in $1" grep -q 'listening on .*:[0-9]*$' "$1" ||
    { cat "$1" >&2; return 1; }
  sed -n 's/.*listening on .*:\([0-9]*\)$/\1/p' "$1" | head -n 1
}

# A port nothing listens on now, for programs that cannot be told port 0.
free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# start_redis [CONF [SETTING...]]: Debian's redis-server on the Unix socket $work/redis.sock (and
# what CONF and the settings add), keeping nothing on disk; sets $redis to its PID once the socket
# is there.
start_redis() {
  redis-server "$@" --port 0 --unixsocket "$work/redis.sock" --save '' --appendonly no \
    --dir "$work" >"$work/redis.log" 2>&1 &
  redis=$!
  pids+=("$redis")
  wait_until "redis-server listening on its socket" test -S "$work/redis.sock" ||
    { cat "$work/redis.log" >&2; return 1; }
}

# make_certs CA_NAME: in $work, ca.pem (a CA of that name, a day's validity) and server.pem, a
# certificate for localhost and 127.0.0.1 it signed, followed by its key (as HAProxy and socat
# take it).
make_certs() {
  (
    cd "$work" || exit 1
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 -subj "/CN=$1" \
      -keyout ca.key -out ca.pem 2>/dev/null
    openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj /CN=localhost \
      -keyout server.key -out server.csr 2>/dev/null
    printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\n' >server.ext
    openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 1 \
      -extfile server.ext -out server.crt 2>/dev/null
    cat server.crt server.key >server.pem
  )
}
