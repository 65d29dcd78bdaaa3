// Distributed under the Boost Software License, Version 1.0.
#ifndef SIPWS_SIP_URI_HPP
#define SIPWS_SIP_URI_HPP

/// \file
/// SIP, SIPS, tel and other absolute URIs (RFC 3261 19.1, 25.1): a zero-copy
/// view, parsing, comparison per RFC 3261 19.1.4, serialisation and %HH
/// escaping helpers.

#include <sipws/sip/detail/chars.hpp>
#include <sipws/sip/detail/temporary_string.hpp>
#include <sipws/sip/error.hpp>
#include <sipws/sip/parameters.hpp>

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <system_error>

namespace sipws::sip {

enum class uri_scheme : std::uint8_t { sip, sips, tel, other };
enum class host_kind : std::uint8_t { name, ipv4, ipv6 };

/// A parsed URI; every view points into the parsed text.
struct uri {
    std::string_view raw;         ///< the whole URI as written
    uri_scheme scheme = uri_scheme::other;
    std::string_view scheme_name; ///< as written ("sip", "SIPS", "urn"...)
    /// sip/sips: user part, still escaped (see unescape()).
    std::string_view user;
    std::string_view password;    ///< still escaped
    bool has_user = false;        ///< an "@" was present (the user may still be empty)
    bool has_password = false;
    std::string_view host;        ///< IPv6 references keep their brackets
    host_kind host_type = host_kind::name;
    std::uint16_t port = 0;
    bool has_port = false;
    /// sip/sips: the `;...` part (possibly empty), escaped.
    parameter_list parameters;
    /// sip/sips: the headers after "?" (without the "?"), escaped.
    std::string_view headers;
    /// tel/other: everything after "scheme:".
    std::string_view opaque;

    bool is_sip() const noexcept { return scheme == uri_scheme::sip || scheme == uri_scheme::sips; }
    /// A URI parameter's value ("" when absent or valueless).
    std::string_view param(std::string_view name) const { return parameters.get(name); }
    bool has_param(std::string_view name) const { return parameters.has(name); }
    std::string_view transport() const { return param("transport"); }
    /// transport=ws (RFC 7118 5.2).
    bool is_ws_transport() const { return detail::iequals(transport(), "ws"); }
    /// transport=wss (deployed spelling of "secure WS", WS7118-5.2-b).
    bool is_wss_transport() const { return detail::iequals(transport(), "wss"); }
    bool lr() const { return has_param("lr"); }
    bool ob() const { return has_param("ob"); }
    /// RFC 5627: a GRUU carries `gr`, with or without a value.
    bool is_gruu() const { return has_param("gr"); }
    /// The host without IPv6 brackets.
    std::string_view host_address() const noexcept {
        return host_type == host_kind::ipv6 ? detail::sub(host, 1, host.size() - 2) : host;
    }
    /// The port, or the default for the scheme and transport (5060, 5061;
    /// 80 and 443 for transport=ws/wss, WS7118-5.5-b).
    std::uint16_t port_or_default() const {
        if (has_port) return port;
        bool ws = is_ws_transport() || is_wss_transport();
        if (scheme == uri_scheme::sips || is_wss_transport()) return ws ? 443 : 5061;
        return ws ? 80 : 5060;
    }
};

namespace detail {
/// `u = uri{}` written member by member: compilers clear a whole object of
/// this size with a string instruction (rep stos) whose start-up costs more
/// than these few stores, on every parse that reuses an object.
inline void clear(uri& u) noexcept {
    u.raw = u.scheme_name = u.user = u.password = u.host = u.headers = u.opaque = {};
    u.scheme = uri_scheme::other;
    u.has_user = u.has_password = u.has_port = false;
    u.host_type = host_kind::name;
    u.port = 0;
    u.parameters = parameter_list{};
}
} // namespace detail

/// Options of parse_uri().
struct uri_parse_options {
    /// Accept a `?headers` component (false for a Request-URI, SIP3261-7.1-b).
    bool allow_headers = true;
};

namespace detail {

inline bool is_uric(char c) noexcept {
    // reserved / unreserved / escaped ("%"), i.e. printable ASCII minus
    // SP " < > \ ^ ` { | } and #. Non-ASCII is not allowed in a URI.
    if (c <= 0x20 || c >= 0x7f) return false;
    switch (c) {
    case '"': case '<': case '>': case '\\': case '^': case '`': case '{': case '|': case '}':
    case '#':
        return false;
    default: return true;
    }
}

/// Checks %HH escapes and that every other octet is in the URI class \p cls.
inline bool check_escaped(std::string_view s, std::uint8_t cls, bool allow_empty) noexcept {
    if (s.empty()) return allow_empty;
    for (std::size_t i = 0; i < s.size(); ++i) {
        char c = s[i];
        if ((uri_chars.v[static_cast<unsigned char>(c)] & cls) != 0) continue;
        if (c != '%' || i + 2 >= s.size() || !is_hex(s[i + 1]) || !is_hex(s[i + 2])) return false;
        i += 2;
    }
    return true;
}

inline bool parse_ipv4(std::string_view s) noexcept {
    // four dec-octets of one to three digits (at most 255) joined by "."
    const char* p = s.data();
    const char* const e = p + s.size();
    for (int part = 0; part < 4; ++part) {
        if (part != 0) {
            if (p == e || *p != '.') return false;
            ++p;
        }
        if (p == e || !is_digit(*p)) return false;
        unsigned v = unsigned(*p++ - '0');
        if (p != e && is_digit(*p)) {
            v = v * 10 + unsigned(*p++ - '0');
            if (p != e && is_digit(*p)) v = v * 10 + unsigned(*p++ - '0');
        }
        if (v > 255 || (p != e && is_digit(*p))) return false;
    }
    return p == e;
}

/// "[" IPv6address "]" (checked loosely: hex digits, ":" and an IPv4 tail).
inline bool is_ipv6_address(std::string_view in) noexcept {
    if (in.size() < 2) return false;
    int colons = 0;
    bool dbl = false;
    for (std::size_t i = 0; i < in.size(); ++i) {
        char c = in[i];
        if (c == ':') {
            ++colons;
            if (i + 1 < in.size() && in[i + 1] == ':') {
                if (dbl) return false;
                dbl = true;
            }
        } else if (!is_hex(c) && c != '.') {
            return false;
        }
    }
    return colons >= 2 && colons <= 7 && (dbl || colons == 7 || detail::find_char(in, '.') != in.npos);
}

inline bool parse_ipv6_reference(std::string_view s) noexcept {
    if (s.size() < 4 || s.front() != '[' || s.back() != ']') return false;
    return is_ipv6_address(detail::sub(s, 1, s.size() - 2));
}

/// What scan_host_chars() saw.
struct host_scan {
    std::size_t end;   ///< index of the first octet that is not alphanum, "-" or "."
    bool numeric;      ///< digits and dots only: an IPv4address candidate
    bool labels_ok;    ///< as a hostname: labels neither empty nor starting or ending with "-"
};

#if defined(__SSE2__)
/// scan_host_chars() when its run ends within 32 octets of \p p: the two
/// sixteen-octet loads classified before one pass over their 32-bit masks.
/// \p end: the end of the text, \p limit: the end of the readable buffer.
/// \p with_user: an "@" that ends the first run ends a user, whose length
/// goes to \p user_end, and the host scan starts after it. \p h.end is an
/// index from \p p. False (\p user_end and \p h then not meaningful) when
/// fewer than 32 octets are readable or a run reaches the 32nd octet.
SIPWS_SIP_ALWAYS_INLINE bool scan_host32(const char* p, const char* end, const char* limit, bool with_user,
                                        std::size_t& user_end, host_scan& h) noexcept {
    if (limit - p < 32) return false;
    alnum_masks a = classify16(p), b = classify16(p + 16);
    std::uint32_t letter = a.letter | b.letter << 16, hyphen = a.hyphen | b.hyphen << 16;
    std::uint32_t sep = (a.dot | a.hyphen) | (b.dot | b.hyphen) << 16;
    std::uint32_t stop = ~(a.any() | b.any() << 16);
    std::ptrdiff_t n = end - p;
    if (n < 32) stop |= ~0u << n;
    if (stop == 0) return false;
    unsigned e = static_cast<unsigned>(__builtin_ctz(stop));
    unsigned hs = 0;
    if (with_user && e < n && p[e] == '@') {
        // the user ends here; the host starts after the "@"
        user_end = e;
        hs = e + 1;
        if (hs == 32) return false;
        stop &= ~0u << hs;
        if (stop == 0) return false;
        e = static_cast<unsigned>(__builtin_ctz(stop));
    }
    std::uint32_t in = ((1u << e) - 1) & (~0u << hs);
    std::uint32_t sp = sep & in, hy = hyphen & in;
    // a "." or "-" at the start or right after one, unless both are "-";
    // a final "-"
    bool bad = (sp & ((sp << 1) | (1u << hs)) & ~(hy & (hy << 1))) != 0;
    if (e > hs && ((hy >> (e - 1)) & 1) != 0) bad = true;
    h = host_scan{e, ((letter | hyphen) & in) == 0, !bad};
    return true;
}
#endif

/// One pass over the hostname / IPv4address octets from \p i. Letters and
/// digits cost a table load; only "." and "-" are checked against the octet
/// before them. With SSE2, the first 32 octets at once (scan_host32()), else
/// sixteen at a time, while the loads end at or before \p limit (the end of
/// the readable buffer, at or after the end of \p s; nullptr: the end of
/// \p s); octets past the end of \p s are never taken.
///
/// \p user (a SIP URI's userinfo-or-host): when the octets loaded show the
/// run ending at an "@", *\p user is set to its index and the scan goes on
/// from the octet after it as a host scan of its own, with the same loads
/// (the result then describes that host; its end is still an index into
/// \p s). Otherwise *\p user is left alone.
SIPWS_SIP_ALWAYS_INLINE host_scan scan_host_chars(std::string_view s, std::size_t i,
                                 const char* limit = nullptr, std::size_t* user = nullptr) noexcept {
    const char* d = s.data();
    std::size_t n = s.size();
#if defined(__SSE2__)
    if (limit == nullptr) limit = d + n;
    {
        // the usual host (and user) within 32 octets
        std::size_t user_end = ~std::size_t{0};
        host_scan h;
        if (i <= n && scan_host32(d + i, d + n, limit, user != nullptr, user_end, h)) {
            if (user_end != ~std::size_t{0}) *user = i + user_end;
            h.end += i;
            return h;
        }
    }
#endif
    std::uint8_t seen = 0;
    bool bad_label = false;
    // position and class of the last "." or "-"; a label starts at i as if
    // a "." preceded it
    std::size_t sep_at = i - 1;
    std::uint8_t sep = hc_dot;
#if defined(__SSE2__)
    // the octet before the block: a separator (a label start counts as "."), a "-"
    unsigned carry_sep = 1, carry_hyphen = 0;
    bool simd = false;
    while (i < n && limit - (d + i) >= 16) {
        simd = true;
        alnum_masks k = classify16(d + i);
        unsigned stop = ~k.any();
        if (n - i < 16) stop |= ~0u << (n - i);
        unsigned e = static_cast<unsigned>(__builtin_ctz(stop)); // 0..16
        if (user != nullptr && e < 16 && i + e < n && d[i + e] == '@') {
            // the user ends here: the host starts after the "@", in this
            // load (its first octet is a label start) or the next
            *user = i + e;
            user = nullptr;
            seen = 0;
            bad_label = false;
            unsigned from = e + 1;
            if (from == 16) {
                carry_sep = 1;
                carry_hyphen = 0;
                i += 16;
                continue;
            }
            unsigned below = (1u << from) - 1;
            stop &= ~below;
            e = static_cast<unsigned>(__builtin_ctz(stop)); // from..16
            unsigned in = ((1u << e) - 1) & ~below;
            unsigned sp = (k.dot | k.hyphen) & in, hy = k.hyphen & in;
            unsigned sep0 = 1u << from; // the "@" counts as a separator
            if ((sp & ((sp << 1) | sep0) & ~(hy & (hy << 1))) != 0) bad_label = true;
            if (((k.letter | k.hyphen) & in) != 0) seen |= hc_letter;
            if (e < 16) {
                if (e > from && ((hy >> (e - 1)) & 1) != 0) bad_label = true;
                return host_scan{i + e, (seen & (hc_letter | hc_hyphen)) == 0, !bad_label};
            }
            // an empty host is a stop at from, so here e == 16 > from
            carry_sep = sp >> 15;
            carry_hyphen = hy >> 15;
            i += 16;
            continue;
        }
        unsigned in = (1u << e) - 1;
        unsigned sp = (k.dot | k.hyphen) & in, hy = k.hyphen & in;
        // a separator right after one, unless both are "-"
        if ((sp & ((sp << 1) | carry_sep) & ~(hy & ((hy << 1) | carry_hyphen))) != 0) bad_label = true;
        if (((k.letter | k.hyphen) & in) != 0) seen |= hc_letter;
        if (e < 16) {
            // a final "." is allowed, a final "-" is not
            if (e == 0 ? carry_hyphen != 0 : ((hy >> (e - 1)) & 1) != 0) bad_label = true;
            return host_scan{i + e, (seen & (hc_letter | hc_hyphen)) == 0, !bad_label};
        }
        carry_sep = sp >> 15;
        carry_hyphen = hy >> 15;
        i += 16;
    }
    if (simd) {
        // the scalar state after the blocks
        sep_at = carry_sep != 0 ? i - 1 : ~std::size_t{0} - 1;
        sep = carry_hyphen != 0 ? hc_hyphen : hc_dot;
    }
#else
    (void)limit;
    (void)user;
#endif
    auto cls = [d](std::size_t k) { return host_chars.v[static_cast<unsigned char>(d[k])]; };
    // one octet of class f at i: false when it ends the host
    auto one = [&](std::uint8_t f) {
        seen |= f;
        if ((f & hc_alnum) != 0) return true;
        if (f == 0) return false;
        // a "." or "-" right after "." or "-" (or at the start), except "-" after "-"
        bad_label |= sep_at + 1 == i && (f | sep) != hc_hyphen;
        sep_at = i;
        sep = f;
        return true;
    };
    auto scan = [&] {
        while (n - i >= 4) {
            // four letters or digits at a time, else one by one
            std::uint8_t f0 = cls(i), f1 = cls(i + 1), f2 = cls(i + 2), f3 = cls(i + 3);
            if ((f0 & f1 & f2 & f3 & hc_alnum) != 0) {
                seen |= static_cast<std::uint8_t>(f0 | f1 | f2 | f3);
                i += 4;
                continue;
            }
            if (!one(f0)) return;
            ++i;
            if (!one(f1)) return;
            ++i;
            if (!one(f2)) return;
            ++i;
            if (!one(f3)) return;
            ++i;
        }
        while (i < n && one(cls(i))) ++i;
    };
    scan();
    // a final "." is allowed, a final "-" is not
    bad_label |= sep_at + 1 == i && sep == hc_hyphen;
    return host_scan{i, (seen & (hc_letter | hc_hyphen)) == 0, !bad_label};
}

/// Whether \p host, the octets scan_host_chars() reported as \p h, is a
/// valid hostname or IPv4address; sets \p kind.
inline bool scanned_host_valid(std::string_view host, const host_scan& h, host_kind& kind) noexcept {
    if (host.empty()) return false;
    if (h.numeric) {
        kind = host_kind::ipv4;
        return parse_ipv4(host);
    }
    kind = host_kind::name;
    return h.labels_ok;
}

/// hostname / IPv4address / IPv6reference. \p limit: the end of the
/// readable buffer that holds \p s (see scan_host_chars()).
inline bool parse_host(std::string_view s, host_kind& kind, const char* limit = nullptr) noexcept {
    if (s.empty()) return false;
    if (s.front() == '[') {
        kind = host_kind::ipv6;
        return parse_ipv6_reference(s);
    }
    host_scan h = scan_host_chars(s, 0, limit);
    return h.end == s.size() && scanned_host_valid(s, h, kind);
}

inline bool parse_port(std::string_view s, std::uint16_t& port) noexcept {
    if (s.empty() || s.size() > 5) return false;
    unsigned v = 0;
    for (char c : s) {
        if (!is_digit(c)) return false;
        v = v * 10 + unsigned(c - '0');
    }
    if (v > 65535) return false;
    port = static_cast<std::uint16_t>(v);
    return true;
}

/// Decoded octet at \p i of an escaped string; advances \p i.
inline char next_unescaped(std::string_view s, std::size_t& i) noexcept {
    char c = s[i++];
    if (c == '%' && i + 1 < s.size() && is_hex(s[i]) && is_hex(s[i + 1])) {
        c = static_cast<char>(hex_value(s[i]) * 16 + hex_value(s[i + 1]));
        i += 2;
    }
    return c;
}

/// Equality after resolving %HH; \p icase compares ASCII case-insensitively.
inline bool unescaped_equal(std::string_view a, std::string_view b, bool icase) noexcept {
    std::size_t i = 0, j = 0;
    while (i < a.size() && j < b.size()) {
        char x = next_unescaped(a, i), y = next_unescaped(b, j);
        if (icase ? ascii_lower(x) != ascii_lower(y) : x != y) return false;
    }
    return i == a.size() && j == b.size();
}

/// End of a run of octets of URI class \p cls and %HH escapes from \p p.
inline const char* scan_escaped(const char* p, const char* end, std::uint8_t cls) noexcept {
    for (;;) {
        p = skip_class(p, end, uri_chars.v, cls);
        if (p < end && *p == '%' && end - p > 2 && is_hex(p[1]) && is_hex(p[2])) p += 3;
        else return p;
    }
}

#if defined(__SSE2__)
/// Sixteen octets from \p p: \p usual for the letters, digits, "-", ".",
/// "/" and ":" that make up most URI parameters (all of them pname /
/// pvalue octets).
SIPWS_SIP_ALWAYS_INLINE param_masks classify_uri_param16(const char* p) noexcept {
    const __m128i x = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
    __m128i letter = in_range16(_mm_or_si128(x, _mm_set1_epi8(0x20)), 'a', 25);
    __m128i punct_digit = in_range16(x, '-', ':' - '-'); // - . / 0-9 :
    return {static_cast<unsigned>(_mm_movemask_epi8(_mm_or_si128(letter, punct_digit))),
            static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi8(x, _mm_set1_epi8('='))))};
}
#endif

/// The usual `pname [ "=" pvalue ]` from \p nb (after its ";"): letters,
/// digits, "-", ".", "/" and ":" with at most one "=", read sixteen octets
/// at a time while a load ends at or before \p limit. On success \p name
/// is the pname and the return value where the parameter ends: \p end or a
/// ";", "?" or (\p AtGt) ">" after a non-empty name and value. nullptr
/// for anything else (an escape, another octet, a bad parameter, too little
/// readable room), which the caller then scans octet by octet.
template <bool AtGt>
SIPWS_SIP_ALWAYS_INLINE const char* scan_usual_uri_param(const char* nb, const char* const end,
                                                        const char* limit, name_ref& name) noexcept {
#if defined(__SSE2__)
    const char* eq;
    const char* q = scan_param_run16(nb, end, limit, eq, classify_uri_param16);
    if (q == nullptr) return nullptr;
    if (q < end && *q != ';' && *q != '?' && !(AtGt && *q == '>')) return nullptr;
    const char* ne = eq != nullptr ? eq : q;
    if (ne == nb || (eq != nullptr && q == eq + 1)) return nullptr;
    name = name_ref{nb, static_cast<std::size_t>(ne - nb)};
    return q;
#else
    (void)nb, (void)end, (void)limit, (void)name;
    return nullptr;
#endif
}

/// Validates `*( ";" pname [ "=" pvalue ] )` of a SIP URI from \p p,
/// duplicates included, in one pass. Returns where the parameters end (the
/// "?" of the headers or \p end), or nullptr with \p ec set. \p AtGt: a ">"
/// ends them too (a URI in `<...>` scanned before its end is known).
/// \p limit: the end of the readable buffer (nullptr: \p end).
template <bool AtGt = false>
SIPWS_SIP_ALWAYS_INLINE const char* scan_uri_params(const char* p, const char* const end, std::error_code& ec,
                                                    const char* limit = nullptr) {
    if (limit == nullptr) limit = end;
    name_ref names[max_parameters];
    std::size_t count = 0;
    while (p < end && *p != '?' && !(AtGt && *p == '>')) {
        if (*p != ';') return ec = errc::bad_uri, nullptr;
        const char* nb = ++p;
        name_ref name;
        if (const char* q = scan_usual_uri_param<AtGt>(nb, end, limit, name)) {
            p = q;
        } else {
            p = scan_escaped(p, end, uc_param);
            if (p == nb) return ec = errc::bad_uri, nullptr;
            name = name_ref{nb, static_cast<std::size_t>(p - nb)};
            if (p < end && *p == '=') {
                const char* vb = ++p;
                p = scan_escaped(p, end, uc_param);
                if (p == vb) return ec = errc::bad_uri, nullptr;
            }
            if (p < end && *p != ';' && *p != '?' && !(AtGt && *p == '>')) return ec = errc::bad_uri, nullptr;
        }
        if (count == max_parameters) return ec = errc::too_many_parameters, nullptr;
        if (repeats(names, count, name)) return ec = errc::duplicate_parameter, nullptr;
        names[count++] = name;
    }
    return p;
}

/// Validates `*( ";" pname [ "=" pvalue ] )` of a SIP URI, duplicates included,
/// in one pass.
inline bool check_uri_params(std::string_view s, std::error_code& ec) {
    const char* end = s.data() + s.size();
    const char* p = scan_uri_params(s.data(), end, ec);
    if (p != nullptr && p != end) return ec = errc::bad_uri, false;
    return p != nullptr;
}

/// `hostport [ uri-parameters ] [ headers ]` of a SIP URI, from \p p to
/// \p end, into \p u. \p hs is the host scan from \p p when the caller has
/// made it already; \p limit is the end of the readable buffer (nullptr:
/// \p end). False with \p ec set on failure.
///
/// \p gt (a URI in `<...>` whose end is not known yet): the URI ends at a
/// ">" where a host, port or parameter may end, whose address goes to *\p gt;
/// false (with \p ec not meaningful) for anything else, an IPv6 reference
/// or headers included, which the caller then parses the usual way.
SIPWS_SIP_ALWAYS_INLINE bool parse_sip_hostport_tail(const char* p, const char* const end, uri& u,
                                    std::error_code& ec, const uri_parse_options& opt,
                                    const host_scan* hs, const char* limit = nullptr,
                                    const char** gt = nullptr) {
    auto view = [](const char* b, const char* e) {
        return std::string_view(b, static_cast<std::size_t>(e - b));
    };
    if (gt != nullptr && p < end && *p == '[') return false;
    if (p < end && *p == '[') {
        const char* he = p;
        while (he < end && *he != ']') ++he;
        if (he == end) return ec = errc::bad_uri, false;
        ++he;
        u.host = view(p, he);
        if (!parse_host(u.host, u.host_type)) return ec = errc::bad_uri, false;
        p = he;
    } else {
        std::string_view rest = view(p, end);
        host_scan h = hs != nullptr ? *hs : scan_host_chars(rest, 0, limit);
        const char* he = p + h.end;
        // the host ends at ":", ";", "?" or the end; any other octet is invalid
        if (he < end && *he != ':' && *he != ';' && *he != '?' && !(gt != nullptr && *he == '>'))
            return ec = errc::bad_uri, false;
        u.host = view(p, he);
        if (!scanned_host_valid(u.host, h, u.host_type)) return ec = errc::bad_uri, false;
        p = he;
    }
    if (p < end && *p == ':') {
        // one to five digits, at most 65535 (parse_port() in the same walk)
        const char* pb = ++p;
        unsigned v = 0;
        while (p < end && is_digit(*p) && p - pb < 6) v = v * 10 + unsigned(*p++ - '0');
        if (p == pb || p - pb > 5 || v > 65535) return ec = errc::bad_uri, false;
        u.port = static_cast<std::uint16_t>(v);
        u.has_port = true;
    }
    const char* pb = p;
    if (gt != nullptr) {
        if (p < end && *p == ';') {
            p = scan_uri_params<true>(p, end, ec, limit);
            if (p == nullptr) return false;
        }
        if (p == end || *p != '>') return false;
        u.parameters = parameter_list(view(pb, p));
        *gt = p;
        return true;
    }
    if (p < end && *p != '?') {
        // (without parameters, as usual, no call)
        p = scan_uri_params(p, end, ec, limit);
        if (p == nullptr) return false;
    }
    u.parameters = parameter_list(view(pb, p));
    if (p < end) {
        // at "?"
        if (!opt.allow_headers) return ec = errc::bad_uri, false;
        u.headers = view(p + 1, end);
        // header *( "&" header ), header = hname "=" hvalue
        std::size_t b = 0, n = 0;
        std::string_view h = u.headers;
        while (true) {
            if (++n > max_parameters) return ec = errc::too_many_parameters, false;
            std::size_t e = detail::find_char(h, '&', b);
            if (e == h.npos) e = h.size();
            std::string_view one = detail::sub(h, b, e - b);
            std::size_t eq = detail::find_char(one, '=');
            if (eq == one.npos || !check_escaped(detail::sub(one, 0, eq), uc_header, false) ||
                !check_escaped(detail::sub(one, eq + 1), uc_header, true))
                return ec = errc::bad_uri, false;
            if (e == h.size()) break;
            b = e + 1;
        }
    }
    return true;
}

/// Octets of a URI scheme after the first: ALPHA / DIGIT / "+" / "-" / ".".
struct scheme_char_set : octet_set {
    constexpr scheme_char_set() : octet_set("+-.") {
        for (int c = 0; c < 256; ++c)
            if (chars.v[c] & (cc_alpha | cc_digit)) v[c] = true;
    }
};
inline constexpr scheme_char_set scheme_chars{};

} // namespace detail

namespace detail {
/// parse_uri() into \p u, which it resets first: a caller that keeps the
/// result in place saves a copy. False on failure (\p u is then empty).
///
/// One walk for the common SIP URI: the host scan runs from the start of the
/// userinfo-or-host; stopping at "@" it was the user, otherwise it was the
/// host. Only when a URI that has no such user fails is the text searched
/// for an "@" and parsed again with a userinfo (RFC 3261 25.1: the userinfo
/// ends at the first "@").
///
/// \p limit is the end of the readable buffer that holds \p text (nullptr:
/// the end of \p text): scans may load octets up to it, never use them.
/// \p fresh: \p u is default-constructed already (no reset needed).
SIPWS_SIP_ALWAYS_INLINE bool parse_uri_into(std::string_view text, uri& u, std::error_code& ec,
                           const uri_parse_options& opt = {}, const char* limit = nullptr,
                           bool fresh = false) {
    if (ec) ec.clear();
    if (!fresh) clear(u);
    u.raw = text;
    auto fail = [&](errc e) {
        ec = e;
        clear(u);
        return false;
    };
    const char* const b = text.data();
    const char* const end = b + text.size();
    auto view = [](const char* x, const char* y) {
        return std::string_view(x, static_cast<std::size_t>(y - x));
    };
    if (b == end || !is_alpha(*b)) return fail(errc::bad_uri);
    const char* p = b + 1;
    // the usual "sip:" (any case) in one comparison
    std::uint32_t w = 0;
    if (end - b >= 4) std::memcpy(&w, b, 4);
    std::uint32_t fold, sip_colon;
    std::memcpy(&fold, "\x20\x20\x20\x00", 4);
    std::memcpy(&sip_colon, "sip:", 4);
    bool sip_colon_seen = (w | fold) == sip_colon;
    if (sip_colon_seen) p = b + 3;
    else
        while (p < end && scheme_chars(*p)) ++p;
    if (p == end || *p != ':') return fail(errc::bad_uri);
    std::size_t sn = static_cast<std::size_t>(p - b);
    u.scheme_name = view(b, p);
    auto lc = [b](std::size_t i) { return static_cast<char>(b[i] | 0x20); };
    if (sip_colon_seen || (sn == 3 && lc(0) == 's' && lc(1) == 'i' && lc(2) == 'p'))
        u.scheme = uri_scheme::sip;
    else if (sn == 4 && lc(0) == 's' && lc(1) == 'i' && lc(2) == 'p' && lc(3) == 's')
        u.scheme = uri_scheme::sips;
    else if (sn == 3 && lc(0) == 't' && lc(1) == 'e' && lc(2) == 'l') u.scheme = uri_scheme::tel;
    const char* r = p + 1;
    if (!u.is_sip()) {
        std::string_view rest = view(r, end);
        if (rest.empty()) return fail(errc::bad_uri);
        for (std::size_t i = 0; i < rest.size(); ++i) {
            char c = rest[i];
            if (!is_uric(c)) return fail(errc::bad_uri);
            if (c == '%' && (i + 2 >= rest.size() || !is_hex(rest[i + 1]) || !is_hex(rest[i + 2])))
                return fail(errc::bad_uri);
        }
        u.opaque = rest;
        return true;
    }
    const char* at = nullptr;
    if (r == end || *r != '[') {
        std::size_t user_end = ~std::size_t{0};
        host_scan h = scan_host_chars(view(r, end), 0, limit, &user_end);
        if (user_end != ~std::size_t{0}) {
            // user made of unreserved octets only, and the host after it
            // scanned with the same loads
            at = r + user_end;
            if (at == r) return fail(errc::bad_uri);
            u.user = view(r, at);
            u.has_user = true;
            h.end -= user_end + 1;
            if (!parse_sip_hostport_tail(at + 1, end, u, ec, opt, &h, limit)) {
                errc e = static_cast<errc>(ec.value());
                return fail(e);
            }
            return true;
        }
        if (r + h.end < end && r[h.end] == '@') {
            // user made of unreserved octets only: nothing more to check
            at = r + h.end;
            if (at == r) return fail(errc::bad_uri);
            u.user = view(r, at);
            u.has_user = true;
        } else {
            if (parse_sip_hostport_tail(r, end, u, ec, opt, &h, limit)) return true;
            // Not a URI without userinfo: with one, if there is an "@".
            const char* q = r + h.end;
            while (q < end && *q != '@') ++q;
            if (q == end) {
                errc e = static_cast<errc>(ec.value());
                return fail(e);
            }
            at = q;
        }
    } else {
        if (parse_sip_hostport_tail(r, end, u, ec, opt, nullptr, limit)) return true;
        at = static_cast<const char*>(std::memchr(r, '@', static_cast<std::size_t>(end - r)));
        if (at == nullptr) {
            errc e = static_cast<errc>(ec.value());
            return fail(e);
        }
    }
    if (!u.has_user) {
        // userinfo with octets other than unreserved: check it all
        ec.clear();
        uri_scheme scheme = u.scheme;
        std::string_view scheme_name = u.scheme_name;
        clear(u);
        u.raw = text;
        u.scheme = scheme;
        u.scheme_name = scheme_name;
        std::string_view ui = view(r, at);
        std::size_t pc = detail::find_char(ui, ':');
        u.user = detail::sub(ui, 0, pc);
        u.has_user = true;
        if (!check_escaped(u.user, uc_user, false)) return fail(errc::bad_uri);
        if (pc != ui.npos) {
            u.password = detail::sub(ui, pc + 1);
            u.has_password = true;
            if (!check_escaped(u.password, uc_password, true)) return fail(errc::bad_uri);
        }
    }
    if (!parse_sip_hostport_tail(at + 1, end, u, ec, opt, nullptr, limit)) {
        errc e = static_cast<errc>(ec.value());
        return fail(e);
    }
    return true;
}
/// The usual SIP URI in `<...>`, from \p b (after the "<") with the end of
/// the header value \p end, in one forward walk that finds the ">" as it
/// goes: no octet a SIP URI's user, host, port or parameters admit is a ">",
/// so the scans stop at the first one. Only `sip:` (any case), a user of
/// unreserved alphanumerics, "-" and "." seen by the host scan's own loads,
/// a hostname or IPv4address, a port and parameters; on success \p u is what
/// parse_uri_into() gives for the text from \p b to *\p gt (the ">") and
/// \p ec is left clear. False for anything else (\p u and \p ec then hold
/// partial results): the caller parses the URI the usual way.
/// \p fresh: \p u is default-constructed already; otherwise it may hold any
/// values, and on success every member is written.
SIPWS_SIP_ALWAYS_INLINE bool parse_bracketed_sip_uri(const char* b, const char* const end, uri& u,
                                                    std::error_code& ec, const char* limit,
                                                    const char*& gt, bool fresh = true) {
    auto view = [](const char* x, const char* y) {
        return std::string_view(x, static_cast<std::size_t>(y - x));
    };
    if (end - b < 4) return false;
    std::uint32_t w, fold, sip_colon;
    std::memcpy(&w, b, 4);
    std::memcpy(&fold, "\x20\x20\x20\x00", 4);
    std::memcpy(&sip_colon, "sip:", 4);
    if ((w | fold) != sip_colon) return false;
    const char* r = b + 4;
    std::size_t user_end = ~std::size_t{0};
    host_scan h = scan_host_chars(view(r, end), 0, limit, &user_end);
    const char* hp = r;
    if (user_end != ~std::size_t{0}) {
        if (user_end == 0) return false;
        u.user = view(r, r + user_end);
        u.has_user = true;
        h.end -= user_end + 1;
        hp = r + user_end + 1;
    } else if (r + h.end < end && r[h.end] == '@') {
        return false;
    } else if (!fresh) {
        u.user = {};
        u.has_user = false;
    }
    if (!fresh) {
        // what the walk below does not write (the port only when present)
        u.port = 0;
        u.has_port = false;
        u.password = {};
        u.has_password = false;
        u.headers = {};
        u.opaque = {};
    }
    if (!parse_sip_hostport_tail(hp, end, u, ec, {}, &h, limit, &gt)) return false;
    u.raw = view(b, gt);
    u.scheme = uri_scheme::sip;
    u.scheme_name = view(b, b + 3);
    return true;
}
} // namespace detail

/// Parses \p text as one URI. On failure sets \p ec (errc::bad_uri,
/// errc::duplicate_parameter, ...) and returns a default uri.
inline uri parse_uri(std::string_view text, std::error_code& ec,
                     const uri_parse_options& opt = {}) {
    uri u;
    detail::parse_uri_into(text, u, ec, opt, nullptr, true);
    return u;
}
/// Not for a temporary std::string: the uri would view freed memory.
template <class S, std::enable_if_t<detail::is_temporary_string_v<S>, int> = 0>
uri parse_uri(S&& text, std::error_code& ec, const uri_parse_options& opt = {}) = delete;

/// parse_uri() that reports only success.
inline bool is_valid_uri(std::string_view text, const uri_parse_options& opt = {}) {
    std::error_code ec;
    parse_uri(text, ec, opt);
    return !ec;
}

/// Resolves %HH escapes (once). Invalid escapes are copied as they are.
inline std::string unescape(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    for (std::size_t i = 0; i < s.size();) out.push_back(detail::next_unescaped(s, i));
    return out;
}

/// Escapes every octet of \p s that is neither unreserved nor in \p allowed.
inline std::string escape(std::string_view s, std::string_view allowed) {
    static constexpr char hex[] = "0123456789ABCDEF";
    std::string out;
    out.reserve(s.size());
    for (char c : s) {
        if (detail::is(c, detail::cc_unreserved) || allowed.find(c) != allowed.npos) {
            out.push_back(c);
        } else {
            auto b = static_cast<unsigned char>(c);
            out.push_back('%');
            out.push_back(hex[b >> 4]);
            out.push_back(hex[b & 15]);
        }
    }
    return out;
}

/// Escapes a user part for a SIP URI (RFC 3261 25.1 `user`).
inline std::string escape_user(std::string_view s) { return escape(s, "&=+$,;?/"); }

/// Serialises \p u from its components (lower-case scheme; everything else as
/// written). For a parsed URI this is equivalent to u.raw.
inline std::string to_string(const uri& u) {
    std::string out;
    out.reserve(u.raw.size() + 8);
    switch (u.scheme) {
    case uri_scheme::sip: out += "sip:"; break;
    case uri_scheme::sips: out += "sips:"; break;
    case uri_scheme::tel: out += "tel:"; break;
    case uri_scheme::other:
        out += u.scheme_name;
        out += ':';
        break;
    }
    if (!u.is_sip()) return out += u.opaque;
    if (u.has_user) {
        out += u.user;
        if (u.has_password) {
            out += ':';
            out += u.password;
        }
        out += '@';
    }
    out += u.host;
    if (u.has_port) {
        out += ':';
        out += std::to_string(u.port);
    }
    out += u.parameters.str();
    if (!u.headers.empty()) {
        out += '?';
        out += u.headers;
    }
    return out;
}

namespace detail {
inline bool is_significant_uri_param(std::string_view n) noexcept {
    return iequals(n, "user") || iequals(n, "ttl") || iequals(n, "method") ||
           iequals(n, "maddr") || iequals(n, "transport");
}
/// A header named \p name (case-insensitive) whose value equals \p value.
inline bool find_header(std::string_view headers, std::string_view name, std::string_view value) {
    if (headers.empty()) return false;
    std::size_t b = 0;
    while (true) {
        std::size_t e = detail::find_char(headers, '&', b);
        if (e == headers.npos) e = headers.size();
        std::string_view one = detail::sub(headers, b, e - b);
        std::size_t eq = detail::find_char(one, '=');
        if (unescaped_equal(detail::sub(one, 0, eq), name, true) &&
            unescaped_equal(eq == one.npos ? std::string_view{} : detail::sub(one, eq + 1), value, false))
            return true;
        if (e == headers.size()) break;
        b = e + 1;
    }
    return false;
}
inline bool headers_included(std::string_view a, std::string_view b) {
    std::size_t p = 0;
    while (p < a.size()) {
        std::size_t e = detail::find_char(a, '&', p);
        if (e == a.npos) e = a.size();
        std::string_view one = detail::sub(a, p, e - p);
        std::size_t eq = detail::find_char(one, '=');
        if (!find_header(b, detail::sub(one, 0, eq), eq == one.npos ? std::string_view{} : detail::sub(one, eq + 1)))
            return false;
        p = e + 1;
    }
    return true;
}
} // namespace detail

/// RFC 3261 19.1.4 equivalence (SIP3261-19.1-b): scheme, userinfo
/// (case-sensitive after unescaping), host (case-insensitive), port (absent
/// differs from default), the parameters user/ttl/method/maddr/transport when
/// present in either, other parameters only when present in both, and all
/// headers. Non-SIP URIs compare scheme case-insensitively and the rest exactly.
inline bool equivalent(const uri& a, const uri& b) {
    using namespace detail;
    if (a.scheme != b.scheme) return false;
    if (!a.is_sip()) {
        return iequals(a.scheme_name, b.scheme_name) && unescaped_equal(a.opaque, b.opaque, false);
    }
    if (a.has_user != b.has_user || a.has_password != b.has_password) return false;
    if (!unescaped_equal(a.user, b.user, false) || !unescaped_equal(a.password, b.password, false))
        return false;
    if (!iequals(a.host, b.host) || a.has_port != b.has_port || a.port != b.port) return false;
    for (const parameter& p : a.parameters) {
        parameter q;
        if (b.parameters.find(p.name, q)) {
            if (p.has_value != q.has_value || !unescaped_equal(p.value, q.value, true)) return false;
        } else if (is_significant_uri_param(p.name)) {
            return false;
        }
    }
    for (const parameter& q : b.parameters) {
        parameter p;
        if (is_significant_uri_param(q.name) && !a.parameters.find(q.name, p)) return false;
    }
    return headers_included(a.headers, b.headers) && headers_included(b.headers, a.headers);
}

/// equivalent() on two URI strings; false when either does not parse.
inline bool equivalent(std::string_view a, std::string_view b) {
    std::error_code e1, e2;
    uri x = parse_uri(a, e1), y = parse_uri(b, e2);
    return !e1 && !e2 && equivalent(x, y);
}

} // namespace sipws::sip

#endif
