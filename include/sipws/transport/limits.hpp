// Distributed under the Boost Software License, Version 1.0.
#ifndef SIPWS_TRANSPORT_LIMITS_HPP
#define SIPWS_TRANSPORT_LIMITS_HPP

/// \file
/// Run-time limits of the transport, with defaults suited to SIP.
///
/// A listener or connector copies its limits into every connection it
/// opens: set_limits() applies to connections opened afterwards, and
/// basic_connection::set_limits() changes one live connection.

#include <chrono>
#include <cstddef>

namespace sipws::transport {

struct limits {
    /// Largest incoming message (reassembled); beyond it the connection
    /// fails with close code 1009. SIP messages are a few KiB.
    std::size_t max_message_size = 1024 * 1024;
    /// Largest incoming frame payload (1009 beyond).
    std::size_t max_frame_size = 1024 * 1024;
    /// Outgoing fragmentation: 0 sends each message as one frame.
    std::size_t fragment_size = 0;
    /// Largest opening-handshake head (431 / failure beyond).
    std::size_t max_handshake_size = 16 * 1024;
    /// Read buffer of a TLS connection (plain TCP reads into a per-thread buffer).
    std::size_t read_buffer_size = 16 * 1024;

    /// Write queue bound: octets accepted by send() and not yet written to
    /// the socket. send() returns error::queue_full beyond it.
    std::size_t max_queued_bytes = 1024 * 1024;
    /// Write queue bound: messages accepted and not yet written.
    std::size_t max_queued_messages = 1024;

    /// Listener: connections (in handshake or open) above which new TCP
    /// connections are closed at once.
    std::size_t max_connections = 10000;

    /// From TCP accept (or TCP connect) to the end of the WebSocket
    /// handshake, TLS included. Slow clients are dropped. 0 = no limit.
    std::chrono::milliseconds handshake_timeout{10000};
    /// Client: resolving and connecting TCP. 0 = no limit.
    std::chrono::milliseconds connect_timeout{10000};
    /// Nothing received for this long closes the connection with 1001
    /// (0 = never). Keep-alive answers count as traffic.
    std::chrono::milliseconds idle_timeout{0};
    /// Closing handshake: after our Close (or, client, after both Close
    /// frames) the TCP connection is dropped if not closed by then.
    std::chrono::milliseconds close_timeout{5000};
};

} // namespace sipws::transport

#endif
