#include <sipws/rfc7118/identifiers.hpp>
#include <sipws/rfc7118/instance_id.hpp>

#include "support/test.hpp"

#include <set>
#include <string>

using namespace sipws::rfc7118;

TEST_CASE("instance-id: RFC 4122 version 4 UUID URN",
          "[rfc7118][outbound][OB5626-4.1-a][OB5626-4.1-b]") {
    std::set<std::string> seen;
    for (int i = 0; i < 200; ++i) {
        auto id = make_instance_id();
        REQUIRE(id.size() == 45);
        CHECK(id.rfind("urn:uuid:", 0) == 0);
        CHECK(is_uuid_urn(id));
        CHECK(id[9 + 14] == '4');                                         // version nibble
        CHECK(std::string("89ab").find(id[9 + 19]) != std::string::npos); // variant
        CHECK(seen.insert(id).second);
    }
    CHECK(is_uuid_urn("URN:UUID:F81D4FAE-7DEC-11D0-A765-00A0C91E6BF6"));
    CHECK_FALSE(is_uuid_urn("urn:uuid:f81d4fae7dec-11d0-a765-00a0c91e6bf6-"));
    CHECK_FALSE(is_uuid_urn("urn:uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bfg"));
    CHECK_FALSE(is_uuid_urn("urn:uuid:f81-7dec-14a06cf1"));
}

TEST_CASE("instance-id: +sip.instance quoting and parsing", "[rfc7118][outbound][OB5626-4.1-c]") {
    const std::string urn = "urn:uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6";
    CHECK(sip_instance_param(urn) ==
          "+sip.instance=\"<urn:uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6>\"");
    CHECK(parse_sip_instance_value(sip_instance_value(urn)) == urn);
    CHECK(parse_sip_instance_value("\"<urn:uuid:abc>\"") == std::string("urn:uuid:abc"));
    CHECK_FALSE(parse_sip_instance_value("<urn:uuid:abc>"));   // not quoted
    CHECK_FALSE(parse_sip_instance_value("\"urn:uuid:abc\"")); // no angle brackets
    CHECK_FALSE(parse_sip_instance_value("\"<http://x>\""));   // not a URN
    CHECK_FALSE(parse_sip_instance_value("\"<urn:a b>\""));
    CHECK_FALSE(parse_sip_instance_value("\"<urn:a\\\\b>\""));    // a backslash in the URN
    CHECK_FALSE(parse_sip_instance_value("\"<urn:a\xc3\xa9>\"")); // not ASCII
    CHECK_FALSE(parse_sip_instance_value("\"<urn:uuid:abc>\"x"));
    CHECK(sip_instance_value("urn:x\"y").empty());
    CHECK(sip_instance_param("").empty());
    // URN comparison: scheme, NID and uuid hex are case-insensitive.
    CHECK(instance_ids_equal(urn, "URN:UUID:F81D4FAE-7DEC-11D0-A765-00A0C91E6BF6"));
    CHECK_FALSE(instance_ids_equal(urn, "urn:uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf7"));
    CHECK(instance_ids_equal("urn:x-ex:Abc", "URN:X-EX:Abc"));
    CHECK_FALSE(instance_ids_equal("urn:x-ex:Abc", "urn:x-ex:abc")); // unknown NSS: lexical
}

TEST_CASE("identifiers: RFC 3261 branches", "[rfc7118][SIP3261-8.1.1.7-a]") {
    std::set<std::string> seen;
    for (int i = 0; i < 500; ++i) {
        auto b = make_branch();
        CHECK(b.rfind("z9hG4bK", 0) == 0);
        CHECK(b.size() == 31);
        CHECK(is_rfc3261_branch(b));
        CHECK(seen.insert(b).second);
    }
    CHECK_FALSE(is_rfc3261_branch("z9hG4bK"));
    CHECK_FALSE(is_rfc3261_branch("Z9HG4BKabc"));
    CHECK_FALSE(is_rfc3261_branch("abc"));
    CHECK_FALSE(is_rfc3261_branch("z9hG4bKa b"));
}

TEST_CASE("identifiers: tags and Call-IDs", "[rfc7118][identifiers]") {
    std::set<std::string> tags, ids;
    for (int i = 0; i < 200; ++i) {
        CHECK(tags.insert(make_tag()).second);
        CHECK(ids.insert(make_call_id()).second);
    }
    CHECK(make_tag().size() == 16);
    auto cid = make_call_id("abc.invalid");
    CHECK(cid.size() == 24 + 1 + 11);
    CHECK(cid.substr(24) == "@abc.invalid");
}

TEST_CASE("identifiers: random .invalid hosts", "[rfc7118][WS7118-B.1-a]") {
    std::set<std::string> seen;
    for (int i = 0; i < 200; ++i) {
        auto h = make_invalid_host();
        CHECK(h.size() == 12 + 8);
        CHECK(is_invalid_host(h));
        for (char c : h.substr(0, 12)) CHECK(((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')));
        CHECK(seen.insert(h).second);
    }
    CHECK(make_invalid_host(100).size() == 63 + 8);
    CHECK(is_invalid_host("df7jal23ls0d.INVALID."));
    CHECK_FALSE(is_invalid_host(".invalid"));
    CHECK_FALSE(is_invalid_host("example.com"));
    CHECK_FALSE(is_invalid_host("invalid"));
}
