// sipws-client as an Outbound client (RFC 5626 section 4) with more than one
// way to its registrar: an outbound-proxy set of two servers, a first hop
// without Outbound (439), and D2W DNS failover (RFC 3263 4.3) over dnsmasq.
#include <sipws/sip/parser.hpp>

#include "support/dnsmasq.hpp"
#include "support/peers.hpp"
#include "support/proxy.hpp"
#include "support/sipws_client.hpp"
#include "support/tcp_relay.hpp"
#include "support/test.hpp"

#include "integration/scripted_registrar.hpp"

#include <chrono>
#include <string>
#include <vector>

using namespace std::chrono_literals;
using namespace sipws::test;
namespace sip = sipws::sip;

namespace {

/// Every line of \p text that starts with \p prefix.
std::vector<std::string> lines_starting(const std::string& text, const std::string& prefix) {
    std::vector<std::string> out;
    for (std::size_t at = 0; at < text.size();) {
        std::size_t end = text.find('\n', at);
        if (end == std::string::npos) end = text.size();
        if (text.compare(at, prefix.size(), prefix) == 0) out.push_back(text.substr(at, end - at));
        at = end + 1;
    }
    return out;
}

/// The Via branch, Call-ID and CSeq number of a request as sent.
struct request_ids {
    std::string branch, call_id;
    std::uint32_t cseq = 0;
    std::int64_t reg_id = -1;
    bool ob = false;
    std::string instance;
};

request_ids ids_of(const std::string& text) {
    request_ids r;
    auto m = sip::parse(text);
    REQUIRE(m);
    r.branch = std::string(m->top_via()->branch);
    r.call_id = std::string(m->call_id());
    r.cseq = m->cseq()->number;
    if (m->contacts().size() == 1) {
        const sip::name_addr c = *m->contacts().begin();
        r.reg_id = c.reg_id();
        r.ob = c.uri.ob();
        r.instance = std::string(c.instance_id());
    }
    return r;
}

/// The REGISTER requests in sipws-proxy's debug log ("flow N <<" blocks).
std::vector<std::string> logged_registers(const std::string& log) {
    std::vector<std::string> out;
    const std::string start = "REGISTER sip:";
    for (std::size_t at = log.find(start); at != std::string::npos; at = log.find(start, at + 1)) {
        const std::size_t end = log.find("\r\n\r\n", at);
        if (end == std::string::npos) break;
        out.push_back(log.substr(at, end + 4 - at));
    }
    return out;
}

} // namespace

TEST_CASE("sipws-client listen through an outbound-proxy set of two: a flow, reg-id and Call-ID "
          "each; a MESSAGE still arrives when one flow is gone",
          "[client][proxy][outbound][OB5626-4.2.1-e]") {
    REQUIRE(file_exists(client_program()));
    proxy_options o;
    o.extra_ws = 1;
    o.log_level = "debug"; // logs each request as received and as sent
    sipws_proxy p(o);
    // The second server is reached through a relay that the test can cut.
    tcp_relay relay(p.extra_ws_ports().at(0));
    const std::string second = "ws://127.0.0.1:" + std::to_string(relay.port());
    client_dir d;

    auto argv = client_argv(d, p.ws_url(), "sip:bob@sipws.test",
                            {"--server", second, "listen", "--count", "2", "--duration", "40",
                             "--retry-base", "60"});
    auto bob = start_peer(argv, "LISTENING");
    REQUIRE(wait_for_count(*bob, "REGISTERED expires=", 2, 10s));
    INFO("bob:\n" << bob->output());
    const auto registered = lines_starting(bob->output(), "REGISTERED ");
    REQUIRE(registered.size() == 2u);
    std::string call_ids[2];
    for (const auto& l : registered) {
        const std::string reg_id = field_of(l, "reg-id");
        REQUIRE((reg_id == "1" || reg_id == "2"));
        call_ids[reg_id == "1" ? 0 : 1] = field_of(l, "call-id");
    }
    CHECK_FALSE(call_ids[0].empty());
    CHECK_FALSE(call_ids[1].empty());
    CHECK(call_ids[0] != call_ids[1]);
    // The later 200 lists both bindings of the instance.
    CHECK(field_of(registered[1], "bindings") == "2");
    CHECK(lines_starting(bob->output(), "INSTANCE ").size() == 2u);
    CHECK(lines_starting(bob->output(), "OUTBOUND keepalive=crlf").size() == 2u);

    const auto send = [&](const std::string& text) {
        peer_result alice = run_peer(client_argv(d, p.ws_url(), "sip:alice@sipws.test",
                                                 {"message", "--to", "sip:bob@sipws.test", "--text", text}));
        INFO("alice:\n" << alice.output << "\nproxy:\n" << p.output());
        CHECK(alice.line("MESSAGE_SENT") == "MESSAGE_SENT 200");
    };
    send("over either flow");
    CHECK(bob->wait_for_output("MESSAGE from sip:alice@sipws.test: over either flow", 10s));

    // The flow with reg-id 2 (the most recent binding, the proxy's first
    // choice) stops carrying anything while a MESSAGE is on it, then breaks:
    // the proxy's 430 path tries the flow with reg-id 1 (RFC 5626 section 7).
    relay.pause();
    auto alice = start_peer(client_argv(d, p.ws_url(), "sip:alice@sipws.test",
                                        {"message", "--to", "sip:bob@sipws.test", "--text", "after one flow failed"}),
                            "CONNECTED");
    // sipws-proxy logs the MESSAGE as received and as forwarded (4 in all now).
    REQUIRE(wait_for_count(p.proc(), "MESSAGE sip:bob@", 4, 10s));
    relay.cut();
    REQUIRE(bob->wait_for_output("DISCONNECTED 1006 reg-id=2", 10s));
    CHECK(bob->wait_for_output("MESSAGE from sip:alice@sipws.test: after one flow failed", 10s));
    const auto alice_status = alice->wait(15s);
    INFO("alice:\n" << alice->output() << "\nproxy:\n" << p.output());
    CHECK(alice_status == 0);
    CHECK(line_starting(alice->output(), "MESSAGE_SENT") == "MESSAGE_SENT 200");
    CHECK(p.output().find("its flow failed, trying flow") != std::string::npos);
    CHECK(p.output().find("(reg-id 1)") != std::string::npos);
    CHECK(bob->wait(15s) == 0);
}

TEST_CASE("sipws-client listen through an outbound-proxy set with a server down at start: registers "
          "through the other, keeps trying, and registers there once it is up",
          "[client][proxy][outbound][OB5626-4.2.1-e][OB5626-4.5-a]") {
    REQUIRE(file_exists(client_program()));
    proxy_options o;
    o.extra_ws = 1;
    sipws_proxy p(o);
    // The second server's port answers nothing until the relay starts.
    const unsigned short late_port = free_port();
    const std::string second = "ws://127.0.0.1:" + std::to_string(late_port);
    client_dir d;
    for (bool down_first : {false, true}) {
        INFO("the server that is down comes " << (down_first ? "first" : "second"));
        std::vector<std::string> more{"--server", down_first ? p.ws_url() : second,
                                      "listen", "--duration", "30", "--retry-base", "1"};
        auto bob = start_peer(client_argv(d, down_first ? second : p.ws_url(), "sip:bob@sipws.test", more),
                              "LISTENING");
        const std::string up_reg_id = down_first ? "2" : "1";
        REQUIRE(bob->wait_for_output("REGISTERED expires=", 10s));
        REQUIRE(bob->wait_for_output("RECONNECTING in=", 10s));
        INFO("bob:\n" << bob->output());
        CHECK(bob->output().find("CONNECT_FAILED " + second) != std::string::npos);
        auto registered = lines_starting(bob->output(), "REGISTERED ");
        REQUIRE(registered.size() == 1u);
        CHECK(field_of(registered[0], "reg-id") == up_reg_id);
        CHECK(bob->running());

        // The MESSAGE reaches bob through the flow that is up.
        peer_result alice = run_peer(client_argv(d, p.ws_url(), "sip:alice@sipws.test",
                                                 {"message", "--to", "sip:bob@sipws.test", "--text", "one up"}));
        CHECK(alice.line("MESSAGE_SENT") == "MESSAGE_SENT 200");
        CHECK(bob->wait_for_output("MESSAGE from sip:alice@sipws.test: one up", 10s));

        // The second server comes up: bob registers through it too.
        {
            tcp_relay relay(p.extra_ws_ports().at(0), late_port);
            REQUIRE(wait_for_count(*bob, "REGISTERED expires=", 2, 20s));
            registered = lines_starting(bob->output(), "REGISTERED ");
            CHECK(field_of(registered.back(), "reg-id") == (down_first ? "1" : "2"));
            CHECK(field_of(registered.back(), "bindings") == "2");
            CHECK(bob->stop() == 0);
        }
    }
    // With every server of the set down, listen gives up (exit status 3).
    const std::string also_down = "ws://127.0.0.1:" + std::to_string(free_port());
    peer_result none = run_peer(client_argv(d, second, "sip:bob@sipws.test",
                                            {"--server", also_down, "listen", "--duration", "30", "--retry-base", "1"}));
    INFO("none:\n" << none.output);
    CHECK(none.status == 3);
    CHECK(lines_starting(none.output, "CONNECT_FAILED ").size() >= 2u);
}

TEST_CASE("sipws-client: 439 First Hop Lacks Outbound Support is answered by a REGISTER without "
          "Outbound",
          "[client][outbound][OB5626-4.2.1-d]") {
    REQUIRE(file_exists(client_program()));
    // A registrar whose first hop cannot do Outbound: 439 to any REGISTER
    // with reg-id, a binding for one without.
    scripted_registrar reg([](const sip::message& req, std::size_t) {
        for (const sip::name_addr& c : req.contacts())
            if (c.reg_id() > 0) return scripted_registrar::respond(req, 439);
        return scripted_registrar::accept_register(req, 300);
    });
    client_dir d;
    peer_result r = run_peer(client_argv(d, reg.url(), "sip:alice@sipws.test", {"register"}));
    INFO("client:\n" << r.output);
    CHECK(r.status == 0);
    CHECK(r.has_line("OUTBOUND_REFUSED 439"));
    CHECK(r.line("REGISTERED").rfind("REGISTERED expires=300 ", 0) == 0);

    // On the wire: the first REGISTER with Outbound, the second without it,
    // a new transaction of the same registration.
    const auto reqs = reg.requests();
    REQUIRE(reqs.size() == 2u);
    const request_ids first = ids_of(reqs[0]), retry = ids_of(reqs[1]);
    CHECK(first.reg_id == 1);
    CHECK(first.ob);
    CHECK(retry.reg_id == -1);
    CHECK_FALSE(retry.ob);
    CHECK_FALSE(retry.instance.empty());
    CHECK(retry.instance == first.instance);
    CHECK(retry.call_id == first.call_id);
    CHECK(retry.cseq == first.cseq + 1);
    CHECK(retry.branch != first.branch);
}

TEST_CASE("sipws-client --server sip:DOMAIN: D2W targets tried in order, past a closed port and a "
          "503, each attempt a new transaction",
          "[client][proxy][dns][failover][DNS3263-4.3-a][WS7118-5.5-a]") {
    REQUIRE(file_exists(client_program()));
    proxy_options o;
    o.log_level = "debug"; // logs each request as received
    sipws_proxy p(o);
    scripted_registrar busy([](const sip::message& req, std::size_t) {
        return scripted_registrar::respond(req, 503, "Retry-After: 30\r\n");
    });
    const unsigned short closed = free_port();
    dnsmasq dns({
        "--naptr-record=example.test,10,10,S,SIP+D2W,,_sip._ws.example.test",
        "--srv-host=_sip._ws.example.test,dead.example.test," + std::to_string(closed) + ",10,10",
        "--srv-host=_sip._ws.example.test,busy.example.test," + std::to_string(busy.port()) + ",20,10",
        "--srv-host=_sip._ws.example.test,edge.example.test," + std::to_string(p.ws_port()) + ",30,10",
        "--host-record=dead.example.test,127.0.0.1",
        "--host-record=busy.example.test,127.0.0.1",
        "--host-record=edge.example.test,127.0.0.1",
    });
    client_dir d;
    peer_result r = run_peer(client_argv(d, "sip:example.test", "sip:alice@sipws.test",
                                         {"--dns-server", dns.address(), "register"}));
    INFO("client:\n" << r.output << "\nproxy:\n" << p.output());
    CHECK(r.status == 0);
    const auto connected = lines_starting(r.output, "CONNECT");
    REQUIRE(connected.size() == 3u);
    CHECK(connected[0] == "CONNECT_FAILED ws://127.0.0.1:" + std::to_string(closed) + "/");
    CHECK(connected[1] == "CONNECTED ws://127.0.0.1:" + std::to_string(busy.port()) + "/");
    CHECK(connected[2] == "CONNECTED ws://127.0.0.1:" + std::to_string(p.ws_port()) + "/");
    const auto failovers = lines_starting(r.output, "FAILOVER ");
    REQUIRE(failovers.size() == 2u);
    CHECK(failovers[0].rfind("FAILOVER connect next=", 0) == 0);
    CHECK(failovers[1] == "FAILOVER 503 next=ws://127.0.0.1:" + std::to_string(p.ws_port()) + "/");
    CHECK(r.line("REGISTERED").rfind("REGISTERED expires=", 0) == 0);

    // The 503 server saw one REGISTER; the proxy got a new transaction of
    // the same registration (new branch, next CSeq, same Call-ID).
    const auto at_busy = busy.requests();
    REQUIRE(at_busy.size() == 1u);
    const auto at_proxy = logged_registers(p.output());
    REQUIRE(at_proxy.size() == 1u);
    const request_ids a = ids_of(at_busy[0]), b = ids_of(at_proxy[0]);
    CHECK(b.branch != a.branch);
    CHECK(b.call_id == a.call_id);
    CHECK(b.cseq == a.cseq + 1);
}

TEST_CASE("sipws-client --require-gruu --verbose: Require: gruu on the wire, GRUUs shown to people "
          "without gr and to programs as they are",
          "[client][proxy][gruu][GR5627-4.1-d][GR5627-4.5-a]") {
    REQUIRE(file_exists(client_program()));
    proxy_options o;
    o.log_level = "debug";
    sipws_proxy p(o);
    client_dir d;
    peer_result r = run_peer(
        client_argv(d, p.ws_url(), "sip:alice@sipws.test", {"--require-gruu", "--verbose", "register"}));
    INFO("client:\n" << r.output << "\nproxy:\n" << p.output());
    CHECK(r.status == 0);
    const auto at_proxy = logged_registers(p.output());
    REQUIRE(at_proxy.size() == 1u);
    auto m = sip::parse(at_proxy[0]);
    REQUIRE(m);
    CHECK(m->has_option_tag(sip::header_id::require, "gruu"));
    CHECK(at_proxy[0].find("Proxy-Require") == std::string::npos);
    // The machine-readable line keeps the wire form, gr and all ...
    const std::string pub = gruu_field(r.line("GRUU "), "pub");
    CHECK(pub.rfind("sip:alice@sipws.test;gr=urn:uuid:", 0) == 0);
    // ... the line for people shows it without gr.
    const std::string note = r.line("sipws-client: registered through ");
    CHECK(note == "sipws-client: registered through " + p.ws_url() +
                      "; reachable as sip:alice@sipws.test on this device");
}

TEST_CASE("sipws-client: an outbound-proxy set holds at most 4 servers; an unresolvable domain is a "
          "transport failure",
          "[client][outbound][dns][OB5626-4.2.1-e]") {
    REQUIRE(file_exists(client_program()));
    client_dir d;
    std::vector<std::string> more;
    for (int i = 0; i < 4; ++i) more.insert(more.end(), {"--server", "ws://127.0.0.1:9"});
    more.push_back("register");
    peer_result five = run_peer(client_argv(d, "ws://127.0.0.1:9", "sip:alice@sipws.test", more));
    CHECK(five.status == 2);
    CHECK(five.output.find("at most 4 --server") != std::string::npos);

    // Four are fine: each is tried (nothing listens on port 9 here).
    more.erase(more.begin(), more.begin() + 2);
    peer_result four = run_peer(client_argv(d, "ws://127.0.0.1:9", "sip:alice@sipws.test", more));
    INFO(four.output);
    CHECK(four.status == 3);
    CHECK(four.line("CONNECT_FAILED") == "CONNECT_FAILED ws://127.0.0.1:9");

    dnsmasq dns({"--host-record=other.example.test,127.0.0.1"});
    peer_result none = run_peer(client_argv(d, "sip:nothing.example.test", "sip:alice@sipws.test",
                                            {"--dns-server", dns.address(), "register"}));
    INFO(none.output);
    CHECK(none.status == 3);
    CHECK(none.output.find("cannot resolve sip:nothing.example.test") != std::string::npos);
}
