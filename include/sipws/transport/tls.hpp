// Distributed under the Boost Software License, Version 1.0.
#ifndef SIPWS_TRANSPORT_TLS_HPP
#define SIPWS_TRANSPORT_TLS_HPP

/// \file
/// wss: the TLS stream traits and helpers that build TLS contexts.
///
/// A client verifies the server certificate and its host name (WS7118-9.1-b:
/// the rules of HTTPS for the host of the WebSocket URI) unless told not to,
/// and sends SNI for host names.
///
/// Client certificates (RFC 7118 section 7, WS7118-7-c: TLS client
/// authentication on wss follows HTTP rules, not SIP rules): a server
/// context made with require_client_certificates() accepts only clients
/// whose certificate chains to the given CAs; a client context given
/// use_certificate() presents one. The verified certificate's subject and
/// subjectAltName URIs and DNS names land in flow_info::certificate, where
/// a web-auth policy (policy::client_certificate_auth) can turn them into
/// the flow's identity.

#include <sipws/transport/connection.hpp>
#include <sipws/transport/listener.hpp>

#include <asio/ip/address.hpp>
#include <asio/ssl.hpp>

#include <openssl/bio.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <memory>
#include <stdexcept>
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
    /// The peer's certificate into \p out when it sent one that verified.
    static void peer_certificate(tls_stream& s, transport::peer_certificate& out) {
        SSL* ssl = s.native_handle();
        if (SSL_get_verify_result(ssl) != X509_V_OK) return;
#if OPENSSL_VERSION_NUMBER >= 0x30000000L
        std::unique_ptr<X509, decltype(&X509_free)> cert(SSL_get1_peer_certificate(ssl), &X509_free);
#else
        std::unique_ptr<X509, decltype(&X509_free)> cert(SSL_get_peer_certificate(ssl), &X509_free);
#endif
        if (!cert) return;
        if (std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), &BIO_free); bio) {
            if (X509_NAME_print_ex(bio.get(), X509_get_subject_name(cert.get()), 0, XN_FLAG_RFC2253) >= 0) {
                char* text = nullptr;
                long n = BIO_get_mem_data(bio.get(), &text);
                if (n > 0 && text) out.subject.assign(text, static_cast<std::size_t>(n));
            }
        }
        auto* names = static_cast<GENERAL_NAMES*>(
            X509_get_ext_d2i(cert.get(), NID_subject_alt_name, nullptr, nullptr));
        if (!names) return;
        for (int i = 0; i < sk_GENERAL_NAME_num(names); ++i) {
            const GENERAL_NAME* n = sk_GENERAL_NAME_value(names, i);
            if (n->type != GEN_URI && n->type != GEN_DNS) continue;
            const ASN1_IA5STRING* v = n->type == GEN_URI ? n->d.uniformResourceIdentifier : n->d.dNSName;
            std::string text(reinterpret_cast<const char*>(ASN1_STRING_get0_data(v)),
                             static_cast<std::size_t>(ASN1_STRING_length(v)));
            if (text.find('\0') != std::string::npos) continue; // an embedded NUL is a forgery
            (n->type == GEN_URI ? out.uris : out.dns).push_back(std::move(text));
        }
        GENERAL_NAMES_free(names);
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

/// A server context accepts only clients whose certificate chains to a CA
/// of the PEM file \p ca_file (and names those CAs in its request); a
/// client without one fails the TLS handshake (WS7118-7-c).
inline void require_client_certificates(asio::ssl::context& ctx, const std::string& ca_file) {
    SSL_CTX* c = ctx.native_handle();
    if (SSL_CTX_load_verify_locations(c, ca_file.c_str(), nullptr) != 1)
        throw std::runtime_error("cannot load client CA file " + ca_file);
    STACK_OF(X509_NAME)* names = SSL_load_client_CA_file(ca_file.c_str());
    if (!names) throw std::runtime_error("no CA certificate in " + ca_file);
    SSL_CTX_set_client_CA_list(c, names);
    // Resumed sessions keep the verified client; they need a context id.
    static const unsigned char id[] = "sipws-client-certificates";
    SSL_CTX_set_session_id_context(c, id, sizeof id - 1);
    ctx.set_verify_mode(asio::ssl::verify_peer | asio::ssl::verify_fail_if_no_peer_cert);
}

/// A client context presents the certificate chain of \p cert_chain_file
/// (PEM, the client's certificate first) with the key of \p key_file.
inline void use_certificate(asio::ssl::context& ctx, const std::string& cert_chain_file,
                            const std::string& key_file) {
    ctx.use_certificate_chain_file(cert_chain_file);
    ctx.use_private_key_file(key_file, asio::ssl::context::pem);
}

} // namespace sipws::transport

#endif
