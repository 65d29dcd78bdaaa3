#include <sipws/sip/parser.hpp>

#include "support/test.hpp"

#include <string>
#include <string_view>

using namespace sipws::sip;

namespace {

// The fields a transport reads from a Via (the transport in lower case), for
// comparing two parses.
std::string summary(const via& v) {
    std::string transport;
    for (char c : v.transport) transport += detail::ascii_lower(c);
    return transport + "|" + std::string(v.host) + "|" + std::to_string(v.port) + "|" +
           std::string(v.branch) + "|" + std::string(v.received) + "|" + std::to_string(v.has_rport) +
           std::to_string(v.rport_has_value) + std::to_string(v.rport) + "|" + std::string(v.maddr) + "|" +
           std::to_string(v.ttl);
}

} // namespace

TEST_CASE("via: the usual parameters read the same in any case and with LWS around \";\" and \"=\"",
          "[sip][via][SIP3261-20.42-a][WS7118-5.1-b]") {
    std::error_code ec;
    via plain = parse_via("SIP/2.0/WSS df7jal23ls0d.invalid;branch=z9hG4bKasudf;rport=53412;received=198.51.100.7", ec);
    REQUIRE_FALSE(ec);
    CHECK(summary(plain) == "wss|df7jal23ls0d.invalid|0|z9hG4bKasudf|198.51.100.7|1153412||-1");
    for (const char* text : {
             "SIP/2.0/WSS df7jal23ls0d.invalid ;branch=z9hG4bKasudf; rport=53412 ; received=198.51.100.7",
             "SIP/2.0/WSS df7jal23ls0d.invalid;BRANCH=z9hG4bKasudf;RPort=53412;Received=198.51.100.7",
             "SIP/2.0/WSS df7jal23ls0d.invalid;branch = z9hG4bKasudf;rport= 53412;received =198.51.100.7",
             "SIP/2.0/WSS df7jal23ls0d.invalid;branch=\r\n z9hG4bKasudf;rport\t=53412;received=198.51.100.7",
             "SIP/2.0/wss df7jal23ls0d.invalid;received=198.51.100.7;rport=53412;branch=z9hG4bKasudf",
         }) {
        INFO(text);
        via v = parse_via(text, ec);
        REQUIRE_FALSE(ec);
        CHECK(summary(v) == summary(plain));
        CHECK(v.is_wss());
    }
    via tab = parse_via("SIP/2.0/wSs\tproxy.example.com;branch=z9hG4bK1", ec);
    REQUIRE_FALSE(ec);
    CHECK(tab.is_wss());
    CHECK(tab.host == "proxy.example.com");
    via other = parse_via("SIP/2.0/WSX h;branch=z9hG4bK1", ec);
    REQUIRE_FALSE(ec);
    CHECK(other.transport == "WSX");
}

TEST_CASE("via: rport and received values at their limits", "[sip][via][SIP3261-20.42-a][NAT3581-3-a]") {
    std::error_code ec;
    via v = parse_via("SIP/2.0/UDP h;rport=65535", ec);
    REQUIRE_FALSE(ec);
    CHECK(v.rport == 65535);
    v = parse_via("SIP/2.0/UDP h;rport=00080", ec);
    REQUIRE_FALSE(ec);
    CHECK(v.rport == 80);
    v = parse_via("SIP/2.0/UDP h;rport", ec);
    REQUIRE_FALSE(ec);
    CHECK(v.has_rport);
    CHECK_FALSE(v.rport_has_value);
    v = parse_via("SIP/2.0/UDP h;received=010.1.1.1", ec);
    REQUIRE_FALSE(ec);
    CHECK(v.received == "010.1.1.1");
    v = parse_via("SIP/2.0/UDP h;received=2001:db8::1;rport=1", ec);
    REQUIRE_FALSE(ec);
    CHECK(v.received == "2001:db8::1");
    for (const char* bad : {"SIP/2.0/UDP h;rport=65536", "SIP/2.0/UDP h;rport=123456", "SIP/2.0/UDP h;rport=5060x",
                            "SIP/2.0/UDP h;rport=5060:1", "SIP/2.0/UDP h;rport=", "SIP/2.0/UDP h;received=1.2.3.4:5",
                            "SIP/2.0/UDP h;received=1.2.3.4a", "SIP/2.0/UDP h;received=1.2.3.256",
                            "SIP/2.0/UDP h;received=1.2.3", "SIP/2.0/UDP h;received=1.2.3.4.",
                            "SIP/2.0/UDP h;branch=\"z9hG4bK1\"", "SIP/2.0/UDP h;branch=z9hG4bK:1"}) {
        INFO(bad);
        parse_via(bad, ec);
        CHECK(ec == errc::bad_via);
    }
}

TEST_CASE("via: a usual sent-by host is checked as any other", "[sip][via][SIP3261-20.42-a]") {
    std::error_code ec;
    for (const char* ok : {"SIP/2.0/UDP a.", "SIP/2.0/UDP abcdefghijklmnop-q.example.com",
                           "SIP/2.0/UDP abcdefghijklmnopqrstuvwxyzabcdef.example.com", "SIP/2.0/UDP 203.0.113.22"}) {
        INFO(ok);
        via v = parse_via(ok, ec);
        CHECK_FALSE(ec);
        CHECK(v.host_type == (std::string_view(ok).substr(12, 1) == "2" ? host_kind::ipv4 : host_kind::name));
    }
    for (const char* bad : {"SIP/2.0/UDP a..b", "SIP/2.0/UDP .a", "SIP/2.0/UDP x-", "SIP/2.0/UDP 1.2.3.4.",
                            "SIP/2.0/UDP 256.1.1.1", "SIP/2.0/UDP abcdefghijklmnopq..x",
                            "SIP/2.0/UDP abcdefghijklmnop.-x"}) {
        INFO(bad);
        parse_via(bad, ec);
        CHECK(ec == errc::bad_via);
    }
}

TEST_CASE("via: octets after the value in its buffer do not count", "[sip][via][SIP3261-20.42-a]") {
    // each value is followed in its buffer by octets that would extend it
    struct value_and_more {
        const char* value;
        const char* more;
    };
    for (auto c : {value_and_more{"SIP/2.0/UDP h;received=192.0.2.1", "5;x=yyyyyyyyyyyyyyyyyy"},
                   value_and_more{"SIP/2.0/UDP h;received=192.0.2.12", "3 yyyyyyyyyyyyyyyyyyyy"},
                   value_and_more{"SIP/2.0/UDP h;rport=506", "0;yyyyyyyyyyyyyyyyyyyy"},
                   value_and_more{"SIP/2.0/UDP h;branch=z9hG4bKab", "cdefghijklmnopqrstuvw"},
                   value_and_more{"SIP/2.0/UDP h;rport", "=5060;yyyyyyyyyyyyyyyy"},
                   value_and_more{"SIP/2.0/UDP proxy.example", ".com;branch=z9hG4bK1"}}) {
        std::string buffer = std::string(c.value) + c.more;
        std::string_view value(buffer.data(), std::string_view(c.value).size());
        INFO(value);
        std::error_code alone_ec, ec;
        via alone = parse_via(c.value, alone_ec);
        REQUIRE_FALSE(alone_ec);
        via v;
        detail::parse_via_into(value, v, ec, buffer.data() + buffer.size(), true);
        REQUIRE_FALSE(ec);
        CHECK(summary(v) == summary(alone));
        CHECK(v.raw == value);
    }
}

TEST_CASE("via: a repeated parameter name in any case, and the parameter count limit",
          "[sip][via][SIP3261-7.3-d]") {
    std::error_code ec;
    for (const char* dup : {"SIP/2.0/UDP h;branch=a;BRANCH=b", "SIP/2.0/UDP h;rport;RPORT=1",
                            "SIP/2.0/UDP h;received=1.2.3.4;x;Received=1.2.3.5", "SIP/2.0/UDP h;x=1;y;X=2",
                            "SIP/2.0/UDP h;branch=a;x;ttl=1;y;TTL=2", "SIP/2.0/UDP h;maddr=h;x;MADDR=h"}) {
        INFO(dup);
        parse_via(dup, ec);
        CHECK(ec == errc::duplicate_parameter);
    }
    std::string many = "SIP/2.0/UDP h";
    for (std::size_t k = 0; k < max_parameters; ++k) many += ";p" + std::to_string(k);
    std::string limit = many;
    parse_via(limit, ec);
    CHECK_FALSE(ec);
    std::string over = many + ";branch=z9hG4bK1"; // a 65th parameter, even a usual one
    parse_via(over, ec);
    CHECK(ec == errc::too_many_parameters);
    std::string over_dup = many + ";p0"; // the count is checked before the repeat
    parse_via(over_dup, ec);
    CHECK(ec == errc::too_many_parameters);
}
