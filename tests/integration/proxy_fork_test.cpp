// sipws-proxy as a forking proxy (RFC 3261 sections 16.6, 16.7, 16.10): one
// user registered from several devices (instances) over WebSocket, each a
// peer written with sipws's own connector; a request to the AOR reaches every
// device at once and the caller gets what RFC 3261 16.7 chooses. A request to
// a GRUU reaches its device only (RFC 5627).
#include "transport_support.hpp"

#include <sipws/sip/parser.hpp>

#include "support/peers.hpp"
#include "support/proxy.hpp"
#include "support/sip_text.hpp"
#include "support/test.hpp"

#include <memory>
#include <string>
#include <vector>

using namespace std::chrono_literals;
using namespace sipws::test;
namespace sip = sipws::sip;

namespace {

const std::string caller_host = "q7vh4z2x.invalid";

std::string instance_uuid(std::size_t i) { return "5b1e6a0c-3f44-4c2e-9d1a-00000000000" + std::to_string(i); }

/// alice and N devices of bob, each on a flow of its own to one proxy.
struct devices {
    sipws_proxy proxy;
    mailbox_client peers;
    tr::flow_id alice = 0;
    std::vector<tr::flow_id> bob;       ///< by instance
    std::vector<std::string> registered; ///< bob's 200 to each REGISTER
    std::string domain;

    explicit devices(std::size_t n, const std::string& dom = "sipws.test") : devices(n, options(dom)) {}
    devices(std::size_t n, const proxy_options& o) : proxy(o), domain(o.domain) {
        alice = peers.open(proxy.ws_url() + "/");
        REQUIRE(alice != 0);
        for (std::size_t i = 0; i < n; ++i) {
            const tr::flow_id f = peers.open(proxy.ws_url() + "/");
            REQUIRE(f != 0);
            REQUIRE_FALSE(peers.connector.registry().send(
                f, reg("bob", "bob" + std::to_string(i) + ".invalid", instance_uuid(i), 1, domain)));
            registered.push_back(peers.mb.next(f));
            REQUIRE(status_of(registered.back()) == 200);
            bob.push_back(f);
        }
    }
    static proxy_options options(const std::string& dom) {
        proxy_options o;
        o.domain = dom;
        return o;
    }

    /// A request from alice to \p ruri; branch and Call-ID from \p id.
    std::string from_alice(const std::string& method, const std::string& ruri, const std::string& id) const {
        const bool inv = method == "INVITE";
        return method + " " + ruri + " SIP/2.0\r\nVia: SIP/2.0/WS " + caller_host + ";branch=z9hG4bK" + id +
               "\r\nFrom: <sip:alice@" + domain + ">;tag=al1\r\nTo: <" + ruri + ">\r\nCall-ID: " + id +
               "\r\nCSeq: 7 " + method + "\r\nMax-Forwards: 70\r\n" +
               (inv ? "Contact: <sip:alice@" + caller_host + ";transport=ws;ob>\r\n" : std::string()) +
               "Content-Length: 0\r\n\r\n";
    }
    void send(tr::flow_id f, const std::string& text) { REQUIRE_FALSE(peers.connector.registry().send(f, text)); }
    std::string next(tr::flow_id f, std::chrono::milliseconds t = 10s) { return peers.mb.next(f, t); }
    /// The next message at \p f, which must be a request \p method; its text.
    std::string request_at(tr::flow_id f, const std::string& method) {
        std::string text = next(f);
        INFO("at flow " << f << ":\n" << text << "\nproxy:\n" << proxy.output());
        auto m = sip::parse(text);
        REQUIRE(m);
        REQUIRE(m->is_request());
        REQUIRE(m->method() == method);
        return text;
    }
    /// Device \p i answers the request \p text with \p status (and \p extra rows).
    void answer_at(std::size_t i, const std::string& text, const std::string& status, const std::string& extra = {}) {
        auto m = sip::parse(text);
        REQUIRE(m);
        send(bob[i], answer(*m, status, "<sip:bob@bob" + std::to_string(i) + ".invalid;transport=ws;ob>", extra));
    }
    std::string pending() { return field_of(proxy.counters(), "pending"); }
};

std::string top_via(const std::string& text) {
    auto m = sip::parse(text);
    REQUIRE(m);
    return values(*m, sip::header_id::via).at(0);
}

} // namespace

TEST_CASE("sipws-proxy forks a MESSAGE to every instance of the AOR; the first 2xx goes up, nothing after it",
          "[integration][proxy][fork][SIP3261-16.7][OB5626-7-a]") {
    devices d(2);
    INFO("proxy:\n" << d.proxy.output());
    d.send(d.alice, d.from_alice("MESSAGE", "sip:bob@sipws.test", "fm1"));
    const std::string m0 = d.request_at(d.bob[0], "MESSAGE"), m1 = d.request_at(d.bob[1], "MESSAGE");
    // Each branch is its own client transaction: its own Via branch, its own contact.
    CHECK(top_via(m0) != top_via(m1));
    CHECK(sip::parse(m0)->request_uri() == "sip:bob@bob0.invalid;transport=ws");
    CHECK(sip::parse(m1)->request_uri() == "sip:bob@bob1.invalid;transport=ws");
    CHECK(d.pending() == "2");
    d.answer_at(1, m1, "200 OK");
    const std::string ok = d.next(d.alice);
    INFO("at alice:\n" << ok);
    CHECK(status_of(ok) == 200);
    CHECK(values(*sip::parse(ok), sip::header_id::via) ==
          std::vector<std::string>{"SIP/2.0/WS " + caller_host + ";branch=z9hG4bKfm1"});
    // The other device's later answer stops at the proxy (one final response per request).
    d.answer_at(0, m0, "486 Busy Here");
    CHECK(d.next(d.alice, 300ms).empty());
    CHECK(d.pending() == "0");
}

TEST_CASE("sipws-proxy: a forked branch whose flow fails goes on at another reg-id of its instance",
          "[integration][proxy][fork][OB5626-7-a][GR5627-6.1-b]") {
    devices d(2);
    INFO("proxy:\n" << d.proxy.output());
    // Device 0 opens a second flow (reg-id 2): the newer one of its instance is tried first.
    const tr::flow_id second = d.peers.open(d.proxy.ws_url() + "/");
    REQUIRE(second != 0);
    d.send(second, reg("bob", "bob0.invalid", instance_uuid(0), 2));
    REQUIRE(status_of(d.next(second)) == 200);
    d.send(d.alice, d.from_alice("MESSAGE", "sip:bob@sipws.test", "fr1"));
    d.request_at(second, "MESSAGE");
    const std::string m1 = d.request_at(d.bob[1], "MESSAGE");
    CHECK(d.next(d.bob[0], 300ms).empty());
    // That flow closes unanswered: the branch goes on at reg-id 1; device 1's 486 waits for it.
    d.peers.connector.registry().close(second);
    const std::string m0 = d.request_at(d.bob[0], "MESSAGE");
    d.answer_at(1, m1, "486 Busy Here");
    CHECK(d.next(d.alice, 300ms).empty());
    d.answer_at(0, m0, "200 OK");
    CHECK(status_of(d.next(d.alice)) == 200);
    CHECK(d.next(d.alice, 300ms).empty());
    CHECK(d.proxy.output().find("its flow failed, trying flow") != std::string::npos);
    CHECK(d.pending() == "0");
}

TEST_CASE("sipws-proxy: a forked INVITE rings everywhere; the first 200 wins and the other branch is cancelled",
          "[integration][proxy][fork][dialog][SIP3261-16.7][SIP3261-16.10][GR5627-6.2-b]") {
    devices d(2);
    INFO("proxy:\n" << d.proxy.output());
    d.send(d.alice, d.from_alice("INVITE", "sip:bob@sipws.test", "fi1"));
    CHECK(status_of(d.next(d.alice)) == 100); // once, for both branches
    const std::string i0 = d.request_at(d.bob[0], "INVITE"), i1 = d.request_at(d.bob[1], "INVITE");
    CHECK(top_via(i0) != top_via(i1));
    // Each branch is record-routed: the proxy stays on the dialog's path.
    CHECK_FALSE(values(*sip::parse(i0), sip::header_id::record_route).empty());
    CHECK_FALSE(values(*sip::parse(i1), sip::header_id::record_route).empty());
    CHECK(d.proxy.proc().wait_for_output("forked to 2 instances", 5s));

    // Both ring: each 180 goes up at once.
    d.answer_at(0, i0, "180 Ringing");
    CHECK(status_of(d.next(d.alice)) == 180);
    d.answer_at(1, i1, "180 Ringing");
    CHECK(status_of(d.next(d.alice)) == 180);
    // Device 1 answers: its 200 goes up, device 0 gets a CANCEL of its INVITE.
    d.answer_at(1, i1, "200 OK");
    CHECK(status_of(d.next(d.alice)) == 200);
    const std::string cancel = d.request_at(d.bob[0], "CANCEL");
    auto c = sip::parse(cancel);
    CHECK(top_via(cancel) == top_via(i0));
    CHECK(c->request_uri() == sip::parse(i0)->request_uri());
    CHECK(c->cseq()->number == 7u);
    // Device 0 confirms and ends its INVITE with 487: the proxy ACKs it, the caller hears nothing more.
    d.answer_at(0, cancel, "200 OK");
    d.answer_at(0, i0, "487 Request Terminated");
    const std::string ack = d.request_at(d.bob[0], "ACK");
    CHECK(top_via(ack) == top_via(i0));
    CHECK(d.next(d.alice, 300ms).empty());
    CHECK(d.next(d.bob[1], 300ms).empty());
    CHECK(d.pending() == "0");
    CHECK(d.proxy.stop() == 0);
}

TEST_CASE("sipws-proxy: the caller's CANCEL of a forked INVITE cancels every branch, a silent one at its first 1xx",
          "[integration][proxy][fork][SIP3261-16.10]") {
    devices d(2);
    INFO("proxy:\n" << d.proxy.output());
    d.send(d.alice, d.from_alice("INVITE", "sip:bob@sipws.test", "fc1"));
    CHECK(status_of(d.next(d.alice)) == 100);
    const std::string i0 = d.request_at(d.bob[0], "INVITE"), i1 = d.request_at(d.bob[1], "INVITE");
    d.answer_at(0, i0, "180 Ringing");
    CHECK(status_of(d.next(d.alice)) == 180);
    // alice cancels: 200 from the proxy; device 0 (ringing) gets a CANCEL now, device 1 (silent) not yet.
    std::string cancel = d.from_alice("CANCEL", "sip:bob@sipws.test", "fc1");
    d.send(d.alice, cancel);
    const std::string cancel_ok = d.next(d.alice);
    CHECK(status_of(cancel_ok) == 200);
    CHECK(sip::parse(cancel_ok)->cseq()->method == "CANCEL");
    CHECK(top_via(d.request_at(d.bob[0], "CANCEL")) == top_via(i0));
    CHECK(d.next(d.bob[1], 300ms).empty());
    // Device 1's 180 still goes up (no final response yet); its CANCEL goes out then (RFC 3261 9.1).
    d.answer_at(1, i1, "180 Ringing");
    CHECK(top_via(d.request_at(d.bob[1], "CANCEL")) == top_via(i1));
    CHECK(status_of(d.next(d.alice)) == 180);
    d.answer_at(0, i0, "487 Request Terminated");
    d.request_at(d.bob[0], "ACK");
    CHECK(d.next(d.alice, 300ms).empty());
    d.answer_at(1, i1, "487 Request Terminated");
    d.request_at(d.bob[1], "ACK");
    CHECK(status_of(d.next(d.alice)) == 487);
    CHECK(d.next(d.alice, 300ms).empty());
    CHECK(d.pending() == "0");
    // The INVITE is over: another CANCEL of it gets 481.
    d.send(d.alice, cancel);
    CHECK(status_of(d.next(d.alice)) == 481);
}

TEST_CASE("sipws-proxy: 486 + 603 from a forked INVITE: the 603 goes up, a ringing branch is cancelled",
          "[integration][proxy][fork][SIP3261-16.7][SIP3261-16.10]") {
    devices d(3);
    INFO("proxy:\n" << d.proxy.output());
    d.send(d.alice, d.from_alice("INVITE", "sip:bob@sipws.test", "fi2"));
    CHECK(status_of(d.next(d.alice)) == 100);
    std::vector<std::string> inv;
    for (tr::flow_id f : d.bob) inv.push_back(d.request_at(f, "INVITE"));
    // Device 0 is busy: ACKed by the proxy, kept back from the caller.
    d.answer_at(0, inv[0], "486 Busy Here");
    CHECK(top_via(d.request_at(d.bob[0], "ACK")) == top_via(inv[0]));
    CHECK(d.next(d.alice, 300ms).empty());
    // Device 1 rings; device 2 declines everywhere (6xx): device 1's INVITE is cancelled.
    d.answer_at(1, inv[1], "180 Ringing");
    CHECK(status_of(d.next(d.alice)) == 180);
    d.answer_at(2, inv[2], "603 Decline");
    CHECK(top_via(d.request_at(d.bob[2], "ACK")) == top_via(inv[2]));
    const std::string cancel = d.request_at(d.bob[1], "CANCEL");
    CHECK(top_via(cancel) == top_via(inv[1]));
    CHECK(d.next(d.alice, 300ms).empty()); // not before every branch is final
    d.answer_at(1, inv[1], "487 Request Terminated");
    CHECK(d.request_at(d.bob[1], "ACK").size() > 0);
    const std::string declined = d.next(d.alice);
    INFO("at alice:\n" << declined);
    CHECK(status_of(declined) == 603);
    // The caller's ACK of the 603 stops at the proxy, which ACKed every branch.
    std::string caller_ack = d.from_alice("ACK", "sip:bob@sipws.test", "fi2");
    caller_ack.replace(caller_ack.find("To: <sip:bob@sipws.test>"), 24,
                       "To: " + std::string(sip::parse(declined)->value(sip::header_id::to)));
    d.send(d.alice, caller_ack);
    for (tr::flow_id f : d.bob) CHECK(d.next(f, 300ms).empty());
    CHECK(d.pending() == "0");
}

TEST_CASE("sipws-proxy: a final response after the branch's Timer B is ACKed by the proxy and goes no further",
          "[integration][proxy][fork][SIP3261-17.1.1.3]") {
    proxy_options o;
    o.t1_ms = 50; // Timer B: 3.2 s
    devices d(2, o);
    INFO("proxy:\n" << d.proxy.output());
    d.send(d.alice, d.from_alice("INVITE", "sip:bob@sipws.test", "tb1"));
    CHECK(status_of(d.next(d.alice)) == 100);
    const std::string i0 = d.request_at(d.bob[0], "INVITE"), i1 = d.request_at(d.bob[1], "INVITE");
    // Device 1 answers at once (ACKed as usual); device 0 stays silent past Timer B.
    d.answer_at(1, i1, "486 Busy Here");
    const std::string ack1 = d.request_at(d.bob[1], "ACK");
    const std::string timed_out = d.next(d.alice, 10s);
    INFO("at alice:\n" << timed_out);
    // the best of the 486 and the proxy's own 408 (Timer B), RFC 3261 16.7: the device's answer
    CHECK(status_of(timed_out) == 486);
    CHECK(d.pending() == "0");
    // Its 486 comes late: the proxy ACKs it on device 0's flow, for its branch, with its To tag.
    d.answer_at(0, i0, "486 Busy Here");
    const std::string ack0 = d.request_at(d.bob[0], "ACK");
    INFO("ACK:\n" << ack0);
    auto inv = sip::parse(i0);
    auto ack = sip::parse(ack0);
    REQUIRE(inv);
    REQUIRE(ack);
    CHECK(top_via(ack0) == top_via(i0));
    CHECK(ack->request_uri() == inv->request_uri());
    CHECK(ack->call_id() == inv->call_id());
    CHECK(ack->cseq()->number == inv->cseq()->number);
    CHECK(ack->cseq()->method == "ACK");
    CHECK(ack->to()->has_tag());
    CHECK(d.next(d.alice, 300ms).empty());
    CHECK(d.proxy.output().find("ACKed on flow") != std::string::npos);
}

TEST_CASE("sipws-proxy: two challenges from a forked request go up as one 401 carrying both",
          "[integration][proxy][fork][DIG8760-2.5-a]") {
    devices d(2);
    INFO("proxy:\n" << d.proxy.output());
    const std::string www0 = "Digest realm=\"bob0.example\", nonce=\"a0\", algorithm=SHA-256, qop=\"auth\"";
    const std::string www1 = "Digest realm=\"bob0.example\", nonce=\"a1\", algorithm=MD5, qop=\"auth\"";
    const std::string proxy0 = "Digest realm=\"bob1.example\", nonce=\"b0\", algorithm=SHA-256, qop=\"auth\"";
    d.send(d.alice, d.from_alice("MESSAGE", "sip:bob@sipws.test", "fa1"));
    const std::string m0 = d.request_at(d.bob[0], "MESSAGE"), m1 = d.request_at(d.bob[1], "MESSAGE");
    d.answer_at(0, m0, "401 Unauthorized", "WWW-Authenticate: " + www0 + "\r\nWWW-Authenticate: " + www1 + "\r\n");
    CHECK(d.next(d.alice, 300ms).empty());
    d.answer_at(1, m1, "407 Proxy Authentication Required", "Proxy-Authenticate: " + proxy0 + "\r\n");
    const std::string up = d.next(d.alice);
    INFO("at alice:\n" << up);
    auto r = sip::parse(up);
    REQUIRE(r);
    CHECK(r->status_code() == 401); // the first of the two
    std::vector<std::string> www, prx;
    for (std::size_t i = 0; i < r->header_count(); ++i) {
        if (r->header(i).id == sip::header_id::www_authenticate) www.emplace_back(r->header(i).value);
        if (r->header(i).id == sip::header_id::proxy_authenticate) prx.emplace_back(r->header(i).value);
    }
    CHECK(www == std::vector<std::string>{www0, www1});
    CHECK(prx == std::vector<std::string>{proxy0});
    CHECK(d.next(d.alice, 300ms).empty()); // one response only
}

TEST_CASE("sipws-proxy: a request to a GRUU reaches its instance only; its instance gone, 480 and no other",
          "[integration][proxy][fork][gruu][GR5627-6.1-d][GR5627-6.2-b][GR5627-5.4-b]") {
    devices d(2, "fork.example");
    INFO("proxy:\n" << d.proxy.output());
    std::vector<std::string> pub, temp;
    for (const std::string& ok : d.registered) {
        auto r = sip::parse(ok);
        REQUIRE(r);
        auto c = *r->contacts().begin();
        pub.emplace_back(c.pub_gruu());
        temp.emplace_back(c.temp_gruu());
        // Minted in the registrar's configured domain: never the device's .invalid host
        // nor an address of the proxy or the client (GR5627-5.4-b).
        for (const std::string& g : {pub.back(), temp.back()}) {
            INFO(g);
            std::error_code ec;
            const sip::uri u = sip::parse_uri(g, ec);
            REQUIRE_FALSE(ec);
            CHECK(u.host == "fork.example");
            CHECK(u.is_gruu());
        }
    }
    REQUIRE(pub[0] != pub[1]);

    // A MESSAGE to device 1's public GRUU and one to device 0's temporary GRUU: each at its device only.
    d.send(d.alice, d.from_alice("MESSAGE", pub[1], "fg1"));
    const std::string g1 = d.request_at(d.bob[1], "MESSAGE");
    CHECK(sip::parse(g1)->request_uri() == "sip:bob@bob1.invalid;transport=ws"); // no gr carried over
    CHECK(d.next(d.bob[0], 300ms).empty());
    d.answer_at(1, g1, "200 OK");
    CHECK(status_of(d.next(d.alice)) == 200);
    d.send(d.alice, d.from_alice("MESSAGE", temp[0], "fg2"));
    const std::string g0 = d.request_at(d.bob[0], "MESSAGE");
    CHECK(d.next(d.bob[1], 300ms).empty());
    d.answer_at(0, g0, "486 Busy Here");
    CHECK(status_of(d.next(d.alice)) == 486); // no other instance is tried

    // An INVITE to a GRUU: record-routed (the instance is bound to a GRUU and its registration has a Path).
    d.send(d.alice, d.from_alice("INVITE", pub[0], "fg3"));
    CHECK(status_of(d.next(d.alice)) == 100);
    const std::string i0 = d.request_at(d.bob[0], "INVITE");
    CHECK_FALSE(values(*sip::parse(i0), sip::header_id::record_route).empty());
    CHECK(d.next(d.bob[1], 300ms).empty());
    d.answer_at(0, i0, "603 Decline");
    CHECK(status_of(d.next(d.alice)) == 603);

    // Device 0 goes away: its GRUU gets 480 and device 1 is not tried instead.
    d.peers.connector.registry().close(d.bob[0]);
    REQUIRE(wait_until([&] { return d.proxy.output().find("registration flow closed: sip:bob@fork.example") !=
                                    std::string::npos; }));
    d.send(d.alice, d.from_alice("MESSAGE", pub[0], "fg4"));
    CHECK(status_of(d.next(d.alice)) == 480);
    CHECK(d.next(d.bob[1], 300ms).empty());
    // The AOR still reaches the device that is left.
    d.send(d.alice, d.from_alice("MESSAGE", "sip:bob@fork.example", "fg5"));
    d.answer_at(1, d.request_at(d.bob[1], "MESSAGE"), "200 OK");
    CHECK(status_of(d.next(d.alice)) == 200);
    CHECK(d.proxy.stop() == 0);
}

TEST_CASE("sipws-proxy forks a JsSIP user's MESSAGE to two JsSIP devices of one user; one 200 comes back",
          "[interop][proxy][fork][jssip][SIP3261-16.7]") {
    require_node_modules();
    sipws_proxy p;
    std::vector<std::unique_ptr<process>> bob;
    for (std::size_t i = 0; i < 2; ++i)
        bob.push_back(start_peer(ua_argv("jssip-ua.mjs", p.ws_url(), "sip:bob@sipws.test",
                                         {"--instance-id", instance_uuid(i), "listen", "--count", "1", "--duration", "20"}),
                                 "LISTENING"));
    peer_result alice = run_peer(ua_argv("jssip-ua.mjs", p.ws_url(), "sip:alice@sipws.test",
                                         {"message", "--to", "sip:bob@sipws.test", "--text", "to every device"}));
    INFO("sender:\n" << alice.output << "\nproxy:\n" << p.output());
    CHECK(alice.status == 0);
    CHECK(alice.line("MESSAGE_SENT") == "MESSAGE_SENT 200");
    CHECK(p.output().find("MESSAGE for sip:bob@sipws.test: forked to 2 instances") != std::string::npos);
    for (auto& b : bob) {
        INFO("device:\n" << b->output());
        CHECK(b->wait_for_output("MESSAGE from sip:alice@sipws.test: to every device", 10s));
        CHECK(b->wait(10s) == 0);
    }
    CHECK(field_of(p.counters(), "pending") == "0");
}
