// Distributed under the Boost Software License, Version 1.0.
#ifndef SIPWS_WS_ERROR_HPP
#define SIPWS_WS_ERROR_HPP

/// \file
/// Errors of the WebSocket layer as std::error_code values (category "sipws.ws").
/// Each protocol error maps to the close code it is answered with
/// (close_code_for) and, for handshake errors, to the HTTP status the server
/// answers with (http_status_for).

#include <cstdint>
#include <string>
#include <system_error>

namespace sipws::ws {

enum class error {
    // Opening handshake (RFC 6455 section 4).
    handshake_too_large = 1, ///< request/response head exceeds the configured bound
    http_syntax,             ///< malformed HTTP head (request line, status line or field)
    bad_method,              ///< request method is not GET
    bad_http_version,        ///< HTTP version below 1.1
    no_host,                 ///< Host missing or repeated
    no_upgrade,              ///< Upgrade does not list "websocket"
    no_connection_upgrade,   ///< Connection does not list "Upgrade"
    bad_key,                 ///< Sec-WebSocket-Key missing or not 16 octets in base64
    duplicate_field,         ///< a field that must appear once appears several times (11.3)
    bad_version,             ///< Sec-WebSocket-Version missing or not 13 (426)
    bad_subprotocol_list,    ///< Sec-WebSocket-Protocol is not a list of unique tokens
    no_subprotocol,          ///< no configured subprotocol was offered (RFC 7118: 400)
    bad_extension_list,      ///< Sec-WebSocket-Extensions is malformed
    unexpected_body,         ///< the upgrade request announces a body
    refused,                 ///< the server policy refused the handshake
    bad_status,              ///< the response is not "101 Switching Protocols"
    bad_accept,              ///< Sec-WebSocket-Accept missing or wrong
    missing_subprotocol,     ///< the 101 selects no subprotocol (RFC 7118 4.1)
    unrequested_subprotocol, ///< the 101 selects a subprotocol that was not offered
    unrequested_extension,   ///< the 101 selects an extension that was not offered

    // Frames (RFC 6455 section 5); answered with close 1002 unless stated.
    reserved_bits,           ///< RSV1-3 set without a negotiated extension
    reserved_opcode,         ///< opcode 0x3-0x7 or 0xB-0xF
    unmasked_frame,          ///< a server received an unmasked frame
    masked_frame,            ///< a client received a masked frame
    non_minimal_length,      ///< payload length not in its shortest form
    bad_length,              ///< 64-bit payload length with the top bit set
    control_too_long,        ///< control frame payload above 125 octets
    fragmented_control,      ///< control frame without FIN
    unexpected_continuation, ///< continuation frame with no message open
    expected_continuation,   ///< new data frame while a fragmented message is open
    frame_too_big,           ///< frame payload above max_frame_size (1009)
    message_too_big,         ///< message above max_message_size (1009)
    invalid_utf8,            ///< text message is not UTF-8 (1007)
    bad_close_payload,       ///< close payload of one octet
    bad_close_code,          ///< close code not valid on the wire
    invalid_close_reason,    ///< close reason is not UTF-8 (1007)

    // State.
    closed,       ///< operation not allowed: the closing handshake has begun
    failed,       ///< operation not allowed: the connection has failed
    bad_argument, ///< argument out of range (e.g. control payload > 125 octets)

    // permessage-deflate (RFC 7692).
    bad_extension_response, ///< the 101's permessage-deflate parameters are invalid or unoffered
    bad_compressed_data,    ///< a compressed message does not inflate (1002)
};

class error_category final : public std::error_category {
public:
    const char* name() const noexcept override { return "sipws.ws"; }
    std::string message(int ev) const override {
        switch (static_cast<error>(ev)) {
        case error::handshake_too_large:
            return "handshake exceeds the size limit";
        case error::http_syntax:
            return "malformed HTTP message";
        case error::bad_method:
            return "handshake method is not GET";
        case error::bad_http_version:
            return "handshake HTTP version is below 1.1";
        case error::no_host:
            return "Host header missing or repeated";
        case error::no_upgrade:
            return "Upgrade header does not contain websocket";
        case error::no_connection_upgrade:
            return "Connection header does not contain Upgrade";
        case error::bad_key:
            return "Sec-WebSocket-Key missing or invalid";
        case error::duplicate_field:
            return "header field repeated where only one is allowed";
        case error::bad_version:
            return "Sec-WebSocket-Version missing or not 13";
        case error::bad_subprotocol_list:
            return "malformed Sec-WebSocket-Protocol";
        case error::no_subprotocol:
            return "no acceptable subprotocol offered";
        case error::bad_extension_list:
            return "malformed Sec-WebSocket-Extensions";
        case error::unexpected_body:
            return "upgrade request with a body";
        case error::refused:
            return "handshake refused by policy";
        case error::bad_status:
            return "handshake response is not 101";
        case error::bad_accept:
            return "Sec-WebSocket-Accept missing or wrong";
        case error::missing_subprotocol:
            return "server selected no subprotocol";
        case error::unrequested_subprotocol:
            return "server selected a subprotocol not offered";
        case error::unrequested_extension:
            return "server selected an extension not offered";
        case error::reserved_bits:
            return "reserved bits set";
        case error::reserved_opcode:
            return "reserved opcode";
        case error::unmasked_frame:
            return "unmasked frame from client";
        case error::masked_frame:
            return "masked frame from server";
        case error::non_minimal_length:
            return "payload length not minimally encoded";
        case error::bad_length:
            return "payload length with the most significant bit set";
        case error::control_too_long:
            return "control frame payload above 125 octets";
        case error::fragmented_control:
            return "fragmented control frame";
        case error::unexpected_continuation:
            return "continuation frame without a message";
        case error::expected_continuation:
            return "data frame inside a fragmented message";
        case error::frame_too_big:
            return "frame exceeds the size limit";
        case error::message_too_big:
            return "message exceeds the size limit";
        case error::invalid_utf8:
            return "text message is not valid UTF-8";
        case error::bad_close_payload:
            return "close frame payload of one octet";
        case error::bad_close_code:
            return "invalid close code";
        case error::invalid_close_reason:
            return "close reason is not valid UTF-8";
        case error::closed:
            return "WebSocket closing handshake in progress";
        case error::failed:
            return "WebSocket connection failed";
        case error::bad_argument:
            return "invalid argument";
        case error::bad_extension_response:
            return "invalid permessage-deflate parameters in the response";
        case error::bad_compressed_data:
            return "compressed message does not inflate";
        }
        return "unknown sipws.ws error";
    }
};

inline const std::error_category& ws_category() noexcept {
    static const error_category instance;
    return instance;
}

inline std::error_code make_error_code(error e) noexcept {
    return {static_cast<int>(e), ws_category()};
}

/// The close code a connection failed with \p e sends (RFC 6455 section 7.4.1).
constexpr std::uint16_t close_code_for(error e) noexcept {
    switch (e) {
    case error::frame_too_big:
    case error::message_too_big:
        return 1009;
    case error::invalid_utf8:
    case error::invalid_close_reason:
        return 1007;
    default:
        return 1002;
    }
}

/// The HTTP status a server answers a failed handshake with.
constexpr int http_status_for(error e) noexcept {
    return e == error::bad_version ? 426 : 400;
}

} // namespace sipws::ws

namespace std {
template <>
struct is_error_code_enum<sipws::ws::error> : true_type {};
} // namespace std

#endif
