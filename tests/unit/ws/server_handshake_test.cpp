#include <sipws/ws/server_handshake.hpp>

#include "support/test.hpp"

#include <string>

using namespace sipws::ws;

namespace {
const std::string e0a = "GET / HTTP/1.1\r\n"
                        "Host: sip-ws.example.com\r\n"
                        "Upgrade: websocket\r\n"
                        "Connection: Upgrade\r\n"
                        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                        "Origin: http://www.example.com\r\n"
                        "Sec-WebSocket-Protocol: sip\r\n"
                        "Sec-WebSocket-Version: 13\r\n"
                        "\r\n";

std::string replace(std::string s, const std::string& from, const std::string& to) {
    auto at = s.find(from);
    REQUIRE(at != std::string::npos);
    return s.replace(at, from.size(), to);
}

std::size_t count_of(const std::string& s, const std::string& needle) {
    std::size_t n = 0;
    for (auto at = s.find(needle); at != std::string::npos; at = s.find(needle, at + 1)) ++n;
    return n;
}

/// Feeds the whole request and returns the status.
handshake_status run(server_handshake& hs, const std::string& req) {
    std::size_t used = 0;
    auto st = hs.feed(req.data(), req.size(), used);
    if (st != handshake_status::need_more) CHECK(used <= req.size());
    return st;
}

void expect_refusal(const std::string& req, error e, const std::string& status_line,
                    server_handshake_options opt = {}) {
    server_handshake hs(std::move(opt));
    CHECK(run(hs, req) == handshake_status::failed);
    CHECK(hs.error() == make_error_code(e));
    std::string resp(hs.response());
    CHECK(resp.rfind(status_line + "\r\n", 0) == 0);
    CHECK(resp.find("Upgrade: websocket") == std::string::npos);
    CHECK(resp.find("Sec-WebSocket-Accept") == std::string::npos);
    CHECK(resp.size() >= 4);
    CHECK(resp.substr(resp.size() - 4) == "\r\n\r\n");
}
} // namespace

TEST_CASE("server handshake: RFC 7118 example request accepted with sip",
          "[ws][handshake][E0-a-1][E0-a-2][E0-a-3][WS7118-4.1-b][WS6455-4.2.2-d][WS7118-4.1-g]") {
    server_handshake hs;
    REQUIRE(run(hs, e0a) == handshake_status::ready);
    const auto& r = hs.request();
    CHECK(r.target == "/");
    CHECK(r.path == "/");
    CHECK(r.query.empty());
    CHECK(r.host == "sip-ws.example.com");
    CHECK(r.origin == "http://www.example.com");
    REQUIRE(r.subprotocols.size() == 1);
    CHECK(r.subprotocols[0] == "sip");
    CHECK(hs.selected_subprotocol() == "sip");
    REQUIRE_FALSE(hs.accept());
    CHECK(hs.status() == handshake_status::accepted);
    std::string resp(hs.response());
    CHECK(resp.rfind("HTTP/1.1 101 Switching Protocols\r\n", 0) == 0);
    CHECK(resp.find("\r\nUpgrade: websocket\r\n") != std::string::npos);
    CHECK(resp.find("\r\nConnection: Upgrade\r\n") != std::string::npos);
    CHECK(resp.find("\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n") !=
          std::string::npos);
    CHECK(count_of(resp, "Sec-WebSocket-Protocol") == 1);
    CHECK(resp.find("\r\nSec-WebSocket-Protocol: sip\r\n") != std::string::npos);
    CHECK(resp.find("Sec-WebSocket-Extensions") == std::string::npos);
    CHECK(resp.substr(resp.size() - 4) == "\r\n\r\n");
}

TEST_CASE("server handshake: E0-b registration request; Origin policy decides 403",
          "[ws][handshake][E0-b-2][E0-b-3][WS7118-9-c][WS6455-4.2.2-b]") {
    std::string req = replace(replace(e0a, "sip-ws.example.com", "proxy.example.com"),
                              "http://www.example.com", "https://www.example.com");
    auto policy = [](const handshake_request& r, const std::string& allowed) {
        return r.origin == allowed;
    };
    {
        server_handshake hs;
        REQUIRE(run(hs, req) == handshake_status::ready);
        REQUIRE(policy(hs.request(), "https://www.example.com"));
        REQUIRE_FALSE(hs.accept());
        CHECK(std::string(hs.response()).find("s3pPLMBiTxaQ9kYGzzhZRbK+xOo=") != std::string::npos);
    }
    {
        server_handshake hs;
        REQUIRE(run(hs, req) == handshake_status::ready);
        REQUIRE_FALSE(policy(hs.request(), "https://other.example.org"));
        REQUIRE_FALSE(hs.refuse(403));
        CHECK(hs.status() == handshake_status::failed);
        CHECK(hs.error() == make_error_code(error::refused));
        CHECK(std::string(hs.response()).rfind("HTTP/1.1 403 Forbidden\r\n", 0) == 0);
    }
}

TEST_CASE("server handshake: request split in every possible way",
          "[ws][handshake][WS6455-4.2.1-a]") {
    const std::string frames = "\x81\x85\x37\xfa\x21\x3d\x7f\x9f\x4d\x51\x58";
    const std::string input = e0a + frames;
    for (std::size_t cut = 1; cut < e0a.size(); ++cut) {
        server_handshake hs;
        std::size_t used1 = 0, used2 = 0;
        auto st1 = hs.feed(input.data(), cut, used1);
        CHECK(st1 == handshake_status::need_more);
        CHECK(used1 == cut);
        auto st2 = hs.feed(input.data() + cut, input.size() - cut, used2);
        REQUIRE(st2 == handshake_status::ready);
        // The frames after the head are left for the engine.
        CHECK(used1 + used2 == e0a.size());
    }
}

TEST_CASE("server handshake: cookie, authorization, query exposed for policies",
          "[ws][handshake][WS7118-7-d][WS7118-7-e][WS7118-A-b]") {
    std::string req = replace(e0a, "GET / HTTP/1.1", "GET /ws?token=abc&x=1 HTTP/1.1");
    req = replace(req, "\r\n\r\n", "\r\nCookie: session=42\r\nAuthorization: Bearer xyz\r\n\r\n");
    server_handshake hs;
    REQUIRE(run(hs, req) == handshake_status::ready);
    CHECK(hs.request().path == "/ws");
    CHECK(hs.request().query == "token=abc&x=1");
    CHECK(hs.request().cookie == "session=42");
    CHECK(hs.request().authorization == "Bearer xyz");
    CHECK(hs.request().fields.get("cookie") == "session=42");
    REQUIRE_FALSE(hs.refuse(401, "WWW-Authenticate: Bearer realm=\"sip\"\r\n"));
    std::string resp(hs.response());
    CHECK(resp.rfind("HTTP/1.1 401 Unauthorized\r\n", 0) == 0);
    CHECK(resp.find("\r\nWWW-Authenticate: Bearer realm=\"sip\"\r\n") != std::string::npos);
}

TEST_CASE("server handshake: header names and tokens are case-insensitive; lists",
          "[ws][handshake][WS6455-4.1-l][WS6455-4.2.1-a]") {
    std::string req = "GET /x HTTP/1.1\r\nhost: a.example\r\nUPGRADE: WebSocket\r\n"
                      "connection: keep-alive, upgrade\r\nsec-websocket-key: "
                      "dGhlIHNhbXBsZSBub25jZQ==\r\nsec-websocket-version: 13\r\n"
                      "sec-websocket-protocol: chat, sip\r\n\r\n";
    server_handshake hs;
    REQUIRE(run(hs, req) == handshake_status::ready);
    CHECK(hs.selected_subprotocol() == "sip");
}

TEST_CASE("server handshake: subprotocol selection and the RFC 7118 default",
          "[ws][handshake][WS7118-4.1-c][WS6455-4.2.2-c][E0-a-5]") {
    std::string no_sip = replace(e0a, "Sec-WebSocket-Protocol: sip\r\n", "");
    expect_refusal(no_sip, error::no_subprotocol, "HTTP/1.1 400 Bad Request");
    expect_refusal(replace(e0a, "Protocol: sip", "Protocol: chat, superchat"),
                   error::no_subprotocol, "HTTP/1.1 400 Bad Request");
    // Optional: accepted without the header (never an empty one).
    server_handshake_options opt;
    opt.when_none_offered = subprotocol_policy::optional;
    server_handshake hs(opt);
    REQUIRE(run(hs, no_sip) == handshake_status::ready);
    CHECK(hs.selected_subprotocol().empty());
    REQUIRE_FALSE(hs.accept());
    CHECK(std::string(hs.response()).find("Sec-WebSocket-Protocol") == std::string::npos);
    // Server preference order; never a value the client did not offer.
    server_handshake_options two;
    two.subprotocols = {"sip", "chat"};
    server_handshake hs2(two);
    REQUIRE(run(hs2, replace(e0a, "Protocol: sip", "Protocol: chat, sip")) ==
            handshake_status::ready);
    CHECK(hs2.selected_subprotocol() == "sip");
    // Multiple Sec-WebSocket-Protocol lines combine.
    server_handshake hs3;
    REQUIRE(run(hs3, replace(e0a, "Protocol: sip\r\n",
                             "Protocol: chat\r\nSec-WebSocket-Protocol: sip\r\n")) ==
            handshake_status::ready);
    CHECK(hs3.request().subprotocols.size() == 2);
    // Malformed or repeated offers.
    expect_refusal(replace(e0a, "Protocol: sip", "Protocol: sip, sip"), error::bad_subprotocol_list,
                   "HTTP/1.1 400 Bad Request");
    expect_refusal(replace(e0a, "Protocol: sip", "Protocol: s(ip"), error::bad_subprotocol_list,
                   "HTTP/1.1 400 Bad Request");
    expect_refusal(replace(e0a, "Protocol: sip", "Protocol: "), error::bad_subprotocol_list,
                   "HTTP/1.1 400 Bad Request");
}

TEST_CASE("server handshake: invalid requests get 400, never a 101",
          "[ws][handshake][WS6455-4.2.1-a][WS6455-10.7-a][WS6455-3-a]") {
    expect_refusal(replace(e0a, "GET", "POST"), error::bad_method, "HTTP/1.1 400 Bad Request");
    expect_refusal(replace(e0a, "HTTP/1.1", "HTTP/1.0"), error::bad_http_version,
                   "HTTP/1.1 400 Bad Request");
    expect_refusal(replace(e0a, "Host: sip-ws.example.com\r\n", ""), error::no_host,
                   "HTTP/1.1 400 Bad Request");
    expect_refusal(replace(e0a, "Host: sip-ws.example.com\r\n", "Host: a\r\nHost: b\r\n"),
                   error::duplicate_field, "HTTP/1.1 400 Bad Request");
    expect_refusal(replace(e0a, "Host: sip-ws.example.com", "Host: a b"), error::no_host,
                   "HTTP/1.1 400 Bad Request");
    expect_refusal(replace(e0a, "Host: sip-ws.example.com", "Host: user@evil.example"),
                   error::no_host, "HTTP/1.1 400 Bad Request");
    expect_refusal(replace(e0a, "Host: sip-ws.example.com", "Host: a.example, b.example"),
                   error::no_host, "HTTP/1.1 400 Bad Request");
    expect_refusal(replace(e0a, "Host: sip-ws.example.com", "Host:"), error::no_host,
                   "HTTP/1.1 400 Bad Request");
    expect_refusal(replace(e0a, "Upgrade: websocket\r\n", ""), error::no_upgrade,
                   "HTTP/1.1 400 Bad Request");
    expect_refusal(replace(e0a, "Upgrade: websocket", "Upgrade: h2c"), error::no_upgrade,
                   "HTTP/1.1 400 Bad Request");
    expect_refusal(replace(e0a, "Connection: Upgrade", "Connection: keep-alive"),
                   error::no_connection_upgrade, "HTTP/1.1 400 Bad Request");
    expect_refusal(replace(e0a, "Connection: Upgrade", "Connection: Upgraded"),
                   error::no_connection_upgrade, "HTTP/1.1 400 Bad Request");
    expect_refusal(replace(e0a, "GET / ", "GET /a#frag "), error::http_syntax,
                   "HTTP/1.1 400 Bad Request");
    expect_refusal(replace(e0a, "GET / ", "GET http://x/ "), error::http_syntax,
                   "HTTP/1.1 400 Bad Request");
    expect_refusal(replace(e0a, "\r\nHost", "\r\n Host"), error::http_syntax,
                   "HTTP/1.1 400 Bad Request"); // obs-fold
    expect_refusal(replace(e0a, "Host:", "Host :"), error::http_syntax, "HTTP/1.1 400 Bad Request");
    expect_refusal(replace(e0a, "\r\n\r\n", "\r\nContent-Length: 5\r\n\r\n"),
                   error::unexpected_body, "HTTP/1.1 400 Bad Request");
    expect_refusal(replace(e0a, "\r\n\r\n", "\r\nTransfer-Encoding: chunked\r\n\r\n"),
                   error::unexpected_body, "HTTP/1.1 400 Bad Request");
    expect_refusal(replace(e0a, "Origin: http://www.example.com\r\n",
                           "Origin: http://a\r\nOrigin: http://b\r\n"),
                   error::duplicate_field, "HTTP/1.1 400 Bad Request");
    expect_refusal(
        replace(e0a, "Origin: http://www.example.com\r\n", "Origin:\r\nOrigin: http://b\r\n"),
        error::duplicate_field, "HTTP/1.1 400 Bad Request");
    expect_refusal(replace(e0a, "\r\n\r\n", "\r\nSec-WebSocket-Extensions: ;bad\r\n\r\n"),
                   error::bad_extension_list, "HTTP/1.1 400 Bad Request");
}

TEST_CASE("server handshake: Sec-WebSocket-Key must decode to 16 octets, once",
          "[ws][handshake][WS6455-4.2.1-a][WS6455-11.3-a]") {
    for (const char* key : {"", "dGhlIHNhbXBsZSBub25jZQ", "Zm9vYmFy", "dGhlIHNhbXBsZSBub25jZWVl",
                            "AQIDBAUGBwgJCgsMDQ4PEC==", "dGhlIHNhbXBsZSBub25jZQ=!"}) {
        INFO(key);
        expect_refusal(replace(e0a, "dGhlIHNhbXBsZSBub25jZQ==", key), error::bad_key,
                       "HTTP/1.1 400 Bad Request");
    }
    expect_refusal(replace(e0a, "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n", ""),
                   error::bad_key, "HTTP/1.1 400 Bad Request");
    expect_refusal(replace(e0a, "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n",
                           "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                           "Sec-WebSocket-Key: AQIDBAUGBwgJCgsMDQ4PEA==\r\n"),
                   error::duplicate_field, "HTTP/1.1 400 Bad Request");
    // Erratum 3150 key is valid.
    server_handshake hs;
    CHECK(run(hs, replace(e0a, "dGhlIHNhbXBsZSBub25jZQ==", "AQIDBAUGBwgJCgsMDQ4PEA==")) ==
          handshake_status::ready);
}

TEST_CASE("server handshake: unsupported version gets 426 with Sec-WebSocket-Version: 13",
          "[ws][handshake][WS6455-4.2.2-a][WS6455-11.3-a]") {
    for (const char* v : {"8", "12", "14", "", "13, 8"}) {
        INFO(v);
        std::string req = replace(e0a, "Version: 13", std::string("Version: ") + v);
        server_handshake hs;
        CHECK(run(hs, req) == handshake_status::failed);
        CHECK(hs.error() == make_error_code(error::bad_version));
        std::string resp(hs.response());
        CHECK(resp.rfind("HTTP/1.1 426 Upgrade Required\r\n", 0) == 0);
        CHECK(resp.find("\r\nSec-WebSocket-Version: 13\r\n") != std::string::npos);
    }
    expect_refusal(replace(e0a, "Sec-WebSocket-Version: 13\r\n",
                           "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Version: 13\r\n"),
                   error::duplicate_field, "HTTP/1.1 400 Bad Request");
}

TEST_CASE("server handshake: extension offers are declined, never echoed",
          "[ws][handshake][WS6455-9-a][PMD7692-5-a]") {
    server_handshake hs;
    REQUIRE(run(hs, replace(e0a, "\r\n\r\n",
                            "\r\nSec-WebSocket-Extensions: permessage-deflate; "
                            "client_max_window_bits\r\n\r\n")) == handshake_status::ready);
    CHECK(hs.request().extensions.size() == 1);
    REQUIRE_FALSE(hs.accept());
    CHECK(std::string(hs.response()).find("Extensions") == std::string::npos);
}

TEST_CASE("server handshake: head size and field count are bounded",
          "[ws][handshake][WS6455-10.7-a]") {
    server_handshake_options opt;
    opt.max_head_size = 256;
    server_handshake hs(opt);
    std::string big = replace(e0a, "\r\n\r\n", "\r\nX-Pad: " + std::string(300, 'p') + "\r\n\r\n");
    CHECK(run(hs, big) == handshake_status::failed);
    CHECK(hs.error() == make_error_code(error::handshake_too_large));
    CHECK(std::string(hs.response()).rfind("HTTP/1.1 431 ", 0) == 0);

    // A client that never ends its head is cut off at the bound, piece by piece.
    server_handshake slow(opt);
    std::string junk(10, 'a');
    std::size_t used = 0;
    handshake_status st = handshake_status::need_more;
    int calls = 0;
    while (st == handshake_status::need_more && calls < 100) {
        st = slow.feed(junk.data(), junk.size(), used);
        ++calls;
    }
    CHECK(st == handshake_status::failed);
    CHECK(calls <= 26);

    server_handshake_options few;
    few.max_fields = 4;
    expect_refusal(e0a, error::handshake_too_large, "HTTP/1.1 431 Request Header Fields Too Large",
                   few);
}

TEST_CASE("server handshake: policy decisions validate their input",
          "[ws][handshake][WS6455-4.2.2-e]") {
    server_handshake early;
    CHECK(early.accept() == make_error_code(error::bad_argument)); // nothing parsed yet
    server_handshake hs;
    REQUIRE(run(hs, e0a) == handshake_status::ready);
    CHECK(hs.refuse(200) == make_error_code(error::bad_argument));
    CHECK(hs.refuse(403, "X-Evil: a\r\n\r\nHTTP/1.1 200 OK\r\n") ==
          make_error_code(error::bad_argument));
    CHECK(hs.accept("Set-Cookie: a=b") == make_error_code(error::bad_argument)); // no CRLF
    CHECK(hs.status() == handshake_status::ready);
    REQUIRE_FALSE(hs.accept("Set-Cookie: a=b\r\n"));
    CHECK(std::string(hs.response()).find("\r\nSet-Cookie: a=b\r\n\r\n") != std::string::npos);
    CHECK(hs.refuse(403) == make_error_code(error::bad_argument)); // already decided
    server_handshake redirect;
    REQUIRE(run(redirect, e0a) == handshake_status::ready);
    REQUIRE_FALSE(redirect.refuse(302, "Location: wss://other.example.com/\r\n"));
    CHECK(std::string(redirect.response()).rfind("HTTP/1.1 302 Found\r\n", 0) == 0);
    // IPv6 literal with port is a valid Host.
    server_handshake v6;
    CHECK(run(v6, replace(e0a, "Host: sip-ws.example.com", "Host: [::1]:8443")) ==
          handshake_status::ready);
}

TEST_CASE("server handshake: a policy may choose among the offered subprotocols",
          "[ws][handshake][WS6455-4.2.2-c]") {
    server_handshake_options opt;
    opt.subprotocols = {"sip", "chat"};
    server_handshake hs(opt);
    REQUIRE(run(hs, replace(e0a, "Protocol: sip", "Protocol: chat, sip")) ==
            handshake_status::ready);
    CHECK(hs.selected_subprotocol() == "sip");
    CHECK(hs.select_subprotocol("superchat") == make_error_code(error::bad_argument));
    CHECK(hs.selected_subprotocol() == "sip");
    REQUIRE_FALSE(hs.select_subprotocol("chat"));
    REQUIRE_FALSE(hs.accept());
    std::string resp(hs.response());
    CHECK(resp.find("\r\nSec-WebSocket-Protocol: chat\r\n") != std::string::npos);
    CHECK(count_of(resp, "Sec-WebSocket-Protocol") == 1);
    CHECK(hs.select_subprotocol("sip") == make_error_code(error::bad_argument)); // decided
}
