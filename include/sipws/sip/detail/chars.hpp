// Distributed under the Boost Software License, Version 1.0.
#ifndef SIPWS_SIP_DETAIL_CHARS_HPP
#define SIPWS_SIP_DETAIL_CHARS_HPP

/// \file
/// Character classes of the RFC 3261 grammar as one lookup table, case-insensitive
/// comparison, and the scan that finds the next control octet of a line (SSE2 when
/// the target has it, eight octets at a time otherwise).

#include <sipws/detail/ascii.hpp>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

/// Inlined whatever the compiler's size heuristics say: the short scanning
/// loops of the parser, whose call would cost as much as the loop.
#if defined(__GNUC__) || defined(__clang__)
#define SIPWS_SIP_ALWAYS_INLINE inline __attribute__((always_inline))
#else
#define SIPWS_SIP_ALWAYS_INLINE inline
#endif
/// The same for a lambda (after its parameter list).
#if defined(__GNUC__) || defined(__clang__)
#define SIPWS_SIP_LAMBDA_INLINE __attribute__((always_inline))
#else
#define SIPWS_SIP_LAMBDA_INLINE
#endif

namespace sipws::sip::detail {

enum char_class : std::uint8_t {
    cc_token = 1,      ///< token: alphanum / "-" "." "!" "%" "*" "_" "+" "`" "'" "~"
    cc_wsp = 2,        ///< SP / HTAB
    cc_unreserved = 4, ///< alphanum / mark
    cc_digit = 8,
    cc_alpha = 16,
    cc_hex = 32,
    cc_ctl = 64,       ///< %x00-1F / %x7F
    cc_word = 128,     ///< word: token chars plus "(" ")" "<" ">" ":" "\" DQUOTE "/" "[" "]" "?" "{" "}"
};

struct char_table {
    std::uint8_t v[256];
    constexpr char_table() : v{} {
        for (int c = 0; c < 256; ++c) {
            std::uint8_t f = 0;
            bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
            bool digit = c >= '0' && c <= '9';
            if (alpha) f |= cc_alpha;
            if (digit) f |= cc_digit;
            if (digit || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')) f |= cc_hex;
            if (alpha || digit) f |= cc_token | cc_unreserved | cc_word;
            switch (c) {
            case '-': case '.': case '!': case '%': case '*': case '_': case '+': case '`':
            case '\'': case '~':
                f |= cc_token | cc_word;
                break;
            default: break;
            }
            switch (c) {
            case '-': case '_': case '.': case '!': case '~': case '*': case '\'': case '(':
            case ')':
                f |= cc_unreserved;
                break;
            default: break;
            }
            switch (c) {
            case '(': case ')': case '<': case '>': case ':': case '\\': case '"': case '/':
            case '[': case ']': case '?': case '{': case '}':
                f |= cc_word;
                break;
            default: break;
            }
            if (c == ' ' || c == '\t') f |= cc_wsp;
            if (c < 0x20 || c == 0x7f) f |= cc_ctl;
            v[c] = f;
        }
    }
};

inline constexpr char_table chars{};

/// Octet classes of the SIP URI grammar (RFC 3261 25.1), escapes excluded.
enum uri_char_class : std::uint8_t {
    uc_user = 1,     ///< unreserved / user-unreserved  & = + $ , ; ? /
    uc_password = 2, ///< unreserved / & = + $ ,
    uc_param = 4,    ///< unreserved / param-unreserved [ ] / : & + $
    uc_header = 8,   ///< unreserved / hnv-unreserved [ ] / ? : + $
};

struct uri_char_table {
    std::uint8_t v[256];
    constexpr uri_char_table() : v{} {
        constexpr char_table t{};
        for (int c = 0; c < 256; ++c) {
            std::uint8_t f = 0;
            if (t.v[c] & cc_unreserved) f = uc_user | uc_password | uc_param | uc_header;
            for (char x : {'&', '=', '+', '$', ',', ';', '?', '/'})
                if (c == x) f |= uc_user;
            for (char x : {'&', '=', '+', '$', ','})
                if (c == x) f |= uc_password;
            for (char x : {'[', ']', '/', ':', '&', '+', '$'})
                if (c == x) f |= uc_param;
            for (char x : {'[', ']', '/', '?', ':', '+', '$'})
                if (c == x) f |= uc_header;
            v[c] = f;
        }
    }
};

inline constexpr uri_char_table uri_chars{};

/// A set of octets as a 256-entry table: one load per octet tested, for the
/// loops that skip to the next of a few delimiters.
struct octet_set {
    bool v[256];
    constexpr explicit octet_set(std::string_view members) : v{} {
        for (char c : members) v[static_cast<unsigned char>(c)] = true;
    }
    constexpr bool operator()(char c) const noexcept { return v[static_cast<unsigned char>(c)]; }
};

/// The octets that end a run of plain text in a comma list (SIP3261-7.3-c).
inline constexpr octet_set list_delims{"\"<>,"};

/// Pointer to the first octet in [p, end) that is in \p set, or \p end.
/// \p a..d are the members of \p set (at most four), compared sixteen octets
/// at a time when the target has SSE2.
inline const char* find_any_of(const char* p, const char* end, const octet_set& set, char a,
                               char b, char c, char d) noexcept {
#if defined(__SSE2__)
    const __m128i va = _mm_set1_epi8(a), vb = _mm_set1_epi8(b), vc = _mm_set1_epi8(c),
                  vd = _mm_set1_epi8(d);
    while (end - p >= 16) {
        __m128i x = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
        __m128i hit = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(x, va), _mm_cmpeq_epi8(x, vb)),
                                   _mm_or_si128(_mm_cmpeq_epi8(x, vc), _mm_cmpeq_epi8(x, vd)));
        int m = _mm_movemask_epi8(hit);
        if (m != 0) return p + __builtin_ctz(static_cast<unsigned>(m));
        p += 16;
    }
#else
    (void)a, (void)b, (void)c, (void)d;
#endif
    while (p < end && !set(*p)) ++p;
    return p;
}

/// Octets of hostname / IPv4address: alphanum, "-" and ".".
enum host_char_class : std::uint8_t {
    hc_letter = 1,
    hc_digit = 2,
    hc_hyphen = 4,
    hc_dot = 8,
    hc_alnum = 16, ///< set with hc_letter and with hc_digit
};
struct host_char_table {
    std::uint8_t v[256];
    constexpr host_char_table() : v{} {
        for (int c = 0; c < 256; ++c) {
            bool letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
            v[c] = letter                   ? hc_letter | hc_alnum
                   : (c >= '0' && c <= '9') ? hc_digit | hc_alnum
                   : c == '-'               ? hc_hyphen
                   : c == '.'               ? hc_dot
                                            : 0;
        }
    }
};
inline constexpr host_char_table host_chars{};

/// A name seen in a parameter list (trivial, so arrays of it cost nothing to declare).
struct name_ref {
    const char* p;
    std::size_t n;
    std::string_view view() const noexcept { return {p, n}; }
};

/// \p name is among the first \p count of \p names (case-insensitive): a
/// parameter list's check for a repeated name (RFC 3261 7.3.1).
SIPWS_SIP_ALWAYS_INLINE bool repeats(const name_ref* names, std::size_t count, const name_ref& name) noexcept {
    for (std::size_t k = 0; k < count; ++k)
        if (names[k].n == name.n && sipws::detail::iequals(names[k].view(), name.view())) return true;
    return false;
}

constexpr bool is(char c, std::uint8_t cls) noexcept {
    return (chars.v[static_cast<unsigned char>(c)] & cls) != 0;
}
constexpr bool is_token(char c) noexcept { return is(c, cc_token); }
constexpr bool is_digit(char c) noexcept { return c >= '0' && c <= '9'; }
constexpr bool is_alpha(char c) noexcept { return is(c, cc_alpha); }
constexpr bool is_hex(char c) noexcept { return is(c, cc_hex); }
/// Octets 0x00-0x20 as bits, for white-space tests that cost one comparison
/// on the (common) printable octet.
constexpr bool in_low_set(char c, std::uint64_t set) noexcept {
    return static_cast<unsigned char>(c) <= 0x20 && ((set >> static_cast<unsigned char>(c)) & 1) != 0;
}
constexpr std::uint64_t wsp_bits = (std::uint64_t{1} << ' ') | (std::uint64_t{1} << '\t');
constexpr std::uint64_t lws_bits = wsp_bits | (std::uint64_t{1} << '\r') | (std::uint64_t{1} << '\n');
constexpr bool is_wsp(char c) noexcept { return in_low_set(c, wsp_bits); }
/// Linear white space as it appears inside a folded field value.
constexpr bool is_lws(char c) noexcept { return in_low_set(c, lws_bits); }

/// End of the run of octets from \p p whose entry in \p table has a bit of
/// \p cls set. Four octets per round: the runs scanned while parsing (names,
/// tokens, hosts, parameter values) are a few to tens of octets long.
SIPWS_SIP_ALWAYS_INLINE const char* skip_class(const char* p, const char* end, const std::uint8_t* table,
                              std::uint8_t cls) noexcept {
    while (end - p >= 4) {
        if ((table[static_cast<unsigned char>(p[0])] & cls) == 0) return p;
        if ((table[static_cast<unsigned char>(p[1])] & cls) == 0) return p + 1;
        if ((table[static_cast<unsigned char>(p[2])] & cls) == 0) return p + 2;
        if ((table[static_cast<unsigned char>(p[3])] & cls) == 0) return p + 3;
        p += 4;
    }
    while (p < end && (table[static_cast<unsigned char>(*p)] & cls) != 0) ++p;
    return p;
}
/// skip_class() over the character classes of chars.
SIPWS_SIP_ALWAYS_INLINE const char* skip_chars(const char* p, const char* end, std::uint8_t cls) noexcept {
    return skip_class(p, end, chars.v, cls);
}

#if defined(__SSE2__)
/// Octets of \p v from \p lo to \p lo + \p span (one unsigned comparison each).
SIPWS_SIP_ALWAYS_INLINE __m128i in_range16(__m128i v, char lo, char span) noexcept {
    __m128i y = _mm_sub_epi8(v, _mm_set1_epi8(lo));
    return _mm_cmpeq_epi8(_mm_min_epu8(y, _mm_set1_epi8(span)), y);
}

/// Sixteen octets of parameters as bit masks (bit k for octet k): \p usual
/// for the octets a fast path takes, \p eq for "=".
struct param_masks {
    unsigned usual, eq;
};

/// From \p q, a `name[=value]` run of the octets \p classify marks usual
/// (and "="), sixteen octets at a time, each load ending at or before
/// \p limit: where it ends (at most \p end), with its "=" in \p eq
/// (nullptr: none). nullptr when it cannot tell: a load would pass
/// \p limit, or a second "=" comes. \p classify(p) gives the masks (bit k
/// for p[k]) `usual` and `eq` of sixteen octets.
template <class Classify>
SIPWS_SIP_ALWAYS_INLINE const char* scan_param_run16(const char* q, const char* end, const char* limit,
                                                    const char*& eq, Classify classify) noexcept {
    eq = nullptr;
    for (;;) {
        if (limit - q < 16) return nullptr;
        const auto k = classify(q);
        unsigned stop = ~(k.usual | k.eq); // bits 16 and up set
        if (end - q < 16) stop |= ~0u << (end - q);
        unsigned e = static_cast<unsigned>(__builtin_ctz(stop)); // 0..16
        unsigned eqs = k.eq & ((1u << e) - 1);
        if (eqs != 0) {
            if (eq != nullptr || (eqs & (eqs - 1)) != 0) return nullptr;
            eq = q + __builtin_ctz(eqs);
        }
        if (e < 16) return q + e;
        q += 16;
    }
}

/// Sixteen octets from \p p as bit masks (bit k for p[k]): letters, digits,
/// "." and "-", the octets of hostnames and of most tokens.
struct alnum_masks {
    unsigned letter, digit, dot, hyphen;
    unsigned any() const noexcept { return letter | digit | dot | hyphen; }
};
SIPWS_SIP_ALWAYS_INLINE alnum_masks classify16(const char* p) noexcept {
    const __m128i x = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
    __m128i letter = in_range16(_mm_or_si128(x, _mm_set1_epi8(0x20)), 'a', 25);
    __m128i digit = in_range16(x, '0', 9);
    return {static_cast<unsigned>(_mm_movemask_epi8(letter)),
            static_cast<unsigned>(_mm_movemask_epi8(digit)),
            static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi8(x, _mm_set1_epi8('.')))),
            static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi8(x, _mm_set1_epi8('-'))))};
}
/// Sixteen octets from \p p as one bit mask (bit k for p[k]) of letters and
/// digits: classify16() for the runs where only they count.
SIPWS_SIP_ALWAYS_INLINE unsigned alnum16(const char* p) noexcept {
    const __m128i x = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
    __m128i letter = _mm_sub_epi8(_mm_or_si128(x, _mm_set1_epi8(0x20)), _mm_set1_epi8('a'));
    __m128i digit = _mm_sub_epi8(x, _mm_set1_epi8('0'));
    // lo <= octet <= lo + span as one unsigned comparison
    __m128i any = _mm_or_si128(_mm_cmpeq_epi8(_mm_min_epu8(letter, _mm_set1_epi8(25)), letter),
                               _mm_cmpeq_epi8(_mm_min_epu8(digit, _mm_set1_epi8(9)), digit));
    return static_cast<unsigned>(_mm_movemask_epi8(any));
}
#endif

using sipws::detail::ascii_lower;

constexpr int hex_value(char c) noexcept {
    return (c >= '0' && c <= '9')   ? c - '0'
           : (c >= 'a' && c <= 'f') ? c - 'a' + 10
           : (c >= 'A' && c <= 'F') ? c - 'A' + 10
                                    : -1;
}

using sipws::detail::iequals;
using sipws::detail::equals_lower_token;
using sipws::detail::equals_lower_n;

/// True when every token is made of token characters and non-empty.
constexpr bool is_token(std::string_view s) noexcept {
    if (s.empty()) return false;
    for (char c : s)
        if (!is_token(c)) return false;
    return true;
}

/// s.substr(pos, n) for a \p pos known to be within \p s: the parsers call
/// it on indexes they computed, where the range check (and the call it costs
/// when the compiler does not inline substr) is dead weight.
constexpr std::string_view sub(std::string_view s, std::size_t pos,
                               std::size_t n = std::string_view::npos) noexcept {
    std::size_t room = s.size() - pos;
    return std::string_view(s.data() + pos, n < room ? n : room);
}

constexpr std::string_view trim_lws(std::string_view s) noexcept {
    std::size_t b = 0, e = s.size();
    while (b < e && is_lws(s[b])) ++b;
    while (e > b && is_lws(s[e - 1])) --e;
    return sub(s, b, e - b);
}

/// Index of \p c in \p s from \p from, or npos. An inline loop: the strings
/// searched while parsing (URI parts, parameters) are a few octets long, where
/// a call to memchr costs more than the scan.
inline std::size_t find_char(std::string_view s, char c, std::size_t from = 0) noexcept {
    for (std::size_t i = from; i < s.size(); ++i)
        if (s[i] == c) return i;
    return std::string_view::npos;
}

/// Pointer to the first \p c in [p, end), or \p end; sixteen octets at a
/// time when the target has SSE2 (no call, unlike memchr, for the runs of a
/// few tens of octets a header value has).
inline const char* find_octet(const char* p, const char* end, char c) noexcept {
#if defined(__SSE2__)
    const __m128i vc = _mm_set1_epi8(c);
    while (end - p >= 16) {
        __m128i x = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
        int m = _mm_movemask_epi8(_mm_cmpeq_epi8(x, vc));
        if (m != 0) return p + __builtin_ctz(static_cast<unsigned>(m));
        p += 16;
    }
#endif
    while (p < end && *p != c) ++p;
    return p;
}

/// Pointer to the first octet in [p, end) that is a control character
/// (%x00-1F or %x7F), or \p end.
inline const char* find_ctl(const char* p, const char* end) noexcept {
#if defined(__SSE2__)
    const __m128i lim = _mm_set1_epi8(0x1f);
    const __m128i del = _mm_set1_epi8(0x7f);
    while (end - p >= 16) {
        __m128i x = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
        __m128i low = _mm_cmpeq_epi8(_mm_min_epu8(x, lim), x);
        __m128i hit = _mm_or_si128(low, _mm_cmpeq_epi8(x, del));
        int m = _mm_movemask_epi8(hit);
        if (m != 0) return p + __builtin_ctz(static_cast<unsigned>(m));
        p += 16;
    }
#else
    while (end - p >= 8) {
        std::uint64_t w;
        std::memcpy(&w, p, 8);
        constexpr std::uint64_t ones = 0x0101010101010101ull, highs = 0x8080808080808080ull;
        // a byte < 0x20: (b - 0x20) borrows into bit 7 while b has bit 7 clear.
        std::uint64_t lt = (w - ones * 0x20) & ~w & highs;
        std::uint64_t x = w ^ (ones * 0x7f);
        std::uint64_t eq = (x - ones) & ~x & highs;
        if ((lt | eq) != 0) break;
        p += 8;
    }
#endif
    while (p < end && !is(*p, cc_ctl)) ++p;
    return p;
}

} // namespace sipws::sip::detail

#endif
