// Distributed under the Boost Software License, Version 1.0.
#ifndef SIPWS_RFC7118_UA_CONTACT_HPP
#define SIPWS_RFC7118_UA_CONTACT_HPP

/// \file
/// The Contact of a SIP WebSocket client that registers with Outbound and
/// GRUU (RFC 7118 Appendix B, RFC 5626 section 4.2.1, RFC 5627 section 4.1):
///
///     <sip:alice@a8k2m0q9x1zt.invalid;transport=ws;ob>;+sip.instance="<urn:uuid:...>";reg-id=1;expires=600
///
/// - The host is the client's random `.invalid` host, the same one as its
///   Via sent-by (E1-F3-f); nobody ever resolves it (WS7118-B.1-b).
/// - `transport=ws` is what RFC 7118 section 5.2 defines, also over TLS
///   (WS7118-5.2-a); `transport=wss` is emitted only when asked for
///   (WS7118-5.2-b).
/// - `ob` asks that in-dialog requests come back over the flow that carried
///   the request (OB5626-4.3-c).
/// - `+sip.instance` carries the installation's instance-id, always the
///   same string (OB5626-4.1-c, WS7118-B.1-c); `reg-id` names the flow
///   (OB5626-4.2.1-b). Neither goes on `Contact: *` (OB5626-4.2.3-a).
/// - The Contact URI differs from the AOR and carries no GRUU parameters
///   (GR5627-4.1-b).

#include <sipws/rfc7118/identifiers.hpp>
#include <sipws/rfc7118/instance_id.hpp>
#include <sipws/sip/detail/chars.hpp>
#include <sipws/sip/name_addr.hpp>

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace sipws::rfc7118 {

/// The option tags every REGISTER of an Outbound + GRUU client lists
/// (OB5626-4.2.1-a, GR5627-4.1-a, PA3327-5.1-a).
inline constexpr std::string_view ua_register_supported = "path, outbound, gruu";

/// The option tags of the client's other requests (OB5626-4.3-a,
/// GR5627-4.4-b, PA3327-5.1-a).
inline constexpr std::string_view ua_request_supported = "path, outbound, gruu";

struct ua_contact {
    std::string user;        ///< user part, already escaped (may be empty)
    std::string host;        ///< the random `.invalid` host (make_invalid_host())
    bool secure = false;     ///< the flow is WSS
    bool emit_wss = false;   ///< write `transport=wss` (instead of `ws`) when secure
    bool ob = true;          ///< add the `ob` URI parameter
    std::string instance_id; ///< `urn:uuid:...`; empty: no `+sip.instance`, no `reg-id`
    std::uint32_t reg_id = 1; ///< 1 .. 2^31-1; 0: no `reg-id` (no Outbound)
};

/// A contact for \p user (e.g. the AOR's user part) with a fresh random
/// `.invalid` host.
inline ua_contact make_ua_contact(std::string user, bool secure, std::string instance_id,
                                  std::uint32_t reg_id = 1) {
    ua_contact c;
    c.user = std::move(user);
    c.host = make_invalid_host();
    c.secure = secure;
    c.instance_id = std::move(instance_id);
    c.reg_id = reg_id;
    return c;
}

/// The Contact URI: `sip:user@host;transport=ws[;ob]`.
inline std::string contact_uri(const ua_contact& c) {
    std::string out = "sip:";
    if (!c.user.empty()) {
        out += c.user;
        out += '@';
    }
    out += c.host;
    out += (c.secure && c.emit_wss) ? ";transport=wss" : ";transport=ws";
    if (c.ob) out += ";ob";
    return out;
}

/// The whole Contact value: `<uri>;+sip.instance="<urn>";reg-id=N[;expires=E]`.
/// Throws std::invalid_argument for an instance-id that cannot be carried
/// or a reg-id outside 1 .. 2^31-1 (OB5626-4.2.1-b).
inline std::string contact_value(const ua_contact& c,
                                 std::optional<std::uint32_t> expires = std::nullopt) {
    std::string out = "<";
    out += contact_uri(c);
    out += '>';
    if (!c.instance_id.empty()) {
        std::string p = sip_instance_param(c.instance_id);
        if (p.empty()) throw std::invalid_argument("sipws: instance-id cannot be carried");
        out += ';';
        out += p;
        if (c.reg_id != 0) {
            if (c.reg_id > 0x7fffffffu) throw std::invalid_argument("sipws: reg-id out of range");
            out += ";reg-id=";
            out += std::to_string(c.reg_id);
        }
    }
    if (expires) {
        out += ";expires=";
        out += std::to_string(*expires);
    }
    return out;
}

/// True when the Contact \p value of a response is this client's binding:
/// same `+sip.instance` (URN equivalence) and `reg-id` when we sent them,
/// else the same user and host in the URI.
inline bool is_our_contact(const sip::name_addr& value, const ua_contact& c) {
    if (value.is_star() || value.uri_text.empty()) return false;
    if (!c.instance_id.empty()) {
        auto urn = value.instance_id();
        if (!urn.empty()) {
            if (!instance_ids_equal(urn, c.instance_id)) return false;
            if (c.reg_id == 0) return true;
            return value.reg_id() == static_cast<std::int64_t>(c.reg_id);
        }
    }
    return value.uri.user == c.user && sip::detail::iequals(value.uri.host, c.host);
}

} // namespace sipws::rfc7118

#endif
