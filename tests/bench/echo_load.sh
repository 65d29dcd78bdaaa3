#!/usr/bin/env bash
# Runs the same echo load against sipws-echo-server, websocketpp, Boost.Beast
# and a raw-TCP echo floor (all one server thread, loopback), then the peak
# RSS of each server holding N idle connections, and of sipws-echo-server
# holding M idle wss connections (the same server with ws, for comparison).
#
#   tests/bench/echo_load.sh [BUILD_DIR] [-t SECONDS] [--idle N] [--idle-wss M]
#
# BUILD_DIR defaults to build/release (cmake --preset release; build the
# targets sipws-echo-server bench_echo_load bench_echo_peer_beast
# bench_echo_peer_websocketpp).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=${1:-$here/../../build/release}
shift || true
secs=5
idle=10000
idle_wss=2000
while [ $# -gt 0 ]; do
  case $1 in
    -t) secs=$2; shift 2 ;;
    --idle) idle=$2; shift 2 ;;
    --idle-wss) idle_wss=$2; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
load=$build/tests/bench/bench_echo_load
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"

port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT

start_server() { # name port -> sets $spid
  local name=$1 p=$2
  case $name in
    sipws) "$build/examples/echo-server/sipws-echo-server" --listen "ws://127.0.0.1:$p" --subprotocol none >/dev/null & ;;
    sipws-wss) "$build/examples/echo-server/sipws-echo-server" --listen "wss://127.0.0.1:$p" \
                 --cert "$certs/server-chain.pem" --key "$certs/server.key" --subprotocol none >/dev/null & ;;
    websocketpp) "$build/tests/bench/bench_echo_peer_websocketpp" "$p" >/dev/null & ;;
    beast) "$build/tests/bench/bench_echo_peer_beast" "$p" >/dev/null & ;;
    raw) "$load" --raw-server "$p" >/dev/null & ;;
  esac
  spid=$!
  pids+=("$spid")
  for _ in $(seq 50); do
    (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null && return 0
    sleep 0.1
  done
  echo "$name did not start" >&2
  return 1
}
rss_kb() { awk '/VmRSS/ {print $2}' "/proc/$1/status"; }

for spec in "100 300 1" "100 300 16" "10 65536 4"; do
  set -- $spec
  echo "== C=$1 S=$2 W=$3, ${secs}s"
  for name in raw sipws websocketpp beast; do
    p=$(port)
    start_server $name "$p"
    extra=""
    [ $name = raw ] && extra="--raw"
    "$load" --port "$p" $extra -c "$1" -s "$2" -w "$3" -t "$secs" --name "$name" || echo "$name: load failed"
    kill "$spid"; wait "$spid" 2>/dev/null || true
  done
done

measure_idle() { # name count [--tls]
  local name=$1 count=$2 p base now fifo lpid
  p=$(port)
  start_server "$name" "$p"
  base=$(rss_kb "$spid")
  fifo=$(mktemp -u); mkfifo "$fifo"
  "$load" --port "$p" --idle "$count" --name "$name" ${3:-} < "$fifo" > "$fifo.out" &
  lpid=$!
  exec 4>"$fifo"
  for _ in $(seq 600); do grep -q idle "$fifo.out" 2>/dev/null && break; sleep 0.1; done
  sleep 0.5
  now=$(rss_kb "$spid")
  awk -v n="$name" -v b="$base" -v r="$now" -v c="$count" \
    'BEGIN { printf "%-12s baseline %7d KiB, with %d idle: %7d KiB, %.2f KiB per connection\n", n, b, c, r, (r-b)/c }'
  exec 4>&-
  wait "$lpid" 2>/dev/null || true
  rm -f "$fifo" "$fifo.out"
  kill "$spid"; wait "$spid" 2>/dev/null || true
}

echo "== idle connections: $idle"
for name in sipws websocketpp beast; do
  measure_idle "$name" "$idle"
done

echo "== idle connections, sipws ws and wss: $idle_wss"
certs=$(mktemp -d)
bash "$here/../peers/make-test-ca.sh" "$certs" sipws.test >/dev/null
measure_idle sipws "$idle_wss"
measure_idle sipws-wss "$idle_wss" --tls
rm -rf "$certs"
