// Distributed under the Boost Software License, Version 1.0.
#ifndef SIPWS_SIP_SCALAR_HEADERS_HPP
#define SIPWS_SIP_SCALAR_HEADERS_HPP

/// \file
/// The small single-valued headers: CSeq, Call-ID, Max-Forwards, Expires,
/// Content-Length, Content-Type (RFC 3261 20).

#include <sipws/sip/detail/scan.hpp>
#include <sipws/sip/error.hpp>
#include <sipws/sip/parameters.hpp>

#include <cstdint>
#include <string_view>
#include <system_error>

namespace sipws::sip {

/// `CSeq: 1*DIGIT LWS Method`.
struct cseq {
    std::uint32_t number = 0; ///< 0 .. 2^32-1 (RFC 3261 8.1.1.5)
    std::string_view method;  ///< case-sensitive token
};

namespace detail {
/// parse_cseq() of a value without leading or trailing LWS (as parse()
/// indexes it): false when malformed.
inline bool parse_cseq_trimmed(std::string_view s, cseq& out) noexcept {
    std::size_t i = 0;
    while (i < s.size() && is_digit(s[i])) ++i;
    std::uint64_t n;
    if (!parse_uint(detail::sub(s, 0, i), 0xffffffffu, n)) return false;
    std::size_t m = skip_lws(s, i);
    if (m == i) return false;
    std::size_t e = scan_token(s, m);
    if (e == m || e != s.size()) return false;
    out = cseq{static_cast<std::uint32_t>(n), detail::sub(s, m)};
    return true;
}

/// Whether \p s, without leading or trailing LWS, is a Call-ID.
inline bool is_call_id(std::string_view s) noexcept {
    if (s.empty()) return false;
    // word, then at most one "@" that is neither first nor last, then word
    const char* b = s.data();
    const char* end = b + s.size();
    const char* p = skip_chars(b, end, cc_word);
    if (p < end && *p == '@' && p > b && p + 1 < end) p = skip_chars(p + 1, end, cc_word);
    return p == end;
}
} // namespace detail

inline cseq parse_cseq(std::string_view value, std::error_code& ec) {
    ec.clear();
    cseq c;
    if (!detail::parse_cseq_trimmed(detail::trim_lws(value), c)) return ec = errc::bad_cseq, cseq{};
    return c;
}

/// `Call-ID: word ["@" word]`; returns the trimmed value.
inline std::string_view parse_call_id(std::string_view value, std::error_code& ec) {
    ec.clear();
    std::string_view s = detail::trim_lws(value);
    if (!detail::is_call_id(s)) return ec = errc::bad_call_id, std::string_view{};
    return s;
}

/// `Max-Forwards: 1*DIGIT`, 0..255.
inline unsigned parse_max_forwards(std::string_view value, std::error_code& ec) {
    ec.clear();
    std::uint64_t v;
    if (!detail::parse_uint(detail::trim_lws(value), 255, v)) return ec = errc::bad_max_forwards, 0u;
    return static_cast<unsigned>(v);
}

/// delta-seconds (Expires, Min-Expires...), 0..2^32-1.
inline std::uint32_t parse_delta_seconds(std::string_view value, std::error_code& ec) {
    ec.clear();
    std::uint64_t v;
    if (!detail::parse_uint(detail::trim_lws(value), 0xffffffffu, v))
        return ec = errc::bad_integer, 0u;
    return static_cast<std::uint32_t>(v);
}

/// `Content-Length: 1*DIGIT` (SIP3261-20.14-a: no sign, no overflow).
inline std::size_t parse_content_length(std::string_view value, std::error_code& ec) {
    ec.clear();
    std::uint64_t v;
    if (!detail::parse_uint(detail::trim_lws(value), 0xffffffffu, v))
        return ec = errc::bad_content_length, std::size_t{0};
    return static_cast<std::size_t>(v);
}

/// `Content-Type: type "/" subtype *(SEMI m-parameter)`.
struct media_type {
    std::string_view type;
    std::string_view subtype;
    parameter_list parameters;
    /// type/subtype equal (case-insensitive) to \p t and \p st.
    bool is(std::string_view t, std::string_view st) const noexcept {
        return detail::iequals(type, t) && detail::iequals(subtype, st);
    }
};

inline media_type parse_media_type(std::string_view value, std::error_code& ec) {
    using namespace detail;
    ec.clear();
    std::string_view s = trim_lws(value);
    media_type m;
    std::size_t e = scan_token(s, 0);
    if (e == 0) return ec = errc::bad_header, media_type{};
    m.type = detail::sub(s, 0, e);
    std::size_t i = skip_lws(s, e);
    if (i >= s.size() || s[i] != '/') return ec = errc::bad_header, media_type{};
    i = skip_lws(s, i + 1);
    e = scan_token(s, i);
    if (e == i) return ec = errc::bad_header, media_type{};
    m.subtype = detail::sub(s, i, e - i);
    e = scan_params(s, e, m.parameters, ec);
    if (ec) return media_type{};
    if (skip_lws(s, e) != s.size()) return ec = errc::bad_header, media_type{};
    return m;
}

} // namespace sipws::sip

#endif
