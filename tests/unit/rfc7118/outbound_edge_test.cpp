#include <sipws/rfc7118/outbound_edge.hpp>
#include <sipws/rfc7118/web_identity.hpp>
#include <sipws/sip/parser.hpp>

#include "support/test.hpp"

#include <set>
#include <string>

using namespace sipws;
using namespace sipws::rfc7118;
using route_action = route_result::action;

namespace {
outbound_edge make_edge() {
    outbound_edge e(flow_token_codec(flow_token_key::generate(1)), "proxy.example.com:443");
    e.add_alias("192.0.2.10");
    return e;
}

std::string request(const std::string& method, const std::string& ruri, const std::string& extra,
                    const std::string& from = "sip:alice@example.com") {
    return method + " " + ruri + " SIP/2.0\r\n"
           "Via: SIP/2.0/WSS df7jal23ls0d.invalid;branch=z9hG4bK56sdasks\r\n"
           "From: <" + from + ">;tag=asdyka899\r\n"
           "To: <sip:bob@example.com>\r\n"
           "Call-ID: asidkj3ss\r\n"
           "CSeq: 1 " + method + "\r\n"
           "Max-Forwards: 70\r\n" + extra + "\r\n";
}

const auto all_open = [](transport::flow_id) { return true; };
const auto none_open = [](transport::flow_id) { return false; };
} // namespace

TEST_CASE("outbound edge: Path with the flow token, ob only on the first hop with reg-id",
          "[rfc7118][outbound][OB5626-5.1-a][PA3327-5.2-a][E1-V]") {
    auto edge = make_edge();
    std::string raw = request("REGISTER", "sip:example.com",
                              "Supported: path, outbound\r\n"
                              "Contact: <sip:alice@a.invalid;transport=ws>;reg-id=1;+sip.instance=\"<urn:uuid:1>\"\r\n");
    auto r = sip::parse(raw);
    REQUIRE(r);
    sip::message_builder b(*r);
    REQUIRE(edge.add_path(b, *r, 42) == 0);
    std::string out = b.str();
    auto o = sip::parse(out);
    REQUIRE(o);
    std::string path(o->value(sip::header_id::path));
    CHECK(path == "<sip:" + edge.token(42) + "@proxy.example.com:443;lr;ob>");

    // An edge that reaches its registrar over TCP says so in Path.
    auto tcp_edge = make_edge();
    tcp_edge.set_path_transport("TCP");
    CHECK(tcp_edge.path_value(42) == "<sip:" + tcp_edge.token(42) + "@proxy.example.com:443;lr;ob;transport=tcp>");
    CHECK(tcp_edge.path_value(42, false) ==
          "<sip:" + tcp_edge.token(42) + "@proxy.example.com:443;lr;transport=tcp>");

    // Not the first hop: no ob.
    std::string far = raw;
    far.insert(far.find("Via:"), "Via: SIP/2.0/UDP other.example.com;branch=z9hG4bK9\r\n");
    auto r2 = sip::parse(far);
    REQUIRE(r2);
    sip::message_builder b2(*r2);
    REQUIRE(edge.add_path(b2, *r2, 42) == 0);
    CHECK(b2.str().find(";lr>\r\n") != std::string::npos);

    // The UA does not support path: 421.
    std::string nopath = request("REGISTER", "sip:example.com", "Contact: <sip:alice@a.invalid>\r\n");
    auto r3 = sip::parse(nopath);
    sip::message_builder b3(*r3);
    CHECK(edge.add_path(b3, *r3, 42) == 421);
}

TEST_CASE("outbound edge: double Record-Route across transports, each side with its token",
          "[rfc7118][outbound][WS7118-8-a][WS7118-B.2-a][OB5626-5.3.2-a][E2-F3-d]") {
    auto edge = make_edge();
    std::string raw = request("INVITE", "sip:bob@example.com", "");
    auto r = sip::parse(raw);
    REQUIRE(r);
    {
        sip::message_builder b(*r);
        edge.add_record_routes(b, {"wss", 5, {}}, {"udp", 0, "proxy.example.com"});
        auto out = b.str();
        auto o = sip::parse(out);
        REQUIRE(o);
        std::vector<std::string> rr;
        for (auto v : o->values(sip::header_id::record_route)) rr.emplace_back(v);
        REQUIRE(rr.size() == 2);
        CHECK(rr[0] == "<sip:proxy.example.com;transport=udp;lr>");
        CHECK(rr[1] == "<sip:" + edge.token(5) + "@proxy.example.com:443;transport=ws;lr>");
    }
    {
        // WS to WS: both sides are flows, each value names its own flow.
        sip::message_builder b(*r);
        edge.add_record_routes(b, {"ws", 5, {}}, {"ws", 6, {}});
        auto out = b.str();
        auto o = sip::parse(out);
        std::vector<std::string> rr;
        for (auto v : o->values(sip::header_id::record_route)) rr.emplace_back(v);
        REQUIRE(rr.size() == 2);
        CHECK(rr[0].find(edge.token(6)) != std::string::npos);
        CHECK(rr[1].find(edge.token(5)) != std::string::npos);
    }
    {
        // Same transport, no flows: one value.
        sip::message_builder b(*r);
        edge.add_record_routes(b, {"udp", 0, {}}, {"udp", 0, {}});
        auto out = b.str();
        CHECK(sip::parse(out)->values(sip::header_id::record_route).size() == 1);
    }
}

TEST_CASE("outbound edge: in-dialog requests routed back by token; own routes consumed",
          "[rfc7118][outbound][OB5626-5.3-a][OB5626-5.3.1-a][SIP3261-16.6-a][WS7118-B.2-a]") {
    auto edge = make_edge();
    const std::string caller = "<sip:" + edge.token(5) + "@proxy.example.com:443;transport=ws;lr>";
    const std::string callee = "<sip:" + edge.token(6) + "@proxy.example.com:443;transport=ws;lr>";

    // BYE from the callee (flow 6): Route = callee side, caller side.
    std::string bye = request("BYE", "sip:alice@a.invalid;transport=ws", "Route: " + callee + ", " + caller + "\r\n");
    auto r = sip::parse(bye);
    REQUIRE(r);
    route_result res = edge.route(*r, 6, all_open);
    CHECK(res.act == route_action::to_flow);
    CHECK(res.flow == 5);
    CHECK(res.own_routes == 2);
    CHECK(res.outgoing);

    // BYE from the caller (flow 5): Route = caller side, callee side.
    std::string bye2 = request("BYE", "sip:bob@b.invalid;transport=ws", "Route: " + caller + "\r\nRoute: " + callee + "\r\n");
    auto r2 = sip::parse(bye2);
    res = edge.route(*r2, 5, all_open);
    CHECK(res.act == route_action::to_flow);
    CHECK(res.flow == 6);
    CHECK(res.own_routes == 2);

    // A plain Route to the edge (alias, any port) is consumed, routing goes on by R-URI.
    std::string init = request("INVITE", "sip:bob@example.com", "Route: <sip:192.0.2.10:5060;lr>, <sip:next.example.net;lr>\r\n");
    auto r3 = sip::parse(init);
    res = edge.route(*r3, 5, all_open);
    CHECK(res.act == route_action::local);
    CHECK(res.own_routes == 1);

    // A request whose R-URI is a flow URI (contact reached through Path).
    std::string viapath = request("MESSAGE", "sip:" + edge.token(9) + "@proxy.example.com:443;lr;ob", "");
    auto r4 = sip::parse(viapath);
    res = edge.route(*r4, 5, all_open);
    CHECK(res.act == route_action::to_flow);
    CHECK(res.flow == 9);
    CHECK(res.by_request_uri);
}

TEST_CASE("outbound edge: forged or stale tokens get 403, a dead flow 430 Flow Failed",
          "[rfc7118][outbound][OB5626-5.3.1-a][OB5626-5.2-a][OB5626-11-a][E2-F3-g]") {
    auto edge = make_edge();
    std::string tok = edge.token(6);
    std::string forged = tok;
    forged[10] = forged[10] == 'A' ? 'B' : 'A';
    for (const std::string& bad : {forged, std::string("notatoken"), tok.substr(1)}) {
        std::string raw = request("BYE", "sip:alice@a.invalid", "Route: <sip:" + bad + "@proxy.example.com:443;lr>\r\n");
        auto r = sip::parse(raw);
        REQUIRE(r);
        route_result res = edge.route(*r, 5, all_open);
        CHECK(res.act == route_action::reject);
        CHECK(res.status == 403);
    }
    // A token of a retired key (stale): 403 as well.
    outbound_edge other(flow_token_codec(flow_token_key::generate(2)), "proxy.example.com:443");
    std::string raw = request("BYE", "sip:alice@a.invalid", "Route: <sip:" + other.token(6) + "@proxy.example.com:443;lr>\r\n");
    auto r = sip::parse(raw);
    CHECK(edge.route(*r, 5, all_open).status == 403);

    std::string dead = request("BYE", "sip:alice@a.invalid", "Route: <sip:" + tok + "@proxy.example.com:443;lr>\r\n");
    auto rd = sip::parse(dead);
    route_result res = edge.route(*rd, 5, none_open);
    CHECK(res.act == route_action::reject);
    CHECK(res.status == 430);
}

TEST_CASE("outbound edge: the edge's Via carries the source flow; responses find it",
          "[rfc7118][outbound][WS7118-5.3-d][SIP3261-18.2.2-a][WS7118-B.1-b][SIP3261-8.1.1.7-a]") {
    auto edge = make_edge();
    std::string inv = request("INVITE", "sip:bob@example.com", "");
    auto r = sip::parse(inv);
    REQUIRE(r);
    std::string via = edge.via_value(*r, 5, "ws");
    CHECK(via.rfind("SIP/2.0/WS proxy.example.com:443;branch=z9hG4bK", 0) == 0);
    CHECK(via == edge.via_value(*r, 5, "ws")); // stateless: same request, same branch
    CHECK(via != edge.via_value(*r, 6, "ws"));
    // Branches of a forked request differ from each other, each stable.
    const std::string fork1 = edge.via_value(*r, 5, "ws", {}, 1);
    CHECK(fork1 != via);
    CHECK(fork1 == edge.via_value(*r, 5, "ws", {}, 1));
    CHECK(fork1 != edge.via_value(*r, 5, "ws", {}, 2));
    CHECK(via == edge.via_value(*r, 5, "ws", {}, 0));

    std::string resp = "SIP/2.0 200 OK\r\nVia: " + via +
                       "\r\nVia: SIP/2.0/WSS df7jal23ls0d.invalid;branch=z9hG4bK56sdasks\r\n"
                       "From: <sip:alice@example.com>;tag=a\r\nTo: <sip:bob@example.com>;tag=b\r\n"
                       "Call-ID: asidkj3ss\r\nCSeq: 1 INVITE\r\n\r\n";
    auto rr = sip::parse(resp);
    REQUIRE(rr);
    transport::flow_id f = 0;
    REQUIRE(edge.response_flow(*rr, f));
    CHECK(f == 5);

    // A response whose top Via is somebody else's (e.g. a .invalid sent-by) is not ours.
    std::string foreign = "SIP/2.0 200 OK\r\nVia: SIP/2.0/WSS df7jal23ls0d.invalid;branch=z9hG4bK56sdasks\r\n"
                          "From: <sip:a@b>;tag=a\r\nTo: <sip:c@d>\r\nCall-ID: x\r\nCSeq: 1 INVITE\r\n\r\n";
    auto rf = sip::parse(foreign);
    CHECK_FALSE(edge.response_flow(*rf, f));
    // A tampered branch is refused.
    std::string tampered = resp;
    tampered[tampered.find('.', tampered.find("branch=")) + 3] ^= 1;
    auto rt = sip::parse(tampered);
    REQUIRE(rt);
    CHECK_FALSE(edge.response_flow(*rt, f));
}

TEST_CASE("outbound edge: a Via toward a flow names that flow's listener; its responses are found",
          "[rfc7118][outbound][E2-F9-c][E2-F10-b][WS7118-5.3-d]") {
    auto edge = make_edge(); // host proxy.example.com:443, alias 192.0.2.10
    std::string bye = request("BYE", "sip:alice@example.com;gr=urn:uuid:f81-7dec-14a06cf1;ob", "");
    auto r = sip::parse(bye);
    REQUIRE(r);
    std::string via = edge.via_value(*r, 0, "WSS", "192.0.2.10");
    CHECK(via.rfind("SIP/2.0/WSS 192.0.2.10;branch=z9hG4bK", 0) == 0);
    // Only the sent-by differs from the edge's own Via: same branch.
    std::string own = edge.via_value(*r, 0, "WSS");
    CHECK(own.rfind("SIP/2.0/WSS proxy.example.com:443;branch=", 0) == 0);
    CHECK(via.substr(via.find(";branch=")) == own.substr(own.find(";branch=")));

    std::string resp = "SIP/2.0 200 OK\r\nVia: " + via +
                       "\r\nVia: SIP/2.0/UDP 203.0.113.22;branch=z9hG4bKbiuiansd001\r\n"
                       "From: <sip:bob@example.com>;tag=bmqkjhsd\r\nTo: <sip:alice@example.com>;tag=asdyka899\r\n"
                       "Call-ID: asidkj3ss\r\nCSeq: 1201 BYE\r\n\r\n";
    auto rr = sip::parse(resp);
    REQUIRE(rr);
    transport::flow_id f = 99;
    REQUIRE(edge.response_flow(*rr, f));
    CHECK(f == 0);
    // A sent-by that is not one of the edge's names is not ours.
    std::string other = resp;
    other.replace(other.find("192.0.2.10"), 10, "192.0.2.11");
    auto ro = sip::parse(other);
    REQUIRE(ro);
    CHECK_FALSE(edge.response_flow(*ro, f));
}

TEST_CASE("web identity: From (and To of REGISTER) must match the handshake identity",
          "[rfc7118][web-auth][WS7118-A-b][WS7118-A-c]") {
    using transport::web_auth_verdict;
    std::string msg = request("MESSAGE", "sip:bob@example.com", "");
    auto r = sip::parse(msg);
    REQUIRE(r);
    CHECK(check_web_identity(*r, web_auth_verdict::authenticated, "sip:alice@example.com"));
    CHECK(check_web_identity(*r, web_auth_verdict::authenticated, "alice"));
    auto bad = check_web_identity(*r, web_auth_verdict::authenticated, "sip:mallory@example.com");
    CHECK(bad.status == 403);
    CHECK(bad.reason == "Forbidden - From does not match the web identity");
    CHECK(check_web_identity(*r, web_auth_verdict::not_checked, "", true).status == 403);
    CHECK(check_web_identity(*r, web_auth_verdict::not_checked, "", false));

    // REGISTER: To is the AOR being registered.
    std::string reg = "REGISTER sip:example.com SIP/2.0\r\nVia: SIP/2.0/WS a.invalid;branch=z9hG4bK1\r\n"
                      "From: <sip:alice@example.com>;tag=1\r\nTo: <sip:bob@example.com>\r\n"
                      "Call-ID: c\r\nCSeq: 1 REGISTER\r\n\r\n";
    auto rg = sip::parse(reg);
    REQUIRE(rg);
    auto res = check_web_identity(*rg, web_auth_verdict::authenticated, "sip:alice@example.com");
    CHECK(res.status == 403);
    CHECK(res.reason == "Forbidden - To does not match the web identity");
}
