// Distributed under the Boost Software License, Version 1.0.
#ifndef SIPWS_RFC7118_VIA_STAMP_HPP
#define SIPWS_RFC7118_VIA_STAMP_HPP

/// \file
/// What a server or edge proxy writes into the top Via of a request it
/// received (RFC 3261 section 18.2.1, RFC 3581 section 4, RFC 7118 section
/// 5.3), as a policy:
///
/// - received_policy::never (default on WebSocket, WS7118-5.3-a/5.3-c):
///   nothing is added, not even to a valueless `rport`; RFC 7118 lets a WS
///   server skip `received` to hide the addresses of HTTP proxies and load
///   balancers in front of it.
/// - received_policy::when_differs (RFC 3261 18.2.1, SIP3261-18.2.1-a):
///   `received=<source>` when the sent-by host is a domain name (such as a
///   random `.invalid` label) or an IP address other than the source.
/// - received_policy::always: `received=<source>` on every request.
///
/// With any policy but never, a valueless `rport` is filled with the source
/// port and `received` is added even when it equals the sent-by
/// (NAT3581-4-a).
///
/// Whatever the policy, the response to a request that came over a
/// WebSocket flow goes back over that flow (WS7118-5.3-d): these values are
/// informational and never used to resolve or connect to a `.invalid`
/// sent-by.

#include <sipws/sip/message.hpp>
#include <sipws/sip/message_builder.hpp>
#include <sipws/sip/via.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>

namespace sipws::rfc7118 {

enum class received_policy : unsigned char {
    never,        ///< add nothing (RFC 7118 5.3 relaxation)
    when_differs, ///< RFC 3261 18.2.1
    always,
};

/// The parameters to set on the top Via.
struct via_stamp {
    std::string received;               ///< empty: do not add
    std::optional<std::uint16_t> rport; ///< fill a valueless rport
    bool empty() const noexcept { return received.empty() && !rport; }
};

namespace detail {
/// \p host (brackets allowed) is the same IP address as \p address.
inline bool same_address(std::string_view host, std::string_view address) noexcept {
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']')
        host = host.substr(1, host.size() - 2);
    if (address.size() >= 2 && address.front() == '[' && address.back() == ']')
        address = address.substr(1, address.size() - 2);
    return sip::detail::iequals(host, address);
}
} // namespace detail

/// What to stamp on \p top for a request from \p source_address (an IP
/// address as text, IPv6 without brackets) and \p source_port.
inline via_stamp decide_via_stamp(const sip::via& top, std::string_view source_address,
                                  std::uint16_t source_port, received_policy policy) {
    via_stamp s;
    if (policy == received_policy::never) return s;
    const bool fill_rport = top.has_rport && !top.rport_has_value;
    bool add_received = policy == received_policy::always || fill_rport ||
                        top.host_type == sip::host_kind::name ||
                        !detail::same_address(top.host, source_address);
    if (add_received) s.received = std::string(source_address); // IPv6: no brackets
    if (fill_rport) s.rport = source_port;
    return s;
}

/// Records \p s on the top Via of the message \p b builds. The builder
/// applies Via parameters to the topmost Via of its result, so stamp on a
/// builder that pushes no Via of its own (a proxy stamps, serialises, then
/// pushes its Via in a second builder; a registrar or UAS only stamps).
inline void apply_via_stamp(sip::message_builder& b, const via_stamp& s) {
    if (!s.received.empty()) b.set_via_param("received", s.received);
    if (s.rport) b.set_via_param("rport", std::to_string(*s.rport));
}

/// decide_via_stamp() for \p req's top Via and apply_via_stamp() on \p b.
/// Error when \p req has no parseable Via.
inline std::error_code stamp_via(sip::message_builder& b, const sip::message& req,
                                 std::string_view source_address, std::uint16_t source_port,
                                 received_policy policy) {
    std::error_code ec;
    sip::via top = req.top_via(ec);
    if (ec) return ec;
    apply_via_stamp(b, decide_via_stamp(top, source_address, source_port, policy));
    return {};
}

} // namespace sipws::rfc7118

#endif
