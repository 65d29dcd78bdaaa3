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
    ec.clear();
    std::string_view s = trimmed ? value : trim_lws(value);
    if (!fresh) clear(v);
    v.raw = s;
    auto fail = [&](errc e = errc::bad_via) {
        ec = e;
        clear(v);
        return false;
    };
    std::size_t i = 0;
    std::string_view* parts[3] = {&v.protocol_name, &v.protocol_version, &v.transport};
    int k0 = 0;
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
            i = skip_lws(s, 8);
            std::size_t e = scan_token(s, i);
            if (e == i) return fail();
            v.transport = detail::sub(s, i, e - i);
            i = e;
            k0 = 3;
        }
    }
    for (int k = k0; k < 3; ++k) {
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
    std::size_t h = skip_lws(s, i);
    if (h == i) return fail(); // LWS required before sent-by
    i = h;
    std::size_t he;
    if (i < s.size() && s[i] == '[') {
        he = detail::find_char(s, ']', i);
        if (he == s.npos) return fail();
        ++he;
        v.host = detail::sub(s, i, he - i);
        if (!parse_host(v.host, v.host_type)) return fail();
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
    v.sent_by = detail::sub(s, h, sb_end - h);
    // The parameters a transport needs, checked as the scan meets them (each
    // name appears at most once: a duplicate fails the scan). A bad value is
    // reported after the scan, whose own errors come first.
    bool bad_value = false;
    std::size_t e = scan_params(
        s, sb_end, v.parameters, ec,
        [&](std::string_view pn, std::string_view pv, bool has_pv, bool token) SIPWS_SIP_LAMBDA_INLINE {
            // names are tokens: one folded comparison each (of the length the case gives)
            switch (pn.size()) {
            case 3:
                if (equals_lower_n(pn.data(), "ttl", 3)) {
                    std::uint64_t t;
                    if (!has_pv || pv.size() > 3 || !parse_uint(pv, 255, t)) bad_value = true;
                    else v.ttl = static_cast<int>(t);
                }
                break;
            case 5:
                if (equals_lower_n(pn.data(), "rport", 5)) {
                    v.has_rport = true;
                    if (has_pv) {
                        if (!parse_port(pv, v.rport)) bad_value = true;
                        v.rport_has_value = true;
                    }
                } else if (equals_lower_n(pn.data(), "maddr", 5)) {
                    host_kind hk;
                    if (!has_pv || !parse_host(pv, hk, limit)) bad_value = true;
                    v.maddr = pv;
                }
                break;
            case 6:
                if (equals_lower_n(pn.data(), "branch", 6)) {
                    // the value scan saw whether it is one token
                    if (!has_pv || !token) bad_value = true;
                    v.branch = pv;
                }
                break;
            case 8:
                if (equals_lower_n(pn.data(), "received", 8)) {
                    host_kind hk;
                    // the usual IPv4 address first (what parse_host() would accept as one)
                    bool ipv4 = has_pv && parse_ipv4(pv);
                    if (!ipv4 && (!has_pv || !parse_host(pv, hk, limit) || hk == host_kind::name)) {
                        // RFC 3261 writes IPv6 without brackets: accept that form too.
                        if (!(has_pv && is_ipv6_address(pv))) bad_value = true;
                    }
                    v.received = pv;
                }
                break;
            default: break;
            }
        });
    if (ec) {
        if (ec == errc::bad_parameter) return fail();
        clear(v);
        return false;
    }
    if (skip_lws(s, e) != s.size() || bad_value) return fail();
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
