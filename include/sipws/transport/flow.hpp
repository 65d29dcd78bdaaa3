// Distributed under the Boost Software License, Version 1.0.
#ifndef SIPWS_TRANSPORT_FLOW_HPP
#define SIPWS_TRANSPORT_FLOW_HPP

/// \file
/// The identity of a connection (a "flow", RFC 5626 / RFC 7118): a 64-bit
/// id unique in the process (never reused), and what is known about it.

#include <sipws/transport/policy/web_auth.hpp>

#include <asio/ip/tcp.hpp>

#include <atomic>
#include <cstdint>
#include <string>
#include <system_error>
#include <vector>

namespace sipws::transport {

/// Stable id of one connection; 0 is never a valid flow.
using flow_id = std::uint64_t;

/// A fresh flow id: ids grow from 1 and are never reused in a process.
inline flow_id next_flow_id() noexcept {
    static std::atomic<flow_id> next{1};
    return next.fetch_add(1, std::memory_order_relaxed);
}

/// wss: the certificate the peer presented and the TLS context verified
/// (a client certificate on a server flow, RFC 7118 section 7 and
/// WS7118-7-c; the server's on a client flow). Empty when there is none.
struct peer_certificate {
    std::string subject;           ///< RFC 2253 form, e.g. "CN=alice,O=Example"
    std::vector<std::string> uris; ///< subjectAltName URIs, e.g. "sip:alice@example.com"
    std::vector<std::string> dns;  ///< subjectAltName DNS names
    bool present() const noexcept { return !subject.empty() || !uris.empty() || !dns.empty(); }
};

/// What is known about a flow once it is open (immutable afterwards).
struct flow_info {
    flow_id id = 0;
    bool secure = false;     ///< wss
    bool is_client = false;  ///< we opened it (connector)
    asio::ip::tcp::endpoint local;
    asio::ip::tcp::endpoint remote;
    std::string subprotocol; ///< negotiated ("sip"), empty when none
    bool compressed = false; ///< permessage-deflate agreed (RFC 7692)
    std::string origin;      ///< server: the Origin of the handshake (empty if absent)
    std::string target;      ///< the request-target (path and query) of the handshake
    std::string host;        ///< the Host of the handshake
    /// Server: the web-auth policy's verdict and identity (RFC 7118 Appendix A).
    web_auth_verdict auth = web_auth_verdict::not_checked;
    std::string identity;
    /// wss: the peer's verified certificate (see require_client_certificates()).
    peer_certificate certificate;
};

/// How a flow ended; passed to the close handlers.
struct close_info {
    /// Close code received from the peer: 1005 when its Close had none, 1006
    /// when none was received (abrupt loss, timeout, local abort).
    std::uint16_t code = 1006;
    std::string reason;          ///< reason of the peer's Close
    std::uint16_t sent_code = 0; ///< code of the Close we sent (0: none)
    /// Empty after a clean closing handshake; otherwise the cause (socket
    /// error, asio::error::eof for a peer that vanished, a transport::error
    /// timeout, or a ws::error protocol violation).
    std::error_code error;
    bool clean() const noexcept { return !error; }
};

} // namespace sipws::transport

#endif
