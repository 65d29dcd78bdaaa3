#include <sipws/sip/uri.hpp>

#include "support/test.hpp"

#include <string>

using namespace sipws::sip;

namespace {
uri must_parse(std::string_view s) {
    std::error_code ec;
    uri u = parse_uri(s, ec);
    INFO(s);
    REQUIRE_FALSE(ec);
    return u;
}
} // namespace

TEST_CASE("uri: components of SIP and SIPS URIs", "[sip][uri][SIP3261-19.1-a]") {
    uri u = must_parse("sips:alice:secret@Example.COM:5061;transport=ws;lr;maddr=239.255.255.1?subject=project%20x&priority=urgent");
    CHECK(u.scheme == uri_scheme::sips);
    CHECK(u.user == "alice");
    CHECK(u.password == "secret");
    CHECK(u.host == "Example.COM");
    CHECK(u.host_type == host_kind::name);
    CHECK(u.port == 5061);
    CHECK(u.has_port);
    CHECK(u.transport() == "ws");
    CHECK(u.is_ws_transport());
    CHECK(u.lr());
    CHECK(u.param("maddr") == "239.255.255.1");
    CHECK(u.headers == "subject=project%20x&priority=urgent");

    uri v6 = must_parse("sip:[2001:db8::10]:5070");
    CHECK(v6.host == "[2001:db8::10]");
    CHECK(v6.host_address() == "2001:db8::10");
    CHECK(v6.host_type == host_kind::ipv6);
    CHECK_FALSE(v6.has_user);

    uri v4 = must_parse("sip:192.0.2.4");
    CHECK(v4.host_type == host_kind::ipv4);
    CHECK(v4.port_or_default() == 5060);

    uri esc = must_parse("sip:sip%3Auser%40example.com@company.com;other-param=summit");
    CHECK(unescape(esc.user) == "sip:user@example.com");

    uri semi = must_parse("sip:user;par=u%40example.net@example.com");
    CHECK(semi.user == "user;par=u%40example.net");
    CHECK(semi.host == "example.com");

    uri gr = must_parse("sip:87ash54=3dd.98a@example.com;gr");
    CHECK(gr.user == "87ash54=3dd.98a");
    CHECK(gr.is_gruu());
    uri pub = must_parse("sip:alice@example.com;gr=urn:uuid:f81-7dec-14a06cf1;ob");
    CHECK(pub.param("gr") == "urn:uuid:f81-7dec-14a06cf1");
    CHECK(pub.ob());

    uri wss = must_parse("sip:proxy.example.com;transport=WSS");
    CHECK(wss.is_wss_transport());
    CHECK(wss.port_or_default() == 443);
    CHECK(must_parse("sip:p.example.com;transport=ws").port_or_default() == 80);
    CHECK(must_parse("sips:p.example.com;transport=ws").port_or_default() == 443);
}

TEST_CASE("uri: tel and other absolute URIs stay opaque", "[sip][uri][SIP3261-7.1-b]") {
    uri t = must_parse("tel:+1-201-555-0123;phone-context=example.com");
    CHECK(t.scheme == uri_scheme::tel);
    CHECK(t.opaque == "+1-201-555-0123;phone-context=example.com");
    uri n = must_parse("urn:uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6");
    CHECK(n.scheme == uri_scheme::other);
    CHECK(n.scheme_name == "urn");
    CHECK(to_string(n) == "urn:uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6");
}

TEST_CASE("uri: malformed URIs are rejected", "[sip][uri][SIP3261-19.1-a]") {
    for (std::string s : {"", "sip:", "sip:user@", "sip:host:99999", "sip:host:", "sip:a b", "sip:[::1",
                          "sip:host;lr;lr", "sip:user%4@host", "sip:ho_st", "1sip:host", "sip:host?x",
                          "tel:", "sip:host;transport=ws;TRANSPORT=udp", "sip:[zz::1]", "sip:-host.com",
                          "sip:a..b", "sip:256.1.1.1", "sip:host:65536", "sip:host:000443", "sip:host:1x",
                          "sip:host:1234567"}) {
        INFO(s);
        std::error_code ec;
        parse_uri(s, ec);
        CHECK(ec);
    }
    std::error_code ec;
    // a port has one to five digits and is at most 65535
    CHECK(must_parse("sip:host:00443").port == 443);
    CHECK(must_parse("sip:host:65535;lr").port == 65535);
    CHECK(must_parse("sip:a@host:0").port == 0);
    parse_uri("sip:host;lr;lr", ec);
    CHECK(ec == errc::duplicate_parameter);
    parse_uri("sip:a@b?Route=%3Csip:x%3E", ec, {false});
    CHECK(ec == errc::bad_uri);
}

TEST_CASE("uri: comparison per RFC 3261 19.1.4", "[sip][uri][SIP3261-19.1-b][SIP3261-7.3-e]") {
    // equivalent pairs from RFC 3261 19.1.4
    CHECK(equivalent("sip:%61lice@atlanta.com;transport=TCP", "sip:alice@AtLanTa.CoM;Transport=tcp"));
    CHECK(equivalent("sip:carol@chicago.com", "sip:carol@chicago.com;newparam=5"));
    CHECK(equivalent("sip:carol@chicago.com", "sip:carol@chicago.com;security=on"));
    CHECK(equivalent("sip:biloxi.com;transport=tcp;method=REGISTER?to=sip:bob%40biloxi.com",
                     "sip:biloxi.com;method=REGISTER;transport=tcp?to=sip:bob%40biloxi.com"));
    CHECK(equivalent("sip:alice@atlanta.com?subject=project%20x&priority=urgent",
                     "sip:alice@atlanta.com?priority=urgent&subject=project%20x"));
    // non-equivalent pairs
    CHECK_FALSE(equivalent("SIP:ALICE@AtLanTa.CoM;Transport=udp", "sip:alice@AtLanTa.CoM;Transport=UDP"));
    CHECK_FALSE(equivalent("sip:bob@biloxi.com", "sip:bob@biloxi.com:5060"));
    CHECK_FALSE(equivalent("sip:bob@biloxi.com", "sip:bob@biloxi.com;transport=udp"));
    CHECK_FALSE(equivalent("sip:bob@biloxi.com", "sip:bob@biloxi.com:6000;transport=tcp"));
    CHECK_FALSE(equivalent("sip:carol@chicago.com", "sip:carol@chicago.com?Subject=next%20meeting"));
    CHECK_FALSE(equivalent("sip:bob@phone21.boxesbybob.com", "sip:bob@192.0.2.4"));
    CHECK_FALSE(equivalent("sip:carol@chicago.com;security=on", "sip:carol@chicago.com;security=off"));
    CHECK_FALSE(equivalent("sip:a@b", "sips:a@b"));
    // E1-F4-e: a public GRUU equals its AOR under these rules
    CHECK(equivalent("sip:alice@example.com;gr=urn:uuid:f81-7dec-14a06cf1", "sip:alice@example.com"));
}

TEST_CASE("uri: serialisation and escaping", "[sip][uri][SIP3261-19.1-a]") {
    for (std::string s : {"sip:alice@example.com", "sips:a:b@[2001:db8::1]:5061;transport=ws;lr?h=v",
                          "sip:example.com;gr", "tel:+123"}) {
        uri u = must_parse(s);
        CHECK(to_string(u) == s);
        std::error_code ec;
        const std::string text = to_string(u);
        CHECK(equivalent(parse_uri(text, ec), u));
    }
    CHECK(to_string(must_parse("SIP:a@b")) == "sip:a@b");
    CHECK(escape_user("sip:user@example.com") == "sip%3Auser%40example.com");
    CHECK(unescape("a%20b%zz%4") == "a b%zz%4");
    CHECK(unescape(escape_user("weird @ user")) == "weird @ user");
}
