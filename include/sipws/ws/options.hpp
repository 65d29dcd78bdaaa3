// Distributed under the Boost Software License, Version 1.0.
#ifndef SIPWS_WS_OPTIONS_HPP
#define SIPWS_WS_OPTIONS_HPP

/// \file
/// Run-time tunables of the frame engine, with defaults suited to SIP.

#include <cstddef>

namespace sipws::ws {

enum class role : unsigned char { client, server };

struct engine_options {
    /// Largest reassembled message accepted; a message announced or grown
    /// beyond it fails the connection with 1009 before its payload is
    /// buffered (WS6455-10.4-a). SIP messages are rarely above a few KiB;
    /// 1 MiB leaves room for large bodies.
    std::size_t max_message_size = 1024 * 1024;

    /// Largest frame payload accepted (1009 beyond).
    std::size_t max_frame_size = 1024 * 1024;

    /// Capacity of the reassembly buffer kept between messages. Messages
    /// that need the buffer (fragmented, or split across reads) and fit in
    /// it cost no allocation once it has grown; a larger buffer is released
    /// after its message has been delivered. Messages that arrive whole in
    /// one input never touch it.
    std::size_t retained_buffer_size = 16 * 1024;

    /// Outgoing fragmentation: messages longer than this are sent as several
    /// frames of at most this many payload octets. 0 sends every message as
    /// one frame.
    std::size_t fragment_size = 0;

    /// Refuse to encode a text message that is not valid UTF-8
    /// (error::invalid_utf8) instead of sending what the peer must reject
    /// with 1007. A caller whose framing policy has already validated the
    /// payload (RFC 7118 4.2) may turn the second check off.
    bool check_outgoing_utf8 = true;
};

} // namespace sipws::ws

#endif
