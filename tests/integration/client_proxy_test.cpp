// sipws-client (examples/client) against sipws-proxy (examples/proxy): the two
// example programs of the library talking to each other over ws and wss,
// with Outbound, GRUU and MESSAGE both ways (also with a JsSIP user).
#include "support/peers.hpp"
#include "support/proxy.hpp"
#include "support/sipws_client.hpp"
#include "support/test.hpp"

#include <chrono>
#include <filesystem>
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
using sipws::test::client_argv;
using sipws::test::client_dir;
using sipws::test::client_program;
using sipws::test::gruu_field;
using sipws::test::wait_for_count;

TEST_CASE("sipws-client and sipws-proxy: register with Outbound and GRUU, MESSAGE by AOR and by "
          "GRUU, over ws and wss",
          "[client][proxy][WS7118-4.1-a][WS7118-5.3-b][OB5626-4.1-a][OB5626-6-c][GR5627-4.2-a]"
          "[GR5627-5.2-a][WS7118-9.1-a][WS7118-5.4-a]") {
    // sipws-client implements no SIP transport but WebSocket (RFC 7118 section 5.4).
    REQUIRE(sipws::test::file_exists(client_program()));
    REQUIRE(sipws::test::file_exists(sipws_proxy::program()));
    proxy_options o;
    o.wss = true;
    sipws_proxy p(o);
    client_dir d;

    for (const std::string& server : {p.ws_url(), p.wss_url()}) {
        const std::string ca = server == p.wss_url() ? p.ca_file() : std::string();

        // A single registration: the proxy accepts Outbound and hands out both GRUUs.
        peer_result reg = run_peer(client_argv(d, server, "sip:alice@sipws.test", {"register"}, ca));
        INFO(server << " register:\n" << reg.output << "\nproxy:\n" << p.output());
        CHECK(reg.status == 0);
        CHECK(reg.line("REGISTERED").rfind("REGISTERED expires=", 0) == 0);
        const std::string gruu = reg.line("GRUU ");
        CHECK(gruu_field(gruu, "pub").rfind("sip:alice@sipws.test;gr=urn:uuid:", 0) == 0);
        CHECK(gruu_field(gruu, "temp").rfind("sip:", 0) == 0);
        // The temporary GRUU does not reveal the AOR (RFC 5627 section 3.2).
        CHECK(gruu_field(gruu, "temp").find("alice") == std::string::npos);

        // bob listens; alice's MESSAGE to his AOR reaches him over his flow.
        auto bob = start_peer(client_argv(d, server, "sip:bob@sipws.test",
                                          {"listen", "--count", "2", "--duration", "30"}, ca),
                              "LISTENING");
        INFO("bob:\n" << bob->output());
        CHECK(sipws::test::line_starting(bob->output(), "OUTBOUND keepalive=crlf").size() > 0);
        const std::string bob_gruu = gruu_field(sipws::test::line_starting(bob->output(), "GRUU "), "pub");
        CHECK(bob_gruu.rfind("sip:bob@sipws.test;gr=urn:uuid:", 0) == 0);

        const std::string text = "to bob's AOR over " + server.substr(0, server.find(':'));
        peer_result alice = run_peer(client_argv(
            d, server, "sip:alice@sipws.test", {"message", "--to", "sip:bob@sipws.test", "--text", text}, ca));
        INFO("alice:\n" << alice.output << "\nproxy:\n" << p.output());
        CHECK(alice.status == 0);
        CHECK(alice.line("MESSAGE_SENT") == "MESSAGE_SENT 200");
        CHECK(bob->wait_for_output("MESSAGE from sip:alice@sipws.test: " + text, 10s));

        // The same through bob's public GRUU (routed to his instance's binding).
        const std::string text2 = "to bob's GRUU over " + server.substr(0, server.find(':'));
        peer_result by_gruu = run_peer(
            client_argv(d, server, "sip:alice@sipws.test", {"message", "--to", bob_gruu, "--text", text2}, ca));
        INFO("alice via GRUU:\n" << by_gruu.output << "\nproxy:\n" << p.output());
        CHECK(by_gruu.status == 0);
        CHECK(by_gruu.line("MESSAGE_SENT") == "MESSAGE_SENT 200");
        CHECK(bob->wait_for_output("MESSAGE from sip:alice@sipws.test: " + text2, 10s));
        CHECK(bob->wait(15s) == 0);
    }

    // Once bob's connection is gone, a MESSAGE to him is 480 (no binding left).
    peer_result offline = run_peer(client_argv(
        d, p.ws_url(), "sip:alice@sipws.test", {"message", "--to", "sip:bob@sipws.test", "--text", "late"}));
    INFO("offline:\n" << offline.output);
    CHECK(offline.status == 1);
    CHECK(offline.line("MESSAGE_FAILED").rfind("MESSAGE_FAILED 480", 0) == 0);

    peer_result options = run_peer(client_argv(d, p.ws_url(), "sip:alice@sipws.test", {"options"}));
    INFO("options:\n" << options.output);
    CHECK(options.status == 0);
    CHECK(options.line("OPTIONS") == "OPTIONS 200 OK");
}

TEST_CASE("sipws-client --deflate on and sipws-proxy --deflate on agree on permessage-deflate, over ws and wss",
          "[client][proxy][deflate][PMD7692-5-a][PMD7692-7-c][PMD7692-8-a]") {
    client_dir d;
    for (bool proxy_deflate : {false, true}) {
        proxy_options o;
        o.wss = true;
        o.deflate = proxy_deflate;
        sipws_proxy p(o);
        for (const std::string& server : {p.ws_url(), p.wss_url()}) {
            const std::string ca = server == p.wss_url() ? p.ca_file() : std::string();
            for (bool client_deflate : {false, true}) {
                INFO("proxy --deflate " << proxy_deflate << ", client --deflate " << client_deflate << ", " << server);
                std::vector<std::string> more{"--deflate", client_deflate ? "on" : "off", "register"};
                peer_result reg = run_peer(client_argv(d, server, "sip:alice@sipws.test", more, ca));
                INFO(reg.output << "\nproxy:\n" << p.output());
                CHECK(reg.status == 0);
                CHECK(reg.line("EXTENSIONS") ==
                      (proxy_deflate && client_deflate ? "EXTENSIONS permessage-deflate" : "EXTENSIONS -"));
                CHECK(reg.line("REGISTERED").rfind("REGISTERED expires=", 0) == 0);
            }
        }
    }
    peer_result bad = run_peer(client_argv(d, "ws://127.0.0.1:1", "sip:alice@sipws.test", {"--deflate", "yes", "register"}));
    CHECK(bad.status == 2);
}

TEST_CASE("sipws-client and JsSIP exchange MESSAGE through sipws-proxy with digest",
          "[client][proxy][jssip][auth][WS7118-B.1-b][WS7118-7-f]") {
    REQUIRE(sipws::test::file_exists(client_program()));
    sipws::test::require_node_modules();
    proxy_options o;
    o.users = {"alice:alice-pw", "bob:bob-pw"};
    sipws_proxy p(o);
    client_dir d;

    // JsSIP listens, sipws-client sends (its MESSAGE is challenged first).
    {
        auto bob = start_peer(ua_argv("jssip-ua.mjs", p.ws_url(), "sip:bob@sipws.test",
                                      {"--password", "bob-pw", "listen", "--count", "1", "--duration", "20"}),
                              "LISTENING");
        peer_result alice = run_peer(client_argv(d, p.ws_url(), "sip:alice@sipws.test",
                                                 {"--password", "alice-pw", "message", "--to",
                                                  "sip:bob@sipws.test", "--text", "hi JsSIP"}));
        INFO("sipws-client sender:\n" << alice.output << "\nproxy:\n" << p.output());
        CHECK(alice.status == 0);
        CHECK(alice.line("MESSAGE_SENT") == "MESSAGE_SENT 200");
        CHECK(bob->wait_for_output("MESSAGE from sip:alice@sipws.test: hi JsSIP", 10s));
        CHECK(bob->wait(10s) == 0);
    }
    // sipws-client listens, JsSIP sends.
    {
        auto bob = start_peer(client_argv(d, p.ws_url(), "sip:bob@sipws.test",
                                          {"--password", "bob-pw", "listen", "--count", "1", "--duration", "20"}),
                              "LISTENING");
        peer_result alice = run_peer(ua_argv("jssip-ua.mjs", p.ws_url(), "sip:alice@sipws.test",
                                             {"--password", "alice-pw", "message", "--to",
                                              "sip:bob@sipws.test", "--text", "hi sipws-client"}));
        INFO("JsSIP sender:\n" << alice.output << "\nproxy:\n" << p.output());
        CHECK(alice.status == 0);
        CHECK(alice.line("MESSAGE_SENT") == "MESSAGE_SENT 200");
        CHECK(bob->wait_for_output("MESSAGE from sip:alice@sipws.test: hi sipws-client", 10s));
        CHECK(bob->wait(10s) == 0);
    }
    // A wrong password is refused with a clear status.
    peer_result bad = run_peer(
        client_argv(d, p.ws_url(), "sip:alice@sipws.test", {"--password", "wrong", "register"}));
    INFO("wrong password:\n" << bad.output);
    CHECK(bad.status == 1);
    CHECK(bad.line("REGISTRATION_FAILED").rfind("REGISTRATION_FAILED 403", 0) == 0);
}

TEST_CASE("sipws-client listen: after the proxy restarts it reconnects and registers again with "
          "the same instance and reg-id",
          "[client][proxy][reconnect][OB5626-4.5-a][WS6455-7.2-a]") {
    REQUIRE(sipws::test::file_exists(client_program()));
    client_dir d;
    proxy_options o;
    auto p = std::make_unique<sipws_proxy>(o);
    o.ws_port = p->ws_port();
    const std::string url = p->ws_url();

    auto bob = start_peer(client_argv(d, url, "sip:bob@sipws.test",
                                      {"listen", "--duration", "60", "--retry-base", "1"}),
                          "LISTENING");
    const std::string instance = sipws::test::line_starting(bob->output(), "INSTANCE ");
    CHECK(instance.find(" reg-id=1") != std::string::npos);

    // The proxy dies without a closing handshake; a new one comes up on the same port.
    p->proc().signal(SIGKILL);
    REQUIRE(bob->wait_for_output("DISCONNECTED", 10s));
    REQUIRE(bob->wait_for_output("RECONNECTING in=", 10s));
    p = std::make_unique<sipws_proxy>(o);
    // Attempts against the dead port may fail first; then bob registers again.
    REQUIRE(wait_for_count(*bob, "REGISTERED expires=", 2, 30s));
    INFO("bob:\n" << bob->output() << "\nproxy:\n" << p->output());
    // The first delay with Outbound in use is within [base/2, base] (OB5626-4.5-a).
    const std::string first = sipws::test::field_of(sipws::test::line_starting(bob->output(), "RECONNECTING "), "in");
    REQUIRE_FALSE(first.empty());
    const long ms = std::stol(first);
    CHECK(ms >= 500);
    CHECK(ms <= 1000);
    // The same instance-id and reg-id: the new proxy reaches bob by his AOR.
    peer_result alice = run_peer(client_argv(
        d, url, "sip:alice@sipws.test", {"message", "--to", "sip:bob@sipws.test", "--text", "after restart"}));
    INFO("alice:\n" << alice.output);
    CHECK(alice.line("MESSAGE_SENT") == "MESSAGE_SENT 200");
    CHECK(bob->wait_for_output("MESSAGE from sip:alice@sipws.test: after restart", 10s));
    bob->signal(SIGTERM);
    CHECK(bob->wait(15s) == 0);
    std::size_t at = bob->output().rfind("INSTANCE ");
    CHECK(bob->output().substr(at, bob->output().find('\n', at) - at) == instance);
}

TEST_CASE("sipws-proxy: a request for a sips URI reaches a wss flow, never a plain ws one",
          "[client][proxy][sips][WS7118-9.2-a]") {
    REQUIRE(sipws::test::file_exists(client_program()));
    proxy_options o;
    o.wss = true;
    sipws_proxy p(o);
    client_dir d;
    // Both register sips AORs: bob over plain ws, carol over wss.
    auto bob = start_peer(client_argv(d, p.ws_url(), "sips:bob@sipws.test", {"listen", "--duration", "30"}),
                          "LISTENING");
    auto carol = start_peer(client_argv(d, p.wss_url(), "sips:carol@sipws.test", {"listen", "--duration", "30"},
                                        p.ca_file()),
                            "LISTENING");
    auto send = [&](const std::string& to, const std::string& text) {
        return run_peer(client_argv(d, p.wss_url(), "sips:alice@sipws.test",
                                    {"message", "--to", to, "--text", text}, p.ca_file()));
    };
    peer_result to_bob = send("sips:bob@sipws.test", "secure only");
    INFO("alice:\n" << to_bob.output << "\nproxy:\n" << p.output());
    CHECK(to_bob.line("MESSAGE_FAILED") ==
          "MESSAGE_FAILED 480 Temporarily Unavailable - a sips request is not sent over plain ws");
    peer_result to_carol = send("sips:carol@sipws.test", "secure all the way");
    INFO("alice:\n" << to_carol.output);
    CHECK(to_carol.line("MESSAGE_SENT") == "MESSAGE_SENT 200");
    CHECK(carol->wait_for_output("MESSAGE from sips:alice@sipws.test: secure all the way", 10s));
    CHECK(bob->output().find("secure only") == std::string::npos);
}

TEST_CASE("sipws-proxy --client-ca: a wss client certificate is the connection's SIP identity",
          "[client][proxy][WS7118-7-c][WS7118-A-c]") {
    proxy_options o;
    o.wss = true;
    o.client_certificates = true;
    o.log_level = "debug";
    sipws_proxy p(o);
    client_dir d;
    const std::string alice_cert = p.client_certificate("alice", {"sip:alice@sipws.test"});
    const std::string alice_key = alice_cert.substr(0, alice_cert.size() - 4) + ".key";
    const std::string nouri_cert = p.client_certificate("nouri", {});
    const std::string nouri_key = nouri_cert.substr(0, nouri_cert.size() - 4) + ".key";
    auto with_cert = [&](const std::string& aor, const std::vector<std::string>& cmd, const std::string& cert,
                         const std::string& key) {
        std::vector<std::string> more;
        if (!cert.empty()) more = {"--cert", cert, "--key", key};
        more.insert(more.end(), cmd.begin(), cmd.end());
        return run_peer(client_argv(d, p.wss_url(), aor, more, p.ca_file()));
    };

    // alice's certificate: she registers as herself over wss; the proxy logs the identity.
    peer_result reg = with_cert("sip:alice@sipws.test", {"register"}, alice_cert, alice_key);
    INFO("register:\n" << reg.output << "\nproxy:\n" << p.output());
    CHECK(reg.status == 0);
    CHECK(reg.line("REGISTERED").rfind("REGISTERED expires=", 0) == 0);
    CHECK(p.output().find("web identity sip:alice@sipws.test") != std::string::npos);

    // With alice's certificate nobody may register as bob (RFC 7118 Appendix A).
    peer_result as_bob = with_cert("sip:bob@sipws.test", {"register"}, alice_cert, alice_key);
    INFO("as bob:\n" << as_bob.output);
    CHECK(as_bob.status == 1);
    CHECK(as_bob.output.find("403") != std::string::npos);

    // Without a certificate the TLS handshake fails: a transport failure.
    peer_result none = with_cert("sip:alice@sipws.test", {"register"}, {}, {});
    INFO("no certificate:\n" << none.output);
    CHECK(none.status == 3);

    // A certificate of the CA that names no SIP URI: the upgrade is refused (403).
    peer_result nouri = with_cert("sip:alice@sipws.test", {"register"}, nouri_cert, nouri_key);
    INFO("no SIP URI:\n" << nouri.output);
    CHECK(nouri.status == 3);
    CHECK(nouri.output.find("handshake refused") != std::string::npos);

    // Plain ws stays open to clients without certificates.
    peer_result plain = run_peer(client_argv(d, p.ws_url(), "sip:carol@sipws.test", {"register"}));
    INFO("ws:\n" << plain.output);
    CHECK(plain.status == 0);

    // Unreadable certificate files are a usage error.
    peer_result bad = with_cert("sip:alice@sipws.test", {"register"}, d.path + "/missing.pem", alice_key);
    CHECK(bad.status == 2);
}
