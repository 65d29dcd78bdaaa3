#!/usr/bin/env bash
# Captures SIP-over-WebSocket traffic on loopback with tshark and checks it on
# the wire: every WebSocket data frame must dissect as SIP, every handshake
# must agree on the "sip" subprotocol, and no packet may be malformed.
#
#   wire-check.sh capture --out FILE --port N [--port M ...]
#       Runs tshark in the foreground on interface lo for the given TCP
#       ports until SIGTERM/SIGINT; prints WIRE_CAPTURING when it has
#       started. Stop it by PID, then analyse the file.
#
#   wire-check.sh analyze --port N [--port M ...] FILE
#       Decodes FILE (the ports as HTTP, so upgraded connections dissect as
#       WebSocket and their payload as SIP) and prints:
#         WIRE_PACKETS <n>
#         WIRE_HANDSHAKES <upgrade requests> <101 answers> <answers with sip subprotocol>
#         WIRE_WS_DATA_FRAMES <n>        text/binary frames
#         WIRE_WS_CONTROL_FRAMES <n>     close/ping/pong frames
#         WIRE_SIP_MESSAGES <n>
#         WIRE_SIP_METHODS <METHOD>=<count> ...   requests
#         WIRE_SIP_STATUS <code>=<count> ...      responses
#         WIRE_MALFORMED <n>
#         WIRE_OK | WIRE_FAIL <reason>
#       Exit status 0 for WIRE_OK, 1 for WIRE_FAIL, 2 for usage/tool errors.
#
# Needs tshark (Debian: tshark; non-interactive install:
#   echo "wireshark-common wireshark-common/install-setuid boolean false" | debconf-set-selections
#   apt-get install -y tshark).
set -euo pipefail

usage() { sed -n '2,28p' "$0" >&2; exit 2; }
command -v tshark >/dev/null || { echo "WIRE_FAIL tshark not found (Debian: apt-get install tshark)"; exit 2; }

mode=${1:-}
[ -n "$mode" ] || usage
shift
ports=()
out=""
file=""
while [ $# -gt 0 ]; do
  case $1 in
    --port) [ $# -ge 2 ] || usage; [[ $2 =~ ^[0-9]+$ ]] || usage; ports+=("$2"); shift 2 ;;
    --out) [ $# -ge 2 ] || usage; out=$2; shift 2 ;;
    -*) usage ;;
    *) file=$1; shift ;;
  esac
done
[ ${#ports[@]} -gt 0 ] || usage

filter=""
decode=()
for p in "${ports[@]}"; do
  filter="${filter:+$filter or }tcp port $p"
  decode+=(-d "tcp.port==$p,http")
done

case $mode in
  capture)
    [ -n "$out" ] || usage
    rm -f "$out"
    errlog="$out.tshark.log"
    tshark -q -n -i lo -f "$filter" -w "$out" >"$errlog" 2>&1 &
    tpid=$!
    stop_capture() {
      trap - TERM INT HUP
      kill -INT "$tpid" 2>/dev/null || true
      for _ in $(seq 1 50); do kill -0 "$tpid" 2>/dev/null || break; sleep 0.1; done
      kill -KILL "$tpid" 2>/dev/null || true
      wait "$tpid" 2>/dev/null || true
      echo "WIRE_STOPPED $out"
      exit 0
    }
    trap stop_capture TERM INT HUP
    # tshark loads every dissector first: seconds on a busy machine (up to 30 s).
    for _ in $(seq 1 600); do
      grep -q "Capturing on" "$errlog" 2>/dev/null && break
      kill -0 "$tpid" 2>/dev/null || break
      sleep 0.05
    done
    if ! grep -q "Capturing on" "$errlog" 2>/dev/null; then
      echo "WIRE_FAIL tshark did not start capturing:"
      cat "$errlog"
      kill -KILL "$tpid" 2>/dev/null || true
      exit 2
    fi
    echo "WIRE_CAPTURING $out pid=$tpid"
    set +e
    while kill -0 "$tpid" 2>/dev/null; do wait "$tpid"; done
    echo "WIRE_FAIL tshark exited:"
    cat "$errlog"
    exit 2
    ;;
  analyze)
    [ -n "$file" ] && [ -f "$file" ] || { echo "WIRE_FAIL no capture file '$file'"; exit 2; }
    fields=$(tshark -n -r "$file" "${decode[@]}" -T fields -E separator='|' -E occurrence=a -E aggregator=',' \
      -e frame.number -e websocket.opcode -e sip.Method -e sip.Status-Code -e http.request.method \
      -e http.upgrade -e http.response.code -e http.sec_websocket_protocol -e _ws.malformed 2>/dev/null) || {
      echo "WIRE_FAIL tshark cannot read $file"; exit 2; }
    malformed=$(tshark -n -r "$file" "${decode[@]}" -Y '_ws.malformed' 2>/dev/null | wc -l)
    echo "$fields" | awk -F'|' -v malformed="$malformed" '
      function count(list, arr,   n, i, v) {
        if (list == "") return 0
        n = split(list, v, ",")
        for (i = 1; i <= n; ++i) if (v[i] != "") arr[v[i]]++
        return n
      }
      NF > 1 {
        packets++
        n = split($2, ops, ",")
        for (i = 1; i <= n; ++i) {
          if (ops[i] == 1 || ops[i] == 2) data++
          else if (ops[i] != "" && ops[i] != 0) control++
        }
        sip += count($3, methods)
        sip += count($4, statuses)
        if ($5 == "GET" && tolower($6) ~ /websocket/) upgrades++
        if ($7 ~ /(^|,)101(,|$)/) {
          switched++
          if (tolower($8) ~ /(^|,) *sip *(,|$)/) sipproto++
        }
      }
      END {
        printf "WIRE_PACKETS %d\n", packets
        printf "WIRE_HANDSHAKES %d %d %d\n", upgrades, switched, sipproto
        printf "WIRE_WS_DATA_FRAMES %d\n", data
        printf "WIRE_WS_CONTROL_FRAMES %d\n", control
        printf "WIRE_SIP_MESSAGES %d\n", sip
        line = "WIRE_SIP_METHODS"; for (m in methods) line = line " " m "=" methods[m]; print line
        line = "WIRE_SIP_STATUS"; for (s in statuses) line = line " " s "=" statuses[s]; print line
        printf "WIRE_MALFORMED %d\n", malformed
        if (malformed > 0) { print "WIRE_FAIL malformed packets"; exit 1 }
        if (data == 0) { print "WIRE_FAIL no WebSocket data frames"; exit 1 }
        if (sip != data) { printf "WIRE_FAIL %d WebSocket data frames but %d SIP messages\n", data, sip; exit 1 }
        if (switched != upgrades || sipproto != switched) { print "WIRE_FAIL handshakes without the sip subprotocol"; exit 1 }
        print "WIRE_OK"
      }'
    ;;
  *) usage ;;
esac
