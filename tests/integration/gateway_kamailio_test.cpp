// sipws-gateway (examples/gateway) in front of Kamailio listening on UDP
// only: JsSIP users in Node register through the gateway (Path with a flow
// token, which Kamailio's registrar stores with use_path) and exchange
// MESSAGE both ways; Kamailio routes each MESSAGE to the gateway by that
// Path and the gateway finds the WebSocket flow by its token. A user whose
// connection dropped without unregistering still has a binding in Kamailio:
// the gateway answers 430 Flow Failed (RFC 5626 section 5.3) and Kamailio
// relays it to the sender; a user with no binding gets Kamailio's 480.
#include "support/gateway.hpp"
#include "support/peers.hpp"
#include "support/process.hpp"
#include "support/test.hpp"

#include <chrono>
#include <filesystem>
#include <csignal>
#include <memory>
#include <stdexcept>
#include <thread>
#include <string>
#include <vector>

using namespace std::chrono_literals;
using sipws::test::kamailio;
using sipws::test::kamailio_options;
using sipws::test::peer_result;
using sipws::test::process;
using sipws::test::run_peer;
using sipws::test::start_peer;
using sipws::test::ua_argv;

namespace {

using gateway = sipws::test::sipws_gateway;

// \p to listens (registered through the gateway), \p from registers and
// sends one MESSAGE; both sides are checked.
// \p to_server and \p from_server are the gateway URLs each side uses; \p tls
// the arguments that make a wss client trust the gateway.
void message_through(gateway& g, kamailio& k, const std::string& from, const std::string& to,
                     const std::string& text, const std::string& from_server = {},
                     const std::string& to_server = {}, std::vector<std::string> tls = {}) {
    std::vector<std::string> listen_args = tls, send_args = tls;
    listen_args.insert(listen_args.end(), {"listen", "--count", "1", "--duration", "20"});
    send_args.insert(send_args.end(),
                     {"message", "--register", "--to", "sip:" + to + "@sipws.test", "--text", text});
    auto listener = start_peer(ua_argv("jssip-ua.mjs", to_server.empty() ? g.ws_url() : to_server,
                                       "sip:" + to + "@sipws.test", listen_args),
                               "LISTENING");
    peer_result sender = run_peer(ua_argv("jssip-ua.mjs", from_server.empty() ? g.ws_url() : from_server,
                                          "sip:" + from + "@sipws.test", send_args));
    INFO("sender output:\n" << sender.output << "\ngateway output:\n" << g.output() << k.log_tail());
    CHECK(sender.status == 0);
    CHECK(sender.has_line("REGISTERED"));
    CHECK(sender.line("MESSAGE_SENT") == "MESSAGE_SENT 200");
    bool arrived = listener->wait_for_output("MESSAGE from sip:" + from + "@sipws.test: " + text, 10s);
    INFO("listener output:\n" << listener->output());
    CHECK(arrived);
    CHECK(listener->wait(10s) == 0);
    CHECK(listener->output().find("UNREGISTERED") != std::string::npos);
}

} // namespace

TEST_CASE("sipws-gateway + Kamailio (UDP only): JsSIP users register through the gateway and "
          "exchange MESSAGE both ways - a dropped flow is 430 and no binding 480",
          "[interop][gateway][kamailio][jssip][WS7118-5.3-d][OB5626-5.1-a][OB5626-5.3-a][OB5626-5.3.1-a][OB5626-11-a][PA3327-5.2-a]") {
    sipws::test::require_node_modules();
    kamailio_options ko;
    ko.udp = true;
    ko.ws = false;
    kamailio k(ko);
    REQUIRE(k.ws_url().empty());
    gateway g(k.udp_port());

    SECTION("REGISTER goes upstream with our Path; Kamailio routes MESSAGE back by it") {
        message_through(g, k, "alice", "bob", "hello bob via udp");
        message_through(g, k, "bob", "alice", "hello alice via udp");
        std::string out = g.output();
        INFO("gateway output:\n" << out);
        // The REGISTER that reached Kamailio carried a Path naming the gateway's UDP socket with a
        // 35-character flow token; the MESSAGE from Kamailio came back with it as Route.
        CHECK(out.find("Path: <sip:") != std::string::npos);
        CHECK(out.find("upstream >>\nMESSAGE sip:") != std::string::npos);
    }

    SECTION("a MESSAGE to a user whose connection dropped gets 430; to nobody 480") {
        auto carol = start_peer(ua_argv("jssip-ua.mjs", g.ws_url(), "sip:carol@sipws.test",
                                        {"listen", "--duration", "30"}),
                                "LISTENING");
        // Abrupt end: no un-REGISTER, so Kamailio keeps carol's binding (and Path).
        carol->signal(SIGKILL);
        carol->wait(5s);
        std::this_thread::sleep_for(200ms); // the gateway sees the connection close
        peer_result to_carol = run_peer(ua_argv("jssip-ua.mjs", g.ws_url(), "sip:alice@sipws.test",
                                                {"message", "--to", "sip:carol@sipws.test", "--text", "gone?"}));
        INFO("sender output:\n" << to_carol.output << "\ngateway output:\n" << g.output() << k.log_tail());
        CHECK(to_carol.status == 1);
        CHECK(to_carol.line("MESSAGE_FAILED").rfind("MESSAGE_FAILED 430", 0) == 0);
        // The 430 is the gateway's (Kamailio still had carol's binding and relayed it).
        CHECK(g.output().find("MESSAGE from upstream: 430 (flow gone)") != std::string::npos);

        peer_result to_dave = run_peer(ua_argv("jssip-ua.mjs", g.ws_url(), "sip:alice@sipws.test",
                                               {"message", "--to", "sip:dave@sipws.test", "--text", "anyone?"}));
        INFO("sender output:\n" << to_dave.output);
        CHECK(to_dave.status == 1);
        CHECK(to_dave.line("MESSAGE_FAILED").rfind("MESSAGE_FAILED 480", 0) == 0);
    }

    SECTION("SIGUSR1 prints counters; SIGTERM stops it") {
        g.proc().signal(SIGUSR1);
        CHECK(g.proc().wait_for_output("counters: connections open=", 5s));
        g.proc().signal(SIGTERM);
        CHECK(g.proc().wait(10s) == 0);
        CHECK(g.output().find("sipws-gateway: stopped") != std::string::npos);
    }
}

TEST_CASE("sipws-gateway + Kamailio (UDP only): two Chromium demo pages call each other",
          "[interop][gateway][kamailio][browser][WS7118-B.2-a][OB5626-5.3.2-a][WS7118-8-a]") {
    sipws::test::require_node_modules();
    const std::string site = std::string(sipws::test::binary_dir()) + "/examples/browser/site";
    INFO("browser demo: " << site);
    REQUIRE(sipws::test::file_exists(site + "/index.html")); // built by target sipws-browser-demo
    REQUIRE(sipws::test::file_exists("/usr/bin/chromium"));  // Debian package chromium

    kamailio_options ko;
    ko.udp = true;
    ko.ws = false;
    kamailio k(ko);
    gateway g(k.udp_port());
    const std::string shot = std::string(sipws::test::binary_dir()) + "/artifacts/gateway-browser-call.png";
    peer_result call = run_peer({"node", sipws::test::peers_dir() + "/browser-call.mjs", "--server",
                                 g.ws_url(), "--site", site, "--screenshot", shot},
                                55s);
    std::string out = g.output();
    INFO("browser-call output:\n" << call.output << "\ngateway output:\n" << out << k.log_tail());
    CHECK(call.status == 0);
    CHECK(call.has_line("PASS call confirmed for alice"));
    CHECK(call.has_line("PASS call confirmed for bob"));
    CHECK(call.has_line("PASS audio flows both ways"));
    CHECK(call.has_line("PASS call ended for bob"));
    CHECK_FALSE(call.has_line("FAIL"));
    // Double Record-Route on each pass through the gateway: the WebSocket side with the
    // flow token and transport=ws, the UDP side with transport=udp.
    CHECK(out.find(";transport=ws;lr>") != std::string::npos);
    CHECK(out.find(";transport=udp;lr>") != std::string::npos);
}

TEST_CASE("sipws-gateway + Kamailio over TCP: JsSIP users exchange MESSAGE and Path names the TCP connection",
          "[interop][gateway][kamailio][jssip][tcp][OB5626-5.1-a][OB5626-5.3-a]") {
    sipws::test::require_node_modules();
    kamailio k; // its SIP-over-TCP and WebSocket listener share one TCP port
    gateway g(k.ws_port(), true);
    message_through(g, k, "alice", "bob", "hello bob via tcp");
    message_through(g, k, "bob", "alice", "hello alice via tcp");
    std::string out = g.output();
    INFO("gateway output:\n" << out);
    CHECK(out.find(";lr;ob;transport=tcp>") != std::string::npos);
    CHECK(out.find("Via: SIP/2.0/TCP 127.0.0.1:") != std::string::npos);
}

TEST_CASE("sipws-gateway + Kamailio (UDP only): a wss user on ::1 and a ws user exchange MESSAGE",
          "[interop][gateway][kamailio][jssip][wss][WS7118-5.2-a][WS7118-5.3-d]") {
    sipws::test::require_node_modules();
    kamailio_options ko;
    ko.udp = true;
    ko.ws = false;
    kamailio k(ko);
    gateway g(k.udp_port(), false, true);
    const std::vector<std::string> tls{"--ca", g.ca_file()};
    message_through(g, k, "alice", "bob", "over wss to ws", g.wss_url(), g.ws_url(), tls);
    message_through(g, k, "bob", "alice", "over ws to wss", g.ws_url(), g.wss_url(), tls);
    std::string out = g.output();
    INFO("gateway output:\n" << out);
    CHECK(out.find("sipws-gateway: listening on wss://[::1]:") != std::string::npos);
    // Toward the wss user the Via names the wss listener (E2-F9-c).
    CHECK(out.find("Via: SIP/2.0/WSS [::1]:" + std::to_string(g.wss_port()) + ";branch=") != std::string::npos);
}
