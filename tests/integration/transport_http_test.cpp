// The listener's plain-HTTP hook: a GET without Upgrade on the WebSocket
// port is answered by the user's handler (a web page next to the SIP
// endpoint); without a handler, or when it declines, the default refusal.
#include "transport_support.hpp"

#include "support/process.hpp"
#include "support/test.hpp"

#include <asio/connect.hpp>
#include <asio/read.hpp>
#include <asio/write.hpp>

#include <string>

namespace tr = sipws::transport;

namespace {
std::string http_get(unsigned short port, const std::string& head) {
    asio::io_context io;
    asio::ip::tcp::socket s(io);
    s.connect({asio::ip::make_address("127.0.0.1"), port});
    asio::write(s, asio::buffer(head));
    std::string out;
    std::error_code ec;
    char buf[4096];
    for (;;) {
        std::size_t n = s.read_some(asio::buffer(buf), ec);
        out.append(buf, n);
        if (ec) break;
    }
    return out;
}
} // namespace

TEST_CASE("listener: plain HTTP GETs reach the http handler; upgrades are unaffected",
          "[transport][http]") {
    sipws::test::io_runner run(1);
    tr::ws_listener<> l(run.io);
    std::string seen_path, seen_query;
    l.on_http([&](const sipws::ws::handshake_request& req) -> std::optional<tr::http_response> {
        if (req.path != "/hello") return std::nullopt;
        seen_path = std::string(req.path);
        seen_query = std::string(req.query);
        tr::http_response r;
        r.content_type = "application/json";
        r.body = "[\"sip:alice@sipws.test\"]";
        return r;
    });
    const unsigned short port = sipws::test::free_port();
    REQUIRE_FALSE(l.listen({asio::ip::make_address("127.0.0.1"), port}));
    l.start();

    std::string ok = http_get(port, "GET /hello?x=1 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
    INFO(ok);
    CHECK(ok.rfind("HTTP/1.1 200 OK\r\n", 0) == 0);
    CHECK(ok.find("Content-Type: application/json\r\n") != std::string::npos);
    CHECK(ok.find("Content-Length: 24\r\n") != std::string::npos);
    CHECK(ok.find("Connection: close\r\n") != std::string::npos);
    CHECK(ok.substr(ok.size() - 24) == "[\"sip:alice@sipws.test\"]");
    CHECK(seen_path == "/hello");
    CHECK(seen_query == "x=1");

    // Declined: the default answer for a request that is no upgrade.
    std::string declined = http_get(port, "GET /other HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
    CHECK(declined.rfind("HTTP/1.1 4", 0) == 0);
    CHECK(declined.find("Content-Length: 0\r\n") != std::string::npos);

    // An upgrade without the sip subprotocol is still refused by the handshake rules.
    std::string upgrade = http_get(port, "GET /hello HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
                                         "Connection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
                                         "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n");
    CHECK(upgrade.rfind("HTTP/1.1 400", 0) == 0);
    l.stop();
}
