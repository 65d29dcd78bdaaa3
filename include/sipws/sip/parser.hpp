// Distributed under the Boost Software License, Version 1.0.
#ifndef SIPWS_SIP_PARSER_HPP
#define SIPWS_SIP_PARSER_HPP

/// \file
/// sip::parse(): one complete SIP message (as RFC 7118 delivers it, one per
/// WebSocket message) -> a message view into the caller's buffer, or a
/// precise error (code, human-readable defect, byte offset).
///
/// Single pass over the header section: a row's colon and line end are found
/// with a vectorised scan for ":" and control octets, names are mapped to ids
/// with a perfect hash (lookup_header()), values are indexed in the message's
/// fixed-capacity array. The body is never scanned.
/// No heap allocation.
///
/// Content-Length (WS7118-5-c/d, SIP3261-18.3-a, SIP3261-20.14-a): optional.
/// When absent the body is everything after the empty line. When present the
/// body is its first N octets and any surplus is discarded (message::surplus()).
/// When fewer than N octets follow, parse() fails with errc::body_too_short
/// but still indexes the headers: a server answers a request with 400
/// (make_error_response()) and silently drops a response; it never waits for
/// more data. A malformed or conflicting Content-Length is errc::bad_content_length.

#include <sipws/sip/detail/chars.hpp>
#include <sipws/sip/detail/temporary_string.hpp>
#include <sipws/sip/error.hpp>
#include <sipws/sip/header_id.hpp>
#include <sipws/sip/message.hpp>
#include <sipws/sip/uri.hpp>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>
#include <system_error>

namespace sipws::sip {

/// Limits and leniency. The defaults are strict (RFC 3261 as written) with
/// limits suited to SIP over WebSocket.
struct parse_options {
    /// Largest message accepted, in octets.
    std::size_t max_message_size = 256 * 1024;
    /// Most header rows (further capped by the message's capacity).
    std::size_t max_headers = default_max_headers;
    /// Longest physical line (start line or header line), without CRLF.
    std::size_t max_line_length = 8 * 1024;
    /// Accept a bare LF as line end (SIP3261-7-a lenient mode).
    bool allow_bare_lf = false;
    /// Accept several SP/HTAB between request-line elements and trailing white
    /// space on the start line (RFC 4475 lwsstart, trws).
    bool allow_extra_spaces = false;
    /// Skip CRLFs before the start line (RFC 3261 7.5, stream transports).
    bool skip_leading_crlf = false;
    /// Require Via, From, To, Call-ID and CSeq (once each, Via any number).
    bool require_mandatory_headers = true;
    /// Check the syntax of the headers a transport and proxy rely on: every
    /// Via, From, To, Call-ID, CSeq (and its method against the request's),
    /// Max-Forwards, Contact, Route, Record-Route, Path. Other headers are
    /// indexed but not interpreted (SIP3261-7.3-f).
    bool validate_headers = true;
    /// Accept empty elements in comma lists (`Route: <a>, <b>,`) when
    /// validating (EXAMPLES E2-F6-d).
    bool allow_empty_list_elements = false;

    /// Everything lenient that keeps the message meaningful.
    static parse_options lenient() {
        parse_options o;
        o.allow_bare_lf = true;
        o.allow_extra_spaces = true;
        o.skip_leading_crlf = true;
        o.require_mandatory_headers = false;
        o.allow_empty_list_elements = true;
        return o;
    }
};

/// Why parse() failed.
struct parse_error {
    std::error_code code;     ///< sipws::sip::errc
    std::size_t offset = 0;   ///< where in the input
    std::string_view what;    ///< the defect in words (static text, fit for a reason phrase)

    explicit operator bool() const noexcept { return static_cast<bool>(code); }
};

/// parse()'s result: the message (indexed as far as parsing went, fully when
/// the failure is a semantic one) and the error, if any.
template <std::size_t N = default_max_headers>
struct parse_result {
    basic_message<N> msg;
    parse_error error;

    explicit operator bool() const noexcept { return !error.code; }
    bool ok() const noexcept { return !error.code; }
    const basic_message<N>* operator->() const noexcept { return &msg; }
    const basic_message<N>& operator*() const noexcept { return msg; }
};

namespace detail {

inline parse_error make_parse_error(errc e, std::size_t off, std::string_view what) noexcept {
    return parse_error{make_error_code(e), off, what};
}

/// The eight octets at \p p equal \p lower once those where \p fold has
/// 0x20 are folded to lower case (letters: any case), in one comparison.
inline bool equals_folded8(const char* p, const char* lower, const char* fold) noexcept {
    std::uint64_t w, l, f;
    std::memcpy(&w, p, 8);
    std::memcpy(&l, lower, 8);
    std::memcpy(&f, fold, 8);
    return (w | f) == l;
}

inline bool is_sip_version(std::string_view v, bool& supported) noexcept {
    // the usual `SIP/2.0` (letters in any case) in two comparisons
    if (v.size() == 7) {
        std::uint32_t w, sip, fold;
        std::memcpy(&w, v.data(), 4);
        std::memcpy(&sip, "sip/", 4);
        std::memcpy(&fold, "\x20\x20\x20\x00", 4);
        if ((w | fold) == sip && v[4] == '2' && v[5] == '.' && v[6] == '0') {
            supported = true;
            return true;
        }
    }
    // "SIP" "/" 1*DIGIT "." 1*DIGIT, case-insensitive
    if (v.size() < 7 || !iequals(detail::sub(v, 0, 4), "SIP/")) return false;
    std::size_t i = 4, b = i;
    while (i < v.size() && is_digit(v[i])) ++i;
    if (i == b || i >= v.size() || v[i] != '.') return false;
    std::size_t c = ++i;
    while (i < v.size() && is_digit(v[i])) ++i;
    if (i == c || i != v.size()) return false;
    supported = detail::sub(v, 4) == "2.0";
    return true;
}

/// \p line holds no control octet but HTAB (parse() cuts it at the first
/// other one). \p limit: the end of the input (the scans of the Request-URI
/// may load octets up to it).
inline parse_error parse_start_line(message& m, std::string_view line, std::size_t base,
                                    const parse_options& opt, const char* limit) noexcept {
    using A = detail_parser_access;
    A::start_line(m) = line;
    std::string_view l = line;
    // the usual "SIP/2.0 " (letters in any case): the first SP and a
    // supported version in one comparison
    bool usual = l.size() >= 8 && equals_folded8(l.data(), "sip/2.0 ", "   \0\0\0\0\0");
    if (usual || (l.size() >= 4 && iequals(detail::sub(l, 0, 4), "SIP/"))) {
        // Status-Line
        std::size_t sp = usual ? 7 : l.find(' ');
        if (sp == l.npos)
            return make_parse_error(errc::bad_start_line, base, "status line without status code");
        std::string_view ver = detail::sub(l, 0, sp);
        bool supported = usual;
        if (!usual && !is_sip_version(ver, supported))
            return make_parse_error(errc::bad_version, base, "malformed SIP-Version");
        if (!supported)
            return make_parse_error(errc::version_not_supported, base, "SIP version not supported");
        std::size_t i = sp + 1;
        if (opt.allow_extra_spaces)
            while (i < l.size() && is_wsp(l[i])) ++i;
        std::size_t cb = i;
        unsigned code = 0;
        while (i < l.size() && is_digit(l[i]) && i - cb < 4) code = code * 10 + unsigned(l[i++] - '0');
        if (i - cb != 3 || code < 100 || code > 699 || (i < l.size() && l[i] != ' '))
            return make_parse_error(errc::bad_status_code, base + cb,
                                    "status code is not three digits in 100-699");
        if (i == line.size() && !opt.allow_extra_spaces)
            return make_parse_error(errc::bad_start_line, base + i,
                                    "missing SP after the status code");
        // The reason phrase holds no control octet but HTAB: the caller cut
        // the line at the first other one (and reported it).
        std::string_view reason = i < l.size() ? detail::sub(l, i + 1) : std::string_view{};
        A::version(m) = ver;
        A::status(m) = code;
        A::reason(m) = reason;
        return {};
    }
    // Request-Line: Method SP Request-URI SP SIP-Version
    std::size_t me = static_cast<std::size_t>(skip_chars(l.data(), l.data() + l.size(), cc_token) - l.data());
    if (me == 0 || me == l.size() || l[me] != ' ')
        return make_parse_error(errc::bad_method, base + me,
                                me == 0 ? "start line does not begin with a method"
                                        : "method is not a token followed by SP");
    // From here on the method is known: a failure below still lets parse()
    // index the headers so that a 400 or 505 can be built (RFC 4475 3.1.2).
    A::method(m) = detail::sub(l, 0, me);
    // The usual line ends in " SIP/2.0" (letters in any case), which holds
    // the last SP and a supported version: one comparison for both.
    usual = l.size() - me > 9 && equals_folded8(l.data() + l.size() - 8, " sip/2.0", "\0   \0\0\0\0");
    if (usual) {
        // no white space at the end
    } else if (opt.allow_extra_spaces) {
        while (!l.empty() && is_wsp(l.back())) l.remove_suffix(1);
    } else if (!l.empty() && is_wsp(l.back())) {
        return make_parse_error(errc::bad_start_line, base + l.size() - 1,
                                "white space at the end of the request line");
    }
    std::size_t last = usual ? l.size() - 8 : l.rfind(' ');
    if (last == std::string_view::npos || last <= me)
        return make_parse_error(errc::bad_start_line, base + me, "request line lacks a Request-URI or SIP-Version");
    std::size_t ub = me + 1, ue = last;
    if (opt.allow_extra_spaces) {
        while (ub < l.size() && is_wsp(l[ub])) ++ub;
        while (ue > ub && is_wsp(l[ue - 1])) --ue;
    }
    if (last <= me || ue <= ub)
        return make_parse_error(errc::bad_start_line, base + me, "request line lacks a Request-URI or SIP-Version");
    std::string_view uri_text = detail::sub(l, ub, ue - ub);
    if (uri_text.front() == ' ' || uri_text.back() == ' ' || uri_text.front() == '\t')
        return make_parse_error(errc::bad_start_line, base + ub,
                                "more than one SP between request line elements");
    // The line holds no control octet but HTAB (the caller cut it at the first other one).
    auto inner_wsp = [&]() -> parse_error {
        static constexpr octet_set wsp_set{" \t"};
        const char* ws = find_any_of(uri_text.data(), uri_text.data() + uri_text.size(), wsp_set, ' ',
                                     '\t', ' ', '\t');
        if (ws != uri_text.data() + uri_text.size())
            return make_parse_error(errc::bad_request_uri,
                                    base + ub + static_cast<std::size_t>(ws - uri_text.data()),
                                    "white space inside the Request-URI");
        return {};
    };
    std::string_view ver = detail::sub(l, last + 1);
    if (!usual) {
        if (parse_error e = inner_wsp()) return e;
        bool supported = false;
        if (!is_sip_version(ver, supported))
            return make_parse_error(errc::bad_version, base + last + 1, "malformed SIP-Version");
        if (!supported)
            return make_parse_error(errc::version_not_supported, base + last + 1,
                                    "SIP version not supported");
    }
    std::error_code ec;
    if (!parse_uri_into(uri_text, A::typed(m).other.uri, ec, {false}, limit, false)) {
        // (a Request-URI that parses holds no white space: the usual line
        // looks for it only now, its version being fine)
        if (usual)
            if (parse_error e = inner_wsp()) return e;
        return make_parse_error(errc::bad_request_uri, base + ub, "malformed Request-URI");
    }
    A::request_uri(m) = uri_text;
    A::version(m) = ver;
    A::status(m) = 0;
    return {};
}

/// From \p p, the start of a header row: the first ":" when no control
/// octet precedes it (\p colon) and the first control octet after it among
/// the octets loaded with it (\p ctl, nullptr if none; \p loaded: the end
/// of those octets), sixteen octets at a time (SSE2) while they lie before
/// \p end. False when a control octet
/// comes first, or the end is near, or the target lacks SSE2: the caller
/// then scans the row octet by octet.
SIPWS_SIP_ALWAYS_INLINE bool find_name_colon(const char* p, const char* end, const char*& colon,
                                            const char*& ctl, const char*& loaded) noexcept {
#if defined(__SSE2__)
    const __m128i lim = _mm_set1_epi8(0x1f);
    const __m128i del = _mm_set1_epi8(0x7f);
    const __m128i col = _mm_set1_epi8(':');
    while (end - p >= 16) {
        __m128i x = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
        unsigned c = static_cast<unsigned>(_mm_movemask_epi8(
            _mm_or_si128(_mm_cmpeq_epi8(_mm_min_epu8(x, lim), x), _mm_cmpeq_epi8(x, del))));
        unsigned k = static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi8(x, col)));
        if ((c | k) == 0) {
            p += 16;
            continue;
        }
        unsigned first = k & (0u - k); // lowest colon bit (0 when none)
        if (k == 0 || (c & (first - 1)) != 0) return false;
        colon = p + __builtin_ctz(k);
        unsigned after = c & ~((first << 1) - 1);
        ctl = after != 0 ? p + __builtin_ctz(after) : nullptr;
        loaded = p + 16;
        return true;
    }
#else
    (void)p, (void)end, (void)colon, (void)ctl, (void)loaded;
#endif
    return false;
}

/// Follows DQUOTE state from \p pos up to the control octet at \p q; true
/// when \p q is the second octet of a quoted-pair inside a quoted-string
/// (RFC 3261 25.1: quoted-pair = "\\" (%x00-09 / %x0B-0C / %x0E-7F)).
/// \p pos and \p in_quote carry the state to the next call for the same
/// header, so a value is walked once whatever the number of such octets.
inline bool quoted_pair_at(const char*& pos, bool& in_quote, const char* q) noexcept {
    const char* s = pos;
    while (s < q) {
        char c = *s;
        if (in_quote) {
            if (c == '\\') {
                if (s + 1 == q) {
                    pos = q + 1;
                    return true;
                }
                s += 2;
                continue;
            }
            if (c == '"') in_quote = false;
        } else if (c == '"') {
            in_quote = true;
        }
        ++s;
    }
    pos = s;
    return false;
}

/// for_each_element() from \p pos, the start of an element (\p any: an
/// element came before).
template <class F>
inline bool for_each_element_from(std::string_view v, std::size_t pos, bool allow_empty, bool any, F&& f) {
    std::string_view el;
    while (pos <= v.size() && next_list_element(v, pos, el)) {
        if (el.empty()) {
            if (!allow_empty) return false;
            continue;
        }
        any = true;
        if (!f(el)) return false;
    }
    return any || allow_empty;
}

/// Validates the elements of a list header value, as parse() keeps it
/// (without leading or trailing LWS); \p f receives each trimmed element.
template <class F>
inline bool for_each_element(std::string_view v, bool allow_empty, F&& f) {
    // The usual single element first, parsed whole: no element grammar (Via,
    // name-addr) admits a comma outside a quoted-string or <...>, so a value
    // that parses as one element is the one element the split below would
    // give. Otherwise, without any comma the value is that one (bad) element.
    std::string_view t = v;
    if (!t.empty()) {
        if (f(t)) return true;
        if (find_octet(t.data(), t.data() + t.size(), ',') == t.data() + t.size()) return false;
    }
    return for_each_element_from(v, 0, allow_empty, false, f);
}

inline errc param_or(const std::error_code& ec, errc fallback) noexcept {
    return ec == errc::duplicate_parameter || ec == errc::too_many_parameters
               ? static_cast<errc>(ec.value())
               : fallback;
}

/// Checks the headers a transport and proxy rely on and keeps the typed
/// values that message's accessors return (top Via, From, To, CSeq, first
/// Contact), so that they are not parsed twice. The values parse() indexed
/// have neither leading nor trailing LWS: the typed parsers skip their trim.
/// \p limit: the end of the input (the scans may load octets up to it).
inline parse_error validate(message& m, const parse_options& opt, const char* limit) {
    using T = typed_values;
    T& typed = detail_parser_access::typed(m);
    std::error_code ec;
    const header_slot* const slots = detail_parser_access::slots(m);
    const char* const data = detail_parser_access::data(m);
    for (std::size_t i = 0, n = m.header_count(); i < n; ++i) {
        const header_slot& h = slots[i];
        std::size_t off = h.name_off;
        std::string_view value(data + h.value_off, h.value_len);
        switch (h.id) {
        case header_id::via:
            if (!for_each_element(value, opt.allow_empty_list_elements, [&](std::string_view e) {
                    if (typed.have & T::has_via) {
                        parse_via_into(e, typed.other_via, ec, limit, false, true);
                    } else if (parse_via_into(e, typed.top_via, ec, limit, false, true)) {
                        typed.have |= T::has_via;
                    }
                    return !ec;
                }))
                return make_parse_error(param_or(ec, errc::bad_via), off, "malformed Via");
            break;
        case header_id::from:
        case header_id::to: {
            bool from = h.id == header_id::from;
            std::uint8_t bit = from ? T::has_from : T::has_to;
            if (typed.have & bit) {
                parse_name_addr_into(value, typed.other, ec, {}, limit, false, true);
            } else if (parse_name_addr_into(value, from ? typed.from : typed.to, ec, {}, limit, false, true)) {
                typed.have |= bit;
            }
            if (ec)
                return make_parse_error(param_or(ec, errc::bad_name_addr), off,
                                        from ? "malformed From" : "malformed To");
            break;
        }
        case header_id::contact:
        case header_id::route:
        case header_id::record_route:
        case header_id::path: {
            bool contact = h.id == header_id::contact;
            name_addr_options o{!contact, contact};
            auto one = [&](std::string_view e) {
                if (!contact || (typed.have & T::has_contact)) {
                    parse_name_addr_into(e, typed.other, ec, o, limit, false, true);
                } else if (parse_name_addr_into(e, typed.contact, ec, o, limit, false, true)) {
                    typed.have |= T::has_contact;
                }
                return !ec;
            };
            // The usual value: its first element parsed in the walk over the
            // whole value (not twice), the others split after its comma.
            const bool keep = contact && !(typed.have & T::has_contact);
            std::size_t comma;
            bool ok;
            if (parse_first_name_addr_into(value, keep ? typed.contact : typed.other, ec, comma, o, limit)) {
                if (keep) typed.have |= T::has_contact;
                ok = comma == value.size() ||
                     for_each_element_from(value, comma + 1, opt.allow_empty_list_elements, true, one);
            } else {
                ok = for_each_element(value, opt.allow_empty_list_elements, one);
            }
            if (!ok) {
                std::string_view what = contact                       ? "malformed Contact"
                                        : h.id == header_id::route ? "malformed Route"
                                        : h.id == header_id::path  ? "malformed Path"
                                                                   : "malformed Record-Route";
                return make_parse_error(param_or(ec, errc::bad_name_addr), off, what);
            }
            break;
        }
        case header_id::call_id:
            if (!is_call_id(value)) return make_parse_error(errc::bad_call_id, off, "malformed Call-ID");
            break;
        case header_id::cseq: {
            cseq c;
            if (!parse_cseq_trimmed(value, c)) return make_parse_error(errc::bad_cseq, off, "malformed CSeq");
            if (m.is_request() && c.method != m.method())
                return make_parse_error(errc::cseq_method_mismatch, off,
                                        "CSeq method does not match the request method");
            if (!(typed.have & T::has_cseq)) {
                typed.cseq = c;
                typed.have |= T::has_cseq;
            }
            break;
        }
        case header_id::max_forwards: {
            std::uint64_t v;
            if (!parse_uint(value, 255, v))
                return make_parse_error(errc::bad_max_forwards, off, "malformed Max-Forwards");
            break;
        }
        default: break;
        }
    }
    return {};
}

} // namespace detail

/// Parses \p input into \p m (whose capacity bounds the header count).
/// The returned error is empty on success. \p m refers to \p input.
inline parse_error parse(std::string_view input, message& m, const parse_options& opt = {}) {
    using namespace detail;
    using A = detail_parser_access;
    const char* const begin = input.data();
    const char* const end = begin + input.size();
    A::data(m) = begin;
    A::size(m) = input.size();
    A::head_size(m) = 0;
    A::start_line(m) = A::method(m) = A::request_uri(m) = A::version(m) = A::reason(m) =
        A::body(m) = {};
    A::status(m) = 0;
    A::has_content_length(m) = false;
    A::content_length(m) = 0;
    A::surplus(m) = 0;
    std::uint16_t* first = A::first(m);
    header_slot* slots = A::slots(m);
    // Only the ids of the previous parse's rows can have an entry (the index
    // starts zeroed and parse() sets no other): clearing those costs less
    // than clearing the whole index.
    for (std::size_t i = 0, n = A::count(m); i < n; ++i) first[static_cast<std::size_t>(slots[i].id)] = 0;
    A::count(m) = 0;
    A::typed(m).have = 0;
    std::size_t limit = A::capacity(m) < opt.max_headers ? A::capacity(m) : opt.max_headers;

    if (input.size() > opt.max_message_size || input.size() > 0xffffffffu)
        return make_parse_error(errc::message_too_large, opt.max_message_size,
                                "message exceeds the size limit");
    const char* p = begin;
    if (opt.skip_leading_crlf)
        while (p < end && (*p == '\r' || *p == '\n')) ++p;
    if (p == end) return make_parse_error(errc::empty_message, 0, "empty message");

    auto off = [begin](const char* x) { return static_cast<std::size_t>(x - begin); };

    // A defect that still lets the header section be indexed (a bad
    // Request-Line after the method, a bad Content-Length): reported once the
    // rows are known, so that a server can answer with 400 or 505.
    parse_error deferred;

    // ---- start line
    {
        const char* q = p;
        for (;;) {
            q = find_ctl(q, end);
            if (q < end && *q == '\t') {
                ++q;
                continue;
            }
            break;
        }
        if (q == end)
            return make_parse_error(errc::missing_empty_line, off(q), "message ends inside the start line");
        const char* next;
        if (*q == '\r') {
            if (q + 1 == end || q[1] != '\n')
                return make_parse_error(errc::bad_line_ending, off(q), "CR not followed by LF");
            next = q + 2;
        } else if (*q == '\n') {
            if (!opt.allow_bare_lf)
                return make_parse_error(errc::bad_line_ending, off(q), "line ends in a bare LF");
            next = q + 1;
        } else {
            return make_parse_error(errc::bad_start_line, off(q), "control character in the start line");
        }
        if (static_cast<std::size_t>(q - p) > opt.max_line_length)
            return make_parse_error(errc::line_too_long, off(p), "start line too long");
        parse_error e =
            parse_start_line(m, std::string_view(p, static_cast<std::size_t>(q - p)), off(p), opt, end);
        if (e) {
            if (m.is_response() || m.method().empty()) return e;
            deferred = e;
        }
        p = next;
    }

    // ---- header rows
    // (options read once: the index's octet stores could alias them)
    const std::size_t max_line = opt.max_line_length;
    const bool bare_lf = opt.allow_bare_lf;
    std::size_t count = 0;
    // Ids seen more than once (a bit per header_id), for the checks of
    // require_mandatory_headers.
    static_assert(static_cast<std::size_t>(header_id::count_) <= 128);
    std::uint64_t repeated[2] = {0, 0};
    std::size_t cl_value = 0;
    bool has_cl = false;
    for (;;) {
        if (p == end)
            return make_parse_error(errc::missing_empty_line, off(p),
                                    "header section not terminated by an empty line");
        char c0 = *p;
        if (c0 == '\r') {
            if (p + 1 < end && p[1] == '\n') {
                p += 2;
                break;
            }
            return make_parse_error(errc::bad_line_ending, off(p), "CR not followed by LF");
        }
        if (c0 == '\n') {
            if (!bare_lf)
                return make_parse_error(errc::bad_line_ending, off(p), "line ends in a bare LF");
            ++p;
            break;
        }
        const char* name = p;
        std::size_t name_len = 0;
        header_id id = header_id::unknown;
        // The usual row, `Name: value` with its colon in the octets loaded
        // at once: the name is what precedes the colon (less trailing SP),
        // and a known name is its own token check.
        const char* colon;
        const char* ctl;
        const char* loaded = nullptr;
        bool fast = false;
        if (find_name_colon(p, end, colon, ctl, loaded)) {
            const char* ne = colon;
            while (ne > name && ne[-1] == ' ') --ne;
            name_len = static_cast<std::size_t>(ne - name);
            if (name_len != 0 && name_len <= 0xffff) {
                id = lookup_header_name(name, name_len);
                fast = id != header_id::unknown || skip_chars(name, ne, cc_token) == ne;
            }
        }
        // the first control octet from the value on, when that load saw it;
        // else where the search for it starts (no control octet before)
        const char* first_ctl = nullptr;
        const char* ctl_from = nullptr;
        if (fast) {
            p = colon + 1;
            while (p < end && is_wsp(*p)) ++p;
            if (ctl == nullptr) ctl_from = loaded;
            else if (ctl >= p) first_ctl = ctl;
        } else {
            p = skip_chars(p, end, cc_token);
            name_len = static_cast<std::size_t>(p - name);
            if (name_len > 0xffff)
                return make_parse_error(errc::bad_header_name, off(name), "header name too long");
            if (name_len == 0)
                return make_parse_error(errc::bad_header_name, off(name),
                                        is_wsp(c0) ? "continuation line without a header"
                                                   : "header name is not a token");
            while (p < end && is_wsp(*p)) ++p;
            if (p == end || *p != ':')
                return make_parse_error(errc::bad_header_name, off(p), "header name not followed by a colon");
            ++p;
            while (p < end && is_wsp(*p)) ++p;
            id = lookup_header(std::string_view(name, name_len));
        }
        const char* vb = p;
        const char* line = name;
        const char* eol;
        const char* next;
        bool folded = false;
        const char* qp_pos = vb;
        bool qp_in_quote = false;
        for (;;) {
            const char* q = first_ctl != nullptr ? first_ctl
                            : find_ctl(ctl_from != nullptr && ctl_from > p ? ctl_from : p, end);
            first_ctl = ctl_from = nullptr;
            if (q == end)
                return make_parse_error(errc::missing_empty_line, off(q),
                                        "header section not terminated by an empty line");
            char c = *q;
            if (c == '\t') {
                p = q + 1;
                continue;
            }
            if (c == '\r') {
                if (q + 1 == end || q[1] != '\n')
                    return make_parse_error(errc::bad_line_ending, off(q), "CR not followed by LF");
                next = q + 2;
            } else if (c == '\n') {
                if (!bare_lf)
                    return make_parse_error(errc::bad_line_ending, off(q), "line ends in a bare LF");
                next = q + 1;
            } else if (q[-1] == '\\' && quoted_pair_at(qp_pos, qp_in_quote, q)) {
                p = q + 1;
                continue;
            } else {
                return make_parse_error(errc::bad_header_value, off(q),
                                        "control character in a header value");
            }
            if (static_cast<std::size_t>(q - line) > max_line)
                return make_parse_error(errc::line_too_long, off(line), "header line too long");
            eol = q;
            if (next < end && is_wsp(*next)) {
                folded = true;
                line = p = next;
                continue;
            }
            break;
        }
        const char* ve = eol;
        while (ve > vb && is_lws(ve[-1])) --ve;
        if (folded)
            while (vb < ve && is_lws(*vb)) ++vb;
        if (count == limit)
            return make_parse_error(errc::too_many_headers, off(name), "too many header fields");
        header_slot& s = slots[count];
        s.name_off = static_cast<std::uint32_t>(name - begin);
        s.name_len = static_cast<std::uint16_t>(name_len); // at most 0xffff (checked above)
        s.value_off = static_cast<std::uint32_t>(vb - begin);
        s.value_len = static_cast<std::uint32_t>(ve - vb);
        s.id = id;
        s.folded = folded;
        ++count;
        A::count(m) = count;
        std::size_t idx = static_cast<std::size_t>(id);
        std::uint16_t& f = first[idx];
        if (f == 0) f = static_cast<std::uint16_t>(count);
        else repeated[idx >> 6] |= std::uint64_t{1} << (idx & 63);
        if (id == header_id::content_length) {
            std::error_code ec;
            std::size_t n = parse_content_length(std::string_view(vb, static_cast<std::size_t>(ve - vb)), ec);
            if (ec) {
                if (!deferred)
                    deferred = make_parse_error(errc::bad_content_length, off(name),
                                                "Content-Length is not a non-negative decimal number");
            } else if (has_cl && n != cl_value) {
                if (!deferred)
                    deferred = make_parse_error(errc::bad_content_length, off(name),
                                                "conflicting Content-Length values");
            } else {
                has_cl = true;
                cl_value = n;
            }
        }
        p = next;
    }
    first[0] = 0;
    A::head_size(m) = off(p);
    std::size_t rest = static_cast<std::size_t>(end - p);
    if (deferred) {
        A::body(m) = std::string_view(p, rest);
        return deferred;
    }
    A::has_content_length(m) = has_cl;
    A::content_length(m) = cl_value;
    if (has_cl) {
        if (cl_value > rest) {
            A::body(m) = std::string_view(p, rest);
            return make_parse_error(errc::body_too_short, off(end),
                                    "body shorter than Content-Length");
        }
        A::body(m) = std::string_view(p, cl_value);
        A::surplus(m) = rest - cl_value;
        A::size(m) = off(p) + cl_value;
    } else {
        A::body(m) = std::string_view(p, rest);
    }

    if (opt.require_mandatory_headers) {
        static constexpr header_id required[] = {header_id::via, header_id::from, header_id::to,
                                                 header_id::call_id, header_id::cseq};
        static constexpr std::string_view missing[] = {
            "missing Via", "missing From", "missing To", "missing Call-ID", "missing CSeq"};
        static constexpr std::string_view twice[] = {
            "", "more than one From", "more than one To", "more than one Call-ID",
            "more than one CSeq"};
        for (std::size_t k = 0; k < 5; ++k) {
            std::size_t idx = static_cast<std::size_t>(required[k]);
            std::uint16_t f = first[idx];
            if (f == 0) return make_parse_error(errc::missing_header, off(p), missing[k]);
            if (k > 0 && (repeated[idx >> 6] >> (idx & 63) & 1) != 0)
                return make_parse_error(errc::duplicate_header, slots[f - 1u].name_off, twice[k]);
        }
    }
    if (opt.validate_headers) return validate(m, opt, end);
    return {};
}

/// Parses \p input with a header index of capacity \p N:
/// \code
/// auto r = sipws::sip::parse(bytes);
/// if (!r) log(r.error.what, r.error.offset);
/// else if (r->is_request()) route(r->method(), r->request_uri());
/// \endcode
template <std::size_t N = default_max_headers>
parse_result<N> parse(std::string_view input, const parse_options& opt = {}) {
    parse_result<N> r;
    r.error = parse(input, r.msg, opt);
    return r;
}

/// Not for a temporary std::string: the message would view freed memory
/// (keep the string alive as long as the result).
template <std::size_t N = default_max_headers, class S,
          std::enable_if_t<detail::is_temporary_string_v<S>, int> = 0>
parse_result<N> parse(S&& input, const parse_options& opt = {}) = delete;
template <class S, std::enable_if_t<detail::is_temporary_string_v<S>, int> = 0>
parse_error parse(S&& input, message& m, const parse_options& opt = {}) = delete;

} // namespace sipws::sip

#endif
