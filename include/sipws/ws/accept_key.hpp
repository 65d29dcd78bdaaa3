// Distributed under the Boost Software License, Version 1.0.
#ifndef SIPWS_WS_ACCEPT_KEY_HPP
#define SIPWS_WS_ACCEPT_KEY_HPP

/// \file
/// The opening-handshake key material of RFC 6455 section 4: the client's
/// Sec-WebSocket-Key and the server's Sec-WebSocket-Accept.

#include <sipws/crypto/base64.hpp>
#include <sipws/crypto/hash.hpp>
#include <sipws/crypto/random.hpp>

#include <array>
#include <string>
#include <string_view>

namespace sipws::ws {

/// The GUID appended to the key before hashing (RFC 6455 section 1.3).
inline constexpr std::string_view handshake_guid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

/// Sec-WebSocket-Accept for the key string as received (not decoded):
/// base64(SHA-1(key + GUID)).
inline std::string compute_accept(std::string_view key) {
    auto digest =
        crypto::hasher(crypto::hash_algorithm::sha1).update(key).update(handshake_guid).finish();
    return crypto::base64_encode(digest);
}

/// True when \p key is canonical base64 of exactly 16 octets (RFC 6455
/// section 4.2.1 item 5; erratum 3150 for the pad bits).
inline bool is_valid_key(std::string_view key) noexcept {
    if (key.size() != 24) return false;
    std::array<unsigned char, 18> raw{};
    auto n = crypto::base64_decode(key, raw.data());
    return n && *n == 16;
}

/// A fresh Sec-WebSocket-Key: base64 of 16 random octets.
inline std::string generate_key() {
    unsigned char raw[16];
    crypto::random_bytes(raw, sizeof raw);
    std::string key(24, '\0');
    crypto::base64_encode(raw, sizeof raw, key.data());
    return key;
}

} // namespace sipws::ws

#endif
