// sipws-client (examples/client) against Kamailio's own SIP-over-WebSocket
// listener (Debian kamailio + kamailio-websocket-modules), over ws and wss,
// with digest authentication, and exchanging MESSAGE with JsSIP users
// registered to the same Kamailio.
#include "support/peers.hpp"
#include "support/test.hpp"

#include <chrono>
#include <string>
#include <vector>

using namespace std::chrono_literals;
using sipws::test::kamailio;
using sipws::test::kamailio_options;
using sipws::test::peer_result;
using sipws::test::run_peer;
using sipws::test::start_peer;
using sipws::test::ua_argv;

namespace {

std::string client_path() {
    return std::string(sipws::test::binary_dir()) + "/examples/client/sipws-client";
}

/// argv of sipws-client for \p server and \p aor, keeping its instance-id in
/// \p k's run directory.
std::vector<std::string> client_argv(const kamailio& k, const std::string& server,
                                     const std::string& aor, std::vector<std::string> more) {
    const std::string user = aor.substr(4, aor.find('@') - 4);
    std::vector<std::string> argv{client_path(), "--server", server, "--aor", aor,
                                  "--instance-file", k.dir() + "/instance-" + user};
    if (server.rfind("wss:", 0) == 0) argv.insert(argv.end(), {"--ca", k.ca_file()});
    argv.insert(argv.end(), more.begin(), more.end());
    return argv;
}

kamailio_options with_users(bool wss) {
    kamailio_options o;
    o.wss = wss;
    o.users = {"alice:alice-pw", "bob:bob-pw"};
    return o;
}

} // namespace

TEST_CASE("sipws-client: registers to Kamailio over ws and wss with digest authentication",
          "[client][kamailio][auth][WS7118-4.1-a][WS7118-7-f][WS7118-9.1-a][WS7118-9.1-b]"
          "[WS7118-5.3-b][OB5626-4.1-a][WS7118-B.1-c]") {
    REQUIRE(sipws::test::file_exists(client_path()));
    kamailio k(with_users(true));
    for (const std::string& server : {k.ws_url(), k.wss_url()}) {
        peer_result r = run_peer(client_argv(k, server, "sip:alice@sipws.test",
                                             {"--password", "alice-pw", "register", "--expires", "300"}));
        INFO(server << " register:\n" << r.output << k.log_tail());
        CHECK(r.status == 0);
        CHECK(r.line("CONNECTED") == "CONNECTED " + server);
        CHECK(r.line("REGISTERED").rfind("REGISTERED expires=300 bindings=", 0) == 0);
        // The instance-id is kept between runs (same file, same URN).
        const std::string inst = r.line("INSTANCE ");
        CHECK(inst.find("urn:uuid:") != std::string::npos);
        CHECK(inst.find("reg-id=1") != std::string::npos);
        peer_result again = run_peer(client_argv(k, server, "sip:alice@sipws.test",
                                                 {"--password", "alice-pw", "register"}));
        CHECK(again.status == 0);
        CHECK(again.line("INSTANCE ") == inst);
    }
}

TEST_CASE("sipws-client: clear failures for a wrong password, no password, an untrusted "
          "certificate and an unreachable server",
          "[client][kamailio][auth][WS7118-7-f][WS7118-9.1-b][WS7118-4.1-e]") {
    REQUIRE(sipws::test::file_exists(client_path()));
    kamailio k(with_users(true));

    peer_result bad = run_peer(client_argv(k, k.ws_url(), "sip:alice@sipws.test",
                                           {"--password", "wrong", "register"}));
    INFO("wrong password:\n" << bad.output << k.log_tail());
    CHECK(bad.status == 1);
    CHECK(bad.line("REGISTRATION_FAILED").rfind("REGISTRATION_FAILED 403", 0) == 0);
    CHECK(bad.has_line("sipws-client: REGISTER failed: 403"));

    peer_result none = run_peer(client_argv(k, k.ws_url(), "sip:alice@sipws.test", {"register"}));
    INFO("no password:\n" << none.output);
    CHECK(none.status == 1);
    CHECK(none.line("REGISTRATION_FAILED").rfind("REGISTRATION_FAILED 401", 0) == 0);

    // wss without the test CA: the server certificate is not trusted.
    peer_result untrusted =
        run_peer({client_path(), "--server", k.wss_url(), "--aor", "sip:alice@sipws.test",
                  "--instance-file", k.dir() + "/instance-alice", "--password", "alice-pw",
                  "register"});
    INFO("untrusted:\n" << untrusted.output);
    CHECK(untrusted.status == 3);
    CHECK(untrusted.has_line("CONNECT_FAILED"));
    CHECK(untrusted.has_line("sipws-client: cannot connect to " + k.wss_url()));

    const std::string nowhere = "ws://127.0.0.1:" + std::to_string(sipws::test::free_port());
    peer_result down = run_peer(client_argv(k, nowhere, "sip:alice@sipws.test", {"register"}));
    INFO("unreachable:\n" << down.output);
    CHECK(down.status == 3);
    CHECK(down.line("CONNECT_FAILED") == "CONNECT_FAILED " + nowhere);
    CHECK(down.has_line("sipws-client: cannot connect to " + nowhere));

    peer_result usage = run_peer({client_path(), "--server", k.ws_url(), "register"});
    CHECK(usage.status == 2);
    CHECK(usage.has_line("sipws-client: --aor SIP-URI is required"));
}

TEST_CASE("sipws-client: OPTIONS to Kamailio over ws and wss", "[client][kamailio][options]") {
    REQUIRE(sipws::test::file_exists(client_path()));
    kamailio k(with_users(true));
    for (const std::string& server : {k.ws_url(), k.wss_url()}) {
        peer_result r = run_peer(client_argv(k, server, "sip:alice@sipws.test", {"options"}));
        INFO(server << " options:\n" << r.output << k.log_tail());
        CHECK(r.status == 0);
        CHECK(r.line("OPTIONS") == "OPTIONS 200 OK");
    }
}

TEST_CASE("sipws-client: MESSAGE both ways with a JsSIP user through Kamailio, ws and wss",
          "[client][kamailio][jssip][WS7118-4.2-a][WS7118-5.3-b][WS7118-7-f][WS7118-B.1-b]") {
    REQUIRE(sipws::test::file_exists(client_path()));
    sipws::test::require_node_modules();
    kamailio k(with_users(true));
    for (const std::string& server : {k.ws_url(), k.wss_url()}) {
        std::vector<std::string> tls;
        if (server == k.wss_url()) tls = {"--ca", k.ca_file()};

        // sipws-client -> JsSIP (the MESSAGE is challenged with 407 first).
        {
            std::vector<std::string> args = tls;
            args.insert(args.end(), {"--password", "bob-pw", "listen", "--count", "1",
                                     "--duration", "20"});
            auto bob = start_peer(ua_argv("jssip-ua.mjs", server, "sip:bob@sipws.test", args),
                                  "LISTENING");
            const std::string text = "from sipws-client over " + server.substr(0, server.find(':'));
            peer_result alice =
                run_peer(client_argv(k, server, "sip:alice@sipws.test",
                                     {"--password", "alice-pw", "message", "--to",
                                      "sip:bob@sipws.test", "--text", text}));
            INFO(server << " sender:\n" << alice.output << k.log_tail());
            CHECK(alice.status == 0);
            CHECK(alice.line("MESSAGE_SENT") == "MESSAGE_SENT 200");
            CHECK(bob->wait_for_output("MESSAGE from sip:alice@sipws.test: " + text, 10s));
            INFO("JsSIP listener:\n" << bob->output());
            CHECK(bob->wait(10s) == 0);
        }
        // JsSIP -> sipws-client listen.
        {
            auto bob = start_peer(client_argv(k, server, "sip:bob@sipws.test",
                                              {"--password", "bob-pw", "listen", "--count", "1",
                                               "--duration", "20"}),
                                  "LISTENING");
            const std::string text = "from JsSIP over " + server.substr(0, server.find(':'));
            std::vector<std::string> args = tls;
            args.insert(args.end(), {"--password", "alice-pw", "message", "--to",
                                     "sip:bob@sipws.test", "--text", text});
            peer_result alice =
                run_peer(ua_argv("jssip-ua.mjs", server, "sip:alice@sipws.test", args));
            INFO(server << " JsSIP sender:\n" << alice.output << k.log_tail());
            CHECK(alice.status == 0);
            CHECK(alice.line("MESSAGE_SENT") == "MESSAGE_SENT 200");
            CHECK(bob->wait_for_output("MESSAGE from sip:alice@sipws.test: " + text, 10s));
            auto status = bob->wait(10s);
            INFO("sipws-client listener:\n" << bob->output());
            CHECK(status == 0);
            CHECK(sipws::test::line_starting(bob->output(), "REGISTERED").rfind("REGISTERED expires=", 0) == 0);
            CHECK(bob->output().find("UNREGISTERED") != std::string::npos);
        }
    }
}

TEST_CASE("sipws-client: unregister removes the bindings; MESSAGE then gets 480",
          "[client][kamailio][jssip]") {
    REQUIRE(sipws::test::file_exists(client_path()));
    sipws::test::require_node_modules();
    kamailio k(with_users(false));
    peer_result reg = run_peer(client_argv(k, k.ws_url(), "sip:bob@sipws.test",
                                           {"--password", "bob-pw", "register"}));
    INFO("register:\n" << reg.output << k.log_tail());
    REQUIRE(reg.status == 0);

    peer_result un = run_peer(client_argv(k, k.ws_url(), "sip:bob@sipws.test",
                                          {"--password", "bob-pw", "unregister"}));
    INFO("unregister:\n" << un.output << k.log_tail());
    CHECK(un.status == 0);
    CHECK(un.has_line("UNREGISTERED"));

    peer_result msg = run_peer(client_argv(k, k.ws_url(), "sip:alice@sipws.test",
                                           {"--password", "alice-pw", "message", "--to",
                                            "sip:bob@sipws.test", "--text", "anyone?"}));
    INFO("message:\n" << msg.output << k.log_tail());
    CHECK(msg.status == 1);
    CHECK(msg.line("MESSAGE_FAILED").rfind("MESSAGE_FAILED 480", 0) == 0);
    CHECK(msg.has_line("sipws-client: MESSAGE failed: 480"));
}
