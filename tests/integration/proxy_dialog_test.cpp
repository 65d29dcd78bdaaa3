// RFC 7118 section 8's registration and INVITE dialog replayed through the
// real sipws-proxy by two WebSocket SIP clients written with sipws's own
// connector, checking what every hop carries (EXAMPLES.md E1, E2) and the
// edge's refusals: a forged flow token (403) and a flow that is gone (430).
#include "transport_support.hpp"

#include <sipws/sip/parser.hpp>
#include <sipws/sip/transaction_id.hpp>

#include "support/mailbox.hpp"
#include "support/proxy.hpp"
#include "support/sip_text.hpp"
#include "support/test.hpp"

#include <deque>
#include <string>
#include <vector>

using namespace std::chrono_literals;
namespace tr = sipws::transport;
namespace sip = sipws::sip;
using sipws::test::answer;
using sipws::test::reg;
using sipws::test::status_of;
using sipws::test::values;

namespace {

const std::string alice_host = "df7jal23ls0d.invalid";
const std::string alice_uuid = "f81d4fae-7dec-11d0-a765-00a0c91e6bf6";
const std::string bob_uuid = "8c3ea789-af7d-4cca-9f71-6841e054801f";
const std::string sdp = "v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nc=IN IP4 0.0.0.0\r\nt=0 0\r\nm=audio 9 RTP/AVP 0\r\n";

// alice's INVITE (or its CANCEL, which names the same transaction) to bob
// with top Via branch z9hG4bK\p branch and Call-ID \p call_id; \p route
// names the proxy (empty: none).
std::string invite(const std::string& method, const std::string& branch, const std::string& call_id,
                   const std::string& route) {
    const bool inv = method == "INVITE";
    return method + " sip:bob@sipws.test SIP/2.0\r\nVia: SIP/2.0/WS " + alice_host + ";branch=z9hG4bK" + branch + "\r\n"
           "From: <sip:alice@sipws.test>;tag=asdyka899\r\nTo: <sip:bob@sipws.test>\r\n"
           "Call-ID: " + call_id + "\r\nCSeq: 1 " + method + "\r\nMax-Forwards: 70\r\n" +
           (inv ? "Supported: path, outbound, gruu\r\n" : "") + (route.empty() ? "" : "Route: " + route + "\r\n") +
           (inv ? "Contact: <sip:alice@sipws.test;gr=urn:uuid:" + alice_uuid + ";ob>\r\n"
                  "Content-Type: application/sdp\r\n\r\n" + sdp // no Content-Length (WS7118-5-c)
                : std::string("Content-Length: 0\r\n\r\n"));
}

// A MESSAGE from alice to \p ruri with branch and Call-ID made from \p id.
std::string message(const std::string& ruri, const std::string& id) {
    return "MESSAGE " + ruri + " SIP/2.0\r\nVia: SIP/2.0/WS " + alice_host + ";branch=z9hG4bK-m" + id +
           "\r\nFrom: <sip:alice@sipws.test>;tag=m\r\nTo: <" + ruri + ">\r\nCall-ID: m" + id +
           "\r\nCSeq: 1 MESSAGE\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n";
}

std::string in_dialog(const std::string& method, unsigned cseq, const std::string& ruri,
                      const std::vector<std::string>& route, const std::string& via_host, bool from_alice) {
    std::string out = method + " " + ruri + " SIP/2.0\r\n";
    out += "Via: SIP/2.0/WS " + via_host + ";branch=z9hG4bK-" + method + std::to_string(cseq) + "\r\n";
    for (const auto& r : route) out += "Route: " + r + "\r\n";
    std::string a = "<sip:alice@sipws.test>;tag=asdyka899", b = "<sip:bob@sipws.test>;tag=bmqkjhsd";
    out += "From: " + (from_alice ? a : b) + "\r\nTo: " + (from_alice ? b : a) + "\r\n";
    out += "Call-ID: asidkj3ss\r\nCSeq: " + std::to_string(cseq) + " " + method + "\r\nMax-Forwards: 70\r\n";
    return out + "Content-Length: 0\r\n\r\n";
}

} // namespace

TEST_CASE("sipws-proxy: RFC 7118 section 8 registration and INVITE dialog, hop by hop",
          "[interop][proxy][dialog][E1-F3-j][E1-F4-g][E2-F3-a][E2-F3-b][E2-F3-c][E2-F3-d][E2-F3-e]"
          "[WS7118-B.2-a][WS7118-5.3-a][WS7118-5.3-d][WS7118-5-f][SIP3261-16.6-a][OB5626-5.3-a]"
          "[OB5626-5.3.1-a][OB5626-11-a][OB5626-7-b][GR5627-5.3-a][GR5627-6.1-a][E2-F2-a]") {
    sipws::test::sipws_proxy proxy;
    sipws::test::io_runner run(1);
    tr::connector<> c(run.io);
    sipws::test::mailbox mb;
    c.on_message(mb.handler());
    const tr::flow_id alice = sipws::test::open_flow(c, proxy.ws_url() + "/"),
                      bob = sipws::test::open_flow(c, proxy.ws_url() + "/");
    REQUIRE(alice != 0);
    REQUIRE(bob != 0);
    const std::string host = "127.0.0.1:" + std::to_string(proxy.ws_port());

    // E1: both register with Outbound; the 200 is conformant.
    REQUIRE_FALSE(c.registry().send(bob, reg("bob", "b7kh2q.invalid", "8c3ea789-af7d-4cca-9f71-6841e054801f")));
    std::string bob_reg = mb.next(bob);
    INFO("bob's 200:\n" << bob_reg << "\nproxy:\n" << proxy.output());
    auto r = sip::parse(bob_reg);
    REQUIRE(r);
    REQUIRE(r->status_code() == 200);
    CHECK(r->has_option_tag(sip::header_id::require, "outbound"));
    CHECK_FALSE(r->has(sip::header_id::supported));
    CHECK(values(*r, sip::header_id::via) == std::vector<std::string>{"SIP/2.0/WS b7kh2q.invalid;branch=z9hG4bK-reg-bob"});
    std::string temp_gruu((*r->contacts().begin()).temp_gruu());
    REQUIRE(temp_gruu.find(";gr") != std::string::npos);
    REQUIRE_FALSE(c.registry().send(alice, reg("alice", "df7jal23ls0d.invalid", "f81d4fae-7dec-11d0-a765-00a0c91e6bf6")));
    const std::string registered = mb.next(alice);
    REQUIRE(sip::parse(registered)->status_code() == 200);

    // E2-F1 -> F3: alice's INVITE reaches bob's flow, retargeted and record-routed.
    const std::string alice_via = "SIP/2.0/WS df7jal23ls0d.invalid;branch=z9hG4bK56sdasks";
    REQUIRE_FALSE(c.registry().send(alice, invite("INVITE", "56sdasks", "asidkj3ss", "<sip:" + host + ";transport=ws;lr>")));
    // E2-F2: 100 Trying from the proxy, Via as sent, To without a tag.
    const std::string trying = mb.next(alice);
    INFO("100 at alice:\n" << trying);
    auto tm = sip::parse(trying);
    REQUIRE(tm);
    CHECK(tm->status_code() == 100);
    CHECK(values(*tm, sip::header_id::via) == std::vector<std::string>{alice_via});
    CHECK_FALSE(tm->to()->has_tag());
    std::string inv = mb.next(bob);
    INFO("INVITE at bob:\n" << inv);
    auto in = sip::parse(inv);
    REQUIRE(in);
    CHECK(in->request_uri() == "sip:bob@b7kh2q.invalid;transport=ws");
    auto vias = values(*in, sip::header_id::via);
    REQUIRE(vias.size() == 2);
    CHECK(vias[0].rfind("SIP/2.0/WS " + host + ";branch=z9hG4bK", 0) == 0);
    CHECK(vias[1] == alice_via); // untouched, no received (WS7118-5.3-a)
    CHECK_FALSE(in->has(sip::header_id::route));
    auto rr = values(*in, sip::header_id::record_route);
    REQUIRE(rr.size() == 2);
    for (const auto& v : rr) CHECK(v.find("@" + host + ";transport=ws;lr>") != std::string::npos);
    CHECK(rr[0] != rr[1]);
    CHECK(in->max_forwards() == 69u);
    CHECK(in->body() == sdp);
    CHECK(in->has_content_length()); // added on the way (WS7118-5-f)

    // E2-F4/F5: bob's 200 goes back to alice with her Via only.
    REQUIRE_FALSE(c.registry().send(bob, answer(*in, "200 OK", "<sip:bob@b7kh2q.invalid;transport=ws;ob>")));
    std::string ok = mb.next(alice);
    INFO("200 at alice:\n" << ok);
    auto okm = sip::parse(ok);
    REQUIRE(okm);
    CHECK(okm->status_code() == 200);
    CHECK(values(*okm, sip::header_id::via) == std::vector<std::string>{alice_via});
    CHECK(values(*okm, sip::header_id::record_route) == rr);

    // ACK from alice: route set = reversed Record-Route; bob gets it without Route.
    REQUIRE_FALSE(c.registry().send(alice, in_dialog("ACK", 1, "sip:bob@b7kh2q.invalid;transport=ws;ob",
                                                     {rr[1], rr[0]}, "df7jal23ls0d.invalid", true)));
    std::string ack = mb.next(bob);
    INFO("ACK at bob:\n" << ack);
    REQUIRE(ack.rfind("ACK sip:bob@b7kh2q.invalid;transport=ws;ob SIP/2.0\r\n", 0) == 0);
    CHECK_FALSE(sip::parse(ack)->has(sip::header_id::route));

    // BYE from bob: route set = Record-Route in order; alice gets it; her 200 goes back.
    REQUIRE_FALSE(c.registry().send(bob, in_dialog("BYE", 2, "sip:alice@sipws.test;gr=urn:uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6;ob",
                                                   rr, "b7kh2q.invalid", false)));
    std::string bye = mb.next(alice);
    INFO("BYE at alice:\n" << bye);
    auto byem = sip::parse(bye);
    REQUIRE(byem);
    CHECK(byem->method() == "BYE");
    CHECK(values(*byem, sip::header_id::via).size() == 2);
    REQUIRE_FALSE(c.registry().send(alice, answer(*byem, "200 OK", {})));
    const std::string bye_ok = mb.next(bob);
    CHECK(sip::parse(bye_ok)->status_code() == 200);

    // A forged token in a Route: 403.
    std::string forged = rr[0];
    forged[6] = forged[6] == 'A' ? 'B' : 'A';
    REQUIRE_FALSE(c.registry().send(alice, in_dialog("INFO", 3, "sip:bob@b7kh2q.invalid;transport=ws",
                                                     {forged}, "df7jal23ls0d.invalid", true)));
    CHECK(mb.next(alice).rfind("SIP/2.0 403 ", 0) == 0);

    // bob's connection goes away: his bindings go with it, his flow fails.
    c.registry().close(bob);
    REQUIRE(sipws::test::wait_until([&] { return proxy.output().find("registration flow closed: sip:bob") != std::string::npos; }));
    REQUIRE_FALSE(c.registry().send(alice, in_dialog("INFO", 4, "sip:bob@b7kh2q.invalid;transport=ws",
                                                     {rr[1], rr[0]}, "df7jal23ls0d.invalid", true)));
    CHECK(mb.next(alice).rfind("SIP/2.0 430 Flow Failed\r\n", 0) == 0);

    auto message_to = [&](const std::string& ruri) {
        c.registry().send(alice, message(ruri, std::to_string(ruri.size())));
        return mb.next(alice);
    };
    // Public GRUU with nothing bound: 480; temporary GRUU died with the binding: 404.
    CHECK(message_to("sip:bob@sipws.test;gr=urn:uuid:8c3ea789-af7d-4cca-9f71-6841e054801f").rfind("SIP/2.0 480 ", 0) == 0);
    CHECK(message_to(temp_gruu).rfind("SIP/2.0 404 ", 0) == 0);
    CHECK(message_to("sip:bob@sipws.test").rfind("SIP/2.0 480 ", 0) == 0);
    CHECK(message_to("sip:carol@elsewhere.example").rfind("SIP/2.0 404 ", 0) == 0);
}

namespace {

// alice and bob on flows of their own to a sipws-proxy, registered with
// Outbound (bob with reg-id 1 here; more flows for him with add_bob()).
struct call_setup {
    sipws::test::sipws_proxy proxy;
    sipws::test::io_runner run{1};
    tr::connector<> c{run.io};
    sipws::test::mailbox mb;
    tr::flow_id alice = 0;
    std::vector<tr::flow_id> bob; // by reg-id - 1

    call_setup() {
        c.on_message(mb.handler());
        alice = sipws::test::open_flow(c, proxy.ws_url() + "/");
        REQUIRE(alice != 0);
        REQUIRE_FALSE(c.registry().send(alice, reg("alice", alice_host, alice_uuid)));
        REQUIRE(status_of(mb.next(alice)) == 200);
        add_bob();
    }
    /// Another flow of bob's instance, registered with the next reg-id.
    tr::flow_id add_bob() {
        const tr::flow_id f = sipws::test::open_flow(c, proxy.ws_url() + "/");
        REQUIRE(f != 0);
        bob.push_back(f);
        REQUIRE_FALSE(c.registry().send(f, reg("bob", "b7kh2q.invalid", bob_uuid, static_cast<int>(bob.size()))));
        REQUIRE(status_of(mb.next(f)) == 200);
        return f;
    }
    /// Sends \p text from alice; the next message bob gets on \p f, parsed
    /// (its text stays in got).
    sip::parse_result<> at_bob(tr::flow_id f, const std::string& text) {
        REQUIRE_FALSE(c.registry().send(alice, text));
        got.push_back(mb.next(f));
        return sip::parse(got.back());
    }
    std::deque<std::string> got;
};

} // namespace

TEST_CASE("sipws-proxy: a request whose flow fails goes to the next reg-id of the instance, never after another final response",
          "[integration][proxy][OB5626-7-a][GR5627-6.1-b][OB5626-5.3.1-a]") {
    call_setup s;
    const tr::flow_id bob1 = s.bob[0], bob2 = s.add_bob();
    INFO("proxy:\n" << s.proxy.output());

    // The newest binding (reg-id 2) gets the MESSAGE; bob1 nothing.
    auto m = s.at_bob(bob2, message("sip:bob@sipws.test", "retry1"));
    REQUIRE(m);
    CHECK(m->method() == "MESSAGE");
    CHECK(s.mb.next(bob1, 300ms).empty());
    // Its flow closes unanswered: the same MESSAGE goes to reg-id 1, whose 200 reaches alice.
    s.c.registry().close(bob2);
    const std::string again = s.mb.next(bob1);
    INFO("at bob1:\n" << again);
    auto m1 = sip::parse(again);
    REQUIRE(m1);
    CHECK(m1->method() == "MESSAGE");
    CHECK(m1->call_id() == "mretry1");
    CHECK(m1->request_uri() == "sip:bob@b7kh2q.invalid;transport=ws");
    REQUIRE_FALSE(s.c.registry().send(bob1, answer(*m1, "200 OK", {})));
    CHECK(status_of(s.mb.next(s.alice)) == 200);
    CHECK(s.proxy.proc().wait_for_output("its flow failed, trying flow", 5s));

    // A final response other than 430/408 ends it: 486 from reg-id 3, nothing for reg-id 1.
    const tr::flow_id bob3 = s.add_bob();
    auto m3 = s.at_bob(bob3, message("sip:bob@sipws.test", "busy"));
    REQUIRE(m3);
    REQUIRE_FALSE(s.c.registry().send(bob3, answer(*m3, "486 Busy Here", {})));
    CHECK(status_of(s.mb.next(s.alice)) == 486);
    CHECK(s.mb.next(bob1, 300ms).empty());

    // An INVITE tried again after the flow fails: one 100 Trying, the 200 from reg-id 1.
    auto i3 = s.at_bob(bob3, invite("INVITE", "retry-inv", "retry-inv", {}));
    REQUIRE(i3);
    CHECK(status_of(s.mb.next(s.alice)) == 100);
    s.c.registry().close(bob3);
    const std::string i1_text = s.mb.next(bob1);
    auto i1 = sip::parse(i1_text);
    REQUIRE(i1);
    CHECK(i1->method() == "INVITE");
    CHECK(i1->record_routes().begin() != i1->record_routes().end());
    REQUIRE_FALSE(s.c.registry().send(bob1, answer(*i1, "200 OK", "<sip:bob@b7kh2q.invalid;transport=ws;ob>")));
    CHECK(status_of(s.mb.next(s.alice)) == 200);

    // The last flow gone too: 430 for the sender.
    auto m4 = s.at_bob(bob1, message("sip:bob@sipws.test", "last"));
    REQUIRE(m4);
    s.c.registry().close(bob1);
    CHECK(status_of(s.mb.next(s.alice)) == 430);
    CHECK(sipws::test::field_of(s.proxy.counters(), "pending") == "0");
}

TEST_CASE("sipws-proxy: CANCEL of a ringing INVITE reaches the callee's flow, which answers 487",
          "[integration][proxy][dialog][SIP3261-17-a][E2-F2-a]") {
    call_setup s;
    const tr::flow_id bob = s.bob[0];
    INFO("proxy:\n" << s.proxy.output());
    auto inv = s.at_bob(bob, invite("INVITE", "cancel1", "cancel1", {}));
    REQUIRE(inv);
    CHECK(status_of(s.mb.next(s.alice)) == 100);
    REQUIRE_FALSE(s.c.registry().send(bob, answer(*inv, "180 Ringing", {})));
    CHECK(status_of(s.mb.next(s.alice)) == 180);

    // alice's CANCEL: 200 from the proxy, and bob gets a CANCEL of the INVITE he has.
    auto cancel = s.at_bob(bob, invite("CANCEL", "cancel1", "cancel1", {}));
    INFO("CANCEL at bob:\n" << s.got.back());
    REQUIRE(cancel);
    CHECK(cancel->method() == "CANCEL");
    CHECK(cancel->request_uri() == inv->request_uri());
    CHECK(values(*cancel, sip::header_id::via) == std::vector<std::string>{values(*inv, sip::header_id::via)[0]});
    CHECK(cancel->cseq()->number == 1u);
    std::error_code ec;
    CHECK(sip::cancelled_transaction_id(*cancel, ec) == sip::server_transaction_id(*inv, ec));
    const std::string cancel_ok = s.mb.next(s.alice);
    auto ok = sip::parse(cancel_ok);
    REQUIRE(ok);
    CHECK(ok->status_code() == 200);
    CHECK(ok->cseq()->method == "CANCEL");
    CHECK(values(*ok, sip::header_id::via) == std::vector<std::string>{"SIP/2.0/WS " + alice_host + ";branch=z9hG4bKcancel1"});

    // bob answers both; alice gets the 487 only (the proxy keeps the 200 to its CANCEL).
    REQUIRE_FALSE(s.c.registry().send(bob, answer(*cancel, "200 OK", {})));
    REQUIRE_FALSE(s.c.registry().send(bob, answer(*inv, "487 Request Terminated", {})));
    const std::string terminated = s.mb.next(s.alice);
    INFO("at alice:\n" << terminated);
    auto t = sip::parse(terminated);
    REQUIRE(t);
    CHECK(t->status_code() == 487);
    CHECK(t->cseq()->method == "INVITE");
    // The proxy ACKs the 487 itself (RFC 3261 17.1.1.3): same branch and CSeq number as the INVITE.
    const std::string ack_text = s.mb.next(bob);
    INFO("ACK at bob:\n" << ack_text);
    auto ack = sip::parse(ack_text);
    REQUIRE(ack);
    CHECK(ack->method() == "ACK");
    CHECK(values(*ack, sip::header_id::via) == std::vector<std::string>{values(*inv, sip::header_id::via)[0]});
    CHECK(ack->cseq()->number == 1u);
    CHECK(ack->to()->has_tag());

    // Nothing pending any more: a second CANCEL, and one of no INVITE at all, get 481.
    REQUIRE_FALSE(s.c.registry().send(s.alice, invite("CANCEL", "cancel1", "cancel1", {})));
    CHECK(status_of(s.mb.next(s.alice)) == 481);
    REQUIRE_FALSE(s.c.registry().send(s.alice, invite("CANCEL", "never-sent", "never-sent", {})));
    CHECK(status_of(s.mb.next(s.alice)) == 481);
    CHECK(s.mb.next(bob, 300ms).empty());
    CHECK(sipws::test::field_of(s.proxy.counters(), "pending") == "0");
}

TEST_CASE("sipws-proxy: the callee's flow dies while ringing: the caller gets 430 for the INVITE",
          "[integration][proxy][dialog][OB5626-5.3.1-a]") {
    call_setup s;
    const tr::flow_id bob = s.bob[0];
    INFO("proxy:\n" << s.proxy.output());
    auto inv = s.at_bob(bob, invite("INVITE", "dies1", "dies1", {}));
    REQUIRE(inv);
    CHECK(status_of(s.mb.next(s.alice)) == 100);
    REQUIRE_FALSE(s.c.registry().send(bob, answer(*inv, "180 Ringing", {})));
    CHECK(status_of(s.mb.next(s.alice)) == 180);
    CHECK(sipws::test::field_of(s.proxy.counters(), "pending") == "1");
    if (auto conn = s.c.registry().find(bob)) conn->abort();
    const std::string failed = s.mb.next(s.alice);
    INFO("at alice:\n" << failed);
    auto f = sip::parse(failed);
    REQUIRE(f);
    CHECK(f->status_code() == 430);
    CHECK(f->cseq()->method == "INVITE");
    CHECK(f->to()->has_tag());
    CHECK(sipws::test::field_of(s.proxy.counters(), "pending") == "0");
}
