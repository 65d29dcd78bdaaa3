// permessage-deflate negotiation (RFC 7692 sections 5 and 7) without zlib:
// the parameter grammar, the response a server chooses, the offer a client
// makes and its check of the server's response, and both handshakes with
// the option set.
#include <sipws/ws/client_handshake.hpp>
#include <sipws/ws/permessage_deflate.hpp>
#include <sipws/ws/server_handshake.hpp>

#include "support/test.hpp"

#include <string>
#include <vector>

using namespace sipws::ws;

namespace {
/// The server's response value to \p lines (empty: declined).
std::string respond(std::vector<std::string_view> lines, const permessage_deflate_options& o = {}) {
    std::string response;
    auto a = negotiate_deflate(lines, o, response);
    return a ? response : std::string();
}

std::error_code check_response(std::vector<std::string_view> lines,
                               const permessage_deflate_options& o, deflate_agreement& a) {
    return accept_deflate_response(lines, o, a);
}
} // namespace

TEST_CASE("permessage-deflate: parameter grammar of offers and responses",
          "[ws][deflate][PMD7692-7-a]") {
    deflate_params p;
    CHECK(parse_deflate_params("", false, p));
    CHECK(
        parse_deflate_params("; server_no_context_takeover; client_no_context_takeover", false, p));
    CHECK(p.server_no_context_takeover);
    CHECK(p.client_no_context_takeover);
    for (int bits = 8; bits <= 15; ++bits) {
        const std::string text = "; server_max_window_bits=" + std::to_string(bits);
        INFO(text);
        REQUIRE(parse_deflate_params(text, false, p));
        CHECK(p.server_max_window_bits == bits);
    }
    // client_max_window_bits: no value in an offer only.
    REQUIRE(parse_deflate_params(";client_max_window_bits", false, p));
    CHECK(p.client_max_window_bits == -1);
    CHECK_FALSE(parse_deflate_params(";client_max_window_bits", true, p));
    REQUIRE(parse_deflate_params("; client_max_window_bits = 10", true, p));
    CHECK(p.client_max_window_bits == 10);
    // A quoted token is the same value (RFC 6455 section 9.1).
    REQUIRE(parse_deflate_params("; server_max_window_bits=\"12\"", false, p));
    CHECK(p.server_max_window_bits == 12);

    const char* bad[] = {
        "; server_max_window_bits",                                 // value required
        "; server_max_window_bits=7",                               // below 8
        "; server_max_window_bits=16",                              // above 15
        "; server_max_window_bits=010",                             // leading zero
        "; server_max_window_bits=08",                              // leading zero
        "; server_max_window_bits=+9",                              // not 1*DIGIT
        "; server_max_window_bits=",                                // empty
        "; client_max_window_bits=0",                               // out of range
        "; server_no_context_takeover=1",                           // no value allowed
        "; client_no_context_takeover=true",                        // no value allowed
        "; foo",                                                    // unknown
        "; x=1",                                                    // unknown
        "; server_no_context_takeover; server_no_context_takeover", // repeated
        "; client_max_window_bits; client_max_window_bits=10",      // repeated
        "; Server_No_Context_Takeover",                             // names are exact
    };
    for (const char* text : bad) {
        INFO(text);
        CHECK_FALSE(parse_deflate_params(text, false, p));
    }
}

TEST_CASE("permessage-deflate: the server accepts the first offer it can honour",
          "[ws][deflate][PMD7692-5-a][PMD7692-7-b][PMD7692-7-d]") {
    CHECK(respond({"permessage-deflate"}) == "permessage-deflate");
    // What browsers send: the client lets the server choose its window.
    CHECK(respond({"permessage-deflate; client_max_window_bits"}) == "permessage-deflate");
    // The server's window is at most what the client allows (7-d).
    CHECK(respond({"permessage-deflate; server_max_window_bits=10"}) ==
          "permessage-deflate; server_max_window_bits=10");
    permessage_deflate_options small;
    small.server_max_window_bits = 11;
    small.client_max_window_bits = 9;
    CHECK(respond({"permessage-deflate; server_max_window_bits=13"}, small) ==
          "permessage-deflate; server_max_window_bits=11");
    // A smaller server window may be announced even if not offered.
    CHECK(respond({"permessage-deflate"}, small) ==
          "permessage-deflate; server_max_window_bits=11");
    // The client's window is lowered only when it offered the parameter.
    CHECK(respond({"permessage-deflate; client_max_window_bits"}, small) ==
          "permessage-deflate; server_max_window_bits=11; client_max_window_bits=9");
    CHECK(respond({"permessage-deflate; client_max_window_bits=12"}, small) ==
          "permessage-deflate; server_max_window_bits=11; client_max_window_bits=9");
    // Context takeover: the server honours the client's request and may ask its own.
    CHECK(respond({"permessage-deflate; server_no_context_takeover"}) ==
          "permessage-deflate; server_no_context_takeover");
    permessage_deflate_options resets;
    resets.client_no_context_takeover = true;
    CHECK(respond({"permessage-deflate"}, resets) ==
          "permessage-deflate; client_no_context_takeover");

    // Declined offers (7-b): unknown, invalid, repeated, or a 256-octet window.
    const char* declined[] = {
        "permessage-deflate; foo=1",
        "permessage-deflate; server_max_window_bits=16",
        "permessage-deflate; server_max_window_bits=09",
        "permessage-deflate; server_no_context_takeover; server_no_context_takeover",
        "permessage-deflate; server_max_window_bits=8",
        "x-webkit-deflate-frame",
        "permessage-deflate; client_max_window_bits; server_max_window_bits",
    };
    for (const char* offer : declined) {
        INFO(offer);
        CHECK(respond({offer}).empty());
    }
    // The next offer is taken when the first is declined, in one field or two.
    CHECK(respond({"permessage-deflate; server_max_window_bits=8, permessage-deflate; "
                   "server_max_window_bits=9"}) == "permessage-deflate; server_max_window_bits=9");
    CHECK(respond({"x-webkit-deflate-frame", "permessage-deflate; bad, permessage-deflate"}) ==
          "permessage-deflate");
    // The agreement says what each side uses.
    std::string line;
    auto a = negotiate_deflate({"permessage-deflate; client_max_window_bits; "
                                "server_no_context_takeover; server_max_window_bits=12"},
                               small, line);
    REQUIRE(a);
    CHECK(a->server_max_window_bits == 11);
    CHECK(a->client_max_window_bits == 9);
    CHECK(a->server_no_context_takeover);
    CHECK_FALSE(a->client_no_context_takeover);
    CHECK(a->send_window_bits(role::server) == 11);
    CHECK(a->receive_window_bits(role::server) == 9);
    CHECK(a->send_resets(role::server));
    CHECK_FALSE(a->receive_resets(role::server));
}

TEST_CASE("permessage-deflate: the client's offer and its check of the response",
          "[ws][deflate][PMD7692-5-a][PMD7692-7-c]") {
    permessage_deflate_options o;
    CHECK(deflate_offer(o) == "permessage-deflate; client_max_window_bits");
    permessage_deflate_options all;
    all.server_no_context_takeover = true;
    all.client_no_context_takeover = true;
    all.server_max_window_bits = 10;
    all.client_max_window_bits = 12;
    CHECK(deflate_offer(all) == "permessage-deflate; server_no_context_takeover; "
                                "client_no_context_takeover; server_max_window_bits=10; "
                                "client_max_window_bits=12");

    deflate_agreement a;
    REQUIRE_FALSE(check_response({"permessage-deflate"}, o, a));
    CHECK(a.server_max_window_bits == 15);
    CHECK(a.client_max_window_bits == 15);
    REQUIRE_FALSE(check_response({"permessage-deflate; server_no_context_takeover; "
                                  "client_no_context_takeover; server_max_window_bits=9; "
                                  "client_max_window_bits=10"},
                                 o, a));
    CHECK(a.server_no_context_takeover);
    CHECK(a.client_no_context_takeover); // a client must honour it (7-c)
    CHECK(a.server_max_window_bits == 9);
    CHECK(a.client_max_window_bits == 10);
    CHECK(a.send_window_bits(role::client) == 10);
    CHECK(a.receive_window_bits(role::client) == 9);
    // Our own limits hold when the response says nothing.
    REQUIRE_FALSE(check_response({"permessage-deflate"}, all, a));
    CHECK(a.server_max_window_bits == 10);
    CHECK(a.client_max_window_bits == 12);
    CHECK(a.client_no_context_takeover);

    struct bad_case {
        const char* response;
        error expected;
    };
    const bad_case bad[] = {
        {"permessage-deflate; foo", error::bad_extension_response},
        {"permessage-deflate; server_max_window_bits=16", error::bad_extension_response},
        {"permessage-deflate; server_max_window_bits=010", error::bad_extension_response},
        {"permessage-deflate; client_max_window_bits", error::bad_extension_response},
        {"permessage-deflate; server_no_context_takeover; server_no_context_takeover",
         error::bad_extension_response},
        {"permessage-deflate; client_no_context_takeover=1", error::bad_extension_response},
        {"x-webkit-deflate-frame", error::unrequested_extension},
        {"permessage-deflate, permessage-deflate", error::unrequested_extension},
    };
    for (const auto& c : bad) {
        INFO(c.response);
        CHECK(check_response({c.response}, o, a) == make_error_code(c.expected));
    }
    // A server window above the one offered.
    CHECK(check_response({"permessage-deflate; server_max_window_bits=11"}, all, a) ==
          make_error_code(error::bad_extension_response));
    // Two extensions in two fields.
    CHECK(check_response({"permessage-deflate", "permessage-deflate"}, o, a) ==
          make_error_code(error::unrequested_extension));
}

TEST_CASE("permessage-deflate: handshakes with the option set",
          "[ws][handshake][deflate][PMD7692-5-a][PMD7692-7-b][PMD7692-7-c]") {
    const std::string head =
        "GET / HTTP/1.1\r\nHost: sip-ws.example.com\r\nUpgrade: websocket\r\n"
        "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
        "Sec-WebSocket-Protocol: sip\r\nSec-WebSocket-Version: 13\r\n";
    server_handshake_options so;
    so.deflate = permessage_deflate_options{};
    {
        server_handshake hs(so);
        const std::string req = head + "Sec-WebSocket-Extensions: permessage-deflate; foo, "
                                       "permessage-deflate; client_max_window_bits\r\n\r\n";
        std::size_t used = 0;
        REQUIRE(hs.feed(req.data(), req.size(), used) == handshake_status::ready);
        REQUIRE(hs.agreed_deflate());
        REQUIRE_FALSE(hs.accept());
        CHECK(std::string(hs.response())
                  .find("\r\nSec-WebSocket-Extensions: permessage-deflate\r\n") !=
              std::string::npos);
    }
    {
        server_handshake hs(so);
        const std::string req = head + "Sec-WebSocket-Extensions: permessage-deflate; "
                                       "server_max_window_bits=8\r\n\r\n";
        std::size_t used = 0;
        REQUIRE(hs.feed(req.data(), req.size(), used) == handshake_status::ready);
        CHECK_FALSE(hs.agreed_deflate());
        REQUIRE_FALSE(hs.accept());
        CHECK(std::string(hs.response()).find("Extensions") == std::string::npos);
    }

    client_handshake_options co;
    co.host = "sip-ws.example.com";
    co.deflate = permessage_deflate_options{};
    auto reply = [](client_handshake& hs, const std::string& ext_lines) {
        const std::string resp = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                                 "Connection: Upgrade\r\nSec-WebSocket-Accept: " +
                                 compute_accept(hs.key()) + "\r\nSec-WebSocket-Protocol: sip\r\n" +
                                 ext_lines + "\r\n";
        std::size_t used = 0;
        return hs.feed(resp.data(), resp.size(), used);
    };
    {
        client_handshake hs(co);
        CHECK(std::string(hs.request())
                  .find("\r\nSec-WebSocket-Extensions: permessage-deflate; "
                        "client_max_window_bits\r\n") != std::string::npos);
        REQUIRE(reply(hs, "Sec-WebSocket-Extensions: permessage-deflate; "
                          "client_max_window_bits=9\r\n") == handshake_status::accepted);
        REQUIRE(hs.agreed_deflate());
        CHECK(hs.agreed_deflate()->client_max_window_bits == 9);
    }
    {
        client_handshake hs(co); // the server declined: no compression
        REQUIRE(reply(hs, "") == handshake_status::accepted);
        CHECK_FALSE(hs.agreed_deflate());
    }
    {
        client_handshake hs(co);
        CHECK(reply(hs, "Sec-WebSocket-Extensions: permessage-deflate; bogus\r\n") ==
              handshake_status::failed);
        CHECK(hs.error() == make_error_code(error::bad_extension_response));
    }
    {
        client_handshake hs(co);
        CHECK(reply(hs, "Sec-WebSocket-Extensions: x-webkit-deflate-frame\r\n") ==
              handshake_status::failed);
        CHECK(hs.error() == make_error_code(error::unrequested_extension));
    }
}
