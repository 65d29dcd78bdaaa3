// Distributed under the Boost Software License, Version 1.0.
#ifndef SIPWS_TRANSPORT_TLS_HPP
#define SIPWS_TRANSPORT_TLS_HPP

/// \file
/// wss: the TLS stream traits and helpers that build TLS contexts.
///
/// A client verifies the server certificate and its host name (WS7118-9.1-b:
/// the rules of HTTPS for the host of the WebSocket URI) unless told not to,
/// and sends SNI for host names.

#include <sipws/transport/connection.hpp>
#include <sipws/transport/listener.hpp>

#include <asio/ip/address.hpp>
#include <asio/ssl.hpp>

#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <string>

namespace sipws::transport {

using tls_stream = asio::ssl::stream<asio::ip::tcp::socket>;

template <> struct stream_traits<tls_stream> {
    static constexpr bool secure = true;
    static asio::ip::tcp::socket& lowest(tls_stream& s) noexcept { return s.next_layer(); }
    /// Sends close_notify and completes when the peer's arrives (or on an
    /// error, such as the peer closing TCP).
    template <class Handler> static void async_close_notify(tls_stream& s, Handler&& h) {
        s.async_shutdown(std::forward<Handler>(h));
    }
    template <class Handler> static void async_server_handshake(tls_stream& s, Handler&& h) {
        s.async_handshake(asio::ssl::stream_base::server, std::forward<Handler>(h));
    }
    template <class Handler>
    static void async_client_handshake(tls_stream& s, const std::string& host, bool verify,
                                       Handler&& h) {
        SSL* ssl = s.native_handle();
        std::error_code ec;
        asio::ip::make_address(host, ec);
        const bool is_ip = !ec;
        if (!is_ip) // SNI (SSL_set_tlsext_host_name without its C cast)
            SSL_ctrl(ssl, SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name,
                     const_cast<char*>(host.c_str()));
        if (verify) {
            s.set_verify_mode(asio::ssl::verify_peer, ec);
            X509_VERIFY_PARAM* param = SSL_get0_param(ssl);
            X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
            int ok = is_ip ? X509_VERIFY_PARAM_set1_ip_asc(param, host.c_str())
                           : X509_VERIFY_PARAM_set1_host(param, host.c_str(), host.size());
            if (ok != 1) {
                h(make_error_code(error::bad_url));
                return;
            }
        } else {
            s.set_verify_mode(asio::ssl::verify_none, ec);
        }
        s.async_handshake(asio::ssl::stream_base::client, std::forward<Handler>(h));
    }
};

#ifdef SIPWS_SEPARATE_COMPILATION
SIPWS_DETAIL_CONNECTION_INSTANCE(extern, tls_stream)
SIPWS_DETAIL_LISTENER_INSTANCE(extern, tls_stream)
#endif

template <class Config = default_config>
using wss_connection = basic_connection<tls_stream, Config>;
template <class Config = default_config>
using wss_listener = basic_listener<tls_stream, Config>;

/// A client TLS context: TLS 1.2 or later, peer verification on, trusting
/// the system store and, when given, the PEM file \p ca_file.
inline asio::ssl::context make_client_tls_context(const std::string& ca_file = {}) {
    asio::ssl::context ctx(asio::ssl::context::tls_client);
    SSL_CTX_set_min_proto_version(ctx.native_handle(), TLS1_2_VERSION);
    ctx.set_verify_mode(asio::ssl::verify_peer);
    if (ca_file.empty()) ctx.set_default_verify_paths();
    else ctx.load_verify_file(ca_file);
    return ctx;
}

/// A server TLS context from a PEM certificate chain and private key.
inline asio::ssl::context make_server_tls_context(const std::string& cert_chain_file,
                                                  const std::string& key_file) {
    asio::ssl::context ctx(asio::ssl::context::tls_server);
    SSL_CTX_set_min_proto_version(ctx.native_handle(), TLS1_2_VERSION);
    ctx.set_options(asio::ssl::context::default_workarounds | asio::ssl::context::single_dh_use);
    ctx.use_certificate_chain_file(cert_chain_file);
    ctx.use_private_key_file(key_file, asio::ssl::context::pem);
    return ctx;
}

} // namespace sipws::transport

#endif
