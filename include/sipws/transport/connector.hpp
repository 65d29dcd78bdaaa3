// Distributed under the Boost Software License, Version 1.0.
#ifndef SIPWS_TRANSPORT_CONNECTOR_HPP
#define SIPWS_TRANSPORT_CONNECTOR_HPP

/// \file
/// Opens client flows to ws:// and wss:// URLs: DNS through Asio's
/// resolver (IPv4 and IPv6, every address tried in turn), TCP within
/// limits::connect_timeout, TLS with SNI and certificate + host-name
/// verification on by default, then the opening handshake within
/// limits::handshake_timeout (offering the Config's subprotocols).
/// Attempts to an address that already has one in the CONNECTING state wait
/// for it to open or fail, then go one at a time (RFC 6455 4.1, step 2);
/// limits::connect_timeout counts the wait.
///
/// \code
///   sipws::transport::connector<> c(io);
///   c.on_message([](flow_id f, ws::message_type, std::string_view sip) { ... });
///   c.async_connect("wss://sip.example.com/ws", [&](std::error_code ec, flow_id f) {
///       if (!ec) c.registry().send(f, "REGISTER sip:example.com SIP/2.0\r\n...");
///   });
/// \endcode
///
/// The completion signature is void(std::error_code, flow_id); any Asio
/// completion token works (callback, use_future, use_awaitable). A server
/// that answers the upgrade with an HTTP error gives error::handshake_refused.

#include <sipws/transport/detail/connecting_gate.hpp>
#include <sipws/transport/tls.hpp>
#include <sipws/ws/url.hpp>

#include <asio/connect.hpp>
#include <asio/io_context.hpp>
#include <asio/strand.hpp>

#include <memory>
#include <optional>
#include <string>
#include <vector>

/// The code of basic_connector<default_config> that
/// SIPWS_SEPARATE_COMPILATION compiles once (docs/compile-time.md), as
/// SIPWS_DETAIL_CONNECTION_INSTANCE: resolving, connecting and the
/// connections it creates are instantiated only where start_connect() is.
#define SIPWS_DETAIL_CONNECTOR_INSTANCE(kw)                                                       \
    kw template void basic_connector<default_config>::start_connect(                              \
        basic_connector<default_config>::strand_type, const std::string&, connect_options,       \
        detail::completion<std::error_code, flow_id>);

namespace sipws::transport {

struct connect_options {
    /// Origin sent in the handshake (empty: none).
    std::string origin;
    /// More handshake field lines, "Name: value\r\n" each (Cookie,
    /// Authorization, ...).
    std::string extra_headers;
    /// Subprotocols offered; unset: the Config's subprotocol policy names.
    std::optional<std::vector<std::string>> subprotocols;
    /// wss: verify the certificate chain and the host name (default on).
    bool verify_peer = true;
    /// The server's host name when the URL names an address (e.g. a D2W
    /// target resolved through DNS): sent in the Host header and, for wss,
    /// as the TLS server name that the certificate must match. Empty: the
    /// URL's host.
    std::string server_name;
};

template <class Config = default_config> class basic_connector {
public:
    using context_type = basic_context<Config>;
    using ws_connection_type = basic_connection<asio::ip::tcp::socket, Config>;
    using wss_connection_type = basic_connection<tls_stream, Config>;

    explicit basic_connector(asio::io_context& io, std::shared_ptr<flow_registry> registry = nullptr)
        : io_(io), ctx_(std::make_shared<context_type>(std::move(registry))) {}

    /// The TLS context for wss (default: system trust store, verification
    /// on). \p tls must outlive the connector and its connections.
    void set_tls_context(asio::ssl::context& tls) { tls_ = &tls; }
    /// Trust the PEM CA file \p ca_file (instead of the system store).
    void set_ca_file(const std::string& ca_file) {
        own_tls_ = std::make_shared<asio::ssl::context>(make_client_tls_context(ca_file));
        tls_ = own_tls_.get();
    }

    template <class CompletionToken>
    auto async_connect(std::string_view url, CompletionToken&& token) {
        return async_connect(url, connect_options{}, std::forward<CompletionToken>(token));
    }

    template <class CompletionToken>
    auto async_connect(std::string_view url, connect_options opts, CompletionToken&& token) {
        return asio::async_initiate<CompletionToken, void(std::error_code, flow_id)>(
            [this](auto handler, std::string u, connect_options o) {
                auto strand = asio::make_strand(io_);
                start_connect(strand, u, std::move(o),
                      detail::completion<std::error_code, flow_id>(std::move(handler),
                                                                   asio::any_io_executor(strand)));
            },
            token, std::string(url), std::move(opts));
    }

    context_type& context() noexcept { return *ctx_; }
    flow_registry& registry() noexcept { return ctx_->registry(); }
    typename context_type::subprotocol_policy_type& subprotocol_policy() noexcept {
        return ctx_->subprotocol;
    }
    typename context_type::framing_policy_type& framing_policy() noexcept { return ctx_->framing; }
    typename context_type::keepalive_policy_type& keepalive_policy() noexcept {
        return ctx_->keepalive;
    }
    /// permessage-deflate options when the Config opts in (set before use).
    typename context_type::compression_policy_type& compression_policy() noexcept {
        return ctx_->compression;
    }
    void on_message(message_handler h) { ctx_->on_message = std::move(h); }
    void on_open(open_handler h) { ctx_->on_open = std::move(h); }
    void on_close(close_handler h) { ctx_->on_close = std::move(h); }
    limits get_limits() const { return ctx_->get_limits(); }
    void set_limits(const limits& l) { ctx_->set_limits(l); }

private:
    using strand_type = asio::strand<asio::io_context::executor_type>;

    struct attempt {
        attempt(strand_type s) : resolver(s), socket(s), timer(s) {}
        asio::ip::tcp::resolver resolver;
        asio::ip::tcp::socket socket;
        asio::steady_timer timer;
        detail::completion<std::error_code, flow_id> done;
        ws::url url;
        connect_options opts;
        bool timed_out = false;
        bool waiting = false; // behind another attempt to the same address
        std::shared_ptr<context_type> ctx;
        asio::ssl::context* tls = nullptr;
        std::shared_ptr<asio::ssl::context> tls_keep; // when the connector owns it
    };

    /// start(), from outside the class so that SIPWS_SEPARATE_COMPILATION
    /// can compile it once (see below).
    void start_connect(strand_type strand, const std::string& text, connect_options o,
                       detail::completion<std::error_code, flow_id> done);

    void start(strand_type strand, const std::string& text, connect_options o,
               detail::completion<std::error_code, flow_id> done) {
        auto u = ws::parse_url(text);
        if (!u) return done(make_error_code(error::bad_url), flow_id{0});
        if (u->secure && !tls_) {
            own_tls_ = std::make_shared<asio::ssl::context>(make_client_tls_context());
            tls_ = own_tls_.get();
        }
        auto a = std::make_shared<attempt>(strand);
        a->done = std::move(done);
        a->url = std::move(*u);
        a->opts = std::move(o);
        const limits lim = ctx_->get_limits();
        a->ctx = ctx_;
        a->tls = tls_;
        if (own_tls_.get() == tls_) a->tls_keep = own_tls_;
        asio::post(strand, [a, lim, gate = gate_] {
            if (lim.connect_timeout.count() > 0) {
                a->timer.expires_after(lim.connect_timeout);
                a->timer.async_wait([a](std::error_code ec) {
                    if (ec) return;
                    a->timed_out = true;
                    a->resolver.cancel();
                    std::error_code ig;
                    a->socket.close(ig);
                    if (a->waiting) { // still behind another attempt: report now
                        a->waiting = false;
                        a->done(make_error_code(error::connect_timeout), flow_id{0});
                    }
                });
            }
            a->resolver.async_resolve(
                std::string(a->url.address()), std::to_string(a->url.port),
                [a, gate](std::error_code ec, asio::ip::tcp::resolver::results_type results) {
                    if (ec) return fail(a, ec);
                    // WS6455-4.1-a: one CONNECTING attempt per address (the
                    // first one resolved, the one tried first).
                    const asio::ip::tcp::endpoint key = results.begin()->endpoint();
                    a->waiting = true;
                    gate->enter(key, [a, gate, key, results] {
                        asio::post(a->socket.get_executor(), [a, gate, key, results] {
                            if (!a->waiting) return gate->leave(key); // timed out while waiting
                            a->waiting = false;
                            a->done = detail::completion<std::error_code, flow_id>(
                                [gate, key, d = std::move(a->done)](std::error_code e, flow_id f) mutable {
                                    gate->leave(key);
                                    d(e, f);
                                },
                                asio::any_io_executor(a->socket.get_executor()));
                            asio::async_connect(a->socket, results,
                                                [a](std::error_code ec2, const asio::ip::tcp::endpoint&) {
                                                    if (ec2) return fail(a, ec2);
                                                    a->timer.cancel();
                                                    connected(a);
                                                });
                        });
                    });
                });
        });
    }

    static void fail(const std::shared_ptr<attempt>& a, std::error_code ec) {
        a->timer.cancel();
        a->done(a->timed_out ? make_error_code(error::connect_timeout) : ec, flow_id{0});
    }

    static void connected(const std::shared_ptr<attempt>& a) {
        const auto& ctx_ = a->ctx;
        std::error_code ig;
        a->socket.set_option(asio::ip::tcp::no_delay(true), ig);
        ws::client_handshake_options ho;
        const bool named = !a->opts.server_name.empty();
        ho.host = named ? a->opts.server_name + (a->url.port == (a->url.secure ? 443 : 80)
                                                     ? std::string()
                                                     : ":" + std::to_string(a->url.port))
                        : a->url.host_header();
        ho.target = a->url.resource;
        ho.origin = a->opts.origin;
        ho.extra_headers = a->opts.extra_headers;
        ho.subprotocols = a->opts.subprotocols ? *a->opts.subprotocols : ctx_->subprotocol.names;
        ho.require_subprotocol = ctx_->subprotocol.client_requires && !ho.subprotocols.empty();
        const std::string host = named ? a->opts.server_name : std::string(a->url.address());
        if (a->url.secure) {
            auto c = std::make_shared<wss_connection_type>(tls_stream(std::move(a->socket), *a->tls),
                                                           ctx_, true);
            c->start_client(host, a->opts.verify_peer, std::move(ho), std::move(a->done));
        } else {
            auto c = std::make_shared<ws_connection_type>(std::move(a->socket), ctx_, true);
            c->start_client(host, false, std::move(ho), std::move(a->done));
        }
    }

    asio::io_context& io_;
    std::shared_ptr<context_type> ctx_;
    std::shared_ptr<detail::connecting_gate> gate_ = std::make_shared<detail::connecting_gate>();
    asio::ssl::context* tls_ = nullptr;
    std::shared_ptr<asio::ssl::context> own_tls_;
};

// Not inline: see SIPWS_DETAIL_CONNECTOR_INSTANCE.
template <class Config>
void basic_connector<Config>::start_connect(strand_type strand, const std::string& text,
                                            connect_options o,
                                            detail::completion<std::error_code, flow_id> done) {
    start(std::move(strand), text, std::move(o), std::move(done));
}

template <class Config = default_config> using connector = basic_connector<Config>;

#ifdef SIPWS_SEPARATE_COMPILATION
SIPWS_DETAIL_CONNECTOR_INSTANCE(extern)
#endif

} // namespace sipws::transport

#endif
