#include <sipws/rfc7118/proxy_checks.hpp>
#include <sipws/sip/parser.hpp>

#include "support/test.hpp"

#include <string>

using namespace sipws;
using namespace sipws::rfc7118;

namespace {
std::optional<proxy_refusal> check(const std::string& ruri, const std::string& extra,
                                   const proxy_check_options& o = {}) {
    const std::string raw = "INVITE " + ruri + " SIP/2.0\r\n"
                            "Via: SIP/2.0/WSS df7jal23ls0d.invalid;branch=z9hG4bK56sdasks\r\n"
                            "From: <sip:alice@example.com>;tag=asdyka899\r\nTo: <sip:bob@example.com>\r\n"
                            "Call-ID: asidkj3ss\r\nCSeq: 1 INVITE\r\n" + extra + "\r\n";
    auto r = sip::parse(raw);
    REQUIRE(r);
    return check_proxied_request(*r, o);
}
} // namespace

TEST_CASE("proxy checks: Max-Forwards 0 is 483, an unknown Request-URI scheme 416",
          "[rfc7118][proxy][SIP3261-16.3-a]") {
    CHECK_FALSE(check("sip:bob@example.com", "Max-Forwards: 70\r\n"));
    CHECK_FALSE(check("sip:bob@example.com", "Max-Forwards: 1\r\n"));
    CHECK_FALSE(check("sip:bob@example.com", "")); // no Max-Forwards: the proxy adds one
    auto hops = check("sip:bob@example.com", "Max-Forwards: 0\r\n");
    REQUIRE(hops);
    CHECK(hops->status == 483);

    CHECK_FALSE(check("sips:bob@example.com", "Max-Forwards: 70\r\n"));
    CHECK_FALSE(check("tel:+15551234567", "Max-Forwards: 70\r\n"));
    auto scheme = check("mailto:bob@example.com", "Max-Forwards: 70\r\n");
    REQUIRE(scheme);
    CHECK(scheme->status == 416);
    proxy_check_options sip_only;
    sip_only.tel = false;
    sip_only.sips = false;
    CHECK(check("tel:+15551234567", "Max-Forwards: 70\r\n", sip_only)->status == 416);
    CHECK(check("sips:bob@example.com", "Max-Forwards: 70\r\n", sip_only)->status == 416);
    // The scheme is checked before Max-Forwards (RFC 3261 16.3 order).
    CHECK(check("mailto:bob@example.com", "Max-Forwards: 0\r\n")->status == 416);
}

TEST_CASE("proxy checks: Proxy-Require with unknown option tags is 420 listing them in Unsupported",
          "[rfc7118][proxy][SIP3261-16.3-a]") {
    CHECK_FALSE(check("sip:bob@example.com", "Max-Forwards: 70\r\nProxy-Require: outbound\r\n"));
    CHECK_FALSE(check("sip:bob@example.com", "Max-Forwards: 70\r\nProxy-Require: PATH, Gruu\r\n"));
    auto r = check("sip:bob@example.com", "Max-Forwards: 70\r\nProxy-Require: outbound, foo\r\nProxy-Require: bar\r\n");
    REQUIRE(r);
    CHECK(r->status == 420);
    CHECK(r->headers == "Unsupported: foo, bar\r\n");
    // Require is for the UAS, not the proxy; unknown headers are forwarded untouched.
    CHECK_FALSE(check("sip:bob@example.com", "Max-Forwards: 70\r\nRequire: foo\r\nX-Unknown: ?\r\n"));
    proxy_check_options none;
    none.supported.clear();
    CHECK(check("sip:bob@example.com", "Max-Forwards: 70\r\nProxy-Require: outbound\r\n", none)->headers ==
          "Unsupported: outbound\r\n");
}

TEST_CASE("proxy checks: responses pass, an unknown method is no reason to refuse",
          "[rfc7118][proxy][SIP3261-16.3-a]") {
    const std::string rsp = "SIP/2.0 200 OK\r\nVia: SIP/2.0/WSS a.invalid;branch=z9hG4bK1\r\n"
                            "From: <sip:a@b>;tag=1\r\nTo: <sip:c@d>;tag=2\r\nCall-ID: x\r\nCSeq: 1 INVITE\r\n"
                            "Max-Forwards: 0\r\n\r\n";
    auto r = sip::parse(rsp);
    REQUIRE(r);
    CHECK_FALSE(check_proxied_request(*r));
    const std::string odd = "FROBNICATE sip:bob@example.com SIP/2.0\r\nVia: SIP/2.0/WSS a.invalid;branch=z9hG4bK2\r\n"
                            "From: <sip:a@b>;tag=1\r\nTo: <sip:bob@example.com>\r\nCall-ID: y\r\n"
                            "CSeq: 1 FROBNICATE\r\nMax-Forwards: 5\r\nDate: not a date\r\n\r\n";
    auto o = sip::parse(odd);
    REQUIRE(o);
    CHECK_FALSE(check_proxied_request(*o));
}

TEST_CASE("proxy checks: a sips request crosses only secure hops", "[rfc7118][proxy][WS7118-9.2-a]") {
    auto hop = [](const std::string& ruri, bool secure) {
        const std::string raw = "MESSAGE " + ruri + " SIP/2.0\r\n"
                                "Via: SIP/2.0/WSS df7jal23ls0d.invalid;branch=z9hG4bK56sdasks\r\n"
                                "From: <sips:alice@example.com>;tag=a\r\nTo: <sips:bob@example.com>\r\n"
                                "Call-ID: c\r\nCSeq: 1 MESSAGE\r\n\r\n";
        auto r = sip::parse(raw);
        REQUIRE(r);
        return check_hop_security(*r, secure);
    };
    CHECK_FALSE(hop("sips:bob@example.com", true));
    auto refused = hop("sips:bob@example.com", false);
    REQUIRE(refused);
    CHECK(refused->status == 480);
    CHECK(refused->reason.find("sips") != std::string::npos);
    CHECK_FALSE(hop("sip:bob@example.com", false));
    CHECK_FALSE(hop("SIPS:bob@example.com;transport=ws", true));
    CHECK(hop("SIPS:bob@example.com;transport=ws", false));
}
