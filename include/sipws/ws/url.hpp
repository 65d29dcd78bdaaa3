// Distributed under the Boost Software License, Version 1.0.
#ifndef SIPWS_WS_URL_HPP
#define SIPWS_WS_URL_HPP

/// \file
/// WebSocket URIs (RFC 6455 section 3): `ws://host[:port][/path][?query]`
/// and `wss://...`. The scheme is case-insensitive, the default ports are 80
/// and 443, an empty path means `/`, and fragments are not allowed.
/// Host names are kept as written; IPv6 literals keep their brackets in
/// `host` (what the Host header carries) and lose them in `address()`.

#include <sipws/ws/http_fields.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace sipws::ws {

struct url {
    bool secure = false;      ///< wss
    std::string host;         ///< "example.com", "127.0.0.1" or "[::1]"
    std::uint16_t port = 0;   ///< explicit or default (80 / 443)
    bool explicit_port = false;
    std::string resource = "/"; ///< path plus "?query": the request-target

    /// The host without IPv6 brackets, for a resolver.
    std::string_view address() const noexcept {
        std::string_view h = host;
        if (h.size() >= 2 && h.front() == '[' && h.back() == ']') return h.substr(1, h.size() - 2);
        return h;
    }

    /// The Host header value: host, plus ":port" when it is not the default
    /// (RFC 6455 section 4.1 item 4).
    std::string host_header() const {
        if (port == (secure ? 443 : 80)) return host;
        return host + ":" + std::to_string(port);
    }

    std::string to_string() const {
        return std::string(secure ? "wss://" : "ws://") + host_header() + resource;
    }
};

namespace detail {
inline bool is_reg_name_char(char c) noexcept {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '.' || c == '_' || c == '~' || c == '%' || c == '!' || c == '$' || c == '&' ||
           c == '\'' || c == '(' || c == ')' || c == '*' || c == '+' || c == ',' || c == ';' ||
           c == '=';
}

inline bool is_ipv6_char(char c) noexcept {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') || c == ':' ||
           c == '.';
}

inline bool is_target_char(char c) noexcept {
    // RFC 3986 pchar plus "/" and "?" ; no controls, spaces or '#'.
    auto u = static_cast<unsigned char>(c);
    return u > 0x20 && u < 0x7f && c != '#' && c != '"' && c != '<' && c != '>' && c != '\\' &&
           c != '^' && c != '`' && c != '{' && c != '|' && c != '}';
}
} // namespace detail

/// Parses a ws:// or wss:// URL; std::nullopt when it is not one (other
/// scheme, fragment, user info, bad host or port).
inline std::optional<url> parse_url(std::string_view text) {
    url u;
    auto colon = text.find("://");
    if (colon == std::string_view::npos) return std::nullopt;
    auto scheme = text.substr(0, colon);
    if (iequals(scheme, "ws")) u.secure = false;
    else if (iequals(scheme, "wss")) u.secure = true;
    else return std::nullopt;
    text.remove_prefix(colon + 3);
    if (text.find('#') != std::string_view::npos) return std::nullopt;

    auto end = text.find_first_of("/?");
    auto authority = text.substr(0, end);
    auto rest = end == std::string_view::npos ? std::string_view{} : text.substr(end);
    if (authority.empty() || authority.find('@') != std::string_view::npos) return std::nullopt;

    std::string_view host, port;
    if (authority.front() == '[') {
        auto close = authority.find(']');
        if (close == std::string_view::npos || close < 3) return std::nullopt;
        host = authority.substr(0, close + 1);
        for (char c : host.substr(1, host.size() - 2))
            if (!detail::is_ipv6_char(c)) return std::nullopt;
        auto after = authority.substr(close + 1);
        if (!after.empty()) {
            if (after.front() != ':') return std::nullopt;
            port = after.substr(1);
            if (port.empty()) return std::nullopt;
        }
    } else {
        auto c = authority.rfind(':');
        host = authority.substr(0, c);
        if (c != std::string_view::npos) {
            port = authority.substr(c + 1);
            if (port.empty()) return std::nullopt;
        }
        if (host.empty()) return std::nullopt;
        for (char ch : host)
            if (!detail::is_reg_name_char(ch)) return std::nullopt;
    }
    u.host = std::string(host);
    if (!port.empty()) {
        if (port.size() > 5) return std::nullopt;
        unsigned value = 0;
        for (char c : port) {
            if (c < '0' || c > '9') return std::nullopt;
            value = value * 10 + static_cast<unsigned>(c - '0');
        }
        if (value == 0 || value > 65535) return std::nullopt;
        u.port = static_cast<std::uint16_t>(value);
        u.explicit_port = true;
    } else {
        u.port = u.secure ? 443 : 80;
    }
    for (char c : rest)
        if (!detail::is_target_char(c)) return std::nullopt;
    if (rest.empty()) u.resource = "/";
    else if (rest.front() == '?') u.resource = "/" + std::string(rest);
    else u.resource = std::string(rest);
    return u;
}

} // namespace sipws::ws

#endif
