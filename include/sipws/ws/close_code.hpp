// Distributed under the Boost Software License, Version 1.0.
#ifndef SIPWS_WS_CLOSE_CODE_HPP
#define SIPWS_WS_CLOSE_CODE_HPP

/// \file
/// Close status codes (RFC 6455 section 7.4 and the IANA registry).

#include <cstdint>

namespace sipws::ws {

namespace close_code {
inline constexpr std::uint16_t normal = 1000;              ///< normal closure
inline constexpr std::uint16_t going_away = 1001;          ///< endpoint going away
inline constexpr std::uint16_t protocol_error = 1002;      ///< protocol error
inline constexpr std::uint16_t unsupported_data = 1003;    ///< data type cannot be accepted
inline constexpr std::uint16_t no_status = 1005;           ///< no status received (never sent)
inline constexpr std::uint16_t abnormal = 1006;            ///< closed without a Close (never sent)
inline constexpr std::uint16_t invalid_payload = 1007;     ///< invalid frame payload data
inline constexpr std::uint16_t policy_violation = 1008;    ///< policy violation
inline constexpr std::uint16_t message_too_big = 1009;     ///< message too big
inline constexpr std::uint16_t mandatory_extension = 1010; ///< extension required (client only)
inline constexpr std::uint16_t internal_error = 1011;      ///< internal server error
inline constexpr std::uint16_t service_restart = 1012;     ///< IANA, after RFC 6455
inline constexpr std::uint16_t try_again_later = 1013;     ///< IANA, after RFC 6455
inline constexpr std::uint16_t bad_gateway = 1014;         ///< IANA, after RFC 6455
inline constexpr std::uint16_t tls_handshake = 1015;       ///< TLS failure (never sent)
} // namespace close_code

/// True when \p code may appear in a received Close frame (WS6455-7.4-a):
/// 1000-1003, 1007-1014 and 3000-4999. 1004-1006, 1015, 0-999 and
/// 1016-2999 are protocol errors.
constexpr bool is_valid_close_code(std::uint16_t code) noexcept {
    return (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) ||
           (code >= 3000 && code <= 4999);
}

/// True when an endpoint may send \p code (1010 is for clients only).
constexpr bool may_send_close_code(std::uint16_t code, bool is_client) noexcept {
    if (code == close_code::mandatory_extension) return is_client;
    return is_valid_close_code(code);
}

} // namespace sipws::ws

#endif
