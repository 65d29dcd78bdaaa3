// RFC 7118 section 8 replayed across the edge: Alice is a SIP WebSocket
// client built from sipws's connector and rfc7118 UA helpers; the edge is
// the real sipws-gateway program; proxy.example.com's UDP side (registrar,
// proxy and Bob) is a UDP socket owned by the test, answering with the
// library's registrar. Every hop is checked against EXAMPLES.md (E1, E1-V,
// E2-F1 .. E2-F11, E3), once over ws and once over wss.
#include "transport_support.hpp"

#include <sipws/rfc7118/identifiers.hpp>
#include <sipws/rfc7118/registrar.hpp>
#include <sipws/rfc7118/retarget.hpp>
#include <sipws/rfc7118/ua_registration.hpp>
#include <sipws/rfc7118/ua_request.hpp>
#include <sipws/rfc7118/ua_via.hpp>
#include <sipws/sip/parser.hpp>
#include <sipws/sip/response.hpp>

#include "support/gateway.hpp"
#include "support/mailbox.hpp"
#include "support/test.hpp"
#include "support/udp_endpoint.hpp"

#include <future>
#include <thread>
#include <sstream>
#include <string>
#include <vector>

using namespace std::chrono_literals;
namespace tr = sipws::transport;
namespace sip = sipws::sip;
namespace r7 = sipws::rfc7118;

namespace {

constexpr const char* alice_host = "df7jal23ls0d.invalid";
constexpr const char* alice_instance = "urn:uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6";

std::vector<std::string> values(const sip::message& m, sip::header_id id) {
    std::vector<std::string> out;
    for (auto v : m.values(id)) out.emplace_back(v);
    return out;
}

sip::uri uri_of(const std::string& name_addr_text, std::string& keep) {
    std::error_code ec;
    keep = name_addr_text;
    sip::name_addr na = sip::parse_name_addr(keep, ec);
    REQUIRE_FALSE(ec);
    return na.uri;
}

sip::via via_of(const std::string& text) {
    std::error_code ec;
    sip::via v = sip::parse_via(text, ec);
    REQUIRE_FALSE(ec);
    return v;
}

/// E3-f: `.invalid` appears on the UDP side only in Via rows (and in the
/// Contact of a REGISTER, which is the binding itself).
bool invalid_only_in_via(const std::string& msg) {
    std::istringstream in(msg);
    std::string line;
    while (std::getline(in, line)) {
        if (line.empty() || line == "\r") break;
        if (line.find(".invalid") != std::string::npos && line.rfind("Via:", 0) != 0) return false;
    }
    return true;
}

/// The header rows of a request that Bob (on the UDP side) sends in the dialog.
std::string bob_request(const std::string& method, unsigned cseq, const std::string& ruri,
                        const std::vector<std::string>& route, const std::string& via, unsigned max_forwards = 70) {
    std::string out = method + " " + ruri + " SIP/2.0\r\nVia: " + via + "\r\n";
    for (const auto& r : route) out += "Route: " + r + "\r\n";
    out += "From: <sip:bob@example.com>;tag=bmqkjhsd\r\nTo: <sip:alice@example.com>;tag=asdyka899\r\n"
           "Call-ID: asidkj3ss\r\nCSeq: " + std::to_string(cseq) + " " + method + "\r\n"
           "Max-Forwards: " + std::to_string(max_forwards) + "\r\nContent-Length: 0\r\n\r\n";
    return out;
}

void replay(bool secure) {
    sipws::test::udp_endpoint upstream; // proxy.example.com's UDP side: registrar, proxy, Bob
    sipws::test::sipws_gateway gw(upstream.port(), false, secure);
    sipws::test::io_runner run(1);
    tr::connector<> c(run.io);
    if (secure) c.set_ca_file(gw.ca_file());
    sipws::test::mailbox mb;
    c.on_message(mb.handler());
    const tr::flow_id alice = sipws::test::open_flow(c, (secure ? gw.wss_url() : gw.ws_url()) + "/");
    REQUIRE(alice != 0);
    // The edge's WebSocket interface as it names itself in URIs.
    const std::string edge_ws = secure ? "[::1]:" + std::to_string(gw.wss_port())
                                       : "127.0.0.1:" + std::to_string(gw.ws_port());
    const std::string bob_host = "127.0.0.1:" + std::to_string(upstream.port());
    auto gateway_log = [&] { return gw.output(); };

    // ---- E1: registration through the edge (E1-F3, E1-V, E1-F4) -------------------------
    r7::registration_options ro;
    ro.registrar_uri = "sip:example.com";
    ro.aor = "sip:alice@example.com";
    ro.contact = r7::make_ua_contact("alice", secure, alice_instance);
    ro.contact.host = alice_host;
    r7::registration reg(ro);
    const std::string register_text = reg.register_request();
    auto sent_reg = sip::parse(register_text);
    REQUIRE(sent_reg);
    const std::string alice_reg_via(sent_reg->value(sip::header_id::via));
    REQUIRE_FALSE(c.registry().send(alice, register_text));

    const std::string reg_up = upstream.receive(10s);
    INFO("REGISTER on the UDP side:\n" << reg_up << "\ngateway:\n" << gateway_log());
    auto ru = sip::parse(reg_up);
    REQUIRE(ru);
    // The edge's UDP side, as it names itself (its socket's address).
    const unsigned short edge_udp_port = upstream.last_source_port();
    const std::string edge_udp = "127.0.0.1:" + std::to_string(edge_udp_port);
    CHECK(ru->start_line() == "REGISTER sip:example.com SIP/2.0"); // E1-F3-a
    auto vias = values(*ru, sip::header_id::via);
    REQUIRE(vias.size() == 2);
    sip::via edge_via = via_of(vias[0]);
    CHECK(edge_via.transport == "UDP");
    CHECK(edge_via.sent_by == edge_udp);
    CHECK(edge_via.has_magic_cookie());
    const std::string reg_edge_branch(edge_via.branch); // vias is reused below
    CHECK(vias[1] == alice_reg_via); // E3-d: no received, no rport value added on the WS hop
    sip::via av = via_of(vias[1]);
    CHECK(av.transport == (secure ? "WSS" : "WS")); // WS7118-5.1-a
    CHECK(av.host == alice_host);                  // E1-F3-b
    CHECK(av.received.empty());
    CHECK_FALSE(av.rport_has_value);
    // E1-V: a topmost Path naming the edge's UDP side, flow token in the user part, ob and lr.
    auto path = values(*ru, sip::header_id::path);
    REQUIRE(path.size() == 1);
    std::string keep_path;
    sip::uri pu = uri_of(path[0], keep_path);
    CHECK(pu.has_user);
    CHECK(pu.user.size() >= 16);
    CHECK(std::string(pu.host) + ":" + std::to_string(pu.port) == edge_udp);
    CHECK(pu.lr());
    CHECK(pu.ob());
    CHECK(ru->max_forwards() == 69u);
    for (auto id : {sip::header_id::from, sip::header_id::to, sip::header_id::call_id, sip::header_id::cseq,
                    sip::header_id::supported, sip::header_id::contact})
        CHECK(ru->value(id) == sent_reg->value(id)); // E1-F3-c/d/e/f unchanged by the edge
    CHECK_FALSE(ru->has(sip::header_id::record_route));
    CHECK(ru->has_content_length());

    // The registrar behind the edge: Outbound through the Path's ob (OB5626-6-a), Path echoed.
    r7::memory_binding_store store;
    r7::registrar registrar(store, {}, r7::temp_gruu_codec(r7::temp_gruu_codec::key::generate(1)));
    auto outcome = registrar.handle(*ru, 0, r7::binding_clock::now());
    REQUIRE(outcome.status == 200);
    const std::string reg_ok = outcome.response(*ru, "12isjljn8");
    upstream.send_to(edge_udp_port, reg_ok); // RFC 3261 18.2.2: to the top Via's sent-by

    const std::string reg_ok_ws = mb.next(alice);
    INFO("200 at Alice:\n" << reg_ok_ws);
    auto ro_ws = sip::parse(reg_ok_ws);
    REQUIRE(ro_ws);
    CHECK(values(*ro_ws, sip::header_id::via) == std::vector<std::string>{alice_reg_via}); // E1-F4-a
    CHECK(values(*ro_ws, sip::header_id::path) == path);     // PA3327-5.2-b: Path not modified
    CHECK(ro_ws->has_option_tag(sip::header_id::require, "outbound")); // E1-V, OB5626-6-c
    CHECK(ro_ws->to()->tag() == "12isjljn8");                          // E1-F4-b
    auto ev = reg.on_response(*ro_ws);
    REQUIRE(ev.what == r7::registration::event::kind::registered);
    CHECK(reg.outbound_active());
    CHECK(reg.call_id() == std::string(ro_ws->call_id()));
    const std::string pub_gruu = reg.gruus().pub();
    CHECK(pub_gruu == std::string("sip:alice@example.com;gr=") + alice_instance); // E1-F4-d
    CHECK_FALSE(reg.gruus().temp().empty());

    // ---- E2-F1: INVITE from Alice, with a pre-loaded Route to the edge ----------------------
    const std::string sdp = "v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nc=IN IP4 0.0.0.0\r\nt=0 0\r\nm=audio 9 RTP/AVP 0\r\n";
    r7::request_spec is;
    is.method = "INVITE";
    is.request_uri = "sip:bob@example.com";
    is.via = r7::make_ua_via(secure, alice_host, r7::make_branch());
    is.from = r7::make_name_addr("sip:alice@example.com");
    is.from_tag = "asdyka899";
    is.to = r7::make_name_addr("sip:bob@example.com");
    is.call_id = "asidkj3ss";
    is.contact = "<" + reg.gruus().contact_uri(r7::contact_uri(ro.contact)) + ";ob>"; // E2-F1-c
    is.headers = {{"Supported", "path, outbound, gruu"}, {"Route", "<sip:" + edge_ws + ";transport=ws;lr>"}};
    is.content_type = "application/sdp";
    is.body = sdp;
    std::string invite = r7::make_request(is);
    // As printed in the RFC: no Content-Length on the WebSocket hop (WS7118-5-c).
    invite.erase(invite.find("Content-Length: "), std::string("Content-Length: ").size() + std::to_string(sdp.size()).size() + 2);
    auto sent_inv = sip::parse(invite);
    REQUIRE(sent_inv);
    REQUIRE_FALSE(sent_inv->has_content_length());
    const std::string alice_inv_via = is.via;
    REQUIRE_FALSE(c.registry().send(alice, invite));

    // ---- E2-F3: the INVITE on the UDP side ---------------------------------------------------
    const std::string inv_up = upstream.receive(10s);
    INFO("INVITE on the UDP side:\n" << inv_up << "\ngateway:\n" << gateway_log());
    auto iu = sip::parse(inv_up);
    REQUIRE(iu);
    CHECK(iu->request_uri() == "sip:bob@example.com"); // the edge does not retarget
    vias = values(*iu, sip::header_id::via);
    REQUIRE(vias.size() == 2); // E2-F3-b
    sip::via inv_edge_via = via_of(vias[0]);
    CHECK(inv_edge_via.transport == "UDP");
    CHECK(inv_edge_via.sent_by == edge_udp);
    CHECK(inv_edge_via.has_magic_cookie());
    CHECK(inv_edge_via.branch != reg_edge_branch);
    const std::string inv_edge_branch(inv_edge_via.branch);
    CHECK(vias[1] == alice_inv_via);
    CHECK_FALSE(iu->has(sip::header_id::route)); // E2-F3-c
    auto rr = values(*iu, sip::header_id::record_route);
    REQUIRE(rr.size() == 2); // E2-F3-d: UDP-facing value first, then the WS-facing one with the token
    std::string keep0, keep1;
    sip::uri rr0 = uri_of(rr[0], keep0), rr1 = uri_of(rr[1], keep1);
    CHECK_FALSE(rr0.has_user);
    CHECK(std::string(rr0.host) + ":" + std::to_string(rr0.port) == edge_udp);
    CHECK(rr0.transport() == "udp");
    CHECK(rr0.lr());
    CHECK(rr1.has_user);
    CHECK(rr1.user == pu.user); // the token of Alice's flow (same flow as the Path's)
    CHECK(std::string(rr1.host) + ":" + std::to_string(rr1.port) == edge_ws);
    CHECK((rr1.is_ws_transport() || rr1.is_wss_transport())); // E3-c
    CHECK(rr1.lr());
    CHECK(iu->max_forwards() == 69u); // E2-F3-e
    for (auto id : {sip::header_id::from, sip::header_id::to, sip::header_id::call_id, sip::header_id::cseq,
                    sip::header_id::supported, sip::header_id::contact, sip::header_id::content_type})
        CHECK(iu->value(id) == sent_inv->value(id));
    CHECK(iu->has_content_length()); // E2-F3-f
    CHECK(iu->content_length() == sdp.size());
    CHECK(iu->body() == sdp);
    CHECK(invalid_only_in_via(inv_up)); // E3-f
    CHECK(iu->contact()->uri.is_gruu());

    // ---- E2-F2: 100 Trying from the UDP side reaches Alice ------------------------------------
    upstream.send_to(edge_udp_port, sip::make_response(*iu, 100));
    const std::string trying = mb.next(alice);
    INFO("100 at Alice:\n" << trying);
    auto tm = sip::parse(trying);
    REQUIRE(tm);
    CHECK(tm->status_code() == 100);
    CHECK(values(*tm, sip::header_id::via) == std::vector<std::string>{alice_inv_via}); // E2-F2-a
    CHECK_FALSE(tm->to()->has_tag());

    // ---- E2-F4/F5: Bob's 200, twice (a retransmission, E2-F5-e) --------------------------------
    const std::string bob_contact = "sip:bob@" + bob_host + ";transport=udp";
    sip::response_options bo;
    bo.to_tag = "bmqkjhsd";
    bo.copy_record_route = true;
    const std::string extra = "Contact: <" + bob_contact + ">\r\n";
    bo.extra_headers = extra;
    const std::string bob_ok = sip::make_response(*iu, 200, {}, bo);
    for (int copy = 0; copy < 2; ++copy) {
        upstream.send_to(edge_udp_port, bob_ok);
        const std::string ok = mb.next(alice);
        INFO("200 at Alice (copy " << copy << "):\n" << ok);
        auto okm = sip::parse(ok);
        REQUIRE(okm);
        CHECK(okm->status_code() == 200);
        CHECK(values(*okm, sip::header_id::via) == std::vector<std::string>{alice_inv_via}); // E2-F5-a
        CHECK(values(*okm, sip::header_id::record_route) == rr);                              // E2-F5-b
        CHECK(okm->to()->tag() == "bmqkjhsd");
        CHECK(okm->contact()->uri_text == bob_contact);
    }

    // ---- E2-F6/F7: ACK with the route set (Record-Route reversed) -----------------------------
    r7::request_spec as;
    as.method = "ACK";
    as.request_uri = bob_contact; // E2-F6-a
    as.via = r7::make_ua_via(secure, alice_host, r7::make_branch());
    as.from = is.from;
    as.from_tag = is.from_tag;
    as.to = is.to;
    as.to_tag = "bmqkjhsd";
    as.call_id = is.call_id;
    as.cseq = 1;
    as.headers = {{"Route", rr[1] + ", " + rr[0]}}; // E2-F6-c/d: two values, no trailing comma
    REQUIRE_FALSE(c.registry().send(alice, r7::make_request(as)));
    const std::string ack_up = upstream.receive(10s);
    INFO("ACK on the UDP side:\n" << ack_up << "\ngateway:\n" << gateway_log());
    auto au = sip::parse(ack_up);
    REQUIRE(au);
    CHECK(au->method() == "ACK");
    CHECK(au->request_uri() == bob_contact);
    CHECK_FALSE(au->has(sip::header_id::route)); // E2-F7-a/b
    vias = values(*au, sip::header_id::via);
    REQUIRE(vias.size() == 2); // E2-F7-c
    CHECK(via_of(vias[0]).transport == "UDP");
    CHECK(via_of(vias[0]).branch != inv_edge_branch);
    CHECK(vias[1] == as.via);
    CHECK(au->max_forwards() == 69u);
    CHECK(au->value(sip::header_id::cseq) == "1 ACK"); // E2-F6-e
    CHECK(invalid_only_in_via(ack_up));

    // ---- E2-F8/F9: BYE from Bob, Route = Record-Route in order --------------------------------
    const std::string bob_via = "SIP/2.0/UDP " + bob_host + ";branch=z9hG4bKbiuiansd001";
    const std::string alice_target = std::string(iu->contact()->uri_text); // E2-F8-a
    upstream.send_to(edge_udp_port, bob_request("BYE", 1201, alice_target, rr, bob_via));
    const std::string bye = mb.next(alice);
    INFO("BYE at Alice:\n" << bye << "\ngateway:\n" << gateway_log());
    auto bm = sip::parse(bye);
    REQUIRE(bm);
    CHECK(bm->method() == "BYE");
    CHECK(bm->request_uri() == alice_target); // E2-F9-b
    vias = values(*bm, sip::header_id::via);
    REQUIRE(vias.size() == 2); // E2-F9-c
    sip::via bye_edge_via = via_of(vias[0]);
    CHECK(bye_edge_via.transport == (secure ? "WSS" : "WS"));
    CHECK(bye_edge_via.sent_by == edge_ws);
    CHECK(bye_edge_via.has_magic_cookie());
    CHECK(vias[1] == bob_via); // sent-by is the source address: no received
    CHECK_FALSE(bm->has(sip::header_id::route)); // E2-F9-a/d
    CHECK(bm->max_forwards() == 69u);
    CHECK(bm->value(sip::header_id::cseq) == "1201 BYE"); // E2-F8-c

    // ---- E2-F10/F11: Alice's 200 goes back to the UDP side with Bob's Via only ----------------
    REQUIRE_FALSE(c.registry().send(alice, sip::make_response(*bm, 200))); // E2-F10-a: no received added
    const std::string bye_ok = upstream.receive(10s);
    INFO("200 for BYE on the UDP side:\n" << bye_ok);
    auto bo_up = sip::parse(bye_ok);
    REQUIRE(bo_up);
    CHECK(bo_up->status_code() == 200);
    CHECK(values(*bo_up, sip::header_id::via) == std::vector<std::string>{bob_via}); // E2-F10-b, E2-F11-a
    CHECK(bo_up->value(sip::header_id::cseq) == "1201 BYE");

    // ---- The UDP side asks for rport: the edge stamps received and rport (NAT3581-4-a) --------
    // Bob behind a NAT: his sent-by is his private address.
    const std::string rport_via = "SIP/2.0/UDP 192.0.2.7:5060;branch=z9hG4bK-info-rport;rport";
    upstream.send_to(edge_udp_port, bob_request("INFO", 1202, alice_target, rr, rport_via));
    const std::string info = mb.next(alice);
    INFO("INFO at Alice:\n" << info);
    auto im = sip::parse(info);
    REQUIRE(im);
    vias = values(*im, sip::header_id::via);
    REQUIRE(vias.size() == 2);
    sip::via stamped = via_of(vias[1]);
    CHECK(stamped.received == "127.0.0.1");
    CHECK(stamped.rport_has_value);
    CHECK(stamped.rport == upstream.port());
    REQUIRE_FALSE(c.registry().send(alice, sip::make_response(*im, 200)));
    // NAT3581-4-b: the response goes to received:rport (this socket, not the sent-by of
    // the Via), from the address and port the request arrived on.
    const std::string info_ok = upstream.receive(10s);
    INFO("200 for INFO on the UDP side:\n" << info_ok);
    CHECK(info_ok.rfind("SIP/2.0 200 OK\r\n", 0) == 0);
    CHECK(upstream.last_source_port() == edge_udp_port);
    auto io_up = sip::parse(info_ok);
    REQUIRE(io_up);
    const std::vector<std::string> ok_vias = values(*io_up, sip::header_id::via);
    REQUIRE(ok_vias.size() == 1);
    sip::via answered = via_of(ok_vias[0]);
    CHECK(answered.received == "127.0.0.1");
    CHECK(answered.rport == upstream.port());
    CHECK(answered.port != upstream.port());

    // ---- E2-F3-g: one character of the token altered: 403 ------------------------------------
    std::string forged = rr[1];
    const std::size_t at = forged.find('@') - 1;
    forged[at] = forged[at] == 'A' ? 'B' : 'A';
    upstream.send_to(edge_udp_port, bob_request("INFO", 1203, alice_target, {rr[0], forged}, bob_via));
    const std::string refused = upstream.receive(10s);
    INFO("answer to a forged token:\n" << refused);
    CHECK(refused.rfind("SIP/2.0 403 ", 0) == 0);

    // ---- SIP3261-16.3-a: Max-Forwards 0 is 483 ---------------------------------------------------
    upstream.send_to(edge_udp_port, bob_request("INFO", 1204, alice_target, rr, bob_via, 0));
    CHECK(upstream.receive(10s).rfind("SIP/2.0 483 ", 0) == 0);

    // ---- OB5626-5.4-a: a CRLF CRLF keep-alive between messages is answered with CRLF -----------
    REQUIRE_FALSE(c.registry().send(alice, "\r\n\r\n"));
    CHECK(mb.next(alice) == "\r\n");
    CHECK(upstream.receive(200ms).empty()); // nothing of it went upstream

    // ---- E2-F9-b: Alice's flow is gone: 430 Flow Failed ----------------------------------------
    c.registry().close(alice);
    REQUIRE(sipws::test::wait_until([&] { return gw.output().find(" closed") != std::string::npos; }));
    upstream.send_to(edge_udp_port, bob_request("BYE", 1205, alice_target, rr, bob_via));
    const std::string failed = upstream.receive(10s);
    INFO("answer for a gone flow:\n" << failed << "\ngateway:\n" << gateway_log());
    CHECK(failed.rfind("SIP/2.0 430 Flow Failed\r\n", 0) == 0);
}

} // namespace

TEST_CASE("sipws-gateway: RFC 7118 section 8 registration and INVITE dialog between a WebSocket client and "
          "the UDP side hop by hop",
          "[interop][gateway][section8][E1-F3-a][E1-F3-b][E1-F4-a][E1-F4-b][E1-F4-d][E1-V][E2-F1-c][E2-F2-a]"
          "[E2-F3-b][E2-F3-c][E2-F3-d][E2-F3-e][E2-F3-f][E2-F3-g][E2-F5-a][E2-F5-b][E2-F5-e][E2-F6-c][E2-F7-a]"
          "[E2-F7-c][E2-F8-c][E2-F9-a][E2-F9-b][E2-F9-c][E2-F9-d][E2-F10-a][E2-F11-a][E3-c][E3-d][E3-f]"
          "[WS7118-5-c][WS7118-5-e][WS7118-5.1-a][WS7118-5.3-a][WS7118-5.3-d][WS7118-8-a][OB5626-5.1-a]"
          "[OB5626-5.2-a][OB5626-5.3-a][OB5626-5.3.1-a][OB5626-5.4-a][PA3327-5.2-a][PA3327-5.2-b][NAT3581-4-a][NAT3581-4-b]") {
    SECTION("ws") { replay(false); }
    SECTION("wss on ::1") { replay(true); }
}

namespace {

/// An Alice flow through the gateway, registered with \p reg_id by the
/// registrar on the UDP side.
struct alice_flow {
    tr::flow_id id = 0;
    std::string contact; ///< the registered Contact URI
};

alice_flow register_flow(tr::connector<>& c, sipws::test::mailbox& mb, const std::string& url,
                         sipws::test::udp_endpoint& upstream, r7::registrar& registrar, std::uint32_t reg_id) {
    alice_flow out;
    out.id = sipws::test::open_flow(c, url);
    REQUIRE(out.id != 0);
    r7::registration_options ro;
    ro.registrar_uri = "sip:example.com";
    ro.aor = "sip:alice@example.com";
    ro.contact = r7::make_ua_contact("alice", false, alice_instance, reg_id);
    out.contact = r7::contact_uri(ro.contact);
    r7::registration reg(ro);
    REQUIRE_FALSE(c.registry().send(out.id, reg.register_request()));
    const std::string up = upstream.receive(10s);
    auto m = sip::parse(up);
    REQUIRE(m);
    auto outcome = registrar.handle(*m, 0, r7::binding_clock::now());
    REQUIRE(outcome.status == 200);
    upstream.send_to(upstream.last_source_port(), outcome.response(*m, r7::make_tag()));
    const std::string ok = mb.next(out.id);
    auto okm = sip::parse(ok);
    REQUIRE(okm);
    REQUIRE(reg.on_response(*okm).what == r7::registration::event::kind::registered);
    CHECK(reg.outbound_active());
    return out;
}

/// A MESSAGE from the UDP side to \p ruri (its own Via and Call-ID \p id).
std::string udp_message(const std::string& ruri, const std::string& id, unsigned short port,
                        const std::string& extra = {}) {
    return "MESSAGE " + ruri + " SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:" + std::to_string(port) +
           ";branch=z9hG4bK-" + id + "\r\nFrom: <sip:bob@example.com>;tag=b" + id +
           "\r\nTo: <sip:alice@example.com>\r\nCall-ID: " + id + "\r\nCSeq: 1 MESSAGE\r\nMax-Forwards: 70\r\n" + extra +
           "Content-Type: text/plain\r\nContent-Length: 2\r\n\r\nhi";
}

} // namespace

TEST_CASE("sipws-gateway behind an authoritative proxy: the stored Path is pre-loaded as Route - one flow of "
          "an instance at a time and the other reg-id only after 430 - 430 for what a flow leaves unanswered",
          "[interop][gateway][section8][OB5626-7-a][PA3327-5.4-a][OB5626-5.3.1-a][OB5626-5.1-a]") {
    sipws::test::udp_endpoint upstream;
    sipws::test::sipws_gateway gw(upstream.port());
    sipws::test::mailbox_client ua;
    auto& c = ua.connector;
    auto& mb = ua.mb;
    r7::memory_binding_store store;
    r7::registrar registrar(store);
    const alice_flow one = register_flow(c, mb, gw.ws_url() + "/", upstream, registrar, 1);
    std::this_thread::sleep_for(10ms); // reg-id 2 is the most recently refreshed binding
    const alice_flow two = register_flow(c, mb, gw.ws_url() + "/", upstream, registrar, 2);
    const unsigned short edge_port = upstream.last_source_port();

    // The proxy on the UDP side: by AOR to one flow of the instance, through its Path.
    auto send_to_target = [&](const r7::binding& b, const std::string& id, bool invite = false) {
        std::string raw = udp_message("sip:alice@example.com", id, upstream.port());
        if (invite) {
            raw.replace(0, 7, "INVITE");
            raw.replace(raw.find("1 MESSAGE"), 9, "1 INVITE");
        }
        auto m = sip::parse(raw);
        REQUIRE(m);
        sip::message_builder out(*m);
        r7::retarget(out, *m, b, 0);
        out.push_via("SIP/2.0/UDP 127.0.0.1:" + std::to_string(upstream.port()) + ";branch=z9hG4bK-p" + id);
        const std::string fwd = out.str();
        auto fm = sip::parse(fwd);
        REQUIRE(fm);
        std::vector<std::string> routes;
        for (const sip::name_addr& r : fm->routes()) routes.emplace_back(r.raw);
        CHECK(routes == b.path); // PA3327-5.4-a
        upstream.send_to(edge_port, fwd);
    };

    r7::target_set targets(store.lookup("sip:alice@example.com", r7::binding_clock::now()));
    REQUIRE(targets.size() == 2);
    auto first = targets.initial();
    REQUIRE(first.size() == 1); // one flow per instance at a time
    CHECK(first[0].reg_id == 2);
    send_to_target(first[0], "m1");
    const std::string at_two = mb.next(two.id);
    INFO("MESSAGE at reg-id 2:\n" << at_two << "\ngateway:\n" << gw.output());
    auto am = sip::parse(at_two);
    REQUIRE(am);
    CHECK(am->request_uri() == two.contact);
    CHECK_FALSE(am->has(sip::header_id::route));
    REQUIRE_FALSE(c.registry().send(two.id, sip::make_response(*am, 200)));
    const std::string ok1 = upstream.receive(10s);
    CHECK(ok1.rfind("SIP/2.0 200 OK\r\n", 0) == 0);
    CHECK_FALSE(targets.after_final(first[0], 200)); // a final response: no other flow

    // reg-id 2's connection drops; the proxy still has its binding: 430, then reg-id 1.
    c.registry().close(two.id);
    REQUIRE(sipws::test::wait_until([&] { return gw.output().find(" closed") != std::string::npos; }));
    r7::target_set again(store.lookup("sip:alice@example.com", r7::binding_clock::now()));
    auto retry = again.initial();
    REQUIRE(retry.size() == 1);
    send_to_target(retry[0], "m2");
    const std::string failed = upstream.receive(10s);
    INFO("answer from the edge:\n" << failed);
    auto fm = sip::parse(failed);
    REQUIRE(fm);
    REQUIRE(fm->status_code() == 430);
    auto next = again.after_final(retry[0], fm->status_code());
    REQUIRE(next);
    CHECK(next->reg_id == 1);
    send_to_target(*next, "m3");
    const std::string at_one = mb.next(one.id);
    INFO("MESSAGE at reg-id 1:\n" << at_one);
    auto om = sip::parse(at_one);
    REQUIRE(om);
    CHECK(om->request_uri() == one.contact);
    CHECK(om->body() == "hi");
    REQUIRE_FALSE(c.registry().send(one.id, sip::make_response(*om, 200)));
    CHECK(upstream.receive(10s).rfind("SIP/2.0 200 OK\r\n", 0) == 0);
    CHECK_FALSE(again.after_final(*next, 200));

    // What a flow leaves unanswered when it closes gets 430 from the edge, not silence.
    auto gone_answer = [&](const std::string& method, const std::string& id) {
        const std::string gone = upstream.receive(10s);
        INFO("answer from the edge:\n" << gone << "\ngateway:\n" << gw.output());
        auto gm = sip::parse(gone);
        REQUIRE(gm);
        CHECK(gm->status_code() == 430);
        CHECK(gm->cseq()->method == method);
        CHECK(gm->call_id() == id);
        CHECK(gm->top_via()->branch == "z9hG4bK-p" + id); // the upstream's own Via on top
        CHECK(gw.proc().wait_for_output("flow closed before the final response to " + method, 5s));
    };
    send_to_target(*next, "m4");
    const std::string m4 = mb.next(one.id);
    REQUIRE(sip::parse(m4)->call_id() == "m4");
    c.registry().close(one.id);
    gone_answer("MESSAGE", "m4");

    // An INVITE whose flow dies while ringing: the 180 goes up, then 430.
    const alice_flow three = register_flow(c, mb, gw.ws_url() + "/", upstream, registrar, 3);
    r7::target_set third(store.lookup("sip:alice@example.com", r7::binding_clock::now()));
    auto t3 = third.initial();
    REQUIRE(t3.size() == 1);
    REQUIRE(t3[0].reg_id == 3);
    send_to_target(t3[0], "i5", true);
    const std::string inv = mb.next(three.id);
    auto im = sip::parse(inv);
    REQUIRE(im);
    REQUIRE(im->method() == "INVITE");
    REQUIRE_FALSE(c.registry().send(three.id, sip::make_response(*im, 180)));
    CHECK(upstream.receive(10s).rfind("SIP/2.0 180 Ringing\r\n", 0) == 0);
    if (auto conn = c.registry().find(three.id)) conn->abort();
    gone_answer("INVITE", "i5");
}

TEST_CASE("sipws-gateway: requests it cannot proxy from either side - Max-Forwards 0 (483) - Request-URI "
          "scheme (416) - Proxy-Require (420 with Unsupported)",
          "[interop][gateway][SIP3261-16.3-a]") {
    sipws::test::udp_endpoint upstream;
    sipws::test::sipws_gateway gw(upstream.port());
    sipws::test::mailbox_client ua;
    const tr::flow_id alice = ua.open(gw.ws_url() + "/");
    REQUIRE(alice != 0);
    auto& c = ua.connector;
    auto& mb = ua.mb;

    auto from_alice = [&](const std::string& ruri, const std::string& extra,
                          std::chrono::milliseconds wait = std::chrono::seconds(10)) {
        r7::request_spec s = r7::make_out_of_dialog_spec("MESSAGE", ruri, "sip:alice@example.com");
        s.via = r7::make_ua_via(false, alice_host, r7::make_branch());
        s.headers = {{"X-Extra", "1"}};
        std::string text = r7::make_request(s);
        text.insert(text.find("X-Extra"), extra);
        REQUIRE_FALSE(c.registry().send(alice, text));
        return mb.next(alice, wait);
    };
    CHECK(from_alice("sip:bob@example.com", "Proxy-Require: foo, outbound\r\n").rfind("SIP/2.0 420 ", 0) == 0);
    const std::string r420 = from_alice("sip:bob@example.com", "Proxy-Require: x-frob\r\n");
    auto m420 = sip::parse(r420);
    REQUIRE(m420);
    CHECK(m420->status_code() == 420);
    CHECK(m420->value(sip::header_id::unsupported) == "x-frob");
    CHECK(from_alice("mailto:bob@example.com", "").rfind("SIP/2.0 416 ", 0) == 0);
    // Nothing of that reached the UDP side; a supported Proxy-Require and an unknown header pass.
    CHECK(from_alice("sip:bob@example.com", "Proxy-Require: outbound\r\nX-Unknown: kept\r\n", 300ms).empty());
    const std::string passed = upstream.receive(10s);
    INFO("on the UDP side:\n" << passed);
    CHECK(passed.rfind("MESSAGE sip:bob@example.com SIP/2.0\r\n", 0) == 0);
    CHECK(passed.find("X-Unknown: kept\r\n") != std::string::npos);
    CHECK(upstream.receive(200ms).empty());

    upstream.send_to(upstream.last_source_port(), udp_message("sip:alice@example.com", "u1", upstream.port(),
                                                              "Proxy-Require: bar\r\n"));
    const std::string up420 = upstream.receive(10s);
    INFO(up420);
    CHECK(up420.rfind("SIP/2.0 420 ", 0) == 0);
    CHECK(up420.find("Unsupported: bar\r\n") != std::string::npos);
    std::string hops = udp_message("sip:alice@example.com", "u2", upstream.port());
    hops.replace(hops.find("Max-Forwards: 70"), 16, "Max-Forwards: 0");
    upstream.send_to(upstream.last_source_port(), hops);
    CHECK(upstream.receive(10s).rfind("SIP/2.0 483 ", 0) == 0);
}
