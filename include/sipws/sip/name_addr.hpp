// Distributed under the Boost Software License, Version 1.0.
#ifndef SIPWS_SIP_NAME_ADDR_HPP
#define SIPWS_SIP_NAME_ADDR_HPP

/// \file
/// `[display-name] <URI> *(;param)` or `addr-spec *(;param)` as used by From,
/// To, Contact, Route, Record-Route, Path, Service-Route, Reply-To... (RFC 3261
/// 20.10, 20.20, 25.1; RFC 5626 reg-id, +sip.instance; RFC 5627 pub-gruu,
/// temp-gruu). Contact `*` is a name_addr with is_star() true.

#include <sipws/sip/detail/scan.hpp>
#include <sipws/sip/detail/temporary_string.hpp>
#include <sipws/sip/error.hpp>
#include <sipws/sip/parameters.hpp>
#include <sipws/sip/uri.hpp>

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <system_error>

namespace sipws::sip {

struct name_addr_options {
    /// Only the `<URI>` form (Route, Record-Route, Path, Service-Route).
    bool require_brackets = false;
    /// Accept `*` (Contact).
    bool allow_star = false;
};

struct name_addr {
    std::string_view raw;          ///< the whole value
    std::string_view display_name; ///< as written: quoted (with quotes) or tokens; may be ""
    std::string_view uri_text;     ///< the URI without brackets
    sip::uri uri;                  ///< uri_text parsed
    bool bracketed = false;        ///< written as `<URI>`
    bool star = false;             ///< Contact: *
    parameter_list parameters;     ///< header parameters (after the URI / ">")

    bool is_star() const noexcept { return star; }
    std::string_view param(std::string_view name) const { return parameters.get(name); }
    bool has_param(std::string_view name) const { return parameters.has(name); }
    /// From/To tag ("" when absent).
    std::string_view tag() const { return param("tag"); }
    bool has_tag() const { return has_param("tag"); }
    /// The display name without quotes and with quoted-pairs resolved.
    std::string display_name_text() const { return unquote(display_name); }
    /// Contact `expires` in seconds, -1 when absent or malformed.
    std::int64_t expires() const {
        parameter p;
        std::uint64_t v;
        if (!parameters.find("expires", p) || !detail::parse_uint(p.value, 0xffffffffu, v))
            return -1;
        return static_cast<std::int64_t>(v);
    }
    /// Contact `reg-id` (RFC 5626), -1 when absent or malformed.
    std::int64_t reg_id() const {
        parameter p;
        std::uint64_t v;
        if (!parameters.find("reg-id", p) || !detail::parse_uint(p.value, 0xffffffffu, v) ||
            v == 0)
            return -1;
        return static_cast<std::int64_t>(v);
    }
    /// The instance-id of `+sip.instance="<urn:...>"` (RFC 5626 4.1): the text
    /// between `"<` and `>"`, or "" when absent.
    std::string_view instance_id() const {
        std::string_view v = strip_quotes(param("+sip.instance"));
        if (v.size() >= 2 && v.front() == '<' && v.back() == '>') return detail::sub(v, 1, v.size() - 2);
        return {};
    }
    /// Contact `pub-gruu` / `temp-gruu` (RFC 5627) without quotes ("" when absent).
    std::string_view pub_gruu() const { return strip_quotes(param("pub-gruu")); }
    std::string_view temp_gruu() const { return strip_quotes(param("temp-gruu")); }
};

namespace detail {
/// `na = name_addr{}` member by member (see clear(uri&)).
inline void clear(name_addr& na) noexcept {
    na.raw = na.display_name = na.uri_text = {};
    clear(na.uri);
    na.bracketed = na.star = false;
    na.parameters = parameter_list{};
}

#if defined(__SSE2__)
/// Sixteen octets from \p p: \p usual for letters, digits, "-", "." and
/// "+" (token octets).
SIPWS_SIP_ALWAYS_INLINE param_masks classify_header_param16(const char* p) noexcept {
    const __m128i x = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
    __m128i letter = in_range16(_mm_or_si128(x, _mm_set1_epi8(0x20)), 'a', 25);
    // - . / 0-9 without the "/", and "+"
    __m128i other = _mm_andnot_si128(_mm_cmpeq_epi8(x, _mm_set1_epi8('/')), in_range16(x, '-', '9' - '-'));
    other = _mm_or_si128(other, _mm_cmpeq_epi8(x, _mm_set1_epi8('+')));
    return {static_cast<unsigned>(_mm_movemask_epi8(_mm_or_si128(letter, other))),
            static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi8(x, _mm_set1_epi8('='))))};
}
#endif

/// The usual header parameters of a name-addr, from \p i to the end of
/// \p s: `;name` or `;name=value` without LWS, names and token values of
/// letters, digits, "-", "." and "+" (read sixteen octets at a time),
/// quoted-string values, names all different. Sets \p list as scan_params()
/// does and returns true; false for anything else (\p list untouched),
/// which scan_params() then reads. \p limit: the end of the readable buffer
/// (the loads end at or before it).
SIPWS_SIP_ALWAYS_INLINE bool scan_usual_header_params(std::string_view s, std::size_t i, parameter_list& list,
                                                     const char* limit) noexcept {
#if defined(__SSE2__)
    const char* const b = s.data();
    const char* const end = b + s.size();
    const char* p = b + i;
    name_ref names[max_parameters];
    std::size_t count = 0;
    while (p < end) {
        if (*p != ';' || count == max_parameters) return false;
        const char* const nb = p + 1;
        const char* eq;
        const char* q = scan_param_run16(nb, end, limit, eq, classify_header_param16);
        if (q == nullptr) return false;
        const char* ne = eq != nullptr ? eq : q;
        if (ne == nb) return false;
        if (eq != nullptr && q == eq + 1) {
            // a quoted-string value, or something else
            if (q == end || *q != '"') return false;
            std::size_t qe = scan_quoted(s, static_cast<std::size_t>(q - b));
            if (qe == s.npos) return false;
            q = b + qe;
        }
        if (q < end && *q != ';') return false;
        name_ref name{nb, static_cast<std::size_t>(ne - nb)};
        if (repeats(names, count, name)) return false;
        names[count++] = name;
        p = q;
    }
    list = parameter_list(count ? detail::sub(s, i) : std::string_view{});
    return true;
#else
    (void)s, (void)i, (void)list, (void)limit;
    return false;
#endif
}

/// parse_name_addr() into \p na, which it resets first: a caller that keeps
/// the result in place saves a copy. False on failure (\p na is then empty).
/// \p limit is the end of the readable buffer that holds \p value (nullptr:
/// the end of \p value): scans may load octets up to it, never use them.
/// \p fresh: \p na is default-constructed already (no reset needed).
/// \p trimmed: \p value has no leading or trailing LWS (no trim needed).
/// \p comma: see parse_first_name_addr_into().
inline bool parse_name_addr_into(std::string_view value, name_addr& na, std::error_code& ec,
                                 const name_addr_options& opt = {}, const char* limit = nullptr,
                                 bool fresh = false, bool trimmed = false, std::size_t* comma = nullptr) {
    if (limit == nullptr) limit = value.data() + value.size();
    if (ec) ec.clear();
    std::string_view s = trimmed ? value : trim_lws(value);
    auto fail = [&](errc e) {
        ec = e;
        clear(na);
        return false;
    };
    if (s.empty()) return fail(errc::bad_name_addr);
    if (opt.allow_star && s == "*") {
        if (!fresh) clear(na);
        na.raw = s;
        na.star = true;
        return true;
    }
    // The members the usual walk may leave as they are: the URI is written
    // whole by parse_bracketed_sip_uri() or reset before parse_uri_into().
    na.raw = s;
    if (!fresh) {
        na.display_name = {};
        na.bracketed = false;
        na.star = false;
    }
    bool uri_fresh = fresh;
    std::size_t i = 0;
    std::size_t laquot = s.npos;
    if (s[0] == '"') {
        std::size_t e = scan_quoted(s, 0);
        if (e == s.npos) return fail(errc::bad_name_addr);
        na.display_name = detail::sub(s, 0, e);
        i = skip_lws(s, e);
        if (i >= s.size() || s[i] != '<') return fail(errc::bad_name_addr);
        laquot = i;
    } else if (s[0] == '<') {
        laquot = 0;
    } else {
        // *(token LWS) "<" ?
        std::size_t j = 0, last = 0;
        while (j < s.size()) {
            std::size_t e = scan_token(s, j);
            if (e == j) break;
            last = e;
            j = skip_lws(s, e);
        }
        if (j < s.size() && s[j] == '<' && last > 0) {
            na.display_name = detail::sub(s, 0, last);
            laquot = j;
        }
    }
    std::size_t after;
    bool uri_done = false;
    if (laquot != s.npos) {
        const char* gt = nullptr;
        na.bracketed = true;
        // the usual <sip:...> in one walk that ends at its ">"; else the
        // ">" first, then the URI between
        if (parse_bracketed_sip_uri(s.data() + laquot + 1, s.data() + s.size(), na.uri, ec, limit, gt, fresh)) {
            uri_done = true;
        } else {
            clear(na.uri);
            uri_fresh = true;
            ec.clear();
            gt = find_octet(s.data() + laquot, s.data() + s.size(), '>');
            if (gt == s.data() + s.size()) return fail(errc::bad_name_addr);
        }
        na.uri_text = std::string_view(s.data() + laquot + 1, static_cast<std::size_t>(gt - (s.data() + laquot + 1)));
        after = static_cast<std::size_t>(gt - s.data()) + 1;
    } else {
        if (opt.require_brackets) return fail(errc::bad_name_addr);
        std::size_t e = 0;
        while (e < s.size() && s[e] != ';' && !is_lws(s[e])) {
            if (s[e] == '?' || s[e] == ',' || s[e] == '<' || s[e] == '>' || s[e] == '"')
                return fail(errc::bad_name_addr);
            ++e;
        }
        na.uri_text = detail::sub(s, 0, e);
        after = e;
    }
    if (!uri_done && !parse_uri_into(na.uri_text, na.uri, ec, {}, limit, uri_fresh))
        return fail(ec == errc::duplicate_parameter || ec == errc::too_many_parameters
                        ? static_cast<errc>(ec.value())
                        : errc::bad_uri);
    if (scan_usual_header_params(s, after, na.parameters, limit)) return true;
    std::size_t e = scan_params(s, after, na.parameters, ec);
    if (ec) return fail(ec == errc::bad_parameter ? errc::bad_name_addr : static_cast<errc>(ec.value()));
    std::size_t t = skip_lws(s, e);
    if (t != s.size()) {
        if (comma == nullptr || s[t] != ',') return fail(errc::bad_name_addr);
        // the first element of a list ends where its parameters end
        na.raw = detail::sub(s, 0, e);
        *comma = t;
    }
    return true;
}

/// The first element of a list value (Route, Record-Route, Path, Contact)
/// parsed in the same walk as the whole value: true when the value starts
/// with a valid name-addr that is the whole value or is followed by LWS and
/// a comma; \p na then holds what parse_name_addr_into() gives for the first
/// element next_list_element() splits off (the same text, without the
/// LWS), and \p comma is the index of that comma (\p value's size when
/// there is none). The next element starts after it. False otherwise, with
/// \p ec set (\p na is then empty): the first element may still be valid
/// (an addr-spec, whose URI may not be followed by a comma here) or invalid
/// with another error; the caller then splits the value and parses each
/// element on its own. \p value has no leading or trailing LWS; other
/// arguments as for parse_name_addr_into().
inline bool parse_first_name_addr_into(std::string_view value, name_addr& na, std::error_code& ec,
                                       std::size_t& comma, const name_addr_options& opt = {},
                                       const char* limit = nullptr, bool fresh = false) {
    comma = value.size();
    return parse_name_addr_into(value, na, ec, opt, limit, fresh, true, &comma);
}
} // namespace detail

/// Parses one value (no top-level commas). Errors: errc::bad_name_addr,
/// errc::bad_uri, errc::duplicate_parameter, errc::too_many_parameters.
inline name_addr parse_name_addr(std::string_view value, std::error_code& ec,
                                 const name_addr_options& opt = {}) {
    name_addr na;
    detail::parse_name_addr_into(value, na, ec, opt, nullptr, true);
    return na;
}
/// Not for a temporary std::string: the name_addr would view freed memory.
template <class S, std::enable_if_t<detail::is_temporary_string_v<S>, int> = 0>
name_addr parse_name_addr(S&& value, std::error_code& ec, const name_addr_options& opt = {}) = delete;

} // namespace sipws::sip

#endif
