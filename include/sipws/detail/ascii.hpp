// Distributed under the Boost Software License, Version 1.0.
#ifndef SIPWS_DETAIL_ASCII_HPP
#define SIPWS_DETAIL_ASCII_HPP

/// \file
/// ASCII case folding and case-insensitive comparison, shared by every layer
/// (SIP names and parameters, HTTP field names, digest parameters). Octets
/// outside A-Z and a-z compare exactly.

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

namespace sipws::detail {

constexpr char ascii_lower(char c) noexcept {
    return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

/// ASCII case-insensitive equality. Equal octets are the common case (names
/// compared against a literal of the same case): they cost one comparison.
constexpr bool iequals(std::string_view a, std::string_view b) noexcept {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        char x = a[i], y = b[i];
        if (x == y) continue;
        // The octets differ: equal only when they are one letter in two cases.
        if ((x ^ y) != 0x20) return false;
        char l = static_cast<char>(x | 0x20);
        if (l < 'a' || l > 'z') return false;
    }
    return true;
}

/// Inlined whatever the compiler's size heuristics say (a call would cost
/// as much as the comparison).
#if defined(__GNUC__) || defined(__clang__)
#define SIPWS_DETAIL_ALWAYS_INLINE inline __attribute__((always_inline))
#else
#define SIPWS_DETAIL_ALWAYS_INLINE inline
#endif

/// The \p n octets at \p a (any case) equal those at \p b (lower case):
/// bit 0x20 is set on each octet of \p a, eight octets at a time. Exact when
/// \p b holds letters, digits and "-" and \p a no control octet: the fold
/// then turns only a letter into its lower case, and no other octet of
/// \p a into a letter, a digit or "-" (only %x0D, %x10-19 would become "-"
/// or a digit).
SIPWS_DETAIL_ALWAYS_INLINE bool equals_lower_n(const char* a, const char* b, std::size_t n) noexcept {
    auto load8 = [](const char* p) {
        std::uint64_t v;
        std::memcpy(&v, p, 8);
        return v;
    };
    auto load4 = [](const char* p) {
        std::uint32_t v;
        std::memcpy(&v, p, 4);
        return v;
    };
    if (n >= 8) {
        constexpr std::uint64_t fold = 0x2020202020202020ull;
        for (std::size_t i = 0; i + 8 < n; i += 8)
            if ((load8(a + i) | fold) != load8(b + i)) return false;
        return (load8(a + n - 8) | fold) == load8(b + n - 8);
    }
    if (n >= 4) {
        constexpr std::uint32_t fold = 0x20202020u;
        return (load4(a) | fold) == load4(b) && (load4(a + n - 4) | fold) == load4(b + n - 4);
    }
    for (std::size_t i = 0; i < n; ++i)
        if (static_cast<char>(a[i] | 0x20) != b[i]) return false;
    return true;
}

/// \p s (any case) equals \p lower (lower case). Only valid when \p s holds
/// RFC 3261 token octets and \p lower letters, digits and "-" (see
/// equals_lower_n()).
inline bool equals_lower_token(std::string_view s, std::string_view lower) noexcept {
    return s.size() == lower.size() && equals_lower_n(s.data(), lower.data(), s.size());
}

} // namespace sipws::detail

#endif
