// Parsing into objects that hold an earlier result: the typed values'
// clear() and a message parsed twice.
#include <sipws/sip.hpp>

#include "support/sip_values.hpp"
#include "support/test.hpp"

#include <string>

using namespace sipws::sip;

namespace {
template <class T> bool same(const T& a, const T& b) { return sipws::test::describe(a) == sipws::test::describe(b); }
} // namespace

TEST_CASE("clear(): a value that held a parse equals a new one", "[sip][parser]") {
    std::error_code ec;
    std::string na_text = "\"Alice\" <sips:alice:pw@[2001:db8::1]:5061;transport=ws;lr?h=v>;tag=1;expires=60";
    name_addr na = parse_name_addr(na_text, ec);
    REQUIRE_FALSE(ec);
    REQUIRE_FALSE(same(na, name_addr{}));
    REQUIRE_FALSE(same(na.uri, uri{}));
    detail::clear(na);
    CHECK(same(na, name_addr{}));

    std::string via_text = "SIP/2.0/WSS h.example.com:5;branch=z9hG4bK1;rport=7;received=192.0.2.1;maddr=x;ttl=3";
    via v = parse_via(via_text, ec);
    REQUIRE_FALSE(ec);
    REQUIRE(v.ttl == 3);
    REQUIRE_FALSE(same(v, via{}));
    detail::clear(v);
    CHECK(same(v, via{}));
    CHECK(v.ttl == -1);

    std::string tel = "tel:+1-201-555-0123";
    uri u = parse_uri(tel, ec);
    REQUIRE_FALSE(ec);
    REQUIRE_FALSE(same(u, uri{}));
    detail::clear(u);
    CHECK(same(u, uri{}));
}

TEST_CASE("parse: a message parsed again holds only the second message's rows", "[sip][parser][SIP3261-7.3-a]") {
    std::string first = "INVITE sip:bob@example.com SIP/2.0\r\n"
                        "Via: SIP/2.0/WSS a.invalid;branch=z9hG4bK1\r\n"
                        "Route: <sip:p.example.com;lr>\r\n"
                        "Record-Route: <sip:q.example.com;lr>\r\n"
                        "Max-Forwards: 70\r\n"
                        "From: <sip:alice@example.com>;tag=1\r\n"
                        "To: <sip:bob@example.com>\r\n"
                        "Call-ID: c1\r\n"
                        "CSeq: 1 INVITE\r\n"
                        "Contact: <sip:alice@a.invalid;transport=ws>\r\n"
                        "Supported: path, gruu\r\n"
                        "X-Custom: 1\r\n"
                        "Content-Length: 0\r\n"
                        "\r\n";
    std::string second = "SIP/2.0 200 OK\r\n"
                         "Via: SIP/2.0/UDP z.example.com;branch=z9hG4bK9\r\n"
                         "To: <sip:y@example.com>;tag=2\r\n"
                         "From: <sip:x@example.com>;tag=9\r\n"
                         "Call-ID: q\r\n"
                         "CSeq: 1 BYE\r\n"
                         "Server: s\r\n"
                         "\r\n";
    // a message that stopped at a bad row keeps the rows before it indexed
    std::string broken = "OPTIONS sip:x@example.com SIP/2.0\r\n"
                         "Path: <sip:r.example.com;lr>\r\n"
                         "Expires: 5\r\n"
                         "Bad Row\r\n"
                         "\r\n";
    for (const std::string* before : {&first, &broken}) {
        basic_message<32> reused, fresh;
        parse(*before, reused);
        basic_message<32> copy = reused;
        REQUIRE_FALSE(parse(second, reused));
        REQUIRE_FALSE(parse(second, copy));
        REQUIRE_FALSE(parse(second, fresh));
        for (const basic_message<32>* m : {&reused, &copy}) {
            REQUIRE(m->header_count() == fresh.header_count());
            for (std::size_t i = 0; i < static_cast<std::size_t>(header_id::count_); ++i) {
                auto id = static_cast<header_id>(i);
                INFO(i);
                CHECK(m->has(id) == fresh.has(id));
                CHECK(m->value(id) == fresh.value(id));
                CHECK(m->count(id) == fresh.count(id));
            }
        }
        CHECK_FALSE(reused.has(header_id::route));
        CHECK_FALSE(reused.has(header_id::path));
        CHECK(reused.value(header_id::to) == "<sip:y@example.com>;tag=2");
    }
}
