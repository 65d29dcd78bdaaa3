#!/usr/bin/env bash
# Side-by-side SIP over WebSocket load: sipws-proxy, sipws-gateway in front of
# Kamailio (UDP), and Kamailio's own websocket module, in one run on loopback,
# each given two cores' worth of workers:
#
#   sipws-proxy --threads 2
#   sipws-gateway --threads 2  ->  Kamailio UDP-only, children=2
#   Kamailio ws, tcp_children=2 (children=2)
#
#   tests/bench/side_by_side.sh BUILD_DIR [--quick] [--duration S] [--warmup S] [--idle N]
#
# BUILD_DIR: a release build with the targets sipws-sip-load, sipws-proxy and
# sipws-gateway (cmake --preset release && cmake --build --preset release
# --target sipws-sip-load sipws-proxy sipws-gateway). Needs Debian's kamailio
# and kamailio-websocket-modules.
#
# Rows (the load client is sipws-sip-load with 2 threads, window 1):
#   REGISTER C=1, 100, 1000   REGISTER transactions/s (each connection
#                             refreshes its own binding in a loop), p50/p99 ms
#   MESSAGE C=100, C=1000     MESSAGEs relayed/s: C/2 pairs, each side sends
#                             MESSAGE to the other's AOR and answers 200; one
#                             = the MESSAGE relayed to the peer + its 200
#                             relayed back (C=1000 not with --quick)
#   idle KB/conn N            memory per idle registered connection: the
#                             server's memory after one registration (the
#                             baseline), then with N registered connections
#                             held open: (after - baseline) / N
# Memory is the sum of Pss (proportional set size, /proc/PID/smaps_rollup)
# over the server's processes: for sipws-proxy its one process (Pss = RSS
# less its share of shared libraries, which cancels out in the difference);
# for Kamailio its main process and all its children, which share the shm
# pool (Pss counts each shared page once in total, where summing RSS would
# count it once per process); for the gateway column, sipws-gateway plus
# its Kamailio.
#
# Every server is started on free loopback ports and stopped by PID (also on
# failure and Ctrl-C). The load client and the server share the machine's
# cores: the figures compare servers under the same conditions, they are not
# absolute capacities. Default run about 4 minutes, --quick about 1 minute
# (2 s measured per row, N=2000 idle connections).
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
usage() { sed -n '10p' "$0" | sed 's/^# */usage: /' >&2; exit 2; }
[ $# -ge 1 ] || usage
build=$(cd "$1" 2>/dev/null && pwd) || { echo "side_by_side.sh: no build directory $1" >&2; exit 2; }
shift
quick=0
duration=""
warmup=""
idle=""
while [ $# -gt 0 ]; do
  case $1 in
    --quick) quick=1; shift ;;
    --duration) [ $# -ge 2 ] || usage; duration=$2; shift 2 ;;
    --warmup) [ $# -ge 2 ] || usage; warmup=$2; shift 2 ;;
    --idle) [ $# -ge 2 ] || usage; idle=$2; shift 2 ;;
    -h|--help) sed -n '2,40p' "$0"; exit 0 ;;
    *) echo "side_by_side.sh: unknown option $1" >&2; usage ;;
  esac
done
if [ $quick = 1 ]; then
  : "${duration:=2}" "${warmup:=1}" "${idle:=2000}"
else
  : "${duration:=8}" "${warmup:=2}" "${idle:=10000}"
fi
[[ $duration =~ ^[0-9]+([.][0-9]+)?$ && $warmup =~ ^[0-9]+([.][0-9]+)?$ && $idle =~ ^[0-9]+$ ]] ||
  { echo "side_by_side.sh: --duration/--warmup are seconds, --idle a count" >&2; exit 2; }

load=$build/tests/bench/sipws-sip-load
proxy=$build/examples/proxy/sipws-proxy
gateway=$build/examples/gateway/sipws-gateway
kamailio_sh=$here/../peers/kamailio/start-kamailio.sh
for f in "$load" "$proxy" "$gateway"; do
  [ -x "$f" ] || { echo "side_by_side.sh: $f is missing (build sipws-sip-load sipws-proxy sipws-gateway)" >&2; exit 2; }
done

ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
files=$(ulimit -n)
if [ "$files" != unlimited ] && [ "$idle" -gt $((files - 200)) ]; then
  echo "side_by_side.sh: only $files file descriptors: idle connections lowered to $((files - 200))" >&2
  idle=$((files - 200))
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/sipws-side-by-side-XXXXXX")
domain=sipws.test

# ---- processes we start, stopped by PID ------------------------------------
started=()   # PIDs, stopped in reverse order
stop_pid() { # pid [seconds before SIGKILL]
  local p=$1 limit=${2:-40} i
  kill -0 "$p" 2>/dev/null || { wait "$p" 2>/dev/null; return 0; }
  kill -TERM "$p" 2>/dev/null
  for ((i = 0; i < limit * 10; i++)); do
    kill -0 "$p" 2>/dev/null || break
    sleep 0.1
  done
  kill -KILL "$p" 2>/dev/null
  wait "$p" 2>/dev/null
  return 0
}
forget() { # pid
  local keep=() p
  for p in "${started[@]}"; do [ "$p" = "$1" ] || keep+=("$p"); done
  started=("${keep[@]}")
}
cleanup() {
  local i
  for ((i = ${#started[@]} - 1; i >= 0; i--)); do stop_pid "${started[$i]}"; done
  started=()
}
trap cleanup EXIT
trap 'echo "side_by_side.sh: interrupted; stopping what it started" >&2; cleanup; exit 130' INT TERM HUP

port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

wait_for_line() { # file regex seconds pid -> 0 when the line appears
  local i
  for ((i = 0; i < $3 * 10; i++)); do
    grep -qE "$2" "$1" 2>/dev/null && return 0
    kill -0 "$4" 2>/dev/null || return 1
    sleep 0.1
  done
  return 1
}

# ---- servers ----------------------------------------------------------------
# start_SERVER sets ws_port and server_pids (the processes whose memory counts)
# and appends the PIDs to stop to `started`.
kamailio_n=0
start_n=0
start_kamailio() { # name [start-kamailio.sh options...] -> kam_pid (Kamailio's main process)
  local name=$1 out
  shift
  kamailio_n=$((kamailio_n + 1))
  out=$work/$name-$kamailio_n.out
  "$kamailio_sh" --dir "$work/$name-$kamailio_n" --domain "$domain" --shm 2048 --stop-timeout 40 "$@" >"$out" 2>&1 &
  started+=($!)
  if ! wait_for_line "$out" '^KAMAILIO_READY' 30 $!; then
    echo "side_by_side.sh: Kamailio ($name) did not start:" >&2
    cat "$out" >&2
    return 1
  fi
  kam_pid=$(sed -n 's/^KAMAILIO_READY pid=\([0-9]*\).*/\1/p' "$out")
}

start_sipws_proxy() {
  local log
  start_n=$((start_n + 1))
  log=$work/sipws-proxy-$start_n.log
  ws_port=$(port)
  "$proxy" --listen "ws://127.0.0.1:$ws_port" --domain "$domain" --threads 2 --log-level warn >"$log" 2>&1 &
  started+=($!)
  server_pids=$!
  wait_for_line "$log" 'sipws-proxy: ready' 10 $! || { echo "side_by_side.sh: sipws-proxy did not start:" >&2; cat "$log" >&2; return 1; }
}

start_gateway_kamailio() {
  local udp log
  start_n=$((start_n + 1))
  log=$work/sipws-gateway-$start_n.log
  udp=$(port)
  start_kamailio kamailio-udp --udp-port "$udp" --children 2 --udp-buffer 4194304 || return 1
  ws_port=$(port)
  "$gateway" --listen "ws://127.0.0.1:$ws_port" --upstream "udp://127.0.0.1:$udp" --threads 2 --log-level warn >"$log" 2>&1 &
  started+=($!)
  server_pids="$! $kam_pid"
  wait_for_line "$log" 'sipws-gateway: ready' 10 $! || { echo "side_by_side.sh: sipws-gateway did not start:" >&2; cat "$log" >&2; return 1; }
}

start_kamailio_ws() {
  ws_port=$(port)
  start_kamailio kamailio-ws --ws-port "$ws_port" --children 2 --tcp-children 2 || return 1
  server_pids=$kam_pid
}

stop_servers() { cleanup; }

# Sum of Pss (KB) over the given processes and the children of each.
pss_kb() {
  local total=0 p c v
  for p in "$@"; do
    for c in "$p" $(ps -o pid= --ppid "$p" 2>/dev/null); do
      v=$(awk '/^Pss:/ {print $2}' "/proc/$c/smaps_rollup" 2>/dev/null)
      total=$((total + ${v:-0}))
    done
  done
  echo "$total"
}

# ---- the load client ------------------------------------------------------------
notes=()
run_load() { # label args... -> result line in $result ("" on failure)
  local label=$1 out=$work/load-$1-$RANDOM.out pid
  shift
  "$load" --url "ws://127.0.0.1:$ws_port" --domain "$domain" --threads 2 --setup-timeout 60 "$@" >"$out" 2>&1 &
  pid=$!
  started+=($pid)
  wait $pid
  forget $pid
  result=$(grep '^RESULT' "$out" | tail -n 1)
  if [ -z "$result" ]; then
    notes+=("$label: $(tail -n 1 "$out")")
  fi
  cat "$out" >>"$work/load.log"
}

field() { # line name
  sed -n "s/.* $2=\([^ ]*\).*/\1/p" <<<"$1"
}

declare -A cell value
cell_for_result() { # key label
  local key=$1 label=$2 tps p50 p99 err
  if [ -z "$result" ]; then
    cell[$key]="failed"
    return
  fi
  tps=$(field "$result" tps)
  p50=$(field "$result" p50_us)
  p99=$(field "$result" p99_us)
  err=$(field "$result" errors)
  value[$key]=$tps
  cell[$key]=$(awk -v t="$tps" -v a="$p50" -v b="$p99" 'BEGIN { printf "%d (%.2f/%.2f)", t, a / 1000, b / 1000 }')
  if [ "${err:-0}" != 0 ]; then
    cell[$key]="${cell[$key]} E$err"
    notes+=("$label: $(grep 'errors:' "$work/load.log" | tail -n 1 | sed 's/^ *//')")
  fi
}

servers=(proxy gateway kamailio)
declare -A title=([proxy]="sipws-proxy" [gateway]="gateway+Kamailio(UDP)" [kamailio]="Kamailio ws")
rows=("register 1" "register 100" "register 1000" "message 100")
[ $quick = 1 ] || rows+=("message 1000")

start_server() {
  case $1 in
    proxy) start_sipws_proxy ;;
    gateway) start_gateway_kamailio ;;
    kamailio) start_kamailio_ws ;;
  esac
}

echo "side_by_side.sh: ${duration}s measured after ${warmup}s warmup per row, idle N=$idle; files in $work"
for s in "${servers[@]}"; do
  echo "== ${title[$s]}"
  if ! start_server "$s"; then
    stop_servers
    for r in "${rows[@]}"; do cell["$s:$r"]="failed"; done
    cell["$s:idle"]="failed"
    continue
  fi
  n=0
  for r in "${rows[@]}"; do
    set -- $r
    n=$((n + 1))
    run_load "$s-$1-$2" --mode "$1" --connections "$2" --duration "$duration" --warmup "$warmup" --user-prefix "r$n-"
    [ -n "$result" ] && echo "   $r: $result"
    cell_for_result "$s:$r" "${title[$s]} $1 C=$2"
  done
  stop_servers

  # Idle memory: a fresh server, one registration for the baseline, then N.
  if ! start_server "$s"; then
    stop_servers
    cell["$s:idle"]="failed"
    continue
  fi
  run_load "$s-idle-1" --mode idle --connections 1 --hold 0.2 --user-prefix base-
  sleep 0.5
  base=$(pss_kb $server_pids)
  out=$work/idle-$s.out
  "$load" --url "ws://127.0.0.1:$ws_port" --domain "$domain" --threads 2 --mode idle --connections "$idle" \
    --setup-timeout 120 --user-prefix idle- >"$out" 2>&1 &
  lpid=$!
  started+=($lpid)
  if wait_for_line "$out" '^READY' 130 $lpid; then
    sleep 1
    after=$(pss_kb $server_pids)
    kb=$(awk -v a="$after" -v b="$base" -v n="$idle" 'BEGIN { printf "%.1f", (a - b) / n }')
    value["$s:idle"]=$kb
    cell["$s:idle"]="$kb"
    echo "   idle: Pss ${base} KB -> ${after} KB with $idle connections: $kb KB each"
  else
    cell["$s:idle"]="failed"
    notes+=("${title[$s]} idle: $(tail -n 1 "$out")")
  fi
  stop_pid $lpid 30
  forget $lpid
  stop_servers
done

ratio() { # key -> proxy/kamailio
  local a=${value["proxy:$1"]:-} b=${value["kamailio:$1"]:-}
  if [ -z "$a" ] || [ -z "$b" ]; then echo "-"; return; fi
  awk -v a="$a" -v b="$b" 'BEGIN { if (b > 0) printf "%.2fx", a / b; else print "-" }'
}

echo
echo "SIP over WebSocket, loopback, 2 server threads/workers each; load client 2 threads on the same cores"
echo "cells: transactions/s (p50/p99 latency ms); idle: KB of memory per registered idle connection"
printf '%-26s %-24s %-24s %-24s %s\n' "" "${title[proxy]}" "${title[gateway]}" "${title[kamailio]}" "sipws-proxy/Kamailio"
for r in "${rows[@]}"; do
  set -- $r
  if [ "$1" = register ]; then label="REGISTER C=$2"; else label="MESSAGE C=$2 ($(($2 / 2)) pairs)"; fi
  printf '%-26s %-24s %-24s %-24s %s\n' "$label" "${cell["proxy:$r"]:-}" "${cell["gateway:$r"]:-}" \
    "${cell["kamailio:$r"]:-}" "$(ratio "$r")"
done
printf '%-26s %-24s %-24s %-24s %s\n' "idle KB/conn N=$idle" "${cell[proxy:idle]:-}" "${cell[gateway:idle]:-}" \
  "${cell[kamailio:idle]:-}" "$(ratio idle)"
if [ ${#notes[@]} -gt 0 ]; then
  echo
  echo "notes (E = errors; details in $work/load.log):"
  for n in "${notes[@]}"; do echo "  $n"; done
fi
