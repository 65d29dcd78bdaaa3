// permessage-deflate (RFC 7692) is a policy sipws keeps off: a server
// declines every offer, a client never offers and fails a 101 that selects
// an extension anyway, and RSV1 (the "compressed" bit) fails the connection
// on every kind of frame, since no extension owns it.
#include <sipws/ws/client_handshake.hpp>
#include <sipws/ws/engine.hpp>
#include <sipws/ws/server_handshake.hpp>

#include "support/test.hpp"
#include "ws_test_util.hpp"

#include <string>

using namespace sipws::ws;
using sipws::test::ws::cframe;
using sipws::test::ws::feed;
using sipws::test::ws::frame;

namespace {
const std::string request_head = "GET / HTTP/1.1\r\n"
                                 "Host: sip-ws.example.com\r\n"
                                 "Upgrade: websocket\r\n"
                                 "Connection: Upgrade\r\n"
                                 "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                                 "Sec-WebSocket-Protocol: sip\r\n"
                                 "Sec-WebSocket-Version: 13\r\n";

/// The server's answer to the request with \p extension_lines added.
std::string answer_to(const std::string& extension_lines) {
    server_handshake hs;
    const std::string req = request_head + extension_lines + "\r\n";
    std::size_t used = 0;
    REQUIRE(hs.feed(req.data(), req.size(), used) == handshake_status::ready);
    REQUIRE_FALSE(hs.accept());
    return std::string(hs.response());
}

void expect_rsv1_failure(role r, const std::string& wire) {
    engine eng(r);
    auto evs = feed(eng, wire);
    REQUIRE_FALSE(evs.empty());
    CHECK(evs.back().type == event_type::error);
    CHECK(evs.back().error == make_error_code(error::reserved_bits));
    CHECK(evs.back().code == 1002);
    CHECK(eng.state() == engine_state::failed);
}
} // namespace

TEST_CASE("compression: the server declines every permessage-deflate offer and still upgrades",
          "[ws][handshake][PMD7692-7-b][PMD7692-8-a]") {
    const char* offers[] = {
        "Sec-WebSocket-Extensions: permessage-deflate\r\n",
        // What Chromium and Firefox send.
        "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n",
        // An unknown parameter, an invalid value, a repeated parameter, a
        // window a deflate library cannot honour.
        "Sec-WebSocket-Extensions: permessage-deflate; foo=1\r\n",
        "Sec-WebSocket-Extensions: permessage-deflate; server_max_window_bits=16\r\n",
        "Sec-WebSocket-Extensions: permessage-deflate; server_no_context_takeover; "
        "server_no_context_takeover\r\n",
        "Sec-WebSocket-Extensions: permessage-deflate; server_max_window_bits=8\r\n",
        // Several offers, in one field and in two.
        "Sec-WebSocket-Extensions: permessage-deflate; server_max_window_bits=10, permessage-deflate\r\n",
        "Sec-WebSocket-Extensions: x-webkit-deflate-frame\r\n"
        "Sec-WebSocket-Extensions: permessage-deflate\r\n",
    };
    for (const char* offer : offers) {
        INFO(offer);
        const std::string resp = answer_to(offer);
        CHECK(resp.rfind("HTTP/1.1 101 Switching Protocols\r\n", 0) == 0);
        CHECK(resp.find("Sec-WebSocket-Protocol: sip\r\n") != std::string::npos);
        CHECK(resp.find("Extensions") == std::string::npos);
        CHECK(resp.find("deflate") == std::string::npos);
    }
}

TEST_CASE("compression: the client never offers an extension and fails a 101 that selects one",
          "[ws][handshake][client][PMD7692-7-c][PMD7692-8-a]") {
    client_handshake_options o;
    o.host = "sip-ws.example.com";
    {
        client_handshake hs(o);
        CHECK(std::string(hs.request()).find("Sec-WebSocket-Extensions") == std::string::npos);
    }
    const char* selections[] = {
        "permessage-deflate",
        "permessage-deflate; client_max_window_bits=15",
        "permessage-deflate; client_no_context_takeover",
        "permessage-deflate; server_max_window_bits=8; server_no_context_takeover",
        "x-webkit-deflate-frame",
    };
    for (const char* selected : selections) {
        INFO(selected);
        client_handshake hs(o);
        const std::string resp = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                                 "Connection: Upgrade\r\nSec-WebSocket-Accept: " +
                                 compute_accept(hs.key()) +
                                 "\r\nSec-WebSocket-Protocol: sip\r\nSec-WebSocket-Extensions: " +
                                 selected + "\r\n\r\n";
        std::size_t used = 0;
        CHECK(hs.feed(resp.data(), resp.size(), used) == handshake_status::failed);
        CHECK(hs.error() == make_error_code(error::unrequested_extension));
    }
}

TEST_CASE("compression: RSV1 fails the connection on first, continuation and control frames",
          "[ws][engine][PMD7692-6-a][WS6455-5.2-a]") {
    constexpr unsigned rsv1 = 4;
    // A "compressed" text message: the RFC 7692 section 7.2.3 octets of "Hello".
    const std::string hello_deflated("\xf2\x48\xcd\xc9\xc9\x07\x00", 7);
    expect_rsv1_failure(role::server, cframe(true, 1, hello_deflated, rsv1));
    expect_rsv1_failure(role::client, frame(true, 1, hello_deflated, nullptr, rsv1));
    expect_rsv1_failure(role::server, cframe(true, 2, hello_deflated, rsv1));
    // On a continuation frame after a clean first frame.
    expect_rsv1_failure(role::server, cframe(false, 1, "Hel") + cframe(true, 0, "lo", rsv1));
    // On control frames, alone and between fragments.
    expect_rsv1_failure(role::server, cframe(true, 9, "", rsv1));
    expect_rsv1_failure(role::server, cframe(false, 1, "Hel") + cframe(true, 10, "", rsv1));
    expect_rsv1_failure(role::client, frame(true, 8, "", nullptr, rsv1));
}
