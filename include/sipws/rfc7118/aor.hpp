// Distributed under the Boost Software License, Version 1.0.
#ifndef SIPWS_RFC7118_AOR_HPP
#define SIPWS_RFC7118_AOR_HPP

/// \file
/// The address-of-record of a SIP URI in one canonical text form, the key a
/// registrar files bindings under and an identity check compares:
/// `scheme:user@host[:port]` with the scheme and host in lower case, the
/// user unescaped (RFC 3261 section 10.3 step 5: URI parameters and headers
/// are dropped, so `sip:alice@example.com;gr=...` maps to its AOR).

#include <sipws/detail/ascii.hpp>
#include <sipws/sip/name_addr.hpp>
#include <sipws/sip/uri.hpp>

#include <optional>
#include <string>
#include <string_view>

namespace sipws::rfc7118 {

/// The canonical AOR of a parsed SIP/SIPS URI; nullopt for other schemes.
inline std::optional<std::string> aor_of(const sip::uri& u) {
    if (!u.is_sip() || u.host.empty()) return std::nullopt;
    std::string out = u.scheme == sip::uri_scheme::sips ? "sips:" : "sip:";
    if (u.has_user) {
        out += sip::unescape(u.user);
        out += '@';
    }
    for (char c : u.host) out += sipws::detail::ascii_lower(c);
    if (u.has_port) {
        out += ':';
        out += std::to_string(u.port);
    }
    return out;
}

/// The canonical AOR of a URI given as text (no angle brackets).
inline std::optional<std::string> aor_of(std::string_view uri_text) {
    std::error_code ec;
    sip::uri u = sip::parse_uri(uri_text, ec);
    if (ec) return std::nullopt;
    return aor_of(u);
}

/// The canonical AOR of a From / To / Contact value.
inline std::optional<std::string> aor_of(const sip::name_addr& na) {
    if (na.uri_text.empty()) return std::nullopt;
    if (na.uri.is_sip() && !na.uri.host.empty()) return aor_of(na.uri); // parsed with the header
    return aor_of(na.uri_text);
}

/// The host part of a canonical AOR (lower case, no port).
inline std::string_view aor_domain(std::string_view aor) noexcept {
    std::size_t at = aor.rfind('@');
    std::string_view h = aor.substr(at == std::string_view::npos ? aor.find(':') + 1 : at + 1);
    if (!h.empty() && h.front() == '[') return h.substr(0, h.find(']') + 1);
    return h.substr(0, h.find(':'));
}

} // namespace sipws::rfc7118

#endif
