// wss graceful close: after the WebSocket closing handshake the transport
// ends TLS with close_notify (and waits for the peer's), so a TLS peer sees a
// clean end of stream (eof), not a truncated one (stream_truncated).
#include "support/process.hpp"
#include "support/test.hpp"

#include "integration/transport_support.hpp"

#include <asio/ssl.hpp>
#include <asio/use_future.hpp>

#include <future>

using namespace sipws::test;
namespace tr = sipws::transport;

namespace {

/// A TLS client driven by hand (Asio SSL, no sipws), each step bounded.
class tls_raw_client {
public:
    explicit tls_raw_client(const asio::ip::tcp::endpoint& ep)
        : ctx_(asio::ssl::context::tls_client), stream_(io_, ctx_) {
        stream_.set_verify_mode(asio::ssl::verify_none);
        stream_.next_layer().connect(ep);
    }

    std::error_code handshake() {
        return step([&](auto done) { stream_.async_handshake(asio::ssl::stream_base::client, done); });
    }
    std::error_code write(const std::string& bytes) {
        return step([&](auto done) {
            asio::async_write(stream_, asio::buffer(bytes),
                              [done](std::error_code ec, std::size_t) { done(ec); });
        });
    }
    /// Reads until \p what is in received() or an error; the error.
    std::error_code read_until(const std::string& what) {
        std::error_code ec;
        while (received_.find(what) == std::string::npos && !ec) ec = read_some();
        return ec;
    }
    /// Reads until the stream ends; how it ended.
    std::error_code read_to_end() {
        std::error_code ec;
        while (!ec) ec = read_some();
        return ec;
    }
    /// Answers the peer's close_notify with ours.
    std::error_code shutdown() {
        return step([&](auto done) { stream_.async_shutdown(done); });
    }
    std::string& received() { return received_; }

private:
    std::error_code read_some() {
        return step([&](auto done) {
            stream_.async_read_some(asio::buffer(buf_), [this, done](std::error_code ec, std::size_t n) {
                received_.append(buf_, n);
                done(ec);
            });
        });
    }
    template <class Start> std::error_code step(Start start) {
        std::error_code result = asio::error::timed_out;
        bool finished = false;
        start([&](std::error_code ec) {
            result = ec;
            finished = true;
        });
        io_.restart();
        io_.run_for(std::chrono::seconds(10));
        if (!finished) { // cancel, then let the handler run
            std::error_code ig;
            stream_.next_layer().close(ig);
            io_.restart();
            io_.run();
            return asio::error::timed_out;
        }
        return result;
    }

    asio::io_context io_;
    asio::ssl::context ctx_;
    asio::ssl::stream<asio::ip::tcp::socket> stream_;
    std::string received_;
    char buf_[4096];
};

/// TLS handshake and WebSocket upgrade; the response head is consumed.
void open_websocket(tls_raw_client& c) {
    REQUIRE_FALSE(c.handshake());
    REQUIRE_FALSE(c.write(raw_peer::upgrade()));
    REQUIRE_FALSE(c.read_until("\r\n\r\n"));
    REQUIRE(c.received().rfind("HTTP/1.1 101", 0) == 0);
    c.received().clear();
}

const std::string close_1000 = std::string("\x88\x02\x03\xe8", 4); // server Close, code 1000

} // namespace

TEST_CASE("transport: a graceful wss close ends TLS with close_notify",
          "[transport][tls][close_notify]") {
    wss_server ws("tls-close");
    tr::wss_listener<>& server = ws.listener;
    inbox& sbox = ws.box;

    SECTION("the client closes: the server answers, then sends close_notify") {
        tls_raw_client c(server.local_endpoint());
        open_websocket(c);
        REQUIRE_FALSE(c.write(raw_peer::frame(0x8, "\x03\xe8")));
        const std::error_code end = c.read_to_end();
        CHECK(c.received() == close_1000);
        CHECK(end == asio::error::eof); // not asio::ssl::error::stream_truncated
        CHECK(end != asio::ssl::error::stream_truncated);
        CHECK_FALSE(c.shutdown());
        REQUIRE(wait_until([&] { return sbox.close_count() == 1; }));
        CHECK(sbox.closes[0].second.clean());
        CHECK(sbox.closes[0].second.code == 1000);
    }

    SECTION("the server closes: after the client's Close it sends close_notify") {
        tls_raw_client c(server.local_endpoint());
        open_websocket(c);
        REQUIRE(wait_until([&] { return sbox.open_count() == 1; }));
        REQUIRE(server.registry().close(sbox.opens[0].id, 1000));
        REQUIRE_FALSE(c.read_until(close_1000));
        REQUIRE_FALSE(c.write(raw_peer::frame(0x8, "\x03\xe8")));
        const std::error_code end = c.read_to_end();
        CHECK(end == asio::error::eof);
        CHECK_FALSE(c.shutdown());
        REQUIRE(wait_until([&] { return sbox.close_count() == 1; }));
        CHECK(sbox.closes[0].second.clean());
        CHECK(sbox.closes[0].second.sent_code == 1000);
    }

    SECTION("a peer that never answers close_notify is dropped after the close timeout") {
        tr::limits lim = server.get_limits();
        lim.close_timeout = std::chrono::milliseconds(300);
        server.set_limits(lim);
        tls_raw_client c(server.local_endpoint());
        open_websocket(c);
        REQUIRE_FALSE(c.write(raw_peer::frame(0x8, "\x03\xe8")));
        CHECK(c.read_to_end() == asio::error::eof); // its close_notify; no answer from us
        REQUIRE(wait_until([&] { return sbox.close_count() == 1; }));
        CHECK(sbox.closes[0].second.clean()); // the WebSocket close itself was clean
    }
}

TEST_CASE("transport: sipws wss client and server end TLS cleanly on both sides",
          "[transport][tls][close_notify]") {
    wss_server ws("tls-close2");
    tr::wss_listener<>& server = ws.listener;
    inbox& sbox = ws.box;
    tr::connector<> client(ws.run.io);
    client.set_ca_file(ws.dir + "/ca.pem");
    inbox cbox;
    client.on_close(cbox.close_handler());
    const std::string url = "wss://127.0.0.1:" + std::to_string(server.local_endpoint().port()) + "/";
    for (int who = 0; who < 2; ++who) {
        auto fut = client.async_connect(url, asio::use_future);
        REQUIRE(fut.wait_for(std::chrono::seconds(10)) == std::future_status::ready);
        const tr::flow_id f = fut.get();
        if (who == 0) {
            client.registry().close(f, 1000);
        } else {
            REQUIRE(wait_until([&] { return server.registry().size() == 1; }));
            server.registry().close_all(1001);
        }
        const std::size_t n = static_cast<std::size_t>(who) + 1;
        REQUIRE(wait_until([&] { return cbox.close_count() == n && sbox.close_count() == n; }));
        CHECK(cbox.closes.back().second.clean());
        CHECK(sbox.closes.back().second.clean());
    }
}
