// Distributed under the Boost Software License, Version 1.0.
#ifndef SIPWS_CRYPTO_BASE64_HPP
#define SIPWS_CRYPTO_BASE64_HPP

/// \file
/// Base64 (RFC 4648 section 4) with a strict decoder: the WebSocket handshake
/// must tell a key that decodes to exactly 16 octets from one that only looks
/// like it, so padding, alphabet and the zero pad bits are all checked.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace sipws::crypto {

/// Encoded length of \p n octets (with padding).
constexpr std::size_t base64_encoded_size(std::size_t n) noexcept { return (n + 2) / 3 * 4; }

/// Writes the base64 form of [data, data + n) to \p out, which must hold
/// base64_encoded_size(n) characters. Returns the number written.
inline std::size_t base64_encode(const void* data, std::size_t n, char* out) noexcept {
    static constexpr char alphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    auto in = static_cast<const unsigned char*>(data);
    char* o = out;
    std::size_t i = 0;
    for (; i + 3 <= n; i += 3) {
        std::uint32_t v = (std::uint32_t(in[i]) << 16) | (std::uint32_t(in[i + 1]) << 8) | in[i + 2];
        *o++ = alphabet[(v >> 18) & 63];
        *o++ = alphabet[(v >> 12) & 63];
        *o++ = alphabet[(v >> 6) & 63];
        *o++ = alphabet[v & 63];
    }
    if (std::size_t rest = n - i) {
        std::uint32_t v = std::uint32_t(in[i]) << 16;
        if (rest == 2) v |= std::uint32_t(in[i + 1]) << 8;
        *o++ = alphabet[(v >> 18) & 63];
        *o++ = alphabet[(v >> 12) & 63];
        *o++ = rest == 2 ? alphabet[(v >> 6) & 63] : '=';
        *o++ = '=';
    }
    return static_cast<std::size_t>(o - out);
}

inline std::string base64_encode(std::string_view bytes) {
    std::string out(base64_encoded_size(bytes.size()), '\0');
    base64_encode(bytes.data(), bytes.size(), out.data());
    return out;
}

namespace detail {
constexpr int base64_value(char c) noexcept {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
}
} // namespace detail

/// Strict decoder: the length must be a multiple of 4, padding only at the
/// end, no white space, and the unused bits before padding must be zero
/// (RFC 4648 section 3.5; RFC 6455 erratum 3150). Returns the number of
/// octets written to \p out (which must hold text.size() / 4 * 3), or
/// std::nullopt when \p text is not canonical base64.
inline std::optional<std::size_t> base64_decode(std::string_view text, void* out) noexcept {
    if (text.size() % 4 != 0) return std::nullopt;
    auto o = static_cast<unsigned char*>(out);
    std::size_t written = 0;
    for (std::size_t i = 0; i < text.size(); i += 4) {
        const bool last = i + 4 == text.size();
        int a = detail::base64_value(text[i]);
        int b = detail::base64_value(text[i + 1]);
        if (a < 0 || b < 0) return std::nullopt;
        if (last && text[i + 2] == '=') {
            if (text[i + 3] != '=' || (b & 0x0f) != 0) return std::nullopt;
            o[written++] = static_cast<unsigned char>((a << 2) | (b >> 4));
            return written;
        }
        int c = detail::base64_value(text[i + 2]);
        if (c < 0) return std::nullopt;
        if (last && text[i + 3] == '=') {
            if ((c & 0x03) != 0) return std::nullopt;
            o[written++] = static_cast<unsigned char>((a << 2) | (b >> 4));
            o[written++] = static_cast<unsigned char>(((b & 0x0f) << 4) | (c >> 2));
            return written;
        }
        int d = detail::base64_value(text[i + 3]);
        if (d < 0) return std::nullopt;
        o[written++] = static_cast<unsigned char>((a << 2) | (b >> 4));
        o[written++] = static_cast<unsigned char>(((b & 0x0f) << 4) | (c >> 2));
        o[written++] = static_cast<unsigned char>(((c & 0x03) << 6) | d);
    }
    return written;
}

inline std::optional<std::string> base64_decode(std::string_view text) {
    std::string out(text.size() / 4 * 3, '\0');
    auto n = base64_decode(text, out.data());
    if (!n) return std::nullopt;
    out.resize(*n);
    return out;
}

/// Base64url without padding (RFC 4648 section 5), for tokens that travel in
/// SIP URI user parts and HTTP query strings.
inline std::string base64url_encode(std::string_view bytes) {
    std::string out = base64_encode(bytes);
    while (!out.empty() && out.back() == '=') out.pop_back();
    for (char& c : out) {
        if (c == '+') c = '-';
        else if (c == '/') c = '_';
    }
    return out;
}

/// Strict base64url decoder (no padding accepted, canonical pad bits).
inline std::optional<std::string> base64url_decode(std::string_view text) {
    if (text.size() % 4 == 1) return std::nullopt;
    std::string std_form(text);
    for (char& c : std_form) {
        if (c == '-') c = '+';
        else if (c == '_') c = '/';
        else if (c == '+' || c == '/' || c == '=') return std::nullopt;
    }
    while (std_form.size() % 4 != 0) std_form.push_back('=');
    return base64_decode(std_form);
}

} // namespace sipws::crypto

#endif
