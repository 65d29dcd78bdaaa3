// Distributed under the Boost Software License, Version 1.0.
#ifndef SIPWS_DETAIL_ASCII_HPP
#define SIPWS_DETAIL_ASCII_HPP

/// \file
/// ASCII case folding and case-insensitive comparison, shared by every layer
/// (SIP names and parameters, HTTP field names, digest parameters). Octets
/// outside A-Z and a-z compare exactly.

#include <cstddef>
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

} // namespace sipws::detail

#endif
