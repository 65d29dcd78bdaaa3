// The flows of a client: reuse of an open flow to the same next hop
// (transport::flow_pool) and what an Outbound keep-alive puts on the wire.
#include <sipws/rfc7118/ua_outbound.hpp>
#include <sipws/transport/flow_pool.hpp>

#include "support/test.hpp"

#include "integration/transport_support.hpp"

#include <asio/read.hpp>

#include <future>
#include <string>
#include <thread>

using namespace sipws::test;
namespace tr = sipws::transport;
namespace rf = sipws::rfc7118;
using namespace std::chrono_literals;

namespace {

/// acquire() that waits for the flow (0 on error).
tr::flow_id acquire(tr::flow_pool<>& pool, const std::string& url, tr::connect_options o = {}) {
    std::promise<tr::flow_id> p;
    pool.async_acquire(url, std::move(o), [&p](std::error_code ec, tr::flow_id f) { p.set_value(ec ? 0 : f); });
    auto fut = p.get_future();
    if (fut.wait_for(15s) != std::future_status::ready) return 0;
    return fut.get();
}

} // namespace

TEST_CASE("flow pool: requests to the same ws next hop share one connection",
          "[client][transport][flow_pool][OB5626-4.3-b]") {
    io_runner run(2);
    tr::ws_listener<> server(run.io);
    inbox sbox;
    server.on_open(sbox.open_handler());
    REQUIRE_FALSE(server.listen(loopback()));
    server.start();
    const std::string url = ws_url(server.local_endpoint());

    tr::connector<> c(run.io);
    tr::flow_pool<> pool(c);

    // Two acquires at once: the second waits for the first one's connection.
    std::promise<tr::flow_id> p1, p2;
    pool.async_acquire(url, {}, [&](std::error_code ec, tr::flow_id f) { p1.set_value(ec ? 0 : f); });
    pool.async_acquire(url, {}, [&](std::error_code ec, tr::flow_id f) { p2.set_value(ec ? 0 : f); });
    auto f1 = p1.get_future(), f2 = p2.get_future();
    REQUIRE(f1.wait_for(15s) == std::future_status::ready);
    REQUIRE(f2.wait_for(15s) == std::future_status::ready);
    const tr::flow_id a = f1.get();
    REQUIRE(a != 0);
    CHECK(f2.get() == a);
    // And one later.
    CHECK(acquire(pool, url) == a);
    CHECK(pool.find(url) == a);
    REQUIRE(wait_until([&] { return sbox.open_count() >= 1; }));
    std::this_thread::sleep_for(200ms); // a second connection would show by now
    CHECK(sbox.open_count() == 1);
    CHECK(pool.reused() == 1u); // the concurrent one waited, the later one reused

    // Another port is another next hop.
    tr::ws_listener<> other(run.io);
    inbox obox;
    other.on_open(obox.open_handler());
    REQUIRE_FALSE(other.listen(loopback()));
    other.start();
    const tr::flow_id b = acquire(pool, ws_url(other.local_endpoint()));
    CHECK(b != 0);
    CHECK(b != a);
    CHECK(wait_until([&] { return obox.open_count() == 1; }));

    // Once the flow is closed, the next request opens a new connection.
    REQUIRE(c.registry().close(a));
    REQUIRE(wait_until([&] { return !c.registry().contains(a); }));
    const tr::flow_id a2 = acquire(pool, url);
    CHECK(a2 != 0);
    CHECK(a2 != a);
    CHECK(wait_until([&] { return sbox.open_count() == 2; }));
}

TEST_CASE("flow pool: a wss flow is reused only for the TLS name its certificate matched",
          "[client][transport][flow_pool][tls][OB5626-4.3-b]") {
    wss_server ws("flow-pool");
    const std::string url = "wss://127.0.0.1:" + std::to_string(ws.listener.local_endpoint().port()) + "/";

    io_runner run(1);
    tr::connector<> c(run.io);
    c.set_ca_file(ws.dir + "/ca.pem");
    tr::flow_pool<> pool(c);

    tr::connect_options by_localhost;
    by_localhost.server_name = "localhost";
    tr::connect_options by_domain;
    by_domain.server_name = "sipws.test";

    const tr::flow_id a = acquire(pool, url, by_localhost);
    REQUIRE(a != 0);
    CHECK(acquire(pool, url, by_localhost) == a);
    REQUIRE(wait_until([&] { return ws.box.open_count() == 1; }));

    // The same address and port known by another name: a connection of its own.
    const tr::flow_id b = acquire(pool, url, by_domain);
    REQUIRE(b != 0);
    CHECK(b != a);
    CHECK(acquire(pool, url, by_domain) == b);
    CHECK(wait_until([&] { return ws.box.open_count() == 2; }));

    // A flow opened without verification does not serve a verified request.
    tr::connect_options unverified = by_localhost;
    unverified.verify_peer = false;
    const tr::flow_id u = acquire(pool, url, unverified);
    CHECK(u != 0);
    CHECK(u != a);
    CHECK(wait_until([&] { return ws.box.open_count() == 3; }));
    std::this_thread::sleep_for(200ms);
    CHECK(ws.box.open_count() == 3);

    // A name the certificate does not carry fails; nothing is kept for it.
    tr::connect_options wrong;
    wrong.server_name = "other.example";
    CHECK(acquire(pool, url, wrong) == 0);
    CHECK(pool.find(url, wrong) == 0);
}

TEST_CASE("client keep-alive on a WebSocket flow is CRLF on the wire, never STUN",
          "[client][transport][keepalive][OB5626-4.4.2-a][OB5626-KA-a]") {
    // The server side is played by hand so that the test sees the bytes.
    asio::io_context sio;
    asio::ip::tcp::acceptor acc(sio, loopback());
    const auto ep = acc.local_endpoint();
    std::promise<std::string> wire;
    std::promise<void> checked; // the server keeps the connection open until then
    std::thread srv([&] {
        asio::ip::tcp::socket s(sio);
        accept_websocket(acc, s);
        std::string seen;
        std::error_code ec;
        for (int i = 0; i < 3 && !ec; ++i) {
            // Each client frame: 2 header octets, 4 masking octets, payload.
            unsigned char head[2];
            asio::read(s, asio::buffer(head), ec);
            if (ec) break;
            const std::size_t len = head[1] & 0x7f;
            std::string rest(4 + len, '\0');
            asio::read(s, asio::buffer(&rest[0], rest.size()), ec);
            if (ec) break;
            seen.push_back(static_cast<char>(head[0]));
            seen.push_back(static_cast<char>(head[1]));
            for (std::size_t k = 0; k < len; ++k) seen.push_back(static_cast<char>(rest[4 + k] ^ rest[k % 4]));
            const std::string pong("\x81\x02\r\n", 4); // the RFC 5626 pong, unmasked from a server
            asio::write(s, asio::buffer(pong), ec);
        }
        wire.set_value(seen);
        checked.get_future().wait_for(15s);
    });

    io_runner run(1);
    tr::connector<> c(run.io);
    rf::apply_crlf_keepalive(c.keepalive_policy(), 100ms);
    // The default pong timeout (10 s) stays: each keep-alive follows the
    // previous pong by one interval, not by the pong timeout.
    REQUIRE(c.keepalive_policy().pong_timeout >= 10s);
    inbox box;
    c.on_message(box.message_handler());
    const tr::flow_id f = open_flow(c, ws_url(ep));
    REQUIRE(f != 0);
    auto fut = wire.get_future();
    REQUIRE(fut.wait_for(15s) == std::future_status::ready);
    const std::string seen = fut.get();
    // Three keep-alives, each one text frame (FIN, opcode 1, masked, 4
    // octets) carrying exactly CRLF CRLF: no STUN Binding request (type
    // 0x0001, magic cookie 0x2112A442) and nothing else.
    const std::string ka = std::string("\x81\x84", 2) + "\r\n\r\n";
    CHECK(seen == ka + ka + ka);
    CHECK(seen.find(std::string("\x21\x12\xa4\x42", 4)) == std::string::npos);
    CHECK(seen.find(std::string("\x00\x01", 2)) == std::string::npos);
    CHECK(box.message_count() == 0); // the pongs were not delivered as messages
    CHECK(c.registry().contains(f)); // every pong was taken as one
    checked.set_value();
    srv.join();
}
