#!/bin/bash
# Instructions per message of bench_sip_parse's BM_sipws work (strict parse
# and the touched fields) under callgrind: two runs of the same kind (SHORT
# and LONG passes over the corpus); the difference in instructions over the
# difference in messages leaves out start-up and the corpus' construction.
# Usage: tests/bench/sip_parse_instructions.sh BUILD_DIR [SHORT LONG]
set -eu
B=$1; SHORT=${2:-1}; LONG=${3:-201}
DIR=$(mktemp -d)
trap 'rm -rf "$DIR"' EXIT
BIN=$B/tests/bench/bench_sip_parse
MSGS=$("$BIN" --rounds 1 | awk '/messages per pass/ {print $1}')
run() {
    valgrind --tool=callgrind --callgrind-out-file="$DIR/$1.cg" "$BIN" --rounds "$1" >/dev/null 2>&1
    awk '/^(summary|totals):/ {print $2; exit}' "$DIR/$1.cg"
}
IR1=$(run "$SHORT"); IR2=$(run "$LONG")
echo "$(( (IR2 - IR1) / ((LONG - SHORT) * MSGS) )) instructions per message ($MSGS messages per pass)"
