// Distributed under the Boost Software License, Version 1.0.
#ifndef SIPWS_TRANSPORT_POLICY_FRAMING_HPP
#define SIPWS_TRANSPORT_POLICY_FRAMING_HPP

/// \file
/// Framing policies: text or binary WebSocket message for an outgoing SIP
/// message sent without an explicit type. A policy is an object with
/// `ws::message_type choose(std::string_view payload) const`.

#include <sipws/ws/frame.hpp>
#include <sipws/ws/utf8.hpp>

#include <string_view>

namespace sipws::transport::policy {

/// Text when the whole message is valid RFC 3629 UTF-8, binary otherwise
/// (WS7118-4.2-b, WS7118-4.2-d). Default.
struct text_when_utf8 {
    ws::message_type choose(std::string_view payload) const noexcept {
        return ws::is_valid_utf8(payload.data(), payload.size()) ? ws::message_type::text
                                                                 : ws::message_type::binary;
    }
};

/// Always text (a payload that is not UTF-8 is refused with invalid_utf8).
struct always_text {
    ws::message_type choose(std::string_view) const noexcept { return ws::message_type::text; }
};

/// Always binary.
struct always_binary {
    ws::message_type choose(std::string_view) const noexcept { return ws::message_type::binary; }
};

} // namespace sipws::transport::policy

#endif
