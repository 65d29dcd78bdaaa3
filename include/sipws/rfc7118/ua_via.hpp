// Distributed under the Boost Software License, Version 1.0.
#ifndef SIPWS_RFC7118_UA_VIA_HPP
#define SIPWS_RFC7118_UA_VIA_HPP

/// \file
/// The Via of a SIP WebSocket client (user agent) and the check it applies
/// to the responses it receives.
///
/// - A request sent over plain WS gets `SIP/2.0/WS`, over TLS `SIP/2.0/WSS`
///   (WS7118-5.1-a); the sent-by host is the client's random `.invalid`
///   host (WS7118-B.1-a, made by make_invalid_host()); each new client
///   transaction has a fresh RFC 3261 branch (SIP3261-8.1.1.7-a, made by
///   make_branch()); a valueless `rport` asks the server for the source
///   port (NAT3581-3-a).
/// - A response is accepted when it carries exactly one Via (a UAC drops
///   responses with more, SIP3261-18.1.2-a) whose sent-by host is ours; a
///   missing `received` is normal on WebSocket and never a reason to drop
///   it (WS7118-5.3-b).

#include <sipws/rfc7118/identifiers.hpp>
#include <sipws/sip/detail/chars.hpp>
#include <sipws/sip/message.hpp>

#include <string>
#include <string_view>

namespace sipws::rfc7118 {

/// The Via value of a client request: `SIP/2.0/WS[S] <host>;branch=<branch>[;rport]`.
inline std::string make_ua_via(bool secure, std::string_view sent_by_host, std::string_view branch,
                               bool rport = true) {
    std::string out = secure ? "SIP/2.0/WSS " : "SIP/2.0/WS ";
    out += sent_by_host;
    out += ";branch=";
    out += branch;
    if (rport) out += ";rport";
    return out;
}

/// Why a response was not accepted (response_via_check::ok when it was).
enum class response_via_check {
    ok,
    missing_via,       ///< no Via, or a Via that does not parse
    several_vias,      ///< more than one Via (SIP3261-18.1.2-a)
    foreign_sent_by,   ///< the sent-by host is not ours
    not_websocket,     ///< the transport is neither WS nor WSS
};

/// Checks the Via of a response received by a client whose sent-by host is
/// \p our_host (compared case-insensitively). `received` and `rport`
/// values are ignored: their absence is fine (WS7118-5.3-b).
inline response_via_check check_response_via(const sip::message& rsp, std::string_view our_host) {
    auto vias = rsp.values(sip::header_id::via);
    auto it = vias.begin();
    if (it == vias.end()) return response_via_check::missing_via;
    std::error_code ec;
    sip::via v = sip::parse_via(*it, ec);
    if (ec) return response_via_check::missing_via;
    if (++it != vias.end()) return response_via_check::several_vias;
    if (!v.is_ws() && !v.is_wss()) return response_via_check::not_websocket;
    if (!sip::detail::iequals(v.host, our_host)) return response_via_check::foreign_sent_by;
    return response_via_check::ok;
}

/// True when check_response_via() accepts \p rsp.
inline bool accept_response_via(const sip::message& rsp, std::string_view our_host) {
    return check_response_via(rsp, our_host) == response_via_check::ok;
}

} // namespace sipws::rfc7118

#endif
