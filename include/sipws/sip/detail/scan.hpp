// Distributed under the Boost Software License, Version 1.0.
#ifndef SIPWS_SIP_DETAIL_SCAN_HPP
#define SIPWS_SIP_DETAIL_SCAN_HPP

/// \file
/// Small scanners shared by the typed header parsers. Positions are indexes
/// into a header value that may contain folded line breaks (CRLF + WSP),
/// which count as linear white space.

#include <sipws/sip/detail/chars.hpp>
#include <sipws/sip/error.hpp>
#include <sipws/sip/parameters.hpp>
#include <sipws/sip/uri.hpp>

#include <cstdint>
#include <string_view>
#include <system_error>

namespace sipws::sip::detail {

inline std::size_t skip_lws(std::string_view s, std::size_t i) noexcept {
    while (i < s.size() && is_lws(s[i])) ++i;
    return i;
}

inline std::size_t scan_token(std::string_view s, std::size_t i) noexcept {
    while (i < s.size() && is_token(s[i])) ++i;
    return i;
}

/// At a DQUOTE: index after the closing DQUOTE, or npos when unterminated.
inline std::size_t scan_quoted(std::string_view s, std::size_t i) noexcept {
    ++i;
    while (i < s.size()) {
        char c = s[i];
        if (c == '"') return i + 1;
        if (c == '\\') {
            if (i + 1 >= s.size()) return std::string_view::npos;
            i += 2;
            continue;
        }
        ++i;
    }
    return std::string_view::npos;
}

/// Parses a decimal number of at most \p max into \p out.
inline bool parse_uint(std::string_view s, std::uint64_t max, std::uint64_t& out) noexcept {
    if (s.empty() || s.size() > 20) return false;
    std::uint64_t v = 0;
    for (char c : s) {
        if (!is_digit(c)) return false;
        std::uint64_t d = static_cast<std::uint64_t>(c - '0');
        if (v > (max - d) / 10) return false;
        v = v * 10 + d;
    }
    out = v;
    return true;
}

/// token octets and ":".
struct gen_value_set : octet_set {
    constexpr gen_value_set() : octet_set(":") {
        for (int c = 0; c < 256; ++c)
            if (chars.v[c] & cc_token) v[c] = true;
    }
};
inline constexpr gen_value_set gen_value_chars{};

/// gen-value = token / host / quoted-string. Returns the end index or npos.
inline std::size_t scan_gen_value(std::string_view s, std::size_t i) noexcept {
    if (i >= s.size()) return std::string_view::npos;
    if (s[i] == '"') return scan_quoted(s, i);
    if (s[i] == '[') {
        std::size_t e = detail::find_char(s, ']', i);
        if (e == s.npos) return e;
        host_kind k;
        return parse_host(detail::sub(s, i, e + 1 - i), k) ? e + 1 : std::string_view::npos;
    }
    // token / host; ":" admits an IPv6 address without brackets
    // (RFC 3261 via-received = IPv4address / IPv6address)
    std::size_t e = i;
    while (e < s.size() && gen_value_chars(s[e])) ++e;
    return e == i ? std::string_view::npos : e;
}

/// Scans `*( SEMI generic-param )` starting at \p i; stops before anything
/// else (a comma, the end). Checks syntax and duplicate names
/// (SIP3261-7.3-d). \p list receives the text from the first ";".
/// \p on_param sees each parameter (as parameter_list would show it).
template <class OnParam>
inline std::size_t scan_params(std::string_view s, std::size_t i, parameter_list& list,
                               std::error_code& ec, OnParam&& on_param) {
    name_ref names[max_parameters];
    std::size_t count = 0;
    std::size_t begin = skip_lws(s, i), end = i;
    std::size_t j = begin;
    while (j < s.size() && s[j] == ';') {
        j = skip_lws(s, j + 1);
        std::size_t ne = scan_token(s, j);
        if (ne == j) return ec = errc::bad_parameter, s.npos;
        std::string_view name = detail::sub(s, j, ne - j);
        if (count == max_parameters) return ec = errc::too_many_parameters, s.npos;
        for (std::size_t k = 0; k < count; ++k)
            if (iequals(names[k].view(), name)) return ec = errc::duplicate_parameter, s.npos;
        names[count++] = {name.data(), name.size()};
        end = ne;
        j = skip_lws(s, ne);
        if (j < s.size() && s[j] == '=') {
            j = skip_lws(s, j + 1);
            std::size_t ve = scan_gen_value(s, j);
            if (ve == s.npos) return ec = errc::bad_parameter, s.npos;
            on_param(name, detail::sub(s, j, ve - j), true);
            end = ve;
            j = skip_lws(s, ve);
        } else {
            on_param(name, std::string_view{}, false);
        }
    }
    list = parameter_list(count ? detail::sub(s, begin, end - begin) : std::string_view{});
    return count ? end : i;
}

inline std::size_t scan_params(std::string_view s, std::size_t i, parameter_list& list,
                               std::error_code& ec) {
    return scan_params(s, i, list, ec, [](std::string_view, std::string_view, bool) {});
}

} // namespace sipws::sip::detail

#endif
