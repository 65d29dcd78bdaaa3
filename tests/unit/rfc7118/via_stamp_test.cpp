#include <sipws/rfc7118/via_stamp.hpp>
#include <sipws/sip/parser.hpp>

#include "support/test.hpp"

#include <string>

using namespace sipws;
using rfc7118::received_policy;

namespace {
std::string request_with_via(const std::string& via) {
    return "OPTIONS sip:proxy.example.com SIP/2.0\r\n"
           "Via: " + via + "\r\n"
           "From: <sip:alice@example.com>;tag=1\r\n"
           "To: <sip:proxy.example.com>\r\n"
           "Call-ID: stamp-1\r\n"
           "CSeq: 1 OPTIONS\r\n"
           "Max-Forwards: 70\r\n\r\n";
}

std::string stamped(const std::string& via, received_policy p, const char* addr = "192.0.2.7",
                    std::uint16_t port = 40000) {
    std::string raw = request_with_via(via);
    auto r = sip::parse(raw);
    REQUIRE(r);
    sip::message_builder b(*r);
    REQUIRE_FALSE(rfc7118::stamp_via(b, *r, addr, port, p));
    std::string out = b.str();
    auto o = sip::parse(out);
    REQUIRE(o);
    return std::string(o->value(sip::header_id::via));
}
} // namespace

TEST_CASE("via stamp: default WS policy adds nothing, not even to a valueless rport",
          "[rfc7118][via][WS7118-5.3-a][WS7118-5.3-c][E1-F4-a]") {
    CHECK(stamped("SIP/2.0/WSS df7jal23ls0d.invalid;branch=z9hG4bKasudf", received_policy::never) ==
          "SIP/2.0/WSS df7jal23ls0d.invalid;branch=z9hG4bKasudf");
    CHECK(stamped("SIP/2.0/WS a.invalid;branch=z9hG4bK1;rport", received_policy::never) ==
          "SIP/2.0/WS a.invalid;branch=z9hG4bK1;rport");
}

TEST_CASE("via stamp: RFC 3261 received when the sent-by is a name or another address",
          "[rfc7118][via][SIP3261-18.2.1-a][WS7118-5.3-a]") {
    CHECK(stamped("SIP/2.0/WS df7jal23ls0d.invalid;branch=z9hG4bK1", received_policy::when_differs) ==
          "SIP/2.0/WS df7jal23ls0d.invalid;branch=z9hG4bK1;received=192.0.2.7");
    CHECK(stamped("SIP/2.0/WS 192.0.2.7:5060;branch=z9hG4bK1", received_policy::when_differs) ==
          "SIP/2.0/WS 192.0.2.7:5060;branch=z9hG4bK1");
    CHECK(stamped("SIP/2.0/WS 198.51.100.1;branch=z9hG4bK1", received_policy::when_differs) ==
          "SIP/2.0/WS 198.51.100.1;branch=z9hG4bK1;received=192.0.2.7");
    CHECK(stamped("SIP/2.0/WS [::1]:5060;branch=z9hG4bK1", received_policy::when_differs, "::1") ==
          "SIP/2.0/WS [::1]:5060;branch=z9hG4bK1");
    CHECK(stamped("SIP/2.0/WS 192.0.2.7;branch=z9hG4bK1", received_policy::always) ==
          "SIP/2.0/WS 192.0.2.7;branch=z9hG4bK1;received=192.0.2.7");
}

TEST_CASE("via stamp: a valueless rport is filled and received added even when equal",
          "[rfc7118][via][NAT3581-4-a][WS7118-5.3-c]") {
    CHECK(stamped("SIP/2.0/WS 192.0.2.7;branch=z9hG4bK1;rport", received_policy::when_differs) ==
          "SIP/2.0/WS 192.0.2.7;branch=z9hG4bK1;rport=40000;received=192.0.2.7");
    // an rport that already has a value is left alone
    CHECK(stamped("SIP/2.0/WS 192.0.2.7;branch=z9hG4bK1;rport=1", received_policy::when_differs) ==
          "SIP/2.0/WS 192.0.2.7;branch=z9hG4bK1;rport=1");
    // an existing received is replaced, not duplicated
    CHECK(stamped("SIP/2.0/WS a.invalid;received=10.0.0.1;branch=z9hG4bK1", received_policy::always) ==
          "SIP/2.0/WS a.invalid;received=192.0.2.7;branch=z9hG4bK1");
}

TEST_CASE("via stamp: a request without a Via is an error", "[rfc7118][via][SIP3261-8.2-b]") {
    std::string raw = "OPTIONS sip:x SIP/2.0\r\nFrom: <sip:a@b>;tag=1\r\nTo: <sip:x>\r\n"
                      "Call-ID: c\r\nCSeq: 1 OPTIONS\r\n\r\n";
    sip::parse_options o;
    o.require_mandatory_headers = false;
    auto r = sip::parse(raw, o);
    REQUIRE(r);
    sip::message_builder b(*r);
    CHECK(rfc7118::stamp_via(b, *r, "192.0.2.7", 1, received_policy::always));
}
