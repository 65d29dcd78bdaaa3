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
#include <vector>

namespace asio::ssl {
class context;
}

/// The code of basic_listener<Stream, default_config> that
/// SIPWS_SEPARATE_COMPILATION compiles once (docs/compile-time.md), as
/// SIPWS_DETAIL_CONNECTION_INSTANCE: the acceptor's code, and the
/// connections it creates, are instantiated only where these are.
#define SIPWS_DETAIL_LISTENER_INSTANCE(kw, Stream)                                                \
    kw template std::shared_ptr<basic_listener<Stream, default_config>::state>                  \
    basic_listener<Stream, default_config>::state::make(                                         \
        asio::io_context&, std::shared_ptr<flow_registry>, asio::ssl::context*);                  \
    kw template std::error_code basic_listener<Stream, default_config>::state::listen(           \
        const std::shared_ptr<basic_listener<Stream, default_config>::state>&,                   \
        const asio::ip::tcp::endpoint&, int);                                                    \
    kw template void basic_listener<Stream, default_config>::state::stop(                        \
        const std::shared_ptr<basic_listener<Stream, default_config>::state>&);                  \
    kw template void basic_listener<Stream, default_config>::state::start_accepting(             \
        const std::shared_ptr<basic_listener<Stream, default_config>::state>&);

namespace sipws::transport {

template <class Stream, class Config = default_config> class basic_listener {
public:
    using connection_type = basic_connection<Stream, Config>;
    using context_type = basic_context<Config>;

    /// ws listener.
    explicit basic_listener(asio::io_context& io, std::shared_ptr<flow_registry> registry = nullptr)
        : st_(state::make(io, std::move(registry), nullptr)) {
        static_assert(!stream_traits<Stream>::secure, "a wss listener needs an asio::ssl::context");
    }
    /// wss listener; \p tls must outlive the listener and its connections.
    basic_listener(asio::io_context& io, asio::ssl::context& tls,
                   std::shared_ptr<flow_registry> registry = nullptr)
        : st_(state::make(io, std::move(registry), &tls)) {}

    ~basic_listener() { stop(); }
    basic_listener(const basic_listener&) = delete;
    basic_listener& operator=(const basic_listener&) = delete;

    /// Opens, binds and listens (IPv6 endpoints are IPv6-only).
    std::error_code listen(const asio::ip::tcp::endpoint& ep,
                           int backlog = asio::socket_base::max_listen_connections) {
        return state::listen(st_, ep, backlog);
    }

    /// Starts accepting (after listen()). Set handlers and policies first.
    void start() { state::start_accepting(st_); }

    /// Runs accepted connections on these io_contexts in turn instead of the
    /// listener's own (call before start(); each must outlive its
    /// connections). With one io_context per thread, connections never wait
    /// for each other on a shared scheduler: the way to use several cores.
    void spread_connections(std::vector<asio::io_context*> contexts) {
        st_->contexts = std::move(contexts);
    }
    /// Stops accepting; open flows stay (close them through the registry).
    void stop() { state::stop(st_); }

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
    /// permessage-deflate options when the Config opts in (set before use).
    typename context_type::compression_policy_type& compression_policy() noexcept {
        return st_->ctx->compression;
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

        // Defined outside the class so that SIPWS_SEPARATE_COMPILATION can
        // compile them once (SIPWS_DETAIL_LISTENER_INSTANCE).
        static std::shared_ptr<state> make(asio::io_context& io, std::shared_ptr<flow_registry> reg,
                                           asio::ssl::context* tls);
        static std::error_code listen(const std::shared_ptr<state>& s,
                                      const asio::ip::tcp::endpoint& ep, int backlog);
        static void stop(const std::shared_ptr<state>& s);
        static void start_accepting(const std::shared_ptr<state>& s);

        asio::io_context& next_context() {
            if (contexts.empty()) return io;
            return *contexts[next++ % contexts.size()];
        }

        static void accept(const std::shared_ptr<state>& s) {
            s->acceptor.async_accept(
                asio::make_strand(s->next_context()),
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
        std::vector<asio::io_context*> contexts; // spread_connections()
        std::size_t next = 0;                    // on the acceptor's strand
    };
    std::shared_ptr<state> st_;
};

// Not inline: see SIPWS_DETAIL_LISTENER_INSTANCE.
template <class Stream, class Config>
auto basic_listener<Stream, Config>::state::make(asio::io_context& io,
                                                 std::shared_ptr<flow_registry> reg,
                                                 asio::ssl::context* tls) -> std::shared_ptr<state> {
    return std::make_shared<state>(io, std::move(reg), tls);
}

template <class Stream, class Config>
std::error_code basic_listener<Stream, Config>::state::listen(const std::shared_ptr<state>& s,
                                                              const asio::ip::tcp::endpoint& ep,
                                                              int backlog) {
    std::error_code ec;
    auto& a = s->acceptor;
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

template <class Stream, class Config>
void basic_listener<Stream, Config>::state::stop(const std::shared_ptr<state>& s) {
    asio::post(s->acceptor.get_executor(), [s] {
        std::error_code ig;
        s->acceptor.close(ig);
    });
}

template <class Stream, class Config>
void basic_listener<Stream, Config>::state::start_accepting(const std::shared_ptr<state>& s) {
    accept(s);
}

template <class Config = default_config>
using ws_listener = basic_listener<asio::ip::tcp::socket, Config>;

#ifdef SIPWS_SEPARATE_COMPILATION
SIPWS_DETAIL_LISTENER_INSTANCE(extern, asio::ip::tcp::socket)
#endif

} // namespace sipws::transport

#endif
