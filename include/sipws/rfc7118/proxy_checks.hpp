// Distributed under the Boost Software License, Version 1.0.
#ifndef SIPWS_RFC7118_PROXY_CHECKS_HPP
#define SIPWS_RFC7118_PROXY_CHECKS_HPP

/// \file
/// The checks a proxy makes before it forwards a request (RFC 3261 section
/// 16.3, SIP3261-16.3-a), as one function whose result is the response to
/// send or nothing:
///
/// - a Request-URI that does not parse: 400; one whose scheme the proxy
///   does not route (anything but sip, sips and tel by default): 416
///   Unsupported URI Scheme;
/// - Max-Forwards 0: 483 Too Many Hops (a Max-Forwards that is not a
///   number: 400);
/// - Proxy-Require naming option tags the proxy does not support: 420 Bad
///   Extension with `Unsupported:` listing them.
///
/// Unknown methods and headers, and malformed headers the proxy does not
/// need, are never a reason to refuse (they are forwarded untouched). The
/// loop check (482) and Proxy-Authorization are left to the caller.
/// check_hop_security() refuses a sips request a hop that is not secure.
///
/// \code
///   if (auto bad = sipws::rfc7118::check_proxied_request(req, {"path", "outbound", "gruu"}))
///       return reply(flow, req, bad->status, bad->reason, bad->headers);
/// \endcode

#include <sipws/sip/detail/chars.hpp>
#include <sipws/sip/message.hpp>
#include <sipws/sip/uri.hpp>

#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sipws::rfc7118 {

/// A refusal: the status, its reason phrase (empty: the default one) and
/// the rows to add to the response ("Name: value\r\n" each).
struct proxy_refusal {
    unsigned status = 0;
    std::string reason;
    std::string headers;
};

struct proxy_check_options {
    /// Option tags the proxy supports (compared case-insensitively).
    std::vector<std::string_view> supported{"path", "outbound", "gruu"};
    /// Request-URI schemes the proxy routes.
    bool sips = true;
    bool tel = true;
};

/// The response \p req gets instead of being forwarded, or nullopt when it
/// may be forwarded (see the file comment).
inline std::optional<proxy_refusal> check_proxied_request(const sip::message& req,
                                                          const proxy_check_options& o = {}) {
    if (!req.is_request()) return std::nullopt;
    std::error_code ec;
    sip::uri u = req.request_uri_parsed(ec);
    if (ec) return proxy_refusal{400, "Bad Request - malformed Request-URI", {}};
    const bool routed = u.scheme == sip::uri_scheme::sip || (o.sips && u.scheme == sip::uri_scheme::sips) ||
                        (o.tel && u.scheme == sip::uri_scheme::tel);
    if (!routed) return proxy_refusal{416, {}, {}};
    if (req.has(sip::header_id::max_forwards)) {
        std::optional<unsigned> mf = req.max_forwards();
        if (!mf) return proxy_refusal{400, "Bad Request - malformed Max-Forwards", {}};
        if (*mf == 0) return proxy_refusal{483, {}, {}};
    }
    std::string unsupported;
    for (std::string_view tag : req.values(sip::header_id::proxy_require)) {
        bool known = false;
        for (std::string_view s : o.supported) known = known || sip::detail::iequals(s, tag);
        if (known) continue;
        if (!unsupported.empty()) unsupported += ", ";
        unsupported += tag;
    }
    if (!unsupported.empty()) return proxy_refusal{420, {}, "Unsupported: " + unsupported + "\r\n"};
    return std::nullopt;
}

/// The refusal of sending \p req over a hop that is not secure (plain ws,
/// UDP, TCP) when its Request-URI is a sips URI: a sips request only travels
/// over TLS, so over WebSocket only wss (WS7118-9.2-a, RFC 3261 section
/// 26.2.2). 480, as the target is not reachable securely from here.
inline std::optional<proxy_refusal> check_hop_security(const sip::message& req, bool secure_hop) {
    if (secure_hop || !req.is_request()) return std::nullopt;
    std::error_code ec;
    sip::uri u = req.request_uri_parsed(ec);
    if (ec || u.scheme != sip::uri_scheme::sips) return std::nullopt;
    return proxy_refusal{480, "Temporarily Unavailable - a sips request is not sent over plain ws", {}};
}

} // namespace sipws::rfc7118

#endif
