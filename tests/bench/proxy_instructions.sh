#!/bin/bash
# User-space instructions per transaction of sipws-proxy (--threads 1) under
# callgrind: two loads of the same kind (SHORT and LONG seconds, 100
# connections) against fresh proxies; the difference in instructions over the
# difference in transactions leaves out start-up and connection set-up.
# Usage: tests/bench/proxy_instructions.sh BUILD_DIR register|message [SHORT LONG]
set -eu
B=$1; MODE=$2; SHORT=${3:-3}; LONG=${4:-9}
DIR=$(mktemp -d)
trap 'rm -rf "$DIR"' EXIT
run() {
    local d=$1 port out
    port=$(python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])')
    out=$DIR/$d
    valgrind --tool=callgrind --separate-threads=no --callgrind-out-file="$out.cg" \
        "$B/examples/proxy/sipws-proxy" --listen "ws://127.0.0.1:$port" --threads 1 --log-level error \
        >"$out.log" 2>&1 &
    local pid=$!
    for _ in $(seq 100); do grep -q ready "$out.log" 2>/dev/null && break; sleep 0.2; done
    "$B/tests/bench/sipws-sip-load" --port "$port" --connections 100 --threads 1 --duration "$d" \
        --warmup 0 --mode "$MODE" --setup-timeout 30 --timeout 30 >"$out.load" 2>&1
    kill -INT "$pid"; wait "$pid" || true
    IR=$(awk '/^(summary|totals):/ {print $2; exit}' "$out.cg")
    TX=$(grep -o 'transactions=[0-9]*' "$out.load" | cut -d= -f2)
    echo "$MODE ${d}s: $IR instructions, $TX transactions" >&2
}
run "$SHORT"; IR1=$IR; TX1=$TX
run "$LONG"; IR2=$IR; TX2=$TX
echo "$MODE: $(( (IR2 - IR1) / (TX2 - TX1) )) instructions per transaction"
