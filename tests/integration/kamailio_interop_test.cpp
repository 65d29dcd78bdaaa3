// Interop with real peers, proven against Kamailio's own SIP-over-WebSocket
// server (Debian kamailio + kamailio-websocket-modules): JsSIP and SIP.js in
// Node, and the browser demo in headless Chromium, register and exchange
// MESSAGE and calls through it. The same peers later run against sipws-proxy
// and sipws-gateway by changing only the server URL.
#include "support/peers.hpp"
#include "support/udp_endpoint.hpp"
#include "support/test.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

using namespace std::chrono_literals;
using sipws::test::kamailio;
using sipws::test::kamailio_options;
using sipws::test::peer_result;
using sipws::test::run_peer;
using sipws::test::start_peer;
using sipws::test::ua_argv;

namespace {

// One MESSAGE from alice (\p sender_script) to bob (\p listener_script) through Kamailio.
void exchange_message(kamailio& k, const std::string& server, const std::string& listener_script,
                      const std::string& sender_script, std::vector<std::string> tls,
                      const std::string& text) {
    sipws::test::exchange_message({server, listener_script, sender_script, std::move(tls), {}, {}, {},
                                   [&k] { return k.log_tail(); }},
                                  text);
}

} // namespace

TEST_CASE("Kamailio: JsSIP users register over ws and exchange MESSAGE",
          "[interop][kamailio][jssip][WS7118-4.1-a][WS7118-4.2-a][WS7118-B.1-b]") {
    sipws::test::require_node_modules();
    kamailio k;
    REQUIRE(k.ws_url().rfind("ws://127.0.0.1:", 0) == 0);

    peer_result reg =
        run_peer(ua_argv("jssip-ua.mjs", k.ws_url(), "sip:carol@sipws.test", {"register"}));
    INFO("register output:\n" << reg.output << k.log_tail());
    CHECK(reg.status == 0);
    CHECK(reg.has_line("CONNECTED"));
    CHECK(reg.has_line("REGISTERED"));
    CHECK(reg.has_line("UNREGISTERED"));

    // Both users' contacts share one random .invalid host per process design;
    // the server must route by flow, and does.
    exchange_message(k, k.ws_url(), "jssip-ua.mjs", "jssip-ua.mjs", {}, "hello over ws");
    CHECK(k.proc().running());
}

TEST_CASE(
    "Kamailio: JsSIP users register over wss (test CA) and exchange MESSAGE",
    "[interop][kamailio][jssip][wss][WS7118-4.1-a][WS7118-4.2-a][WS7118-9.1-a][WS7118-9.1-b]") {
    sipws::test::require_node_modules();
    kamailio_options o;
    o.wss = true;
    kamailio k(o);
    REQUIRE(k.wss_url().rfind("wss://127.0.0.1:", 0) == 0);
    REQUIRE(sipws::test::file_exists(k.ca_file()));

    // Without the test CA the certificate is refused: the client verifies it.
    peer_result untrusted =
        run_peer(ua_argv("jssip-ua.mjs", k.wss_url(), "sip:carol@sipws.test", {"register"}));
    INFO("untrusted output:\n" << untrusted.output);
    CHECK(untrusted.status == 3);
    CHECK(untrusted.has_line("CONNECT_FAILED"));

    peer_result reg = run_peer(ua_argv("jssip-ua.mjs", k.wss_url(), "sip:carol@sipws.test",
                                       {"--ca", k.ca_file(), "register"}));
    INFO("register output:\n" << reg.output << k.log_tail());
    CHECK(reg.status == 0);
    CHECK(reg.has_line("REGISTERED"));

    exchange_message(k, k.wss_url(), "jssip-ua.mjs", "jssip-ua.mjs", {"--ca", k.ca_file()},
                     "hello over wss");
}

TEST_CASE("Kamailio: a SIP.js user registers and exchanges MESSAGE with a JsSIP user",
          "[interop][kamailio][sipjs][WS7118-4.1-a][WS7118-4.2-a]") {
    sipws::test::require_node_modules();
    kamailio k;

    peer_result reg =
        run_peer(ua_argv("sipjs-ua.mjs", k.ws_url(), "sip:carol@sipws.test", {"register"}));
    INFO("register output:\n" << reg.output << k.log_tail());
    CHECK(reg.status == 0);
    CHECK(reg.has_line("REGISTERED"));
    CHECK(reg.has_line("UNREGISTERED"));

    // SIP.js sends, JsSIP receives; then the other way round.
    exchange_message(k, k.ws_url(), "jssip-ua.mjs", "sipjs-ua.mjs", {}, "from SIP.js to JsSIP");
    exchange_message(k, k.ws_url(), "sipjs-ua.mjs", "jssip-ua.mjs", {}, "from JsSIP to SIP.js");
}

TEST_CASE("Kamailio: MESSAGE to an offline user fails with 480, wrong passwords are refused",
          "[interop][kamailio][auth][WS7118-7-f]") {
    sipws::test::require_node_modules();
    kamailio_options o;
    o.users = {"alice:alice-pw", "bob:bob-pw"};
    kamailio k(o);

    SECTION("offline user") {
        // bob has an account but no binding: 480 Temporarily Unavailable.
        for (const char* ua : {"jssip-ua.mjs", "sipjs-ua.mjs"}) {
            peer_result r = run_peer(ua_argv(ua, k.ws_url(), "sip:alice@sipws.test",
                                             {"--password", "alice-pw", "message", "--to",
                                              "sip:bob@sipws.test", "--text", "anyone there?"}));
            INFO(ua << " output:\n" << r.output << k.log_tail());
            CHECK(r.status == 1);
            CHECK(r.line("MESSAGE_FAILED").rfind("MESSAGE_FAILED 480", 0) == 0);
        }
    }
    SECTION("digest authentication") {
        for (const char* ua : {"jssip-ua.mjs", "sipjs-ua.mjs"}) {
            peer_result good = run_peer(ua_argv(ua, k.ws_url(), "sip:alice@sipws.test",
                                                {"--password", "alice-pw", "register"}));
            INFO(ua << " good password:\n" << good.output << k.log_tail());
            CHECK(good.status == 0);
            CHECK(good.has_line("REGISTERED"));

            peer_result bad = run_peer(ua_argv(ua, k.ws_url(), "sip:alice@sipws.test",
                                               {"--password", "wrong", "register"}));
            INFO(ua << " wrong password:\n" << bad.output);
            CHECK(bad.status == 1);
            CHECK(bad.line("REGISTRATION_FAILED").rfind("REGISTRATION_FAILED 403", 0) == 0);

            peer_result none =
                run_peer(ua_argv(ua, k.ws_url(), "sip:alice@sipws.test", {"register"}));
            INFO(ua << " no password:\n" << none.output);
            CHECK(none.status == 1);
            CHECK(none.has_line("REGISTRATION_FAILED"));
        }
        // An authenticated MESSAGE between registered users still goes through.
        auto bob = start_peer(
            ua_argv("jssip-ua.mjs", k.ws_url(), "sip:bob@sipws.test",
                    {"--password", "bob-pw", "listen", "--count", "1", "--duration", "20"}),
            "LISTENING");
        peer_result send = run_peer(ua_argv("sipjs-ua.mjs", k.ws_url(), "sip:alice@sipws.test",
                                            {"--password", "alice-pw", "message", "--to",
                                             "sip:bob@sipws.test", "--text", "authenticated"}));
        INFO("sender:\n" << send.output << k.log_tail());
        CHECK(send.line("MESSAGE_SENT") == "MESSAGE_SENT 200");
        CHECK(bob->wait_for_output("MESSAGE from sip:alice@sipws.test: authenticated", 10s));
    }
}

TEST_CASE("Kamailio: two headless Chromium demo pages call each other",
          "[interop][kamailio][browser][WS7118-4.1-a][WS7118-B.2-a][WS7118-B.1-c]") {
    sipws::test::require_node_modules();
    const std::string site = std::string(sipws::test::binary_dir()) + "/examples/browser/site";
    INFO("browser demo: " << site);
    REQUIRE(sipws::test::file_exists(site + "/index.html")); // built by target sipws-browser-demo
    REQUIRE(sipws::test::file_exists("/usr/bin/chromium"));  // Debian package chromium

    kamailio k;
    const std::string shot =
        std::string(sipws::test::binary_dir()) + "/artifacts/kamailio-browser-call.png";
    peer_result call = run_peer({"node", sipws::test::peers_dir() + "/browser-call.mjs", "--server",
                                 k.ws_url(), "--site", site, "--screenshot", shot},
                                55s);
    INFO("browser-call output:\n" << call.output << k.log_tail());
    CHECK(call.status == 0);
    CHECK(call.has_line("PASS call confirmed for alice"));
    CHECK(call.has_line("PASS call confirmed for bob"));
    CHECK(call.has_line("PASS audio flows both ways"));
    CHECK(call.has_line("PASS call ended for bob"));
    CHECK_FALSE(call.has_line("FAIL"));
    CHECK(sipws::test::file_exists(shot));
}

TEST_CASE("Kamailio: two Chromium demo pages call each other over wss with digest auth",
          "[interop][kamailio][browser][wss][auth][WS7118-9.1-a][WS7118-7-f][WS7118-B.2-a]") {
    // The page registers (401), calls (407 on the INVITE) and chats with
    // passwords; Chromium trusts the test server's key explicitly.
    sipws::test::require_node_modules();
    const std::string site = std::string(sipws::test::binary_dir()) + "/examples/browser/site";
    INFO("browser demo: " << site);
    REQUIRE(sipws::test::file_exists(site + "/index.html")); // built by target sipws-browser-demo
    REQUIRE(sipws::test::file_exists("/usr/bin/chromium"));  // Debian package chromium

    kamailio_options o;
    o.wss = true;
    o.users = {"alice:alice-pw", "bob:bob-pw"};
    kamailio k(o);
    const std::string shot =
        std::string(sipws::test::binary_dir()) + "/artifacts/kamailio-browser-call-wss.png";
    peer_result call = run_peer({"node", sipws::test::peers_dir() + "/browser-call.mjs", "--server",
                                 k.wss_url(), "--cert", k.cert_file(), "--site", site, "--caller",
                                 "alice:alice-pw", "--callee", "bob:bob-pw", "--screenshot", shot},
                                55s);
    INFO("browser-call output:\n" << call.output << k.log_tail());
    CHECK(call.status == 0);
    CHECK(call.has_line("PASS bob receives the MESSAGE"));
    CHECK(call.has_line("PASS call confirmed for alice"));
    CHECK(call.has_line("PASS call confirmed for bob"));
    CHECK(call.has_line("PASS audio flows both ways"));
    CHECK_FALSE(call.has_line("FAIL"));
}

TEST_CASE("Kamailio: handshakes without the sip subprotocol are refused",
          "[interop][kamailio][handshake][WS7118-4.1-a][WS7118-4.1-b][WS7118-4.1-c]") {
    sipws::test::require_node_modules();
    kamailio_options o;
    o.wss = true;
    kamailio k(o);
    for (const auto& server : {k.ws_url(), k.wss_url()}) {
        peer_result r = run_peer({"node", sipws::test::peers_dir() + "/ws-handshake-probe.mjs",
                                  "--server", server, "--ca", k.ca_file()});
        INFO(server << " probes:\n" << r.output << k.log_tail());
        CHECK(r.status == 0);
        CHECK(r.line("PROBE none") == "PROBE none HTTP 400");
        CHECK(r.line("PROBE foreign ") == "PROBE foreign HTTP 400");
        CHECK(r.line("PROBE sip") == "PROBE sip OPEN protocol=sip");
        CHECK(r.line("PROBE foreign-then-sip") == "PROBE foreign-then-sip OPEN protocol=sip");
    }
}

TEST_CASE("Kamailio: on the wire every WebSocket frame carries one SIP message",
          "[interop][kamailio][wire][WS7118-4.1-a][WS7118-4.1-b][WS7118-4.1-f][WS7118-5-b]") {
    sipws::test::require_node_modules();
    kamailio k;
    // Kept as a build artifact, for a look with Wireshark.
    sipws::test::wire_capture capture(sipws::test::artifacts_dir() + "/kamailio-ws.pcapng",
                                      std::to_string(k.ws_port()));
    exchange_message(k, k.ws_url(), "jssip-ua.mjs", "jssip-ua.mjs", {}, "on the wire");
    peer_result offline =
        run_peer(ua_argv("jssip-ua.mjs", k.ws_url(), "sip:alice@sipws.test",
                         {"message", "--to", "sip:nobody@sipws.test", "--text", "x"}));
    CHECK(offline.line("MESSAGE_FAILED").rfind("MESSAGE_FAILED 480", 0) == 0);
    sipws::test::check_message_scenario_on_wire(capture.analyze());
}

namespace {

// The header lines of a SIP message named \p name (case-insensitive, long form).
std::vector<std::string> header_lines(const std::string& msg, const std::string& name) {
    std::vector<std::string> out;
    std::size_t pos = msg.find("\r\n");
    while (pos != std::string::npos) {
        std::size_t next = msg.find("\r\n", pos + 2);
        if (next == std::string::npos || next == pos + 2) break;
        std::string line = msg.substr(pos + 2, next - pos - 2);
        if (line.size() > name.size() && line[name.size()] == ':' &&
            ::strncasecmp(line.c_str(), name.c_str(), name.size()) == 0)
            out.push_back(line);
        pos = next;
    }
    return out;
}

} // namespace

TEST_CASE("Kamailio: a user registered over UDP with Path is reached from a WebSocket user",
          "[interop][kamailio][udp][path][WS7118-B-a]") {
    // The shape of the sipws-gateway scenario: Kamailio on UDP behind an edge
    // proxy that registers its WebSocket users with Path; a request for such a
    // user must be sent to the Path, with the Path as Route.
    sipws::test::require_node_modules();
    kamailio_options o;
    o.udp = true;
    kamailio k(o);
    REQUIRE(k.udp_port() != 0);

    sipws::test::udp_endpoint edge;
    const std::string me = "127.0.0.1:" + std::to_string(edge.port());
    const std::string path = "<sip:flowtoken@" + me + ";lr>";
    edge.send_to(k.udp_port(),
                 "REGISTER sip:sipws.test SIP/2.0\r\n"
                 "Via: SIP/2.0/UDP " +
                     me +
                     ";branch=z9hG4bK-reg-1;rport\r\n"
                     "Max-Forwards: 70\r\n"
                     "From: <sip:carol@sipws.test>;tag=reg1\r\n"
                     "To: <sip:carol@sipws.test>\r\n"
                     "Call-ID: path-reg-1@test\r\n"
                     "CSeq: 1 REGISTER\r\n"
                     "Supported: path\r\n"
                     "Path: " +
                     path +
                     "\r\n"
                     "Contact: <sip:carol@abc123.invalid;transport=ws>;expires=120\r\n"
                     "Content-Length: 0\r\n\r\n");
    std::string reply = edge.receive(5s);
    INFO("REGISTER reply:\n" << reply << k.log_tail());
    REQUIRE(reply.rfind("SIP/2.0 200", 0) == 0);

    auto sender = std::make_unique<sipws::test::process>(
        ua_argv("jssip-ua.mjs", k.ws_url(), "sip:alice@sipws.test",
                {"message", "--to", "sip:carol@sipws.test", "--text", "via the path"}));

    std::string msg = edge.receive(10s);
    INFO("relayed request:\n" << msg);
    REQUIRE(msg.rfind("MESSAGE sip:carol@abc123.invalid;transport=ws SIP/2.0", 0) == 0);
    auto routes = header_lines(msg, "Route");
    REQUIRE(routes.size() == 1);
    CHECK(routes[0].find("sip:flowtoken@" + me) != std::string::npos);
    CHECK(msg.find("via the path") != std::string::npos);

    // Answer 200 with the request's Via, From, To (plus a tag), Call-ID and CSeq.
    std::string ok = "SIP/2.0 200 OK\r\n";
    for (const char* h : {"Via", "From", "To", "Call-ID", "CSeq"}) {
        for (auto& line : header_lines(msg, h)) {
            ok += line;
            if (std::string(h) == "To") ok += ";tag=edge1";
            ok += "\r\n";
        }
    }
    ok += "Content-Length: 0\r\n\r\n";
    edge.send_to(k.udp_port(), ok);

    auto status = sender->wait(15s);
    INFO("sender output:\n" << sender->output() << k.log_tail());
    CHECK(status == 0);
    CHECK(sipws::test::line_starting(sender->output(), "MESSAGE_SENT") == "MESSAGE_SENT 200");
}
