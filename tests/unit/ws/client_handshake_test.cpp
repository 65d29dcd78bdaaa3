#include <sipws/ws/client_handshake.hpp>
#include <sipws/ws/server_handshake.hpp>

#include "support/test.hpp"

#include <set>
#include <string>

using namespace sipws::ws;

namespace {
client_handshake_options e0a_options() {
    client_handshake_options o;
    o.host = "sip-ws.example.com";
    o.origin = "http://www.example.com";
    return o;
}

std::string response_for(std::string_view key,
                         const std::string& extra = "Sec-WebSocket-Protocol: sip\r\n") {
    return "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
           "Sec-WebSocket-Accept: " +
           compute_accept(key) + "\r\n" + extra + "\r\n";
}

std::string replace(std::string s, const std::string& from, const std::string& to) {
    auto at = s.find(from);
    REQUIRE(at != std::string::npos);
    return s.replace(at, from.size(), to);
}

handshake_status run(client_handshake& hs, const std::string& resp) {
    std::size_t used = 0;
    return hs.feed(resp.data(), resp.size(), used);
}

void expect_failure(const std::string& resp_template, error e,
                    client_handshake_options opt = e0a_options()) {
    client_handshake hs(std::move(opt));
    // The template uses KEY for the accept value of this handshake's key.
    std::string resp = resp_template;
    auto at = resp.find("ACCEPT");
    if (at != std::string::npos) resp.replace(at, 6, compute_accept(hs.key()));
    CHECK(run(hs, resp) == handshake_status::failed);
    CHECK(hs.error() == make_error_code(e));
}

const std::string good_template = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                                  "Connection: Upgrade\r\nSec-WebSocket-Accept: ACCEPT\r\n"
                                  "Sec-WebSocket-Protocol: sip\r\n\r\n";
} // namespace

TEST_CASE("client handshake: request carries what RFC 6455 and RFC 7118 require",
          "[ws][handshake][client][WS6455-4.1-c][WS6455-4.1-d][WS6455-4.1-e][WS6455-4.1-g]"
          "[WS7118-4.1-a][WS6455-4.1-f][WS7118-7-a]") {
    auto o = e0a_options();
    o.target = "/ws?token=t1";
    o.extra_headers = "Cookie: session=42\r\n";
    client_handshake hs(o);
    std::string req(hs.request());
    CHECK(req.rfind("GET /ws?token=t1 HTTP/1.1\r\n", 0) == 0);
    CHECK(req.find("\r\nHost: sip-ws.example.com\r\n") != std::string::npos);
    CHECK(req.find("\r\nUpgrade: websocket\r\n") != std::string::npos);
    CHECK(req.find("\r\nConnection: Upgrade\r\n") != std::string::npos);
    CHECK(req.find("\r\nSec-WebSocket-Version: 13\r\n") != std::string::npos);
    CHECK(req.find("\r\nSec-WebSocket-Protocol: sip\r\n") != std::string::npos);
    CHECK(req.find("\r\nOrigin: http://www.example.com\r\n") != std::string::npos);
    CHECK(req.find("\r\nCookie: session=42\r\n") != std::string::npos);
    CHECK(req.find("\r\nSec-WebSocket-Key: " + std::string(hs.key()) + "\r\n") !=
          std::string::npos);
    CHECK(is_valid_key(hs.key()));
    CHECK(req.substr(req.size() - 4) == "\r\n\r\n");

    // Our own server accepts it (round trip).
    server_handshake srv;
    std::size_t used = 0;
    REQUIRE(srv.feed(req.data(), req.size(), used) == handshake_status::ready);
    CHECK(srv.request().query == "token=t1");
    REQUIRE_FALSE(srv.accept());
    std::string resp(srv.response());
    CHECK(run(hs, resp) == handshake_status::accepted);
    CHECK(hs.subprotocol() == "sip");
}

TEST_CASE("client handshake: keys are fresh per connection",
          "[ws][handshake][client][WS6455-4.1-e]") {
    std::set<std::string> keys;
    for (int i = 0; i < 200; ++i) keys.insert(std::string(client_handshake(e0a_options()).key()));
    CHECK(keys.size() == 200);
}

TEST_CASE("client handshake: RFC 7118 example 101 accepted; altered ones rejected",
          "[ws][handshake][client][E0-a-4][WS6455-4.1-j][WS6455-4.1-k][WS7118-4.1-d]") {
    {
        client_handshake hs(e0a_options());
        CHECK(run(hs, response_for(hs.key())) == handshake_status::accepted);
        CHECK(hs.status_code() == 101);
        CHECK(hs.subprotocol() == "sip");
    }
    // Protocol line removed.
    expect_failure(replace(good_template, "Sec-WebSocket-Protocol: sip\r\n", ""),
                   error::missing_subprotocol);
    // Another subprotocol.
    expect_failure(replace(good_template, "Protocol: sip", "Protocol: chat"),
                   error::unrequested_subprotocol);
    expect_failure(replace(good_template, "Protocol: sip", "Protocol: sip, chat"),
                   error::unrequested_subprotocol);
    expect_failure(replace(good_template, "Protocol: sip", "Protocol: SIP"),
                   error::unrequested_subprotocol);
    // Accept value altered.
    expect_failure(replace(good_template, "ACCEPT", "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="),
                   error::bad_accept);
    expect_failure(replace(good_template, "Sec-WebSocket-Accept: ACCEPT\r\n", ""),
                   error::bad_accept);
    // Upgrade / Connection.
    expect_failure(replace(good_template, "Upgrade: websocket\r\n", ""), error::no_upgrade);
    expect_failure(replace(good_template, "Connection: Upgrade\r\n", "Connection: close\r\n"),
                   error::no_connection_upgrade);
    // Unrequested extension.
    expect_failure(replace(good_template, "\r\n\r\n",
                           "\r\nSec-WebSocket-Extensions: permessage-deflate\r\n\r\n"),
                   error::unrequested_extension);
    // Status.
    expect_failure(replace(good_template, "101 Switching Protocols", "200 OK"), error::bad_status);
    expect_failure(replace(good_template, "HTTP/1.1", "HTTP/1.0"), error::bad_http_version);
    expect_failure(replace(good_template, "HTTP/1.1 101", "HTTP/1.1 1O1"), error::http_syntax);
}

TEST_CASE("client handshake: duplicated fields in the 101 fail",
          "[ws][handshake][client][WS6455-11.3-a]") {
    expect_failure(replace(good_template, "Sec-WebSocket-Accept: ACCEPT\r\n",
                           "Sec-WebSocket-Accept: ACCEPT\r\nSec-WebSocket-Accept: ACCEPT\r\n"),
                   error::duplicate_field);
    expect_failure(replace(good_template, "Sec-WebSocket-Protocol: sip\r\n",
                           "Sec-WebSocket-Protocol: sip\r\nSec-WebSocket-Protocol: sip\r\n"),
                   error::duplicate_field);
}

TEST_CASE("client handshake: header names and tokens case-insensitive; accept trimmed",
          "[ws][handshake][client][WS6455-4.1-l][WS6455-4.1-j]") {
    client_handshake hs(e0a_options());
    std::string resp = "HTTP/1.1 101 Switching Protocols\r\nupgrade: WebSocket\r\n"
                       "connection: keep-alive, UPGRADE\r\nsec-websocket-accept:   " +
                       compute_accept(hs.key()) + "  \r\nsec-websocket-protocol: sip\r\n\r\n";
    CHECK(run(hs, resp) == handshake_status::accepted);
}

TEST_CASE("client handshake: response in pieces; frames after the head are left over",
          "[ws][handshake][client][WS6455-4.1-i]") {
    client_handshake probe(e0a_options());
    const std::string tail = "\x81\x02hi";
    for (std::size_t cut = 1; cut < 60; cut += 7) {
        client_handshake hs(e0a_options());
        std::string resp = response_for(hs.key());
        std::string input = resp + tail;
        std::size_t u1 = 0, u2 = 0;
        CHECK(hs.feed(input.data(), cut, u1) == handshake_status::need_more);
        CHECK(hs.feed(input.data() + cut, input.size() - cut, u2) == handshake_status::accepted);
        CHECK(u1 + u2 == resp.size());
    }
}

TEST_CASE("client handshake: non-101 answers expose status and fields (401, 3xx)",
          "[ws][handshake][client][WS7118-7-b][WS7118-4.1-e]") {
    client_handshake hs(e0a_options());
    std::string resp = "HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Digest realm=\"x\", "
                       "nonce=\"n\"\r\nContent-Length: 0\r\n\r\n";
    CHECK(run(hs, resp) == handshake_status::failed);
    CHECK(hs.error() == make_error_code(error::bad_status));
    CHECK(hs.status_code() == 401);
    CHECK(hs.response_fields().get("www-authenticate") == "Digest realm=\"x\", nonce=\"n\"");
}

TEST_CASE("client handshake: optional subprotocol and bounded response",
          "[ws][handshake][client][WS6455-4.1-k]") {
    auto o = e0a_options();
    o.subprotocols.clear();
    {
        client_handshake hs(o);
        std::string req(hs.request());
        CHECK(req.find("Sec-WebSocket-Protocol") == std::string::npos);
        CHECK(run(hs, response_for(hs.key(), "")) == handshake_status::accepted);
    }
    {
        // We offered nothing, the server selects something.
        client_handshake hs(o);
        CHECK(run(hs, response_for(hs.key())) == handshake_status::failed);
        CHECK(hs.error() == make_error_code(error::unrequested_subprotocol));
    }
    auto small = e0a_options();
    small.max_head_size = 64;
    client_handshake hs(small);
    CHECK(run(hs, response_for(hs.key())) == handshake_status::failed);
    CHECK(hs.error() == make_error_code(error::handshake_too_large));
}

TEST_CASE("client handshake: invalid configuration throws",
          "[ws][handshake][client][WS6455-4.1-h]") {
    auto o = e0a_options();
    o.host = "";
    REQUIRE_THROWS_AS(client_handshake(o), std::invalid_argument);
    o = e0a_options();
    o.target = "no-slash";
    REQUIRE_THROWS_AS(client_handshake(o), std::invalid_argument);
    o = e0a_options();
    o.subprotocols = {"sip", "sip"};
    REQUIRE_THROWS_AS(client_handshake(o), std::invalid_argument);
    o = e0a_options();
    o.subprotocols = {"s ip"};
    REQUIRE_THROWS_AS(client_handshake(o), std::invalid_argument);
    o = e0a_options();
    o.extra_headers = "X: a\r\n\r\nGET / HTTP/1.1\r\n";
    REQUIRE_THROWS_AS(client_handshake(o), std::invalid_argument);
    o = e0a_options();
    o.origin = "http://a\r\nX: y";
    REQUIRE_THROWS_AS(client_handshake(o), std::invalid_argument);
}
