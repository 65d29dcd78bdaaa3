// Distributed under the Boost Software License, Version 1.0.
#ifndef SIPWS_RFC7118_INSTANCE_ID_HPP
#define SIPWS_RFC7118_INSTANCE_ID_HPP

/// \file
/// The UA instance-id of RFC 5626 section 4.1: a `urn:uuid:` URN (RFC 4122
/// version 4, random) carried as the Contact parameter
/// `+sip.instance="<urn:uuid:...>"`.
///
/// An instance-id must survive restarts and network changes
/// (OB5626-4.1-a): generate it once per installation with
/// make_instance_id(), store it, and send the stored string unchanged every
/// time (the UA always sends the lexically identical value, OB5626-4.1-c).

#include <sipws/crypto/random.hpp>
#include <sipws/rfc7118/auth_params.hpp>

#include <optional>
#include <string>
#include <string_view>

namespace sipws::rfc7118 {

/// A fresh `urn:uuid:xxxxxxxx-xxxx-4xxx-Vxxx-xxxxxxxxxxxx` (version 4,
/// RFC 4122 variant, 122 random bits, lower-case hex).
inline std::string make_instance_id() {
    unsigned char b[16];
    crypto::random_bytes(b, sizeof b);
    b[6] = static_cast<unsigned char>((b[6] & 0x0f) | 0x40); // version 4
    b[8] = static_cast<unsigned char>((b[8] & 0x3f) | 0x80); // variant 10xx
    static constexpr char hex[] = "0123456789abcdef";
    std::string out = "urn:uuid:";
    for (int i = 0; i < 16; ++i) {
        if (i == 4 || i == 6 || i == 8 || i == 10) out.push_back('-');
        out.push_back(hex[b[i] >> 4]);
        out.push_back(hex[b[i] & 15]);
    }
    return out;
}

/// True for `urn:uuid:` followed by a UUID in 8-4-4-4-12 hex form (either
/// case, RFC 4122 section 3).
inline bool is_uuid_urn(std::string_view s) noexcept {
    constexpr std::string_view prefix = "urn:uuid:";
    if (s.size() != prefix.size() + 36 || !detail::iequals(s.substr(0, prefix.size()), prefix))
        return false;
    s.remove_prefix(prefix.size());
    for (std::size_t i = 0; i < s.size(); ++i) {
        char c = s[i];
        if (i == 8 || i == 13 || i == 18 || i == 23) {
            if (c != '-') return false;
        } else if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) {
            return false;
        }
    }
    return true;
}

/// The value of the `+sip.instance` parameter: `"<urn>"`. Empty when \p urn
/// holds a character that cannot be carried (`"`, `\`, `<`, `>`, controls).
inline std::string sip_instance_value(std::string_view urn) {
    if (urn.empty()) return {};
    for (char c : urn) {
        auto u = static_cast<unsigned char>(c);
        if (c == '"' || c == '\\' || c == '<' || c == '>' || u < 0x21 || u >= 0x7f) return {};
    }
    std::string out = "\"<";
    out += urn;
    out += ">\"";
    return out;
}

/// The whole Contact parameter: `+sip.instance="<urn>"` (empty on a bad URN).
inline std::string sip_instance_param(std::string_view urn) {
    auto v = sip_instance_value(urn);
    return v.empty() ? std::string() : "+sip.instance=" + v;
}

/// The URN inside a `+sip.instance` value `"<urn:...>"` (quoted-pairs
/// resolved); nullopt when the value is not a quoted-string holding one
/// angle-bracketed URN.
inline std::optional<std::string> parse_sip_instance_value(std::string_view value) {
    std::size_t pos = 0;
    std::string inner;
    if (!detail::read_quoted_string(value, pos, inner, 1024) || pos != value.size())
        return std::nullopt;
    if (inner.size() < 7 || inner.front() != '<' || inner.back() != '>') return std::nullopt;
    std::string urn = inner.substr(1, inner.size() - 2);
    if (!detail::iequals(std::string_view(urn).substr(0, 4), "urn:")) return std::nullopt;
    // A URN is printable ASCII without these (RFC 8141 section 2).
    for (char c : urn) {
        auto u = static_cast<unsigned char>(c);
        if (c == '<' || c == '>' || c == '"' || c == '\\' || u <= 0x20 || u >= 0x7f)
            return std::nullopt;
    }
    return urn;
}

/// URN equivalence (RFC 8141 section 3 as RFC 5626 section 4.1 asks):
/// `urn` and the NID compare case-insensitively; for `uuid` the hex digits
/// do too (RFC 4122 section 3); other NSSs compare lexically.
inline bool instance_ids_equal(std::string_view a, std::string_view b) noexcept {
    if (a.size() != b.size()) return false;
    std::size_t nid_end = a.find(':', 4);
    if (nid_end == std::string_view::npos || a.size() < 4 ||
        !detail::iequals(a.substr(0, 4), "urn:") || !detail::iequals(b.substr(0, 4), "urn:") ||
        b.find(':', 4) != nid_end ||
        !detail::iequals(a.substr(4, nid_end - 4), b.substr(4, nid_end - 4)))
        return a == b;
    bool uuid = detail::iequals(a.substr(4, nid_end - 4), "uuid");
    auto na = a.substr(nid_end), nb = b.substr(nid_end);
    return uuid ? detail::iequals(na, nb) : na == nb;
}

} // namespace sipws::rfc7118

#endif
