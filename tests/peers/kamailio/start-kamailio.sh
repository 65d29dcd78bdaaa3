#!/usr/bin/env bash
# Starts Debian's Kamailio as a SIP-over-WebSocket registrar and proxy on
# loopback, for interop tests and benchmarks. It writes its own kamailio.cfg
# into a run directory, starts Kamailio in the foreground with its own pid
# file and runtime directory, waits until every TCP listener accepts
# connections, prints one line
#
#   KAMAILIO_READY pid=N ws=ws://127.0.0.1:P [wss=wss://127.0.0.1:Q ca=FILE] [udp=127.0.0.1:R] log=FILE
#
# and then stays until it gets SIGTERM/SIGINT (it stops Kamailio by PID) or
# Kamailio exits (it prints KAMAILIO_EXITED <status> and the log tail).
#
# Usage:
#   start-kamailio.sh --ws-port N [--wss-port N [--cert F --key F]] [--udp-port N]
#   start-kamailio.sh --udp-port N [...]      (UDP only: no WebSocket listener)
#                     [--dir DIR] [--domain NAME]... [--user NAME:PASSWORD]...
#                     [--children N] [--tcp-children N] [--shm MB] [--debug LEVEL]
#                     [--udp-buffer BYTES] [--stop-timeout SECONDS]
#
# Without --cert/--key and with --wss-port, a test CA and a server certificate
# for 127.0.0.1/::1/localhost are generated into DIR/tls (ca.pem is the CA
# clients must trust). With --user, REGISTER is challenged (401) and other
# requests from local users are challenged (407); a wrong password gets 403.
# Requests to a user with no binding get 480. --udp-buffer raises the UDP
# receive buffer Kamailio probes for (core maxbuffer; the OS's
# net.core.rmem_max still caps it). --stop-timeout is how long a
# stop waits for Kamailio before SIGKILL (default 10 s; Kamailio holding
# 10,000 connections takes longer).
#
# Needs: kamailio, kamailio-websocket-modules, kamailio-tls-modules, openssl.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
ws_port=""
wss_port=""
udp_port=""
cert=""
key=""
dir=""
domains=()
users=()
children=2
tcp_children=2
shm=256
debug=1
udp_buffer=""
stop_timeout=10

die() { echo "KAMAILIO_ERROR $*"; exit 2; }
need_value() { [ $# -ge 2 ] && [ -n "$2" ] || die "option $1 needs a value"; }
is_port() { [[ $1 =~ ^[0-9]+$ ]] && [ "$1" -ge 1 ] && [ "$1" -le 65535 ]; }

while [ $# -gt 0 ]; do
  case $1 in
    --ws-port) need_value "$@"; ws_port=$2; shift 2 ;;
    --wss-port) need_value "$@"; wss_port=$2; shift 2 ;;
    --udp-port) need_value "$@"; udp_port=$2; shift 2 ;;
    --cert) need_value "$@"; cert=$2; shift 2 ;;
    --key) need_value "$@"; key=$2; shift 2 ;;
    --dir) need_value "$@"; dir=$2; shift 2 ;;
    --domain) need_value "$@"; domains+=("$2"); shift 2 ;;
    --user) need_value "$@"; users+=("$2"); shift 2 ;;
    --children) need_value "$@"; children=$2; shift 2 ;;
    --tcp-children) need_value "$@"; tcp_children=$2; shift 2 ;;
    --shm) need_value "$@"; shm=$2; shift 2 ;;
    --debug) need_value "$@"; debug=$2; shift 2 ;;
    --udp-buffer) need_value "$@"; udp_buffer=$2; shift 2 ;;
    --stop-timeout) need_value "$@"; stop_timeout=$2; shift 2 ;;
    -h|--help) sed -n '2,30p' "$0"; exit 0 ;;
    *) die "unknown option $1" ;;
  esac
done

[ -n "$ws_port" ] || [ -n "$udp_port" ] || die "--ws-port or --udp-port is required"
[ -n "$ws_port" ] || [ -z "$wss_port" ] || die "--wss-port needs --ws-port"
for p in ${ws_port:+"$ws_port"} ${wss_port:+"$wss_port"} ${udp_port:+"$udp_port"}; do
  is_port "$p" || die "bad port '$p'"
done
for n in "$children" "$tcp_children" "$shm" "$debug" "$stop_timeout" ${udp_buffer:+"$udp_buffer"}; do
  [[ $n =~ ^-?[0-9]+$ ]] || die "bad number '$n'"
done
[ ${#domains[@]} -gt 0 ] || domains=(sipws.test)
for d in "${domains[@]}"; do
  [[ $d =~ ^[A-Za-z0-9.-]+$ ]] || die "bad domain '$d'"
done
for u in "${users[@]}"; do
  [[ $u =~ ^[A-Za-z0-9._-]+:[A-Za-z0-9._~!-]+$ ]] || die "bad --user '$u' (NAME:PASSWORD, no spaces or quotes)"
done

kamailio_bin=$(command -v kamailio || true)
[ -n "$kamailio_bin" ] || kamailio_bin=/usr/sbin/kamailio
[ -x "$kamailio_bin" ] || die "kamailio not found (Debian: apt-get install kamailio kamailio-websocket-modules kamailio-tls-modules)"
mpath=""
for m in /usr/lib/x86_64-linux-gnu/kamailio/modules /usr/lib/*/kamailio/modules /usr/lib/kamailio/modules /usr/local/lib64/kamailio/modules; do
  if [ -f "$m/websocket.so" ]; then mpath=$m; break; fi
done
[ -n "$mpath" ] || die "Kamailio websocket module not found (Debian: apt-get install kamailio-websocket-modules)"
if [ -n "$wss_port" ] && [ ! -f "$mpath/tls.so" ]; then
  die "Kamailio tls module not found (Debian: apt-get install kamailio-tls-modules)"
fi

if [ -z "$dir" ]; then
  dir=$(mktemp -d "${TMPDIR:-/tmp}/sipws-kamailio-XXXXXX")
fi
mkdir -p "$dir/run"
dir=$(cd "$dir" && pwd)
cfg=$dir/kamailio.cfg
log=$dir/kamailio.log
pidfile=$dir/kamailio.pid
rm -f "$pidfile"

if [ -n "$wss_port" ] && { [ -z "$cert" ] || [ -z "$key" ]; }; then
  "$here/../make-test-ca.sh" "$dir/tls" >/dev/null || die "cannot create the test CA in $dir/tls"
  cert=$dir/tls/server-chain.pem
  key=$dir/tls/server.key
  ca=$dir/tls/ca.pem
fi

# Connection limits within what this process may open.
files=$(ulimit -Hn)
[ "$files" = unlimited ] && files=65536
[ "$files" -gt 65536 ] && files=65536
max_conn=$(( files > 2048 ? files - 1024 : files / 2 ))

# --- configuration: the part that depends on the options -------------------
{
  echo "#!KAMAILIO"
  echo "# Written by start-kamailio.sh; SIP over WebSocket registrar/proxy for tests."
  if [ -n "$ws_port" ]; then
    echo "#!define WITH_WS"
    echo "#!define WS_PORT $ws_port"
  fi
  if [ -n "$wss_port" ]; then
    echo "#!define WITH_TLS"
    echo "#!define WSS_PORT $wss_port"
  else
    echo "#!define WSS_PORT 0"
  fi
  [ -n "$udp_port" ] && echo "#!define WITH_UDP"
  [ ${#users[@]} -gt 0 ] && echo "#!define WITH_AUTH"
  cat <<EOF
debug=$debug
log_stderror=yes
log_prefix="{\$mt \$hdr(CSeq) \$ci} "
memdbg=5
memlog=5
children=$children
tcp_children=$tcp_children
auto_aliases=no
dns=no
rev_dns=no
use_dns_cache=no
dns_try_ipv6=no
tcp_accept_no_cl=yes
tcp_connection_lifetime=3605
tcp_max_connections=$max_conn
tls_max_connections=$max_conn
open_files_limit=$files
mpath="$mpath"
EOF
  if [ -n "$udp_buffer" ]; then
    echo "maxbuffer=$udp_buffer"
  fi
  if [ -n "$ws_port" ]; then echo "listen=tcp:127.0.0.1:$ws_port"; else echo "disable_tcp=yes"; fi
  [ -n "$wss_port" ] && echo "listen=tls:127.0.0.1:$wss_port" && echo "enable_tls=yes"
  [ -n "$udp_port" ] && echo "listen=udp:127.0.0.1:$udp_port"
  for d in "${domains[@]}"; do echo "alias=\"$d\""; done
  if [ -n "$wss_port" ]; then
    cat > "$dir/tls.cfg" <<EOF
[server:default]
method = TLSv1.2+
verify_certificate = no
require_certificate = no
certificate = $cert
private_key = $key

[client:default]
method = TLSv1.2+
verify_certificate = no
require_certificate = no
EOF
    echo "loadmodule \"tls.so\""
    echo "modparam(\"tls\", \"config\", \"$dir/tls.cfg\")"
  fi
} > "$cfg"

# --- configuration: the fixed routing logic ---------------------------------
cat >> "$cfg" <<'EOF'

loadmodule "kex.so"
loadmodule "corex.so"
loadmodule "tm.so"
loadmodule "tmx.so"
loadmodule "sl.so"
loadmodule "rr.so"
loadmodule "pv.so"
loadmodule "maxfwd.so"
loadmodule "usrloc.so"
loadmodule "registrar.so"
loadmodule "path.so"
loadmodule "textops.so"
loadmodule "siputils.so"
loadmodule "xlog.so"
loadmodule "sanity.so"
loadmodule "nathelper.so"
loadmodule "htable.so"
loadmodule "auth.so"
#!ifdef WITH_WS
loadmodule "xhttp.so"
loadmodule "websocket.so"
#!endif

modparam("tm", "failure_reply_mode", 3)
modparam("tm", "fr_timer", 10000)
modparam("tm", "fr_inv_timer", 60000)
modparam("rr", "enable_full_lr", 1)
modparam("rr", "append_fromtag", 0)
modparam("usrloc", "db_mode", 0)
modparam("usrloc", "use_domain", 0)
modparam("usrloc", "timer_interval", 10)
modparam("registrar", "method_filtering", 1)
modparam("registrar", "max_expires", 3600)
modparam("registrar", "gruu_enabled", 0)
modparam("registrar", "use_path", 1)
modparam("registrar", "path_mode", 0)
modparam("registrar", "path_use_received", 1)
modparam("registrar", "received_avp", "$avp(RECEIVED)")
modparam("nathelper", "received_avp", "$avp(RECEIVED)")
modparam("nathelper", "natping_interval", 0)
modparam("htable", "htable", "users=>size=4;autoexpire=0;")
modparam("auth", "nonce_expire", 300)
#!ifdef WITH_WS
modparam("websocket", "keepalive_mechanism", 0)
modparam("websocket", "keepalive_timeout", 30)
#!endif

request_route {
	if (!mf_process_maxfwd_header("10")) {
		sl_send_reply("483", "Too Many Hops");
		exit;
	}
	if (!sanity_check("17895", "7")) {
		xlog("L_WARN", "malformed request from $si:$sp\n");
		exit;
	}

	# Requests from WebSocket clients: their Via/Contact hosts are *.invalid,
	# so remember the flow (source address of the connection) instead.
	if (nat_uac_test("64")) {
		force_rport();
		if (is_method("REGISTER")) {
			fix_nated_register();
		} else if (!add_contact_alias()) {
			sl_send_reply("400", "Bad Contact");
			exit;
		}
	}

	if (is_method("CANCEL")) {
		if (t_check_trans()) {
			t_relay();
		}
		exit;
	}

	if (has_totag()) {
		route(WITHINDLG);
		exit;
	}

	if (is_method("ACK")) {
		if (t_check_trans()) {
			t_relay();
		}
		exit;
	}

	t_check_trans();

	if (is_method("OPTIONS") && uri==myself && $rU == $null) {
		sl_send_reply("200", "OK");
		exit;
	}

	route(AUTH);

	if (is_method("REGISTER")) {
		if (!save("location")) {
			sl_reply_error();
		}
		exit;
	}

	remove_hf("Route");
	if (is_method("INVITE|SUBSCRIBE")) {
		record_route();
	}

	if ($rU == $null) {
		sl_send_reply("484", "Address Incomplete");
		exit;
	}

	lookup("location");
	switch ($rc) {
		case -1:
		case -3:
			send_reply("480", "Temporarily Unavailable");
			exit;
		case -2:
			send_reply("405", "Method Not Allowed");
			exit;
	}
	route(RELAY);
}

route[RELAY] {
	if (is_method("INVITE")) {
		t_on_failure("MANAGE_FAILURE");
	}
	if (!t_relay()) {
		sl_reply_error();
	}
	exit;
}

route[WITHINDLG] {
	if (loose_route()) {
		if ($du == "") {
			if (!handle_ruri_alias()) {
				sl_send_reply("400", "Bad Request");
				exit;
			}
		}
		route(RELAY);
	}
	if (is_method("ACK")) {
		if (t_check_trans()) {
			t_relay();
		}
		exit;
	}
	# In-dialog request without Route set: the R-URI is the peer's
	# contact with our alias parameter.
	if (handle_ruri_alias() && $du != "") {
		route(RELAY);
	}
	sl_send_reply("404", "Not here");
	exit;
}

route[AUTH] {
#!ifdef WITH_AUTH
	if (!is_method("REGISTER") && !from_uri==myself) {
		return;
	}
	if (is_method("REGISTER")) {
		if (!is_present_hf("Authorization")) {
			www_challenge("$td", "0");
			exit;
		}
		if ($sht(users=>$au) == $null) {
			send_reply("403", "Forbidden");
			exit;
		}
		pv_www_authenticate("$td", "$sht(users=>$au)", "0");
		$var(rc) = $rc;
		if ($var(rc) == -2) {
			send_reply("403", "Wrong Password");
			exit;
		}
		if ($var(rc) < 0) {
			www_challenge("$td", "0");
			exit;
		}
		if ($au != $tU) {
			send_reply("403", "Forbidden Auth ID");
			exit;
		}
	} else {
		if (!is_present_hf("Proxy-Authorization")) {
			proxy_challenge("$fd", "0");
			exit;
		}
		if ($sht(users=>$au) == $null) {
			send_reply("403", "Forbidden");
			exit;
		}
		pv_proxy_authenticate("$fd", "$sht(users=>$au)", "0");
		$var(rc) = $rc;
		if ($var(rc) == -2) {
			send_reply("403", "Wrong Password");
			exit;
		}
		if ($var(rc) < 0) {
			proxy_challenge("$fd", "0");
			exit;
		}
		if ($au != $fU) {
			send_reply("403", "Forbidden Auth ID");
			exit;
		}
	}
	consume_credentials();
#!endif
	return;
}

onreply_route {
	if (nat_uac_test("64")) {
		add_contact_alias();
	}
}

failure_route[MANAGE_FAILURE] {
	if (t_is_canceled()) {
		exit;
	}
}

#!ifdef WITH_WS
event_route[xhttp:request] {
	set_reply_close();
	set_reply_no_connect();
	if ($Rp != WS_PORT && $Rp != WSS_PORT) {
		xhttp_reply("403", "Forbidden", "", "");
		exit;
	}
	if ($hdr(Upgrade) =~ "websocket" && $hdr(Connection) =~ "Upgrade" && $rm =~ "GET") {
		if (ws_handle_handshake()) {
			exit;
		}
	}
	xhttp_reply("404", "Not Found", "", "");
}

event_route[websocket:closed] {
	xlog("L_INFO", "WebSocket connection from $si:$sp has closed\n");
}
#!endif
EOF

# Users for digest authentication, loaded when the htable module starts.
[ ${#users[@]} -eq 0 ] || {
  echo
  echo "event_route[htable:mod-init] {"
  for u in "${users[@]}"; do
    printf '\t$sht(users=>%s) = "%s";\n' "${u%%:*}" "${u#*:}"
  done
  echo "}"
} >> "$cfg"

"$kamailio_bin" -c -f "$cfg" -Y "$dir/run" >"$dir/check.log" 2>&1 || {
  echo "KAMAILIO_ERROR configuration check failed; $dir/check.log:"
  tail -n 30 "$dir/check.log"
  exit 2
}

# --- start, wait until ready, then stay until told to stop -------------------
"$kamailio_bin" -f "$cfg" -P "$pidfile" -Y "$dir/run" -m "$shm" -M 16 -DD -E >"$log" 2>&1 &
kpid=$!

stop_kamailio() {
  trap - TERM INT HUP
  if kill -0 "$kpid" 2>/dev/null; then
    kill -TERM "$kpid" 2>/dev/null || true
    for _ in $(seq 1 $((stop_timeout * 10))); do
      kill -0 "$kpid" 2>/dev/null || break
      sleep 0.1
    done
    kill -KILL "$kpid" 2>/dev/null || true
  fi
  wait "$kpid" 2>/dev/null || true
  echo "KAMAILIO_STOPPED"
  exit 0
}
trap stop_kamailio TERM INT HUP

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

ready=0
for _ in $(seq 1 100); do
  if ! kill -0 "$kpid" 2>/dev/null; then break; fi
  ok=1
  if [ -n "$ws_port" ]; then port_open "$ws_port" || ok=0; fi
  if [ -n "$wss_port" ] && [ $ok = 1 ]; then port_open "$wss_port" || ok=0; fi
  if [ $ok = 1 ] && [ -s "$pidfile" ]; then ready=1; break; fi
  sleep 0.05
done
if [ $ready != 1 ]; then
  echo "KAMAILIO_ERROR Kamailio did not start within 5 s; last lines of $log:"
  tail -n 30 "$log"
  kill -KILL "$kpid" 2>/dev/null || true
  wait "$kpid" 2>/dev/null || true
  exit 1
fi

line="KAMAILIO_READY pid=$kpid"
[ -n "$ws_port" ] && line="$line ws=ws://127.0.0.1:$ws_port"
[ -n "$wss_port" ] && line="$line wss=wss://127.0.0.1:$wss_port ca=${ca:-}"
[ -n "$udp_port" ] && line="$line udp=127.0.0.1:$udp_port"
echo "$line log=$log"

set +e
wait "$kpid"
status=$?
# wait returns early when a trapped signal arrives; the trap exits.
echo "KAMAILIO_EXITED $status; last lines of $log:"
tail -n 30 "$log"
exit 1
