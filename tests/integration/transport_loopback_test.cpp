// The transport over loopback: ws, wss, IPv6, policies, back-pressure,
// timeouts, keep-alives, peer loss, close codes, many connections, threads.
#include "support/process.hpp"
#include "support/test.hpp"

#include "integration/transport_support.hpp"

#include <asio/use_future.hpp>

#include <future>
#include <map>

using namespace sipws::test;
namespace tr = sipws::transport;
using sipws::ws::message_type;

namespace {

template <class Listener> asio::ip::tcp::endpoint start(Listener& l, bool v6 = false) {
    REQUIRE_FALSE(l.listen(loopback(v6)));
    l.start();
    return l.local_endpoint();
}

/// An echo that never meets back-pressure (its queue bound is large).
template <class Listener> void echo(Listener& l) {
    tr::limits lim = l.get_limits();
    lim.max_queued_messages = 1u << 20;
    lim.max_queued_bytes = 256u << 20;
    l.set_limits(lim);
    auto* reg = &l.registry();
    l.on_message([reg](tr::flow_id f, message_type t, std::string_view m) { reg->send(f, t, m); });
}

tr::flow_id connect(tr::connector<>& c, const std::string& url, std::error_code& ec,
                    tr::connect_options o = {}) {
    auto fut = c.async_connect(url, std::move(o), asio::use_future);
    if (fut.wait_for(std::chrono::seconds(15)) != std::future_status::ready) {
        ec = tr::error::connect_timeout;
        return 0;
    }
    try {
        ec = {};
        return fut.get();
    } catch (const std::system_error& e) {
        ec = e.code();
        return 0;
    }
}

} // namespace

TEST_CASE("transport: ws echo over loopback, flow registry, graceful close",
          "[transport][WS7118-4.1-a][WS7118-4.1-b][WS7118-4.2-a][WS7118-4.2-b][WS6455-5.5.1-c]") {
    io_runner run(2);
    auto registry = std::make_shared<tr::flow_registry>();
    tr::ws_listener<> server(run.io, registry);
    echo(server);
    inbox server_box;
    server.on_close(server_box.close_handler());
    server.on_open(server_box.open_handler());
    auto ep = start(server);

    tr::connector<> client(run.io);
    inbox box;
    client.on_message(box.message_handler());
    client.on_close(box.close_handler());
    std::error_code ec;
    tr::flow_id f = connect(client, ws_url(ep, "/sip?x=1"), ec);
    REQUIRE_FALSE(ec);
    REQUIRE(f != 0);
    auto conn = client.registry().find(f);
    REQUIRE(conn);
    CHECK(conn->info().subprotocol == "sip");
    CHECK(conn->info().is_client);

    CHECK_FALSE(client.registry().send(f, "OPTIONS sip:a@b SIP/2.0\r\n\r\n"));
    CHECK_FALSE(client.registry().send(f, std::string("\xff\xfe binary", 9)));
    CHECK(client.registry().send(f, message_type::text, std::string("\xff", 1)) ==
          tr::error::invalid_utf8);
    REQUIRE(wait_until([&] { return box.message_count() == 2; }));
    {
        std::lock_guard<std::mutex> lk(box.mu);
        CHECK(box.messages[0].second == "OPTIONS sip:a@b SIP/2.0\r\n\r\n");
        CHECK(box.types[0] == message_type::text);
        CHECK(box.types[1] == message_type::binary); // not UTF-8: binary (WS7118-4.2-b)
        CHECK(box.messages[0].first == f);
    }
    REQUIRE(server_box.open_count() == 1);
    tr::flow_id sf;
    {
        std::lock_guard<std::mutex> lk(server_box.mu);
        sf = server_box.opens[0].id;
        CHECK(server_box.opens[0].target == "/sip?x=1");
        CHECK(server_box.opens[0].subprotocol == "sip");
        CHECK(server_box.opens[0].remote.address().is_loopback());
    }
    CHECK(sf != f); // ids are process-wide, never shared
    CHECK(registry->flows() == std::vector<tr::flow_id>{sf});

    client.registry().close(f, 4000, "done");
    REQUIRE(wait_until([&] { return box.close_count() == 1 && server_box.close_count() == 1; }));
    {
        std::lock_guard<std::mutex> lk(box.mu);
        CHECK(box.closes[0].second.clean());
        CHECK(box.closes[0].second.sent_code == 4000);
        CHECK(box.closes[0].second.code == 4000); // echoed by the server
    }
    {
        std::lock_guard<std::mutex> lk(server_box.mu);
        CHECK(server_box.closes[0].second.clean());
        CHECK(server_box.closes[0].second.code == 4000);
        CHECK(server_box.closes[0].second.reason == "done");
    }
    CHECK(client.registry().send(f, "late") == tr::error::flow_failed);
    CHECK(registry->send(sf, "late") == tr::error::flow_failed);
    CHECK(registry->size() == 0);
}

TEST_CASE("transport: server-initiated close and IPv6 loopback", "[transport][WS6455-5.5.1-c]") {
    io_runner run(2);
    tr::ws_listener<> server(run.io);
    inbox sbox;
    server.on_open(sbox.open_handler());
    server.on_close(sbox.close_handler());
    echo(server);
    auto ep = start(server, true);
    CHECK(ep.address().is_v6());

    tr::connector<> client(run.io);
    inbox box;
    client.on_close(box.close_handler());
    client.on_message(box.message_handler());
    std::error_code ec;
    tr::flow_id f = connect(client, ws_url(ep), ec);
    REQUIRE_FALSE(ec);
    CHECK_FALSE(client.registry().send(f, "hello v6"));
    REQUIRE(wait_until([&] { return box.message_count() == 1; }));
    REQUIRE(sbox.open_count() == 1);
    server.registry().close(sbox.opens[0].id, 1001, "going");
    REQUIRE(wait_until([&] { return box.close_count() == 1 && sbox.close_count() == 1; }));
    CHECK(box.closes[0].second.code == 1001);
    CHECK(box.closes[0].second.clean());
    CHECK(sbox.closes[0].second.clean());
    CHECK(sbox.closes[0].second.sent_code == 1001);
}

TEST_CASE("transport: wss with a test CA, SNI and host-name verification",
          "[transport][tls][WS7118-9.1-a][WS7118-9.1-b][WS6455-4.1-b][WS6455-10.6-a][WS6455-4.2.2-f]") {
    const std::string dir = make_temp_dir("tls");
    {
        process ca({"bash", std::string(source_dir()) + "/tests/peers/make-test-ca.sh", dir,
                    "sipws.test"});
        auto rc = ca.wait(std::chrono::seconds(30));
        INFO(ca.output());
        REQUIRE(rc);
        REQUIRE(*rc == 0);
    }
    auto server_tls = tr::make_server_tls_context(dir + "/server-chain.pem", dir + "/server.key");
    io_runner run(2);
    tr::wss_listener<> server(run.io, server_tls);
    echo(server);
    inbox sbox;
    server.on_open(sbox.open_handler());
    auto ep = start(server);
    const std::string port = std::to_string(ep.port());

    inbox box;
    tr::connector<> trusted(run.io);
    trusted.set_ca_file(dir + "/ca.pem");
    trusted.on_message(box.message_handler());
    std::error_code ec;
    tr::flow_id f = connect(trusted, "wss://127.0.0.1:" + port + "/", ec);
    REQUIRE_FALSE(ec);
    CHECK(trusted.registry().find(f)->info().secure);
    CHECK_FALSE(trusted.registry().send(f, "over tls"));
    REQUIRE(wait_until([&] { return box.message_count() == 1; }));
    CHECK(box.messages[0].second == "over tls");
    REQUIRE(wait_until([&] { return sbox.open_count() == 1; }));
    CHECK(sbox.opens[0].secure);

    // Name in the certificate (SNI + host check): ok. IPv6 literal: in the SAN too.
    f = connect(trusted, "wss://localhost:" + port + "/", ec);
    CHECK_FALSE(ec);

    // A host name the certificate does not carry: refused.
    f = connect(trusted, "wss://127.0.0.2:" + port + "/", ec);
    CHECK(ec);
    CHECK(f == 0);

    // The system store does not know the test CA: refused, unless verification is off.
    tr::connector<> untrusting(run.io);
    f = connect(untrusting, "wss://127.0.0.1:" + port + "/", ec);
    CHECK(ec);
    tr::connect_options insecure;
    insecure.verify_peer = false;
    f = connect(untrusting, "wss://127.0.0.1:" + port + "/", ec, insecure);
    CHECK_FALSE(ec);
    CHECK(f != 0);

    // The wss port runs TLS first: a plain HTTP upgrade fails the TLS
    // handshake and the connection closes without an HTTP answer (WS6455-4.2.2-f).
    raw_peer plain(ep);
    CHECK(plain.handshake().empty());
    CHECK(wait_until([&] { return sbox.open_count() == 3; })); // no flow opened for it
}

TEST_CASE("transport: Origin allow-list answers 403", "[transport][WS7118-9-c][E0-b-2]") {
    struct config : tr::default_config {
        using origin_policy = tr::policy::origin_allowlist;
    };
    io_runner run(1);
    tr::ws_listener<config> server(run.io);
    server.origin_policy().add("https://good.example");
    auto ep = start(server);
    {
        raw_peer p(ep);
        std::string head = p.handshake(raw_peer::upgrade("/", "Origin: https://evil.example\r\n"));
        CHECK(head.rfind("HTTP/1.1 403", 0) == 0);
        CHECK(p.read_until_eof());
    }
    {
        raw_peer p(ep);
        std::string head = p.handshake(raw_peer::upgrade("/", "Origin: https://GOOD.example\r\n"));
        CHECK(head.rfind("HTTP/1.1 101", 0) == 0);
        CHECK(head.find("Sec-WebSocket-Protocol: sip") != std::string::npos);
    }
    {
        raw_peer p(ep); // no Origin (not a browser): allowed by default
        CHECK(p.handshake().rfind("HTTP/1.1 101", 0) == 0);
    }
    {
        raw_peer p(ep); // no sip offered: 400 (WS7118-4.1-c)
        CHECK(p.handshake(raw_peer::upgrade("/", "", "")).rfind("HTTP/1.1 400", 0) == 0);
    }
}

TEST_CASE("transport: web-auth token accepted, missing (401) or refused (403)",
          "[transport][WS7118-A-b][WS7118-A-c]") {
    struct config : tr::default_config {
        using web_auth_policy = tr::policy::token_auth;
    };
    io_runner run(2);
    tr::ws_listener<config> server(run.io);
    server.web_auth_policy().set_validator([](std::string_view t) -> std::optional<std::string> {
        if (t == "good") return std::string("sip:alice@example.com");
        return std::nullopt;
    });
    inbox sbox;
    server.on_open(sbox.open_handler());
    auto ep = start(server);
    {
        raw_peer p(ep);
        std::string head = p.handshake();
        CHECK(head.rfind("HTTP/1.1 401", 0) == 0);
        CHECK(head.find("WWW-Authenticate: Bearer") != std::string::npos);
    }
    {
        raw_peer p(ep);
        CHECK(p.handshake(raw_peer::upgrade("/?token=bad")).rfind("HTTP/1.1 403", 0) == 0);
    }
    tr::connector<> client(run.io);
    std::error_code ec;
    connect(client, ws_url(ep, "/?token=bad"), ec);
    CHECK(ec == tr::error::handshake_refused);
    CHECK(sbox.open_count() == 0);

    tr::connect_options o;
    o.extra_headers = "Cookie: theme=dark; token=good\r\n";
    tr::flow_id f = connect(client, ws_url(ep), ec, o);
    REQUIRE_FALSE(ec);
    CHECK(f != 0);
    REQUIRE(wait_until([&] { return sbox.open_count() == 1; }));
    CHECK(sbox.opens[0].auth == tr::web_auth_verdict::authenticated);
    CHECK(sbox.opens[0].identity == "sip:alice@example.com");
    // The verdict stays attached to the flow.
    auto sc = server.registry().find(sbox.opens[0].id);
    REQUIRE(sc);
    CHECK(sc->info().identity == "sip:alice@example.com");

    o.extra_headers = "Authorization: Bearer good\r\n";
    connect(client, ws_url(ep), ec, o);
    CHECK_FALSE(ec);
}

TEST_CASE("transport: back-pressure with a peer that stops reading", "[transport][backpressure]") {
    io_runner run(2);
    tr::ws_listener<> server(run.io);
    tr::limits lim;
    lim.max_queued_bytes = 256 * 1024;
    lim.max_queued_messages = 100000;
    server.set_limits(lim);
    inbox sbox;
    server.on_open(sbox.open_handler());
    auto ep = start(server);
    raw_peer p(ep);
    REQUIRE(p.handshake().rfind("HTTP/1.1 101", 0) == 0);
    REQUIRE(wait_until([&] { return sbox.open_count() == 1; }));
    auto c = server.registry().find(sbox.opens[0].id);
    REQUIRE(c);
    const std::string msg(16 * 1024, 'x');
    std::error_code ec;
    std::size_t accepted = 0;
    for (int i = 0; i < 100000 && !ec; ++i) {
        ec = c->send(msg);
        if (!ec) ++accepted;
        if (i % 64 == 0) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    CHECK(ec == tr::error::queue_full);
    CHECK(c->queued_bytes() <= lim.max_queued_bytes);
    // Keep offering until the kernel's buffers are full too: no message
    // accepted for 300 ms (socket buffers grow on a loaded machine, so no
    // fixed amount or time would do).
    auto last_accept = std::chrono::steady_clock::now();
    const auto give_up = last_accept + std::chrono::seconds(30);
    while (std::chrono::steady_clock::now() - last_accept < std::chrono::milliseconds(300) &&
           std::chrono::steady_clock::now() < give_up) {
        if (!c->send(msg)) {
            ++accepted;
            last_accept = std::chrono::steady_clock::now();
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    REQUIRE(std::chrono::steady_clock::now() < give_up);
    CHECK(c->send(msg) == tr::error::queue_full);
    CHECK(c->queued_bytes() <= lim.max_queued_bytes);
    CHECK(c->queued_bytes() + msg.size() > lim.max_queued_bytes);
    CHECK(accepted < 100000);
    CHECK(c->send(std::string(lim.max_queued_bytes + 1, 'y')) == tr::error::message_too_big);

    // async_send waits for room; the peer drains; it completes.
    // (as large as the rest, so that it does not fit in what room is left)
    const std::string late = "after the jam" + std::string(msg.size(), 'z');
    auto fut = c->async_send(message_type::text, late, asio::use_future);
    CHECK(fut.wait_for(std::chrono::milliseconds(100)) == std::future_status::timeout);
    std::thread drain([&] { p.read_until_eof(std::chrono::seconds(3)); });
    CHECK(fut.wait_for(std::chrono::seconds(10)) == std::future_status::ready);
    CHECK_NOTHROW(fut.get());
    drain.join();
    CHECK(p.received().find("after the jam") != std::string::npos);
}

TEST_CASE("transport: handshake timeout drops a stalled client; max connections",
          "[transport][timeout]") {
    io_runner run(1);
    tr::ws_listener<> server(run.io);
    tr::limits lim;
    lim.handshake_timeout = std::chrono::milliseconds(300);
    lim.max_connections = 2;
    server.set_limits(lim);
    auto ep = start(server);
    raw_peer stalled(ep);
    stalled.write("GET / HTTP/1.1\r\nHost: x\r\n"); // and nothing more
    auto t0 = std::chrono::steady_clock::now();
    CHECK(stalled.read_until_eof(std::chrono::seconds(5)));
    CHECK(std::chrono::steady_clock::now() - t0 >= std::chrono::milliseconds(250));
    CHECK(stalled.received().empty());

    raw_peer a(ep), b(ep);
    REQUIRE(wait_until([&] { return server.connections() == 2; }));
    raw_peer third(ep);
    CHECK(third.read_until_eof(std::chrono::seconds(5)));
    CHECK(server.rejected() >= 1);
}

TEST_CASE("transport: idle timeout closes with 1001", "[transport][timeout]") {
    io_runner run(1);
    tr::ws_listener<> server(run.io);
    tr::limits lim;
    lim.idle_timeout = std::chrono::milliseconds(300);
    server.set_limits(lim);
    inbox sbox;
    server.on_close(sbox.close_handler());
    auto ep = start(server);
    tr::connector<> client(run.io);
    inbox box;
    client.on_close(box.close_handler());
    std::error_code ec;
    connect(client, ws_url(ep), ec);
    REQUIRE_FALSE(ec);
    REQUIRE(wait_until([&] { return box.close_count() == 1 && sbox.close_count() == 1; }));
    CHECK(box.closes[0].second.code == 1001);
    CHECK(sbox.closes[0].second.sent_code == 1001);
    CHECK(sbox.closes[0].second.error == tr::error::idle_timeout);
}

TEST_CASE("transport: a server may close an idle connection; a client never closes one on its own",
          "[transport][timeout][WS6455-7.3-a]") {
    io_runner run(1);
    tr::ws_listener<> server(run.io);
    inbox sbox;
    server.on_close(sbox.close_handler());
    auto ep = start(server);
    tr::connector<> client(run.io);
    // The client's defaults close nothing by themselves.
    CHECK(client.get_limits().idle_timeout == std::chrono::milliseconds(0));
    inbox box;
    client.on_close(box.close_handler());
    std::error_code ec;
    const tr::flow_id f = connect(client, ws_url(ep), ec);
    REQUIRE_FALSE(ec);
    REQUIRE(wait_until([&] { return server.registry().size() == 1; }));
    // Idle well past any timer the client could have: still open on both sides.
    std::this_thread::sleep_for(std::chrono::milliseconds(1500));
    CHECK(box.close_count() == 0);
    CHECK(sbox.close_count() == 0);
    CHECK(client.registry().contains(f));
    // The server closes when it wants to (1001 going away); the client follows.
    server.registry().close_all(1001);
    REQUIRE(wait_until([&] { return box.close_count() == 1 && sbox.close_count() == 1; }));
    CHECK(box.closes[0].second.code == 1001);
    CHECK(box.closes[0].second.clean());
}

TEST_CASE("transport: WebSocket ping keep-alive and pong timeout", "[transport][keepalive][WS7118-6-a]") {
    struct config : tr::default_config {
        using keepalive_policy = tr::policy::ws_ping_keepalive;
    };
    io_runner run(2);
    tr::ws_listener<> server(run.io);
    tr::limits lim;
    lim.idle_timeout = std::chrono::milliseconds(400);
    server.set_limits(lim);
    inbox sbox;
    server.on_close(sbox.close_handler());
    auto ep = start(server);

    tr::connector<config> client(run.io);
    client.keepalive_policy().interval = std::chrono::milliseconds(100);
    client.keepalive_policy().pong_timeout = std::chrono::milliseconds(300);
    inbox box;
    client.on_close(box.close_handler());
    auto fut = client.async_connect(ws_url(ep), asio::use_future);
    REQUIRE(fut.wait_for(std::chrono::seconds(10)) == std::future_status::ready);
    tr::flow_id f = fut.get();
    // Pings every 100 ms keep the server's 400 ms idle timer from firing.
    std::this_thread::sleep_for(std::chrono::milliseconds(1200));
    CHECK(box.close_count() == 0);
    CHECK(client.registry().contains(f));

    // A peer that never answers: pong timeout, reported as 1006.
    tr::ws_listener<> mute(run.io);
    mute.on_open([](const tr::flow_info&) {});
    auto mep = start(mute);
    raw_peer dummy(mep); // keep the listener's thread busy-free; unused
    (void)dummy;
    // The raw peer plays the server: accept TCP ourselves.
    asio::io_context io2;
    asio::ip::tcp::acceptor acc(io2, loopback());
    auto aep = acc.local_endpoint();
    std::thread srv([&] {
        asio::ip::tcp::socket s(io2);
        accept_websocket(acc, s);
        std::this_thread::sleep_for(std::chrono::milliseconds(1500)); // reads nothing, answers nothing
    });
    auto fut2 = client.async_connect(ws_url(aep), asio::use_future);
    REQUIRE(fut2.wait_for(std::chrono::seconds(10)) == std::future_status::ready);
    tr::flow_id f2 = fut2.get();
    REQUIRE(wait_until([&] { return box.close_count() == 1; }, std::chrono::seconds(5)));
    CHECK(box.closes[0].first == f2);
    CHECK(box.closes[0].second.error == tr::error::pong_timeout);
    CHECK(box.closes[0].second.code == 1006);
    srv.join();
}

TEST_CASE("transport: RFC 5626 CRLF keep-alive in both roles",
          "[transport][keepalive][OB5626-KA-a][OB5626-KA-b][OB5626-KA-c][WS7118-6-b][OB5626-5.4-a][OB5626-4.4.1-a]") {
    struct config : tr::default_config {
        using keepalive_policy = tr::policy::crlf_keepalive;
    };
    io_runner run(2);
    tr::ws_listener<> server(run.io);
    inbox sbox;
    server.on_message(sbox.message_handler());
    server.on_open(sbox.open_handler());
    auto ep = start(server);

    // A plain client sees the server's single-CRLF answer (it is not hidden
    // from a client without the CRLF policy).
    tr::connector<> plain(run.io);
    inbox pbox;
    plain.on_message(pbox.message_handler());
    std::error_code ec;
    tr::flow_id pf = connect(plain, ws_url(ep), ec);
    REQUIRE_FALSE(ec);
    CHECK_FALSE(plain.registry().send(pf, "\r\n\r\n"));
    REQUIRE(wait_until([&] { return pbox.message_count() == 1; }));
    CHECK(pbox.messages[0].second == "\r\n");
    CHECK(sbox.message_count() == 0); // the ping was not delivered (OB5626-KA-b)

    // A CRLF client pings by itself and treats "\r\n" as the pong.
    tr::connector<config> client(run.io);
    client.keepalive_policy().interval = std::chrono::milliseconds(100);
    client.keepalive_policy().pong_timeout = std::chrono::milliseconds(300);
    inbox box;
    client.on_message(box.message_handler());
    client.on_close(box.close_handler());
    auto fut = client.async_connect(ws_url(ep), asio::use_future);
    REQUIRE(fut.wait_for(std::chrono::seconds(10)) == std::future_status::ready);
    tr::flow_id f = fut.get();
    std::this_thread::sleep_for(std::chrono::milliseconds(1000));
    CHECK(client.registry().contains(f));
    CHECK(box.close_count() == 0);   // pongs arrived in time
    CHECK(box.message_count() == 0); // and were not delivered
    CHECK(sbox.message_count() == 0);
}

TEST_CASE("transport: a peer that drops mid-frame is reported as 1006",
          "[transport][WS6455-7.1.5-a]") {
    io_runner run(1);
    tr::ws_listener<> server(run.io);
    inbox sbox;
    server.on_close(sbox.close_handler());
    server.on_message(sbox.message_handler());
    auto ep = start(server);
    {
        raw_peer p(ep);
        REQUIRE(p.handshake().rfind("HTTP/1.1 101", 0) == 0);
        std::string fr = raw_peer::frame(0x1, std::string(1000, 'a'));
        p.write(fr.substr(0, 500));
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
        p.close();
    }
    REQUIRE(wait_until([&] { return sbox.close_count() == 1; }));
    CHECK(sbox.closes[0].second.code == 1006);
    CHECK(sbox.closes[0].second.error);
    CHECK(sbox.message_count() == 0);
    CHECK(server.registry().size() == 0);
}

TEST_CASE("transport: protocol error closes with 1002 and is reported", "[transport]") {
    io_runner run(1);
    tr::ws_listener<> server(run.io);
    inbox sbox;
    server.on_close(sbox.close_handler());
    auto ep = start(server);
    raw_peer p(ep);
    REQUIRE(p.handshake().rfind("HTTP/1.1 101", 0) == 0);
    p.write(std::string("\x81\x05hello", 7)); // unmasked from a client
    CHECK(p.read_until_eof());
    REQUIRE(p.received().size() >= 4);
    CHECK(static_cast<unsigned char>(p.received()[0]) == 0x88);
    CHECK(static_cast<unsigned char>(p.received()[2]) == 0x03);
    CHECK(static_cast<unsigned char>(p.received()[3]) == 0xEA); // 1002
    REQUIRE(wait_until([&] { return sbox.close_count() == 1; }));
    CHECK(sbox.closes[0].second.sent_code == 1002);
    CHECK(sbox.closes[0].second.error == sipws::ws::error::unmasked_frame);
}

TEST_CASE("transport: 1,000 concurrent connections", "[transport][scale]") {
    io_runner run(2);
    tr::ws_listener<> server(run.io);
    echo(server);
    auto ep = start(server);
    tr::connector<> client(run.io);
    inbox box;
    client.on_message(box.message_handler());
    constexpr int n = 1000;
    std::atomic<int> ok{0}, bad{0};
    std::mutex mu;
    std::vector<tr::flow_id> flows;
    for (int i = 0; i < n; ++i)
        client.async_connect(ws_url(ep), [&](std::error_code ec, tr::flow_id f) {
            if (ec) {
                ++bad;
                return;
            }
            std::lock_guard<std::mutex> lk(mu);
            flows.push_back(f);
            ++ok;
        });
    REQUIRE(wait_until([&] { return ok + bad == n; }, std::chrono::seconds(60)));
    CHECK(ok == n);
    CHECK(server.registry().size() == std::size_t(n));
    for (auto f : flows) CHECK_FALSE(client.registry().send(f, "ping " + std::to_string(f)));
    REQUIRE(wait_until([&] { return box.message_count() == std::size_t(n); }, std::chrono::seconds(30)));
    std::lock_guard<std::mutex> lk(box.mu);
    for (auto& m : box.messages) CHECK(m.second == "ping " + std::to_string(m.first));
}

TEST_CASE("transport: sends from several threads keep each thread's order",
          "[transport][threads]") {
    io_runner run(3);
    tr::ws_listener<> server(run.io);
    echo(server);
    auto ep = start(server);
    tr::connector<> client(run.io);
    inbox box;
    client.on_message(box.message_handler());
    std::error_code ec;
    tr::flow_id f = connect(client, ws_url(ep), ec);
    REQUIRE_FALSE(ec);
    constexpr int threads = 4, per = 500;
    std::vector<std::thread> ts;
    std::atomic<int> full{0};
    for (int t = 0; t < threads; ++t)
        ts.emplace_back([&, t] {
            for (int i = 0; i < per; ++i) {
                std::string m = std::to_string(t) + ":" + std::to_string(i);
                while (client.registry().send(f, m) == tr::error::queue_full) {
                    ++full;
                    std::this_thread::yield();
                }
            }
        });
    for (auto& t : ts) t.join();
    REQUIRE(wait_until([&] { return box.message_count() == threads * per; }, std::chrono::seconds(30)));
    std::vector<int> next(threads, 0);
    std::lock_guard<std::mutex> lk(box.mu);
    for (auto& m : box.messages) {
        auto colon = m.second.find(':');
        int t = std::stoi(m.second.substr(0, colon));
        int i = std::stoi(m.second.substr(colon + 1));
        CHECK(i == next[t]);
        next[t] = i + 1;
    }
}

TEST_CASE("transport: completion tokens: callback and use_future", "[transport][tokens]") {
    io_runner run(2);
    tr::ws_listener<> server(run.io);
    echo(server);
    auto ep = start(server);
    tr::connector<> client(run.io);
    inbox box;
    client.on_message(box.message_handler());
    std::promise<std::pair<std::error_code, tr::flow_id>> p;
    client.async_connect(ws_url(ep), [&](std::error_code ec, tr::flow_id f) { p.set_value({ec, f}); });
    auto r = p.get_future().get();
    REQUIRE_FALSE(r.first);
    auto c = client.registry().find(r.second);
    REQUIRE(c);
    std::promise<std::error_code> sent;
    c->async_send("by callback", [&](std::error_code ec) { sent.set_value(ec); });
    CHECK_FALSE(sent.get_future().get());
    auto fut = c->async_send(message_type::binary, "by future", asio::use_future);
    CHECK_NOTHROW(fut.get());
    REQUIRE(wait_until([&] { return box.message_count() == 2; }));
    // A dead flow fails both.
    c->abort();
    REQUIRE(wait_until([&] { return !client.registry().contains(r.second); }));
    auto late = c->async_send("late", asio::use_future);
    CHECK_THROWS_AS(late.get(), std::system_error);
    // Connecting to a closed port fails through the token too.
    auto bad = client.async_connect("ws://127.0.0.1:" + std::to_string(free_port()) + "/",
                                    asio::use_future);
    CHECK_THROWS_AS(bad.get(), std::system_error);
    auto badurl = client.async_connect("http://x/", asio::use_future);
    CHECK_THROWS_AS(badurl.get(), std::system_error);
}

TEST_CASE("transport: close timeout when the peer never answers the Close",
          "[transport][timeout][WS6455-5.5.1-b]") {
    io_runner run(1);
    tr::ws_listener<> server(run.io);
    tr::limits lim;
    lim.close_timeout = std::chrono::milliseconds(300);
    server.set_limits(lim);
    inbox sbox;
    server.on_open(sbox.open_handler());
    server.on_close(sbox.close_handler());
    auto ep = start(server);
    raw_peer p(ep);
    REQUIRE(p.handshake().rfind("HTTP/1.1 101", 0) == 0);
    REQUIRE(wait_until([&] { return sbox.open_count() == 1; }));
    const tr::flow_id f = sbox.opens[0].id;
    CHECK_FALSE(server.registry().send(f, "last words"));
    CHECK(server.registry().close(f, 4001, "bye"));
    // Data is refused as soon as close() was called.
    CHECK(server.registry().send(f, "more") == tr::error::flow_failed);
    REQUIRE(wait_until([&] { return sbox.close_count() == 1; }, std::chrono::seconds(5)));
    CHECK(sbox.closes[0].second.error == tr::error::close_timeout);
    CHECK(sbox.closes[0].second.sent_code == 4001);
    CHECK(sbox.closes[0].second.code == 1006);
    // The peer got the queued message, then the Close, then TCP was dropped.
    CHECK(p.read_until_eof());
    const std::string& got = p.received();
    auto at = got.find("last words");
    REQUIRE(at != std::string::npos);
    REQUIRE(got.size() >= at + 10 + 2);
    CHECK(static_cast<unsigned char>(got[at + 10]) == 0x88);
}

TEST_CASE("transport: a listener spreads its connections over several io_contexts",
          "[transport][threads]") {
    io_runner run(1), a(1), b(1);
    tr::ws_listener<> server(run.io);
    server.spread_connections({&a.io, &b.io});
    echo(server);
    inbox sbox;
    server.on_open(sbox.open_handler());
    auto ep = start(server);
    tr::connector<> client(run.io);
    inbox box;
    client.on_message(box.message_handler());
    std::vector<tr::flow_id> flows;
    for (int i = 0; i < 4; ++i) {
        std::error_code ec;
        flows.push_back(connect(client, ws_url(ep), ec));
        REQUIRE_FALSE(ec);
    }
    REQUIRE(wait_until([&] { return sbox.open_count() == 4; }));
    // In turn: two connections on each io_context.
    std::map<asio::execution_context*, int> on;
    for (const auto& info : sbox.opens) {
        auto c = server.registry().find(info.id);
        REQUIRE(c);
        const asio::any_io_executor ex = c->get_executor();
        auto* strand = ex.target<asio::strand<asio::io_context::executor_type>>();
        REQUIRE(strand);
        ++on[&strand->get_inner_executor().context()];
    }
    CHECK(on[&a.io] == 2);
    CHECK(on[&b.io] == 2);
    CHECK(on.size() == 2);
    for (tr::flow_id f : flows) CHECK_FALSE(client.registry().send(f, "spread"));
    REQUIRE(wait_until([&] { return box.message_count() == 4; }));
}
