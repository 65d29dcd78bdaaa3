// sipws-proxy (examples/proxy) against SIP clients nobody on this project
// wrote: JsSIP and SIP.js in Node over ws and wss, and two headless Chromium
// pages of the browser demo served by the proxy itself; plus a tshark check
// of what crosses the wire.
#include "support/peers.hpp"
#include "support/proxy.hpp"
#include "support/test.hpp"

#include <sys/stat.h>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

using namespace std::chrono_literals;
using sipws::test::peer_result;
using sipws::test::proxy_options;
using sipws::test::run_peer;
using sipws::test::sipws_proxy;
using sipws::test::start_peer;
using sipws::test::ua_argv;

namespace {

// One MESSAGE from alice (\p sender_script) to bob (\p listener_script)
// through the proxy, whose /online lists bob meanwhile (the browser demo polls it).
void exchange_message(sipws_proxy& p, const std::string& server, const std::string& listener_script,
                      const std::string& sender_script, std::vector<std::string> common,
                      const std::string& text, std::vector<std::string> bob_extra = {},
                      std::vector<std::string> alice_extra = {}) {
    auto online = [&p] {
        std::string page = sipws::test::http_get(p.ws_port(), "/online");
        INFO("/online:\n" << page);
        CHECK(page.find("\r\n\r\n[") != std::string::npos);
        CHECK(page.find("\"sip:bob@sipws.test\"") != std::string::npos);
    };
    sipws::test::exchange_message({server, listener_script, sender_script, std::move(common),
                                   std::move(bob_extra), std::move(alice_extra), online,
                                   [&p] { return p.output(); }},
                                  text);
}


} // namespace

TEST_CASE("sipws-proxy: JsSIP users register over ws, get GRUUs and exchange MESSAGE; offline is 480",
          "[interop][proxy][jssip][WS7118-4.1-a][WS7118-4.2-a][WS7118-B-a][WS7118-B-b][WS7118-B.1-b]"
          "[OB5626-6-c][GR5627-5.2-a][WS7118-5.3-d]") {
    sipws::test::require_node_modules();
    sipws_proxy p;
    REQUIRE(p.ws_url().rfind("ws://127.0.0.1:", 0) == 0);

    peer_result reg = run_peer(ua_argv("jssip-ua.mjs", p.ws_url(), "sip:carol@sipws.test", {"register"}));
    INFO("register output:\n" << reg.output << "\nproxy output:\n" << p.output());
    CHECK(reg.status == 0);
    CHECK(reg.has_line("REGISTERED"));
    CHECK(reg.line("GRUU pub=sip:carol@sipws.test;gr=urn:uuid:").size() > 40);
    CHECK(reg.line("GRUU").find(" temp=sip:") != std::string::npos);
    CHECK(reg.has_line("UNREGISTERED"));

    // Every UA of one JsSIP process shares a .invalid host: routing is by flow.
    exchange_message(p, p.ws_url(), "jssip-ua.mjs", "jssip-ua.mjs", {}, "hello over ws");

    peer_result offline = run_peer(ua_argv("jssip-ua.mjs", p.ws_url(), "sip:alice@sipws.test",
                                           {"message", "--to", "sip:nobody@sipws.test", "--text", "x"}));
    INFO("offline output:\n" << offline.output);
    CHECK(offline.status == 1);
    CHECK(offline.line("MESSAGE_FAILED").rfind("MESSAGE_FAILED 480", 0) == 0);

    // One log line per registration change.
    const std::string out = p.output();
    CHECK(out.find("registration added: sip:carol@sipws.test") != std::string::npos);
    CHECK(out.find("registration removed: sip:carol@sipws.test") != std::string::npos);

    // SIGUSR1 prints the counters; SIGTERM stops it cleanly.
    p.proc().signal(SIGUSR1);
    CHECK(p.proc().wait_for_output("counters: connections open=", 5s));
    CHECK(p.output().find("480=1") != std::string::npos);
    CHECK(p.stop() == 0);
    CHECK(p.output().find("sipws-proxy: stopped") != std::string::npos);
}

TEST_CASE("sipws-proxy: permessage-deflate only with --deflate on; JsSIP registers and talks either way",
          "[interop][proxy][jssip][deflate][PMD7692-8-a][PMD7692-5-a][PMD7692-7.2-a][PMD7692-7.2-b]") {
    sipws::test::require_node_modules();
    for (bool deflate : {false, true}) {
        INFO("--deflate " << (deflate ? "on" : "off"));
        proxy_options o;
        o.deflate = deflate;
        sipws_proxy p(o);
        // the `ws` socket under JsSIP offers permessage-deflate, as browsers do
        peer_result reg = run_peer(ua_argv("jssip-ua.mjs", p.ws_url(), "sip:carol@sipws.test", {"register"}));
        INFO("register output:\n" << reg.output << "\nproxy output:\n" << p.output());
        CHECK(reg.status == 0);
        CHECK(reg.line("EXTENSIONS") == (deflate ? "EXTENSIONS permessage-deflate" : "EXTENSIONS -"));
        CHECK(reg.has_line("REGISTERED"));
        CHECK(reg.has_line("UNREGISTERED"));
        exchange_message(p, p.ws_url(), "jssip-ua.mjs", "jssip-ua.mjs", {}, std::string(3000, deflate ? 'z' : 'p'));
    }
}

TEST_CASE("sipws-proxy: JsSIP users register over wss (IPv6, test CA) and exchange MESSAGE",
          "[interop][proxy][jssip][wss][WS7118-9.1-a][WS7118-9.1-b][WS7118-5.1-a]") {
    sipws::test::require_node_modules();
    proxy_options o;
    o.wss = true;
    sipws_proxy p(o);
    REQUIRE(p.wss_url().rfind("wss://[::1]:", 0) == 0);

    peer_result untrusted = run_peer(ua_argv("jssip-ua.mjs", p.wss_url(), "sip:carol@sipws.test", {"register"}));
    INFO("untrusted output:\n" << untrusted.output);
    CHECK(untrusted.status == 3);
    CHECK(untrusted.has_line("CONNECT_FAILED"));

    peer_result reg = run_peer(
        ua_argv("jssip-ua.mjs", p.wss_url(), "sip:carol@sipws.test", {"--ca", p.ca_file(), "register"}));
    INFO("register output:\n" << reg.output << "\nproxy output:\n" << p.output());
    CHECK(reg.status == 0);
    CHECK(reg.has_line("REGISTERED"));

    exchange_message(p, p.wss_url(), "jssip-ua.mjs", "jssip-ua.mjs", {"--ca", p.ca_file()}, "hello over wss");
}

TEST_CASE("sipws-proxy: SIP.js registers and exchanges MESSAGE with JsSIP both ways",
          "[interop][proxy][sipjs][WS7118-4.1-a][WS7118-4.2-a][OB5626-6-c]") {
    sipws::test::require_node_modules();
    sipws_proxy p;
    peer_result reg = run_peer(ua_argv("sipjs-ua.mjs", p.ws_url(), "sip:carol@sipws.test", {"register"}));
    INFO("register output:\n" << reg.output << "\nproxy output:\n" << p.output());
    CHECK(reg.status == 0);
    CHECK(reg.has_line("REGISTERED"));
    CHECK(reg.has_line("UNREGISTERED"));

    exchange_message(p, p.ws_url(), "jssip-ua.mjs", "sipjs-ua.mjs", {}, "from SIP.js to JsSIP");
    exchange_message(p, p.ws_url(), "sipjs-ua.mjs", "jssip-ua.mjs", {}, "from JsSIP to SIP.js");
    exchange_message(p, p.ws_url(), "sipjs-ua.mjs", "sipjs-ua.mjs", {}, "from SIP.js to SIP.js");
}

TEST_CASE("sipws-proxy: digest authentication; wrong passwords refused; 480 and 404",
          "[interop][proxy][auth][WS7118-7-f][DIG8760-2.6-c]") {
    sipws::test::require_node_modules();
    proxy_options o;
    o.users = {"alice:alice-pw", "bob:bob-pw"};
    sipws_proxy p(o);

    for (const char* ua : {"jssip-ua.mjs", "sipjs-ua.mjs"}) {
        peer_result good = run_peer(
            ua_argv(ua, p.ws_url(), "sip:alice@sipws.test", {"--password", "alice-pw", "register"}));
        INFO(ua << " good password:\n" << good.output << "\nproxy output:\n" << p.output());
        CHECK(good.status == 0);
        CHECK(good.has_line("REGISTERED"));

        peer_result bad =
            run_peer(ua_argv(ua, p.ws_url(), "sip:alice@sipws.test", {"--password", "wrong", "register"}));
        INFO(ua << " wrong password:\n" << bad.output);
        CHECK(bad.status == 1);
        CHECK(bad.line("REGISTRATION_FAILED").rfind("REGISTRATION_FAILED 403", 0) == 0);

        peer_result none = run_peer(ua_argv(ua, p.ws_url(), "sip:alice@sipws.test", {"register"}));
        INFO(ua << " no password:\n" << none.output);
        CHECK(none.status == 1);
        CHECK(none.has_line("REGISTRATION_FAILED"));

        // bob has an account but no binding: 480; nobody has none: 404.
        peer_result off = run_peer(ua_argv(ua, p.ws_url(), "sip:alice@sipws.test",
                                           {"--password", "alice-pw", "message", "--to", "sip:bob@sipws.test",
                                            "--text", "anyone there?"}));
        INFO(ua << " offline:\n" << off.output);
        CHECK(off.line("MESSAGE_FAILED").rfind("MESSAGE_FAILED 480", 0) == 0);
        peer_result unknown = run_peer(ua_argv(ua, p.ws_url(), "sip:alice@sipws.test",
                                               {"--password", "alice-pw", "message", "--to",
                                                "sip:nobody@sipws.test", "--text", "x"}));
        INFO(ua << " unknown:\n" << unknown.output);
        CHECK(unknown.line("MESSAGE_FAILED").rfind("MESSAGE_FAILED 404", 0) == 0);
    }
    // An authenticated MESSAGE (407 then credentials) between registered users.
    exchange_message(p, p.ws_url(), "jssip-ua.mjs", "sipjs-ua.mjs", {}, "authenticated",
                     {"--password", "bob-pw"}, {"--password", "alice-pw"});
    CHECK(p.output().find("authentication of alice failed") != std::string::npos);
}

TEST_CASE("sipws-proxy: the handshake's web token binds the connection to one SIP identity",
          "[interop][proxy][web-auth][WS7118-A-b][WS7118-7-e]") {
    sipws::test::require_node_modules();
    proxy_options o;
    o.web_token = "s3cret-for-tests";
    sipws_proxy p(o);
    peer_result t = run_peer({sipws_proxy::program(), "--web-token", o.web_token, "--print-web-token", "alice"});
    REQUIRE(t.status == 0);
    std::string token = t.output.substr(0, t.output.find('\n'));
    REQUIRE(token.rfind("alice.", 0) == 0);
    const std::string with_token = p.ws_url() + "/?token=" + token;

    peer_result ok = run_peer(ua_argv("jssip-ua.mjs", with_token, "sip:alice@sipws.test", {"register"}));
    INFO("alice with her token:\n" << ok.output << "\nproxy output:\n" << p.output());
    CHECK(ok.status == 0);
    CHECK(ok.has_line("REGISTERED"));

    peer_result other = run_peer(ua_argv("jssip-ua.mjs", with_token, "sip:bob@sipws.test", {"register"}));
    INFO("bob with alice's token:\n" << other.output);
    CHECK(other.status == 1);
    CHECK(other.line("REGISTRATION_FAILED").rfind("REGISTRATION_FAILED 403", 0) == 0);

    peer_result none = run_peer(ua_argv("jssip-ua.mjs", p.ws_url(), "sip:alice@sipws.test", {"register"}));
    INFO("no token:\n" << none.output);
    CHECK(none.status != 0);
    CHECK_FALSE(none.has_line("REGISTERED"));
    std::string forged = token;
    forged.back() = forged.back() == 'A' ? 'B' : 'A';
    peer_result bad = run_peer(ua_argv("jssip-ua.mjs", p.ws_url() + "/?token=" + forged,
                                       "sip:alice@sipws.test", {"register"}));
    CHECK(bad.status != 0);
    CHECK_FALSE(bad.has_line("REGISTERED"));
}

TEST_CASE("sipws-proxy: two headless Chromium pages of the demo it serves call each other",
          "[interop][proxy][browser][WS7118-B.2-a][WS7118-8-a][WS7118-B.1-c][OB5626-5.3.1-a]") {
    sipws::test::require_node_modules();
    REQUIRE(sipws::test::file_exists("/usr/bin/chromium")); // Debian package chromium
    sipws_proxy p;
    std::string page = sipws::test::http_get(p.ws_port(), "/");
    INFO("GET /:\n" << page.substr(0, 400));
    REQUIRE(page.rfind("HTTP/1.1 200 OK\r\n", 0) == 0); // the demo was built (target sipws-browser-demo)
    CHECK(page.find("text/html") != std::string::npos);

    const std::string shot = sipws::test::artifacts_dir() + "/proxy-browser-call.png";
    const std::string url = "http://127.0.0.1:" + std::to_string(p.ws_port()) + "/";
    peer_result call = run_peer({"node", sipws::test::peers_dir() + "/browser-call.mjs", "--server", p.ws_url(),
                                 "--page", url, "--screenshot", shot},
                                55s);
    INFO("browser-call output:\n" << call.output << "\nproxy output:\n" << p.output());
    CHECK(call.status == 0);
    CHECK(call.has_line("PASS bob receives the MESSAGE"));
    CHECK(call.has_line("PASS call confirmed for alice"));
    CHECK(call.has_line("PASS call confirmed for bob"));
    CHECK(call.has_line("PASS audio flows both ways"));
    CHECK(call.has_line("PASS call ended for bob"));
    CHECK_FALSE(call.has_line("FAIL"));
    CHECK(sipws::test::file_exists(shot));
}

TEST_CASE("sipws-proxy: on the wire every WebSocket frame carries one SIP message",
          "[interop][proxy][wire][WS7118-4.1-b][WS7118-4.1-f][WS7118-5-b]") {
    sipws::test::require_node_modules();
    sipws_proxy p;
    sipws::test::wire_capture capture(sipws::test::artifacts_dir() + "/proxy-ws.pcapng",
                                      std::to_string(p.ws_port()));
    exchange_message(p, p.ws_url(), "jssip-ua.mjs", "jssip-ua.mjs", {}, "on the wire");
    peer_result offline = run_peer(ua_argv("jssip-ua.mjs", p.ws_url(), "sip:alice@sipws.test",
                                           {"message", "--to", "sip:nobody@sipws.test", "--text", "x"}));
    CHECK(offline.line("MESSAGE_FAILED").rfind("MESSAGE_FAILED 480", 0) == 0);
    // The /online GETs are plain HTTP: still three upgraded connections.
    sipws::test::check_message_scenario_on_wire(capture.analyze());
}
