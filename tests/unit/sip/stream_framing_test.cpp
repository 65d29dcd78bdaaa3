#include <sipws/sip/stream_framing.hpp>

#include "support/test.hpp"

#include <string>

using sipws::sip::errc;
using sipws::sip::next_stream_frame;

namespace {
const std::string head = "MESSAGE sip:bob@sipws.test SIP/2.0\r\nVia: SIP/2.0/TCP 127.0.0.1:5060;branch=z9hG4bK1\r\n";
}

TEST_CASE("stream framing: one message by Content-Length, then the next", "[sip][stream_framing][SIP3261-7.5-a]") {
    const std::string a = head + "Content-Length: 5\r\n\r\nhello";
    const std::string b = head + "l: 0\r\n\r\n";
    const std::string both = a + b;
    std::error_code ec;
    for (std::size_t n = 0; n < a.size(); ++n) {
        auto f = next_stream_frame(std::string_view(both).substr(0, n), ec);
        REQUIRE_FALSE(ec);
        CHECK(f.size == 0); // more data needed
    }
    auto f = next_stream_frame(both, ec);
    REQUIRE_FALSE(ec);
    CHECK(f.skip == 0);
    CHECK(f.size == a.size());
    f = next_stream_frame(std::string_view(both).substr(a.size()), ec);
    REQUIRE_FALSE(ec);
    CHECK(f.size == b.size()); // compact form
}

TEST_CASE("stream framing: CRLF keepalives before a message are skipped", "[sip][stream_framing][SIP3261-7.5-a]") {
    const std::string a = "\r\n\r\n" + head + "content-length :  2\r\n\r\nhi";
    std::error_code ec;
    auto f = next_stream_frame(a, ec);
    REQUIRE_FALSE(ec);
    CHECK(f.skip == 4);
    CHECK(f.size == a.size() - 4);
    f = next_stream_frame("\r\n\r\n", ec);
    REQUIRE_FALSE(ec);
    CHECK(f.skip == 4);
    CHECK(f.size == 0);
}

TEST_CASE("stream framing: errors that end the stream", "[sip][stream_framing][SIP3261-7.5-a]") {
    std::error_code ec;
    next_stream_frame(head + "\r\n", ec);
    CHECK(ec == errc::missing_header);
    next_stream_frame(head + "Content-Length: x\r\n\r\n", ec);
    CHECK(ec == errc::bad_content_length);
    next_stream_frame(head + "Content-Length: 1\r\nl: 2\r\n\r\nab", ec);
    CHECK(ec == errc::bad_content_length);
    next_stream_frame(head + "Content-Length: 100000\r\n\r\n", ec);
    CHECK(ec == errc::message_too_large);
    next_stream_frame(std::string(70000, 'a'), ec);
    CHECK(ec == errc::message_too_large);
    next_stream_frame(std::string(100, 'a'), ec);
    CHECK_FALSE(ec);
}
