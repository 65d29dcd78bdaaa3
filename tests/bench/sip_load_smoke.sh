#!/usr/bin/env bash
# ctest smoke test of sipws-sip-load (label integration, a few seconds): the
# client against a sipws-proxy it starts on a free loopback port, in each
# mode, with no errors; and a clear failure when nothing listens.
#
#   tests/bench/sip_load_smoke.sh SIPWS_SIP_LOAD SIPWS_PROXY
set -uo pipefail
load=$1
proxy=$2
work=$(mktemp -d "${TMPDIR:-/tmp}/sipws-sip-load-smoke-XXXXXX")
ppid_=""
cleanup() {
  if [ -n "$ppid_" ]; then kill -TERM "$ppid_" 2>/dev/null; wait "$ppid_" 2>/dev/null; fi
  rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "FAIL: $*"; exit 1; }
port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# Nothing listening: exit status 1 and the reason.
p=$(port)
"$load" --port "$p" --connections 2 --duration 0.2 --warmup 0 >"$work/refused" 2>&1
rc=$?
[ $rc = 1 ] || fail "expected exit 1 without a server, got $rc: $(cat "$work/refused")"
grep -q "setup failed.*Connection refused" "$work/refused" || fail "no reason: $(cat "$work/refused")"

p=$(port)
"$proxy" --listen "ws://127.0.0.1:$p" --threads 2 --log-level warn >"$work/proxy.log" 2>&1 &
ppid_=$!
for _ in $(seq 100); do grep -q 'sipws-proxy: ready' "$work/proxy.log" && break; sleep 0.05; done
grep -q 'sipws-proxy: ready' "$work/proxy.log" || fail "sipws-proxy did not start: $(cat "$work/proxy.log")"

check() { # mode connections window
  local out=$work/$1-$2 r
  "$load" --port "$p" --mode "$1" --connections "$2" --window "$3" --threads 2 --duration 0.5 --warmup 0.2 \
    --user-prefix "$1$2-" >"$out" 2>&1 || fail "$1: exit $?: $(cat "$out")"
  r=$(grep '^RESULT' "$out") || fail "$1: no RESULT line: $(cat "$out")"
  [[ $r =~ \ transactions=([0-9]+) ]] && [ "${BASH_REMATCH[1]}" -gt 0 ] || fail "$1: no transactions: $r"
  [[ $r =~ \ errors=0$ ]] || fail "$1: errors: $(cat "$out")"
  echo "$r"
}
check register 10 1
check register 4 8
check message 10 2

# Idle: READY once all are registered; SIGTERM closes them cleanly.
"$load" --port "$p" --mode idle --connections 50 --threads 2 --user-prefix idle- >"$work/idle" 2>&1 &
lpid=$!
for _ in $(seq 100); do grep -q '^READY connections=50' "$work/idle" && break; sleep 0.05; done
grep -q '^READY connections=50' "$work/idle" || { kill "$lpid"; fail "idle: no READY: $(cat "$work/idle")"; }
kill -TERM "$lpid"
wait "$lpid" || fail "idle: exit $?"
grep -q '^RESULT mode=idle connections=50 .*errors=0' "$work/idle" || fail "idle: $(cat "$work/idle")"

# The proxy saw every connection close with a close handshake, no errors.
kill -TERM "$ppid_"
wait "$ppid_"
ppid_=""
grep -q 'counters: connections open=0 .* errors none' "$work/proxy.log" || fail "proxy: $(cat "$work/proxy.log")"
echo "PASS"
