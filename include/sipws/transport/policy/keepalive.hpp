// Distributed under the Boost Software License, Version 1.0.
#ifndef SIPWS_TRANSPORT_POLICY_KEEPALIVE_HPP
#define SIPWS_TRANSPORT_POLICY_KEEPALIVE_HPP

/// \file
/// Keep-alive policies. A policy is an object with the members of
/// no_keepalive; `mode` selects the mechanism:
/// - none: nothing is sent.
/// - ws_ping: a WebSocket Ping every `interval` of silence; no traffic
///   within `pong_timeout` after it fails the flow (error::pong_timeout).
/// - crlf: RFC 5626 keep-alive carried in WebSocket messages (WS7118-6-b):
///   a client sends "\r\n\r\n" as a message and treats a "\r\n" message as
///   the pong (OB5626-KA-a, OB5626-KA-c); such a "\r\n" is not delivered.
/// Whatever the mode, a server with `answer_crlf` (default) answers a
/// "\r\n\r\n" message with a "\r\n" message and does not deliver it
/// (OB5626-KA-b).

#include <chrono>

namespace sipws::transport {

enum class keepalive_mode : unsigned char { none, ws_ping, crlf };

namespace policy {

struct no_keepalive {
    keepalive_mode mode = keepalive_mode::none;
    std::chrono::milliseconds interval{30000};
    std::chrono::milliseconds pong_timeout{10000};
    bool answer_crlf = true;
};

struct ws_ping_keepalive : no_keepalive {
    ws_ping_keepalive() { mode = keepalive_mode::ws_ping; }
};

struct crlf_keepalive : no_keepalive {
    crlf_keepalive() { mode = keepalive_mode::crlf; }
};

} // namespace policy
} // namespace sipws::transport

#endif
