// Distributed under the Boost Software License, Version 1.0.
#ifndef SIPWS_TRANSPORT_LISTENER_HPP
#define SIPWS_TRANSPORT_LISTENER_HPP

/// \file
/// Accepts ws (Stream = asio::ip::tcp::socket) or wss (tls_stream, include
/// <sipws/transport/tls.hpp>) connections on one IPv4 or IPv6 endpoint and
/// runs the server side of each: TLS, opening handshake with the Config's
/// origin, web-auth and subprotocol policies, then the flow.
///
/// \code
///   asio::io_context io;
///   sipws::transport::ws_listener<> l(io);
///   l.on_message([&](flow_id f, ws::message_type, std::string_view sip) {
///       l.registry().send(f, reply_to(sip));       // any thread, any time
///   });
///   l.listen({asio::ip::make_address("::1"), 5060});
///   l.start();
///   io.run();
/// \endcode
///
/// Beyond limits::max_connections (connections in handshake or open), new
/// TCP connections are closed at once. Each connection gets its own strand.

#include <sipws/transport/connection.hpp>

#include <asio/io_context.hpp>
#include <asio/ip/v6_only.hpp>
#include <asio/strand.hpp>

#include <atomic>
#include <memory>

namespace asio::ssl {
class context;
}

namespace sipws::transport {

template <class Stream, class Config = default_config> class basic_listener {
public:
    using connection_type = basic_connection<Stream, Config>;
    using context_type = basic_context<Config>;

    /// ws listener.
    explicit basic_listener(asio::io_context& io, std::shared_ptr<flow_registry> registry = nullptr)
        : st_(std::make_shared<state>(io, std::move(registry), nullptr)) {
        static_assert(!stream_traits<Stream>::secure, "a wss listener needs an asio::ssl::context");
    }
    /// wss listener; \p tls must outlive the listener and its connections.
    basic_listener(asio::io_context& io, asio::ssl::context& tls,
                   std::shared_ptr<flow_registry> registry = nullptr)
        : st_(std::make_shared<state>(io, std::move(registry), &tls)) {}

    ~basic_listener() { stop(); }
    basic_listener(const basic_listener&) = delete;
    basic_listener& operator=(const basic_listener&) = delete;

    /// Opens, binds and listens (IPv6 endpoints are IPv6-only).
    std::error_code listen(const asio::ip::tcp::endpoint& ep,
                           int backlog = asio::socket_base::max_listen_connections) {
        std::error_code ec;
        auto& a = st_->acceptor;
        a.open(ep.protocol(), ec);
        if (ec) return ec;
        a.set_option(asio::socket_base::reuse_address(true), ec);
        if (ep.address().is_v6()) a.set_option(asio::ip::v6_only(true), ec);
        a.bind(ep, ec);
        if (!ec) a.listen(backlog, ec);
        if (ec) {
            std::error_code ig;
            a.close(ig);
        }
        return ec;
    }

    /// Starts accepting (after listen()). Set handlers and policies first.
    void start() { state::accept(st_); }
    /// Stops accepting; open flows stay (close them through the registry).
    void stop() {
        asio::post(st_->acceptor.get_executor(), [s = st_] {
            std::error_code ig;
            s->acceptor.close(ig);
        });
    }

    asio::ip::tcp::endpoint local_endpoint() const {
        std::error_code ec;
        return st_->acceptor.local_endpoint(ec);
    }

    context_type& context() noexcept { return *st_->ctx; }
    flow_registry& registry() noexcept { return st_->ctx->registry(); }
    typename context_type::origin_policy_type& origin_policy() noexcept { return st_->ctx->origin; }
    typename context_type::web_auth_policy_type& web_auth_policy() noexcept { return st_->ctx->web_auth; }
    typename context_type::subprotocol_policy_type& subprotocol_policy() noexcept {
        return st_->ctx->subprotocol;
    }
    typename context_type::framing_policy_type& framing_policy() noexcept { return st_->ctx->framing; }
    typename context_type::keepalive_policy_type& keepalive_policy() noexcept {
        return st_->ctx->keepalive;
    }
    void on_message(message_handler h) { st_->ctx->on_message = std::move(h); }
    void on_open(open_handler h) { st_->ctx->on_open = std::move(h); }
    void on_close(close_handler h) { st_->ctx->on_close = std::move(h); }
    /// Answers plain HTTP GETs (no Upgrade) on this port; default: none (426).
    void on_http(http_handler h) { st_->ctx->on_http = std::move(h); }
    limits get_limits() const { return st_->ctx->get_limits(); }
    void set_limits(const limits& l) { st_->ctx->set_limits(l); }

    /// Connections in handshake or open.
    std::size_t connections() const noexcept { return st_->ctx->live.load(); }
    /// TCP connections dropped because of limits::max_connections.
    std::size_t rejected() const noexcept { return st_->rejected.load(); }

private:
    struct state {
        state(asio::io_context& io_, std::shared_ptr<flow_registry> reg, asio::ssl::context* t)
            : io(io_), acceptor(asio::make_strand(io_)), retry(acceptor.get_executor()), tls(t),
              ctx(std::make_shared<context_type>(std::move(reg))) {}

        static void accept(const std::shared_ptr<state>& s) {
            s->acceptor.async_accept(
                asio::make_strand(s->io),
                [s](std::error_code ec, asio::ip::tcp::socket sock) {
                    if (ec == asio::error::operation_aborted || !s->acceptor.is_open()) return;
                    if (ec) { // out of descriptors and the like: breathe, then retry
                        s->retry.expires_after(std::chrono::milliseconds(50));
                        s->retry.async_wait([s](std::error_code e) {
                            if (!e) accept(s);
                        });
                        return;
                    }
                    if (s->ctx->live.load() >= s->ctx->get_limits().max_connections) {
                        ++s->rejected;
                        std::error_code ig;
                        sock.close(ig);
                    } else {
                        sock.set_option(asio::ip::tcp::no_delay(true), ec);
                        std::shared_ptr<connection_type> c;
                        if constexpr (stream_traits<Stream>::secure)
                            c = std::make_shared<connection_type>(Stream(std::move(sock), *s->tls),
                                                                  s->ctx, false);
                        else
                            c = std::make_shared<connection_type>(Stream(std::move(sock)), s->ctx,
                                                                  false);
                        c->start_server();
                    }
                    accept(s);
                });
        }

        asio::io_context& io;
        asio::ip::tcp::acceptor acceptor;
        asio::steady_timer retry;
        asio::ssl::context* tls;
        std::shared_ptr<context_type> ctx;
        std::atomic<std::size_t> rejected{0};
    };
    std::shared_ptr<state> st_;
};

template <class Config = default_config>
using ws_listener = basic_listener<asio::ip::tcp::socket, Config>;

} // namespace sipws::transport

#endif
