// Distributed under the Boost Software License, Version 1.0.
#ifndef SIPWS_TRANSPORT_ERROR_HPP
#define SIPWS_TRANSPORT_ERROR_HPP

/// \file
/// Errors of the transport layer as std::error_code values (category
/// "sipws.transport"). Socket and TLS failures keep their Asio codes.

#include <string>
#include <system_error>

namespace sipws::transport {

enum class error {
    queue_full = 1,       ///< the write queue is at its bound (back-pressure): retry later or wait
    flow_failed,          ///< the flow is closed, closing or unknown (a SIP proxy answers 430)
    message_too_big,      ///< the message exceeds limits::max_queued_bytes on its own
    invalid_utf8,         ///< text requested for a payload that is not UTF-8 (WS7118-4.2-d)
    handshake_timeout,    ///< the opening handshake did not finish in time
    connect_timeout,      ///< resolving and connecting did not finish in time
    idle_timeout,         ///< nothing was received for limits::idle_timeout
    pong_timeout,         ///< the keep-alive ping was not answered in time
    close_timeout,        ///< the closing handshake did not finish in time
    handshake_refused,    ///< the server answered the upgrade with an HTTP error
    too_many_connections, ///< limits::max_connections reached; the connection was dropped
    bad_url,              ///< not a ws:// or wss:// URL
    aborted,              ///< the connection was aborted locally (abort(), listener stop)
};

class error_category final : public std::error_category {
public:
    const char* name() const noexcept override { return "sipws.transport"; }
    std::string message(int ev) const override {
        switch (static_cast<error>(ev)) {
        case error::queue_full:
            return "write queue full";
        case error::flow_failed:
            return "flow failed (connection closed or unknown)";
        case error::message_too_big:
            return "message larger than the write queue bound";
        case error::invalid_utf8:
            return "text message is not valid UTF-8";
        case error::handshake_timeout:
            return "opening handshake timed out";
        case error::connect_timeout:
            return "connect timed out";
        case error::idle_timeout:
            return "connection idle for too long";
        case error::pong_timeout:
            return "keep-alive not answered in time";
        case error::close_timeout:
            return "closing handshake timed out";
        case error::handshake_refused:
            return "opening handshake refused by the server";
        case error::too_many_connections:
            return "too many connections";
        case error::bad_url:
            return "not a ws:// or wss:// URL";
        case error::aborted:
            return "connection aborted";
        }
        return "unknown sipws.transport error";
    }
};

inline const std::error_category& transport_category() noexcept {
    static const error_category cat;
    return cat;
}

inline std::error_code make_error_code(error e) noexcept {
    return {static_cast<int>(e), transport_category()};
}

} // namespace sipws::transport

template <>
struct std::is_error_code_enum<sipws::transport::error> : std::true_type {};

#endif
