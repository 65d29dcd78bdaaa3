// Distributed under the Boost Software License, Version 1.0.
#ifndef SIPWS_SIP_VIA_HPP
#define SIPWS_SIP_VIA_HPP

/// \file
/// One Via value (RFC 3261 20.42, RFC 3581, RFC 7118 5.1):
/// `SIP/2.0/WSS host[:port];branch=...;received=...;rport[=port]`.

#include <sipws/sip/detail/scan.hpp>
#include <sipws/sip/detail/temporary_string.hpp>
#include <sipws/sip/error.hpp>
#include <sipws/sip/parameters.hpp>
#include <sipws/sip/uri.hpp>

#include <cstdint>
#include <cstring>
#include <string_view>
#include <system_error>

namespace sipws::sip {

/// The branch prefix of RFC 3261 8.1.1.7.
inline constexpr std::string_view magic_cookie = "z9hG4bK";

struct via {
    std::string_view raw;              ///< the whole value
    std::string_view protocol_name;    ///< "SIP"
    std::string_view protocol_version; ///< "2.0"
    std::string_view transport;        ///< "UDP", "TCP", "TLS", "WS", "WSS", ... as written
    std::string_view host;             ///< sent-by host; IPv6 references keep brackets
    host_kind host_type = host_kind::name;
    std::uint16_t port = 0;
    bool has_port = false;
    std::string_view sent_by;          ///< host[:port] as written
    parameter_list parameters;         ///< all params from the first ";"
    std::string_view branch;           ///< "" when absent
    std::string_view received;         ///< "" when absent
    std::string_view maddr;            ///< "" when absent
    int ttl = -1;                      ///< -1 when absent
    bool has_rport = false;            ///< rport present, with or without value
    bool rport_has_value = false;
    std::uint16_t rport = 0;

    /// Transport token WS (case-insensitive, WS7118-5.1-b).
    bool is_ws() const noexcept { return detail::iequals(transport, "WS"); }
    /// Transport token WSS.
    bool is_wss() const noexcept { return detail::iequals(transport, "WSS"); }
    /// The branch starts with the RFC 3261 magic cookie.
    bool has_magic_cookie() const noexcept {
        return branch.size() >= magic_cookie.size() &&
               detail::sub(branch, 0, magic_cookie.size()) == magic_cookie;
    }
    std::string_view param(std::string_view name) const { return parameters.get(name); }
    bool has_param(std::string_view name) const { return parameters.has(name); }
    /// Default port of the transport when none is written (5060, 5061 for
    /// TLS, 80 for WS and 443 for WSS).
    std::uint16_t port_or_default() const noexcept {
        if (has_port) return port;
        if (is_ws()) return 80;
        if (is_wss()) return 443;
        return detail::iequals(transport, "TLS") ? 5061 : 5060;
    }
};

namespace detail {
/// The Via parameters parse_via_into() keeps, as bits (0: any other name).
inline constexpr unsigned vp_branch = 1, vp_rport = 2, vp_received = 4, vp_maddr = 8, vp_ttl = 16;

/// Which of them the token at \p p of \p n octets names (in any case): one
/// folded comparison of the length it has.
SIPWS_SIP_ALWAYS_INLINE unsigned via_param_of(const char* p, std::size_t n) noexcept {
    switch (n) {
    case 3:
        return equals_lower_n(p, "ttl", 3) ? vp_ttl : 0;
    case 5:
        return equals_lower_n(p, "rport", 5)   ? vp_rport
               : equals_lower_n(p, "maddr", 5) ? vp_maddr
                                               : 0;
    case 6:
        return equals_lower_n(p, "branch", 6) ? vp_branch : 0;
    case 8:
        return equals_lower_n(p, "received", 8) ? vp_received : 0;
    default:
        return 0;
    }
}

/// Keeps the value \p pv of the parameter \p kind (one of those bits) in \p v;
/// false when it is not one the parameter takes. \p token: \p pv is one token.
/// Not forced inline (the usual values are checked in the scan itself): the
/// compiler then lays out the scan's usual path with fewer instructions.
inline bool keep_via_param(via& v, unsigned kind, std::string_view pv, bool has_pv, bool token,
                           const char* limit) noexcept {
    host_kind hk;
    switch (kind) {
    case vp_ttl: {
        std::uint64_t t;
        if (!has_pv || pv.size() > 3 || !parse_uint(pv, 255, t)) return false;
        v.ttl = static_cast<int>(t);
        return true;
    }
    case vp_rport:
        v.has_rport = true;
        if (!has_pv) return true;
        v.rport_has_value = true;
        return parse_port(pv, v.rport);
    case vp_maddr:
        v.maddr = pv;
        return has_pv && parse_host(pv, hk, limit);
    case vp_branch:
        v.branch = pv;
        return has_pv && token;
    case vp_received:
        v.received = pv;
        // the usual IPv4 address first (what parse_host() would accept as one)
        if (has_pv && parse_ipv4(pv)) return true;
        if (has_pv && parse_host(pv, hk, limit) && hk != host_kind::name) return true;
        // RFC 3261 writes IPv6 without brackets: accept that form too.
        return has_pv && is_ipv6_address(pv);
    default:
        return true;
    }
}

/// End of the IPv4address at \p p, or nullptr. \p bounded: stops at \p end;
/// otherwise reads the (at most sixteen) octets it needs wherever \p end
/// is, and an end past \p end means the address went on past it.
template <bool bounded>
SIPWS_SIP_ALWAYS_INLINE const char* dotted_quad_end(const char* p, const char* end) noexcept {
    auto more = [end](const char* q) { return !bounded || q != end; };
    for (int part = 0;; ++part) {
        // a dec-octet of one to three digits, at most 255
        if (!more(p) || !is_digit(*p)) return nullptr;
        unsigned x = unsigned(*p++ - '0');
        if (more(p) && is_digit(*p)) {
            x = x * 10 + unsigned(*p++ - '0');
            if (more(p) && is_digit(*p)) x = x * 10 + unsigned(*p++ - '0');
        }
        if (x > 255) return nullptr;
        if (part == 3) return p;
        if (!more(p) || *p != '.') return nullptr;
        ++p;
    }
}

/// End of the IPv4address at \p p when it makes a whole gen-value (the octet
/// after it, if any, is neither a token octet nor ":"), else nullptr. The
/// octet at \p end, read when \p limit allows, only ends the address (as
/// \p end would) or makes it go past \p end (nullptr, as a longer value).
SIPWS_SIP_ALWAYS_INLINE const char* ipv4_value_end(const char* p, const char* end,
                                                   const char* limit) noexcept {
    const char* q =
        limit - p >= 16 ? dotted_quad_end<false>(p, end) : dotted_quad_end<true>(p, end);
    if (q == nullptr || q > end || (q != end && gen_value_chars(*q))) return nullptr;
    return q;
}

/// End of the port (one to five digits, at most 65535) at \p p, kept in
/// \p port, when it makes a whole gen-value; else nullptr. Eight octets at
/// once when \p limit allows, those from \p end counting as non-digits.
SIPWS_SIP_ALWAYS_INLINE const char* port_value_end(const char* p, const char* end,
                                                   const char* limit, std::uint16_t& port) noexcept {
#if (defined(__GNUC__) || defined(__clang__)) && \
    !(defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__)
    if (limit - p >= 8) {
        constexpr std::uint64_t ones = 0x0101010101010101ull;
        std::uint64_t w;
        std::memcpy(&w, p, 8);
        std::uint64_t x = w ^ (ones * '0'); // a digit octet becomes its value
        // bit 7 of each octet that is not a digit (above 9 or with bit 7 set)
        std::uint64_t other = ((((x & (ones * 0x7f)) + ones * 0x76) | x) & (ones * 0x80));
        std::ptrdiff_t room = end - p;
        if (room < 8) other |= (ones * 0x80) << (8 * room);
        if (other == 0) return nullptr; // eight digits or more
        unsigned n = static_cast<unsigned>(__builtin_ctzll(other)) / 8;
        const char* q = p + n;
        if (n == 0 || n > 5 || (q != end && gen_value_chars(*q))) return nullptr;
        // the n digits as a number: first octet most significant, zeros before
        std::uint64_t d = x << (8 * (8 - n));
        d = (d * 10 + (d >> 8)) & 0x00ff00ff00ff00ffull;
        d = (d * 100 + (d >> 16)) & 0x0000ffff0000ffffull;
        d = (d * 10000 + (d >> 32)) & 0xffffffffull;
        if (d > 65535) return nullptr;
        port = static_cast<std::uint16_t>(d);
        return q;
    }
#endif
    const char* q = p;
    const char* const last = end - p > 5 ? p + 5 : end; // a sixth digit is a gen-value octet
    unsigned x = 0;
    while (q != last && is_digit(*q)) x = x * 10 + unsigned(*q++ - '0');
    if (q == p || x > 65535 || (q != end && gen_value_chars(*q))) return nullptr;
    port = static_cast<std::uint16_t>(x);
    return q;
}

/// The octets of \p o (its terminating NUL aside) as the word a load of
/// them gives on the host: comparisons with it hold in either byte order.
template <class Word, std::size_t n>
constexpr Word octets_word(const char (&o)[n]) noexcept {
    static_assert(n == sizeof(Word) + 1, "one octet per byte of the word");
    Word w = 0;
    for (std::size_t k = 0; k < sizeof(Word); ++k) {
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
        w = static_cast<Word>((w << 8) | static_cast<unsigned char>(o[k]));
#else
        w = static_cast<Word>(w | (Word{static_cast<unsigned char>(o[k])} << (8 * k)));
#endif
    }
    return w;
}

/// The first octets of the usual Via parameters, and the masks that keep
/// the octets compared, without the case bit of their letters: a name
/// matches when ((word loaded ^ name) & mask) == 0.
namespace via_words {
inline constexpr std::uint64_t branch = octets_word<std::uint64_t>("branch=\0"),
                               rport = octets_word<std::uint64_t>("rport\0\0\0"),
                               received = octets_word<std::uint64_t>("received");
inline constexpr std::uint64_t branch_mask =
                                   octets_word<std::uint64_t>("\xdf\xdf\xdf\xdf\xdf\xdf\xff\0"),
                               rport_mask =
                                   octets_word<std::uint64_t>("\xdf\xdf\xdf\xdf\xdf\0\0\0"),
                               received_mask =
                                   octets_word<std::uint64_t>("\xdf\xdf\xdf\xdf\xdf\xdf\xdf\xdf");
} // namespace via_words

/// End of the token at \p p: the letters and digits a branch is usually
/// made of sixteen octets at a time while a load of them ends at or
/// before \p limit, then the other token octets one by one.
SIPWS_SIP_ALWAYS_INLINE const char* branch_token_end(const char* p, const char* end,
                                                     const char* limit) noexcept {
#if defined(__SSE2__)
    while (limit - p >= 16 && p < end) {
        unsigned stop = ~alnum16(p);
        if (end - p < 16) stop |= ~0u << (end - p);
        unsigned n = static_cast<unsigned>(__builtin_ctz(stop)); // 0..16
        p += n;
        if (n < 16) {
            if (p == end || !is_token(*p)) return p;
            break;
        }
    }
#else
    (void)limit;
#endif
    return skip_chars(p, end, cc_token);
}

/// scan_params() for a Via value from \p i, keeping the known parameters in
/// \p v (and the list in v.parameters). A duplicate of a known name shows in
/// their bits: only the other names are compared with each other. \p bad_value
/// is set when a known parameter has a value it does not take. Returns where
/// the scan stopped, after any LWS (the end when nothing follows), or nullptr
/// with \p ec set on a syntax error, a repeated name or too many parameters.
SIPWS_SIP_ALWAYS_INLINE const char* scan_via_params(std::string_view s, std::size_t i, via& v,
                                                    std::error_code& ec, const char* limit,
                                                    bool& bad_value) {
    name_ref others[max_parameters];
    std::size_t n_others = 0, count = 0;
    unsigned seen = 0;
    const char* const b = s.data();
    const char* const end = b + s.size();
    const char* const begin = skip_lws(b + i, end);
    const char* last = b + i;
    const char* p = begin;
    while (p < end && *p == ';') {
        ++p; // LWS before the name fails the comparisons below; skipped after them
        const char* ne = p;
        unsigned kind = 0;
        bool eq = false; // the name is followed by "=" (no LWS)
        if (limit - p >= 8) {
            // the usual `branch=`, `rport=`, `rport;`, `rport` (at the end)
            // and `received=` by one masked comparison of the octets before
            // the end (and one octet): the name ends at the "=", ";" or end
            std::uint64_t w;
            std::memcpy(&w, p, 8);
            std::ptrdiff_t room = end - p;
            if (room >= 7 && ((w ^ via_words::branch) & via_words::branch_mask) == 0) {
                kind = vp_branch;
                ne = p + 6;
                eq = true;
            } else if (room >= 5 && ((w ^ via_words::rport) & via_words::rport_mask) == 0 &&
                       (room == 5 || p[5] == '=' || p[5] == ';')) {
                kind = vp_rport;
                ne = p + 5;
                eq = room > 5 && p[5] == '=';
            } else if (room >= 9 && ((w ^ via_words::received) & via_words::received_mask) == 0 &&
                       p[8] == '=') {
                kind = vp_received;
                ne = p + 8;
                eq = true;
            }
        }
        if (kind == 0) {
            p = skip_lws(p, end);
            ne = skip_chars(p, end, cc_token);
            if (ne == p) return ec = errc::bad_parameter, nullptr;
            kind = via_param_of(p, static_cast<std::size_t>(ne - p));
        }
        if (count == max_parameters) return ec = errc::too_many_parameters, nullptr;
        std::size_t n = static_cast<std::size_t>(ne - p);
        if (kind != 0) {
            if ((seen & kind) != 0) return ec = errc::duplicate_parameter, nullptr;
            seen |= kind;
        } else {
            const name_ref name{p, n};
            if (repeats(others, n_others, name)) return ec = errc::duplicate_parameter, nullptr;
            others[n_others++] = name;
        }
        ++count;
        last = ne;
        p = eq ? ne : skip_lws(ne, end);
        if (eq || (p < end && *p == '=')) {
            ++p;
            // the usual branch token, received IPv4 address and rport number,
            // checked as they are scanned: what the gen-value scan and the
            // checks below make of them when no ":" (nor, after a number, a
            // token octet) follows. None starts with LWS, skipped after them.
            const char* q = nullptr;
            if (kind == vp_branch) {
                const char* e = branch_token_end(p, end, limit);
                if (e != p && (e == end || *e != ':')) {
                    v.branch = std::string_view(p, static_cast<std::size_t>(e - p));
                    q = e;
                }
            } else if (kind == vp_received) {
                q = ipv4_value_end(p, end, limit);
                if (q != nullptr) v.received = std::string_view(p, static_cast<std::size_t>(q - p));
            } else if (kind == vp_rport) {
                q = port_value_end(p, end, limit, v.rport);
                if (q != nullptr) v.has_rport = v.rport_has_value = true;
            }
            if (q != nullptr) {
                last = q;
                p = q < end && *q == ';' ? q : skip_lws(q, end); // the usual next ";" at once
                continue;
            }
            p = skip_lws(p, end);
            bool token;
            std::size_t ve = scan_gen_value(s, static_cast<std::size_t>(p - b), token);
            if (ve == s.npos) return ec = errc::bad_parameter, nullptr;
            std::string_view pv(p, static_cast<std::size_t>(b + ve - p));
            if (kind != 0 && !keep_via_param(v, kind, pv, true, token, limit)) bad_value = true;
            last = b + ve;
            p = skip_lws(last, end);
        } else if (kind != 0 && !keep_via_param(v, kind, std::string_view{}, false, false, limit)) {
            bad_value = true;
        }
    }
    v.parameters =
        parameter_list(count ? std::string_view(begin, static_cast<std::size_t>(last - begin))
                             : std::string_view{});
    return p;
}

/// The usual transports with the SP after them, and the masks that fold the
/// case of their letters and keep the octets compared.
namespace transport_words {
inline constexpr std::uint32_t wss = octets_word<std::uint32_t>("wss "),
                               udp = octets_word<std::uint32_t>("udp "),
                               tcp = octets_word<std::uint32_t>("tcp "),
                               tls = octets_word<std::uint32_t>("tls "),
                               ws = octets_word<std::uint32_t>("ws \0");
inline constexpr std::uint32_t fold3 = octets_word<std::uint32_t>("   \0"),
                               fold2 = octets_word<std::uint32_t>("  \0\0"),
                               keep3 = octets_word<std::uint32_t>("\xff\xff\xff\0");
} // namespace transport_words

/// The usual sent-by host from \p i: letters, digits and single dots (no
/// "-"), a valid hostname or IPv4address. Returns its end and sets \p kind
/// when the host is one, sixteen octets at a time while a load of them ends
/// at or before \p limit; 0 otherwise (scan_host_chars() then decides).
SIPWS_SIP_ALWAYS_INLINE std::size_t usual_host_end(std::string_view s, std::size_t i,
                                                   const char* limit, host_kind& kind) noexcept {
#if defined(__SSE2__)
    const char* const d = s.data();
    const std::size_t n = s.size();
    unsigned letters = 0;
    unsigned dot_before = 1; // a label starts as if after a "."
    for (std::size_t k = i; k < n && limit - (d + k) >= 16; k += 16) {
        alnum_masks m = classify16(d + k);
        unsigned stop = ~(m.letter | m.digit | m.dot);
        if (n - k < 16) stop |= ~0u << (n - k);
        unsigned e = static_cast<unsigned>(__builtin_ctz(stop)); // 0..16
        unsigned in = (1u << e) - 1;
        unsigned dots = m.dot & in;
        // a "-" goes on the host, an empty label is not one
        if ((k + e < n && d[k + e] == '-') || (dots & ((dots << 1) | dot_before)) != 0) return 0;
        letters |= m.letter & in;
        if (e < 16) {
            std::size_t end = k + e;
            if (end == i) return 0;
            if (letters != 0) {
                kind = host_kind::name;
            } else {
                kind = host_kind::ipv4;
                if (!parse_ipv4(detail::sub(s, i, end - i))) return 0;
            }
            return end;
        }
        dot_before = dots >> 15;
    }
#else
    (void)s, (void)i, (void)limit, (void)kind;
#endif
    return 0;
}

/// `v = via{}` member by member (see clear(uri&)).
inline void clear(via& v) noexcept {
    v.raw = v.protocol_name = v.protocol_version = v.transport = v.host = v.sent_by = {};
    v.branch = v.received = v.maddr = {};
    v.host_type = host_kind::name;
    v.port = v.rport = 0;
    v.has_port = v.has_rport = v.rport_has_value = false;
    v.parameters = parameter_list{};
    v.ttl = -1;
}

/// parse_via() into \p v, which it resets first: a caller that keeps the
/// result in place saves a copy. False on failure (\p v is then empty).
/// \p limit is the end of the readable buffer that holds \p value (nullptr:
/// the end of \p value): scans may load octets up to it, never use them.
/// \p trimmed: \p value has no leading or trailing LWS (no trim needed).
inline bool parse_via_into(std::string_view value, via& v, std::error_code& ec,
                           const char* limit = nullptr, bool fresh = false, bool trimmed = false) {
    if (limit == nullptr) limit = value.data() + value.size();
    // ec.clear() without its call for the category on each value
    static const std::error_category& no_error = std::system_category();
    ec.assign(0, no_error);
    std::string_view s = trimmed ? value : trim_lws(value);
    if (!fresh) {
        // only the fields a successful parse may leave alone; it sets the others
        v.port = 0;
        v.has_port = false;
        v.branch = {};
        v.received = {};
        v.maddr = {};
        v.ttl = -1;
        v.has_rport = false;
        v.rport_has_value = false;
        v.rport = 0;
    }
    v.raw = s;
    auto fail = [&](errc e = errc::bad_via) {
        ec = e;
        clear(v);
        return false;
    };
    std::size_t i = 0;
    std::size_t h = 0; // where sent-by starts, once known
    bool usual = false;
    if (s.size() >= 8) {
        // the usual `SIP/2.0/` in one comparison (letters in any case)
        std::uint64_t w;
        std::memcpy(&w, s.data(), 8);
        std::uint64_t lower;
        std::memcpy(&lower, "sip/2.0/", 8);
        // folds the case of the three letters, in either byte order
        std::uint64_t mask;
        const unsigned char fold[8] = {0x20, 0x20, 0x20, 0, 0, 0, 0, 0};
        std::memcpy(&mask, fold, 8);
        if ((w | mask) == lower) {
            v.protocol_name = detail::sub(s, 0, 3);
            v.protocol_version = detail::sub(s, 4, 3);
            std::size_t e = 0;
            if (s.size() >= 12) {
                // the usual transports followed by SP, folded as above
                std::uint32_t t;
                std::memcpy(&t, s.data() + 8, 4);
                std::uint32_t t3 = t | transport_words::fold3;
                if (t3 == transport_words::wss || t3 == transport_words::udp ||
                    t3 == transport_words::tcp || t3 == transport_words::tls)
                    e = 11;
                else if (((t | transport_words::fold2) & transport_words::keep3) ==
                         transport_words::ws)
                    e = 10;
            }
            if (e != 0) {
                v.transport = detail::sub(s, 8, e - 8);
                h = skip_lws(s, e + 1); // after the SP compared
            } else {
                i = skip_lws(s, 8);
                e = scan_token(s, i);
                if (e == i) return fail();
                v.transport = detail::sub(s, i, e - i);
                i = e;
                usual = true;
            }
        }
    }
    if (h == 0) {
        if (!usual) {
            std::string_view* parts[3] = {&v.protocol_name, &v.protocol_version, &v.transport};
            for (int k = 0; k < 3; ++k) {
                if (k) {
                    i = skip_lws(s, i);
                    if (i >= s.size() || s[i] != '/') return fail();
                    i = skip_lws(s, i + 1);
                }
                std::size_t e = scan_token(s, i);
                if (e == i) return fail();
                *parts[k] = detail::sub(s, i, e - i);
                i = e;
            }
        }
        h = skip_lws(s, i);
        if (h == i) return fail(); // LWS required before sent-by
    }
    i = h;
    std::size_t he;
    if (i < s.size() && s[i] == '[') {
        he = detail::find_char(s, ']', i);
        if (he == s.npos) return fail();
        ++he;
        v.host = detail::sub(s, i, he - i);
        if (!parse_host(v.host, v.host_type)) return fail();
    } else if ((he = usual_host_end(s, i, limit, v.host_type)) != 0) {
        v.host = std::string_view(s.data() + i, he - i); // he <= s.size()
    } else {
        host_scan hs = scan_host_chars(s, i, limit);
        he = hs.end;
        v.host = detail::sub(s, i, he - i);
        if (!scanned_host_valid(v.host, hs, v.host_type)) return fail();
    }
    std::size_t sb_end = he;
    i = skip_lws(s, he);
    if (i < s.size() && s[i] == ':') {
        i = skip_lws(s, i + 1);
        std::size_t pe = i;
        while (pe < s.size() && is_digit(s[pe])) ++pe;
        if (!parse_port(detail::sub(s, i, pe - i), v.port)) return fail();
        v.has_port = true;
        sb_end = pe;
        i = pe;
    }
    v.sent_by = std::string_view(s.data() + h, sb_end - h); // sb_end <= s.size()
    // The parameters a transport needs, checked as the scan meets them. A bad
    // value is reported after the scan, whose own errors come first.
    bool bad_value = false;
    const char* stop = scan_via_params(s, sb_end, v, ec, limit, bad_value);
    if (stop == nullptr) {
        if (ec == errc::bad_parameter) return fail();
        clear(v);
        return false;
    }
    if (stop != s.data() + s.size() || bad_value) return fail();
    return true;
}
} // namespace detail

/// Parses one Via value (no commas). On failure \p ec is errc::bad_via,
/// errc::duplicate_parameter or errc::too_many_parameters.
inline via parse_via(std::string_view value, std::error_code& ec) {
    via v;
    detail::parse_via_into(value, v, ec, nullptr, true);
    return v;
}
/// Not for a temporary std::string: the via would view freed memory.
template <class S, std::enable_if_t<detail::is_temporary_string_v<S>, int> = 0>
via parse_via(S&& value, std::error_code& ec) = delete;

} // namespace sipws::sip

#endif
