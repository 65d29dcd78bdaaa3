// Helpers of the transport integration tests: an io_context on background
// threads, bounded waits, and a raw TCP peer for misbehaving clients.
#ifndef SIPWS_TESTS_TRANSPORT_SUPPORT_HPP
#define SIPWS_TESTS_TRANSPORT_SUPPORT_HPP

#include <sipws/transport.hpp>

#include "support/mailbox.hpp"
#include "support/process.hpp"
#include "support/test.hpp"

#include <asio/executor_work_guard.hpp>
#include <asio/read.hpp>
#include <asio/read_until.hpp>
#include <asio/ssl.hpp>
#include <asio/write.hpp>

#include <atomic>
#include <chrono>
#include <functional>
#include <future>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace sipws::test {

namespace tr = sipws::transport;

/// An io_context run by \p n threads until destruction.
class io_runner {
public:
    explicit io_runner(unsigned n = 2) : guard_(io.get_executor()) {
        for (unsigned i = 0; i < n; ++i) threads_.emplace_back([this] { io.run(); });
    }
    ~io_runner() { stop(); }
    void stop() {
        guard_.reset();
        io.stop();
        for (auto& t : threads_)
            if (t.joinable()) t.join();
    }
    asio::io_context io;

private:
    asio::executor_work_guard<asio::io_context::executor_type> guard_;
    std::vector<std::thread> threads_;
};

/// Polls \p cond every 5 ms for at most \p timeout.
inline bool wait_until(const std::function<bool()>& cond,
                       std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!cond()) {
        if (std::chrono::steady_clock::now() >= deadline) return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return true;
}

/// Thread-safe record of what a handler saw.
struct inbox {
    std::mutex mu;
    std::vector<std::pair<tr::flow_id, std::string>> messages;
    std::vector<ws::message_type> types;
    std::vector<std::pair<tr::flow_id, tr::close_info>> closes;
    std::vector<tr::flow_info> opens;

    tr::message_handler message_handler() {
        return [this](tr::flow_id f, ws::message_type t, std::string_view m) {
            std::lock_guard<std::mutex> lk(mu);
            messages.emplace_back(f, std::string(m));
            types.push_back(t);
        };
    }
    tr::close_handler close_handler() {
        return [this](tr::flow_id f, const tr::close_info& ci) {
            std::lock_guard<std::mutex> lk(mu);
            closes.emplace_back(f, ci);
        };
    }
    tr::open_handler open_handler() {
        return [this](const tr::flow_info& i) {
            std::lock_guard<std::mutex> lk(mu);
            opens.push_back(i);
        };
    }
    std::size_t message_count() {
        std::lock_guard<std::mutex> lk(mu);
        return messages.size();
    }
    std::size_t close_count() {
        std::lock_guard<std::mutex> lk(mu);
        return closes.size();
    }
    std::size_t open_count() {
        std::lock_guard<std::mutex> lk(mu);
        return opens.size();
    }
};

/// A blocking raw TCP client speaking just enough WebSocket by hand.
class raw_peer {
public:
    raw_peer(const asio::ip::tcp::endpoint& ep) : sock_(io_) { sock_.connect(ep); }

    static std::string upgrade(const std::string& target = "/", const std::string& extra = {},
                               const std::string& protocol = "sip") {
        std::string r = "GET " + target +
                        " HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\nConnection: "
                        "Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                        "Sec-WebSocket-Version: 13\r\n";
        if (!protocol.empty()) r += "Sec-WebSocket-Protocol: " + protocol + "\r\n";
        return r + extra + "\r\n";
    }

    void write(const std::string& bytes) { asio::write(sock_, asio::buffer(bytes)); }

    /// Sends the upgrade and returns the response head.
    std::string handshake(const std::string& request = upgrade()) {
        write(request);
        std::error_code ec;
        std::size_t n = asio::read_until(sock_, asio::dynamic_buffer(buf_), "\r\n\r\n", ec);
        if (ec) return {};
        std::string head = buf_.substr(0, n);
        buf_.erase(0, n);
        return head;
    }

    /// A masked client frame.
    static std::string frame(unsigned char opcode, const std::string& payload, bool fin = true) {
        std::string f;
        f.push_back(static_cast<char>((fin ? 0x80 : 0) | opcode));
        const unsigned char mask[4] = {1, 2, 3, 4};
        if (payload.size() < 126) {
            f.push_back(static_cast<char>(0x80 | payload.size()));
        } else {
            f.push_back(static_cast<char>(0x80 | 126));
            f.push_back(static_cast<char>((payload.size() >> 8) & 0xFF));
            f.push_back(static_cast<char>(payload.size() & 0xFF));
        }
        for (unsigned char m : mask) f.push_back(static_cast<char>(m));
        for (std::size_t i = 0; i < payload.size(); ++i)
            f.push_back(static_cast<char>(payload[i] ^ static_cast<char>(mask[i % 4])));
        return f;
    }

    /// Reads until EOF or error (at most \p limit octets); true on EOF.
    bool read_until_eof(std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
        sock_.non_blocking(true);
        auto deadline = std::chrono::steady_clock::now() + timeout;
        char b[4096];
        while (std::chrono::steady_clock::now() < deadline) {
            std::error_code ec;
            std::size_t n = sock_.read_some(asio::buffer(b), ec);
            if (ec == asio::error::would_block) {
                std::this_thread::sleep_for(std::chrono::milliseconds(5));
                continue;
            }
            if (ec) return true;
            buf_.append(b, n);
        }
        return false;
    }

    std::string& received() { return buf_; }
    asio::ip::tcp::socket& socket() { return sock_; }
    void close() {
        std::error_code ec;
        sock_.close(ec);
    }

private:
    asio::io_context io_;
    asio::ip::tcp::socket sock_;
    std::string buf_;
};

inline asio::ip::tcp::endpoint loopback(bool v6 = false) {
    return {asio::ip::make_address(v6 ? "::1" : "127.0.0.1"), 0};
}

inline std::string ws_url(const asio::ip::tcp::endpoint& ep, const std::string& path = "/") {
    if (ep.address().is_v6())
        return "ws://[" + ep.address().to_string() + "]:" + std::to_string(ep.port()) + path;
    return "ws://" + ep.address().to_string() + ":" + std::to_string(ep.port()) + path;
}

/// Accepts one TCP connection on \p acc into \p s and answers its WebSocket
/// upgrade by hand (101 with the sip subprotocol); the request head is
/// returned. For tests that play a server the library does not emulate.
inline std::string accept_websocket(asio::ip::tcp::acceptor& acc, asio::ip::tcp::socket& s) {
    acc.accept(s);
    std::string req;
    asio::read_until(s, asio::dynamic_buffer(req), "\r\n\r\n");
    auto k = req.find("Sec-WebSocket-Key: ");
    std::string key = req.substr(k + 19, 24);
    std::string resp = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: "
                       "Upgrade\r\nSec-WebSocket-Accept: " +
                       sipws::ws::compute_accept(key) + "\r\nSec-WebSocket-Protocol: sip\r\n\r\n";
    asio::write(s, asio::buffer(resp));
    return req;
}

/// A fresh test CA (tests/peers/make-test-ca.sh) in a temporary folder
/// named after \p name; its server certificate also names sipws.test.
inline std::string test_ca(const std::string& name) {
    const std::string dir = make_temp_dir(name);
    process ca({"bash", std::string(source_dir()) + "/tests/peers/make-test-ca.sh", dir, "sipws.test"});
    auto rc = ca.wait(std::chrono::seconds(30));
    INFO(ca.output());
    REQUIRE(rc);
    REQUIRE(*rc == 0);
    return dir;
}

/// A wss listener with a certificate of a fresh test CA, started, recording
/// its flows' opens and closes.
struct wss_server {
    explicit wss_server(const std::string& name)
        : dir(test_ca(name)),
          tls(tr::make_server_tls_context(dir + "/server-chain.pem", dir + "/server.key")),
          listener(run.io, tls) {
        listener.on_open(box.open_handler());
        listener.on_close(box.close_handler());
        REQUIRE_FALSE(listener.listen(loopback()));
        listener.start();
    }
    std::string dir;
    asio::ssl::context tls;
    inbox box; // outlives the io threads, which call its handlers
    io_runner run{2};
    tr::wss_listener<> listener;
};

/// Opens a flow to \p url with \p c; its id, or 0 when it failed.
template <class Connector> tr::flow_id open_flow(Connector& c, const std::string& url) {
    std::promise<tr::flow_id> opened;
    c.async_connect(url, [&opened](std::error_code ec, tr::flow_id f) { opened.set_value(ec ? 0 : f); });
    return opened.get_future().get();
}

/// A client of the library on an io thread of its own, whose incoming
/// messages wait in a mailbox.
struct mailbox_client {
    io_runner run{1};
    tr::connector<> connector{run.io};
    mailbox mb;
    mailbox_client() { connector.on_message(mb.handler()); }
    /// Opens a flow to \p url (its id, 0 when it failed).
    tr::flow_id open(const std::string& url) { return open_flow(connector, url); }
};

} // namespace sipws::test

#endif
