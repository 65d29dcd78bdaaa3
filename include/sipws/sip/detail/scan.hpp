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

/// Past the LWS from \p p (at most \p end).
inline const char* skip_lws(const char* p, const char* end) noexcept {
    while (p < end && is_lws(*p)) ++p;
    return p;
}

inline std::size_t scan_token(std::string_view s, std::size_t i) noexcept {
    return static_cast<std::size_t>(skip_chars(s.data() + i, s.data() + s.size(), cc_token) - s.data());
}

/// At a DQUOTE: index after the closing DQUOTE, or npos when unterminated.
inline std::size_t scan_quoted(std::string_view s, std::size_t i) noexcept {
    ++i;
    static constexpr octet_set quote_or_escape{"\"\\"};
    while (i < s.size()) {
        i = static_cast<std::size_t>(find_any_of(s.data() + i, s.data() + s.size(), quote_or_escape,
                                                 '"', '\\', '"', '\\') -
                                     s.data());
        if (i == s.size()) break;
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
    if (s.size() <= 19) {
        // 19 digits fit in 64 bits: no overflow to watch, one comparison at
        // the end (the value only grows with each digit), no division
        for (char c : s) {
            if (!is_digit(c)) return false;
            v = v * 10 + static_cast<std::uint64_t>(c - '0');
        }
        if (v > max) return false;
        out = v;
        return true;
    }
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

/// gen-value = token / host / quoted-string. Returns the end index or npos;
/// \p token: the value is one token.
SIPWS_SIP_ALWAYS_INLINE std::size_t scan_gen_value(std::string_view s, std::size_t i, bool& token) noexcept {
    token = false;
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
    const char* b = s.data() + i;
    const char* end = s.data() + s.size();
    const char* e = skip_chars(b, end, cc_token);
    token = true;
    if (e < end && *e == ':') {
        token = false;
        e = skip_class(e, end, reinterpret_cast<const std::uint8_t*>(gen_value_chars.v), 1);
    }
    return e == b ? std::string_view::npos : static_cast<std::size_t>(e - s.data());
}

/// Scans `*( SEMI generic-param )` starting at \p i; stops before anything
/// else (a comma, the end). Checks syntax and duplicate names
/// (SIP3261-7.3-d). \p list receives the text from the first ";".
/// \p on_param sees each parameter (as parameter_list would show it) and
/// whether its value is one token.
template <class OnParam>
inline std::size_t scan_params(std::string_view s, std::size_t i, parameter_list& list,
                               std::error_code& ec, OnParam&& on_param) {
    name_ref names[max_parameters];
    std::size_t count = 0;
    const char* const b = s.data();
    const char* const end = b + s.size();
    const char* const begin = skip_lws(b + i, end);
    const char* last = b + i;
    const char* p = begin;
    while (p < end && *p == ';') {
        p = skip_lws(p + 1, end);
        const char* ne = skip_chars(p, end, cc_token);
        if (ne == p) return ec = errc::bad_parameter, s.npos;
        name_ref name{p, static_cast<std::size_t>(ne - p)};
        if (count == max_parameters) return ec = errc::too_many_parameters, s.npos;
        if (repeats(names, count, name)) return ec = errc::duplicate_parameter, s.npos;
        names[count++] = name;
        last = ne;
        p = skip_lws(ne, end);
        if (p < end && *p == '=') {
            p = skip_lws(p + 1, end);
            bool token;
            std::size_t ve = scan_gen_value(s, static_cast<std::size_t>(p - b), token);
            if (ve == s.npos) return ec = errc::bad_parameter, s.npos;
            on_param(name.view(), std::string_view(p, static_cast<std::size_t>(b + ve - p)), true, token);
            last = b + ve;
            p = skip_lws(last, end);
        } else {
            on_param(name.view(), std::string_view{}, false, false);
        }
    }
    list = parameter_list(count ? std::string_view(begin, static_cast<std::size_t>(last - begin))
                                : std::string_view{});
    return static_cast<std::size_t>(last - b);
}

inline std::size_t scan_params(std::string_view s, std::size_t i, parameter_list& list,
                               std::error_code& ec) {
    return scan_params(s, i, list, ec, [](std::string_view, std::string_view, bool, bool) {});
}

} // namespace sipws::sip::detail

#endif
