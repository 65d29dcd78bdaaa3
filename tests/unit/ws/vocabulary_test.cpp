#include <sipws/ws/close_code.hpp>
#include <sipws/ws/detail/http_head.hpp>
#include <sipws/ws/engine.hpp>
#include <sipws/ws/error.hpp>
#include <sipws/ws/http_fields.hpp>

#include "support/test.hpp"

#include <set>
#include <string>
#include <system_error>

using namespace sipws::ws;

TEST_CASE("close codes: which are valid on the wire and which may be sent",
          "[ws][close][WS6455-7.4-a][WS6455-7.4-b]") {
    std::set<unsigned> valid;
    for (unsigned c = 0; c < 65536; ++c)
        if (is_valid_close_code(static_cast<std::uint16_t>(c))) valid.insert(c);
    CHECK(valid.size() == 4 + 8 + 2000);
    for (unsigned c : {1000u, 1001u, 1002u, 1003u, 1007u, 1008u, 1009u, 1010u, 1011u, 1012u, 1013u,
                       1014u, 3000u, 4999u})
        CHECK(valid.count(c) == 1);
    for (unsigned c : {0u, 999u, 1004u, 1005u, 1006u, 1015u, 1016u, 2999u, 5000u})
        CHECK(valid.count(c) == 0);
    CHECK(may_send_close_code(1010, true));
    CHECK_FALSE(may_send_close_code(1010, false));
    CHECK_FALSE(may_send_close_code(close_code::no_status, true));
    CHECK_FALSE(may_send_close_code(close_code::abnormal, false));
    CHECK_FALSE(may_send_close_code(close_code::tls_handshake, false));
}

TEST_CASE("errors: category, messages, close codes and HTTP statuses",
          "[ws][error][WS6455-7.4-b][WS6455-10.7-a]") {
    std::error_code ec = error::invalid_utf8;
    CHECK(ec.category().name() == std::string("sipws.ws"));
    CHECK(ec.message() == "text message is not valid UTF-8");
    CHECK(close_code_for(error::invalid_utf8) == 1007);
    CHECK(close_code_for(error::invalid_close_reason) == 1007);
    CHECK(close_code_for(error::message_too_big) == 1009);
    CHECK(close_code_for(error::frame_too_big) == 1009);
    CHECK(close_code_for(error::reserved_bits) == 1002);
    CHECK(close_code_for(error::unmasked_frame) == 1002);
    CHECK(http_status_for(error::bad_version) == 426);
    CHECK(http_status_for(error::bad_key) == 400);
    // Every enumerator has its own message.
    std::set<std::string> messages;
    for (int e = static_cast<int>(error::handshake_too_large);
         e <= static_cast<int>(error::bad_argument); ++e)
        messages.insert(make_error_code(static_cast<error>(e)).message());
    CHECK(messages.size() == static_cast<std::size_t>(static_cast<int>(error::bad_argument)));
    CHECK(messages.count("unknown sipws.ws error") == 0);
}

TEST_CASE("http fields: case-insensitive lookup and token lists", "[ws][http][WS6455-4.1-l]") {
    CHECK(iequals("Sec-WebSocket-Key", "sec-websocket-key"));
    CHECK_FALSE(iequals("Upgrade", "Upgrades"));
    CHECK(is_token("sip"));
    CHECK_FALSE(is_token(""));
    CHECK_FALSE(is_token("s ip"));
    CHECK_FALSE(is_token("a,b"));
    CHECK(list_contains("keep-alive, Upgrade", "upgrade"));
    CHECK(list_contains(" ,, upgrade ,", "Upgrade"));
    CHECK_FALSE(list_contains("keep-alive, Upgraded", "upgrade"));
    http_fields f;
    f.add("Connection", "keep-alive");
    f.add("connection", "Upgrade");
    f.add("Sec-WebSocket-Protocol", "chat, sip");
    CHECK(f.count("CONNECTION") == 2);
    CHECK(f.get("connection") == "keep-alive");
    CHECK(f.list_has("Connection", "upgrade"));
    std::vector<std::string> protos;
    f.for_each_element("sec-websocket-protocol", [&](std::string_view p) {
        protos.emplace_back(p);
        return true;
    });
    CHECK(protos == std::vector<std::string>{"chat", "sip"});
}

TEST_CASE("http head: strict syntax", "[ws][http][WS6455-10.7-a]") {
    std::string_view start;
    http_fields f;
    CHECK_FALSE(detail::parse_head("GET / HTTP/1.1\r\nA: b\r\n\r\n", start, f, 10));
    CHECK(start == "GET / HTTP/1.1");
    CHECK(f.get("a") == "b");
    CHECK(detail::parse_head("GET / HTTP/1.1\r\nA b\r\n\r\n", start, f, 10) ==
          make_error_code(error::http_syntax));
    CHECK(detail::parse_head("GET / HTTP/1.1\r\nA: b\nC: d\r\n\r\n", start, f, 10) ==
          make_error_code(error::http_syntax));
    CHECK(detail::parse_head(std::string("GET / HTTP/1.1\r\nA: b\0c\r\n\r\n", 26), start, f, 10) ==
          make_error_code(error::http_syntax));
    CHECK(detail::parse_head("\r\n\r\n", start, f, 10) == make_error_code(error::http_syntax));
    int major = 0, minor = 0;
    CHECK(detail::parse_http_version("HTTP/1.1", major, minor));
    CHECK((major == 1 && minor == 1));
    CHECK_FALSE(detail::parse_http_version("HTTP/11", major, minor));
    CHECK_FALSE(detail::parse_http_version("http/1.1", major, minor));
}

TEST_CASE("extension lists: RFC 6455 section 9.1 grammar", "[ws][http][WS6455-9-a]") {
    for (const char* ok : {"permessage-deflate", "permessage-deflate; client_max_window_bits",
                           "permessage-deflate; client_max_window_bits=10, x-webkit-deflate-frame",
                           "foo; a=\"b\"", "foo ; a = b ;c", "a, , b"}) {
        INFO(ok);
        CHECK(detail::is_valid_extension_list(ok));
    }
    for (const char* bad : {"", ";", "foo;", "foo; a=", "foo; a=\"b c\"", "foo; a=\"b", "foo bar",
                            "foo,;", "f(o)o"}) {
        INFO(bad);
        CHECK_FALSE(detail::is_valid_extension_list(bad));
    }
}

TEST_CASE("engine: an idle engine is small", "[ws][engine][memory]") {
    // The transport budgets a few KB per idle connection; the engine holds no
    // heap memory until a message needs reassembly.
    CHECK(sizeof(engine) <= 1024);
}
