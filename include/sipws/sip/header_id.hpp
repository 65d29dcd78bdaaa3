// Distributed under the Boost Software License, Version 1.0.
#ifndef SIPWS_SIP_HEADER_ID_HPP
#define SIPWS_SIP_HEADER_ID_HPP

/// \file
/// Identifiers of the header fields the parser knows, their canonical names,
/// compact forms (RFC 3261 7.3.3 and extensions) and whether their values form a
/// comma-separated list (RFC 3261 7.3.1).

#include <sipws/sip/detail/chars.hpp>

#include <cstdint>
#include <string_view>

namespace sipws::sip {

/// Known header fields. Every other name maps to header_id::unknown and is
/// still indexed and reachable by name.
enum class header_id : std::uint8_t {
    unknown = 0, ///< any header this table does not know
    accept,
    accept_contact,
    accept_encoding,
    accept_language,
    alert_info,
    allow,
    allow_events,
    authentication_info,
    authorization,
    call_id,
    call_info,
    contact,
    content_disposition,
    content_encoding,
    content_language,
    content_length,
    content_type,
    cseq,
    date,
    error_info,
    event,
    expires,
    flow_timer,
    from,
    identity,
    in_reply_to,
    max_forwards,
    min_expires,
    min_se,
    mime_version,
    organization,
    p_asserted_identity,
    p_preferred_identity,
    path,
    priority,
    privacy,
    proxy_authenticate,
    proxy_authorization,
    proxy_require,
    rack,
    reason,
    record_route,
    refer_to,
    referred_by,
    reject_contact,
    replaces,
    reply_to,
    request_disposition,
    require,
    retry_after,
    route,
    rseq,
    security_client,
    security_server,
    security_verify,
    server,
    service_route,
    session_expires,
    sip_etag,
    sip_if_match,
    subject,
    subscription_state,
    supported,
    timestamp,
    to,
    unsupported,
    user_agent,
    via,
    warning,
    www_authenticate,
    count_ ///< number of ids, not a header
};


/// What the library knows about one header field.
struct header_info {
    std::string_view name; ///< canonical spelling
    char compact;          ///< compact form, or 0
    bool is_list;          ///< values are a comma-separated list (rows may be joined)
};

namespace detail {
inline constexpr header_info header_infos[] = {
    {"", 0, false},
    {"Accept", 0, true},
    {"Accept-Contact", 'a', true},
    {"Accept-Encoding", 0, true},
    {"Accept-Language", 0, true},
    {"Alert-Info", 0, true},
    {"Allow", 0, true},
    {"Allow-Events", 'u', true},
    {"Authentication-Info", 0, false},
    {"Authorization", 0, false},
    {"Call-ID", 'i', false},
    {"Call-Info", 0, true},
    {"Contact", 'm', true},
    {"Content-Disposition", 0, false},
    {"Content-Encoding", 'e', true},
    {"Content-Language", 0, true},
    {"Content-Length", 'l', false},
    {"Content-Type", 'c', false},
    {"CSeq", 0, false},
    {"Date", 0, false},
    {"Error-Info", 0, true},
    {"Event", 'o', false},
    {"Expires", 0, false},
    {"Flow-Timer", 0, false},
    {"From", 'f', false},
    {"Identity", 'y', false},
    {"In-Reply-To", 0, true},
    {"Max-Forwards", 0, false},
    {"Min-Expires", 0, false},
    {"Min-SE", 0, false},
    {"MIME-Version", 0, false},
    {"Organization", 0, false},
    {"P-Asserted-Identity", 0, true},
    {"P-Preferred-Identity", 0, true},
    {"Path", 0, true},
    {"Priority", 0, false},
    {"Privacy", 0, false},
    {"Proxy-Authenticate", 0, false},
    {"Proxy-Authorization", 0, false},
    {"Proxy-Require", 0, true},
    {"RAck", 0, false},
    {"Reason", 0, true},
    {"Record-Route", 0, true},
    {"Refer-To", 'r', false},
    {"Referred-By", 'b', false},
    {"Reject-Contact", 'j', true},
    {"Replaces", 0, false},
    {"Reply-To", 0, false},
    {"Request-Disposition", 'd', true},
    {"Require", 0, true},
    {"Retry-After", 0, false},
    {"Route", 0, true},
    {"RSeq", 0, false},
    {"Security-Client", 0, true},
    {"Security-Server", 0, true},
    {"Security-Verify", 0, true},
    {"Server", 0, false},
    {"Service-Route", 0, true},
    {"Session-Expires", 'x', false},
    {"SIP-ETag", 0, false},
    {"SIP-If-Match", 0, false},
    {"Subject", 's', false},
    {"Subscription-State", 0, false},
    {"Supported", 'k', true},
    {"Timestamp", 0, false},
    {"To", 't', false},
    {"Unsupported", 0, true},
    {"User-Agent", 0, false},
    {"Via", 'v', true},
    {"Warning", 0, true},
    {"WWW-Authenticate", 0, false},

};
static_assert(sizeof(header_infos) / sizeof(header_infos[0]) ==
              static_cast<std::size_t>(header_id::count_));

inline constexpr header_id compact_ids[26] = {
        header_id::accept_contact,
        header_id::referred_by,
        header_id::content_type,
        header_id::request_disposition,
        header_id::content_encoding,
        header_id::from,
        header_id::unknown,
        header_id::unknown,
        header_id::call_id,
        header_id::reject_contact,
        header_id::supported,
        header_id::content_length,
        header_id::contact,
        header_id::unknown,
        header_id::event,
        header_id::unknown,
        header_id::unknown,
        header_id::refer_to,
        header_id::subject,
        header_id::to,
        header_id::allow_events,
        header_id::via,
        header_id::unknown,
        header_id::session_expires,
        header_id::identity,
        header_id::unknown
};

/// \p s (any case) equals \p lower (lower case, token characters only).
/// Only valid when \p s holds token characters, which the parser checked.
inline bool iequals_lower(std::string_view s, std::string_view lower) noexcept {
    for (std::size_t i = 0; i < lower.size(); ++i)
        if (static_cast<char>(s[i] | 0x20) != lower[i]) return false;
    return true;
}
} // namespace detail

/// Facts about \p id.
constexpr const header_info& info(header_id id) noexcept {
    return detail::header_infos[static_cast<std::size_t>(id)];
}

/// Canonical name of \p id ("" for header_id::unknown).
constexpr std::string_view canonical_name(header_id id) noexcept { return info(id).name; }

/// The header id of a field name given in any case, long or compact form.
/// The name must be a token (the parser has checked that before calling).
inline header_id lookup_header(std::string_view s) noexcept {
    if (s.size() == 1) {
        char c = static_cast<char>(s[0] | 0x20);
        if (c >= 'a' && c <= 'z') return detail::compact_ids[c - 'a'];
        return header_id::unknown;
    }
    switch (s.size()) {
    case 2:
        if (detail::iequals_lower(s, "to")) return header_id::to;
        break;
    case 3:
        if (detail::iequals_lower(s, "via")) return header_id::via;
        break;
    case 4:
        if (detail::iequals_lower(s, "cseq")) return header_id::cseq;
        if (detail::iequals_lower(s, "date")) return header_id::date;
        if (detail::iequals_lower(s, "from")) return header_id::from;
        if (detail::iequals_lower(s, "path")) return header_id::path;
        if (detail::iequals_lower(s, "rack")) return header_id::rack;
        if (detail::iequals_lower(s, "rseq")) return header_id::rseq;
        break;
    case 5:
        if (detail::iequals_lower(s, "allow")) return header_id::allow;
        if (detail::iequals_lower(s, "event")) return header_id::event;
        if (detail::iequals_lower(s, "route")) return header_id::route;
        break;
    case 6:
        if (detail::iequals_lower(s, "accept")) return header_id::accept;
        if (detail::iequals_lower(s, "min-se")) return header_id::min_se;
        if (detail::iequals_lower(s, "reason")) return header_id::reason;
        if (detail::iequals_lower(s, "server")) return header_id::server;
        break;
    case 7:
        if (detail::iequals_lower(s, "call-id")) return header_id::call_id;
        if (detail::iequals_lower(s, "contact")) return header_id::contact;
        if (detail::iequals_lower(s, "expires")) return header_id::expires;
        if (detail::iequals_lower(s, "privacy")) return header_id::privacy;
        if (detail::iequals_lower(s, "require")) return header_id::require;
        if (detail::iequals_lower(s, "subject")) return header_id::subject;
        if (detail::iequals_lower(s, "warning")) return header_id::warning;
        break;
    case 8:
        if (detail::iequals_lower(s, "identity")) return header_id::identity;
        if (detail::iequals_lower(s, "priority")) return header_id::priority;
        if (detail::iequals_lower(s, "refer-to")) return header_id::refer_to;
        if (detail::iequals_lower(s, "replaces")) return header_id::replaces;
        if (detail::iequals_lower(s, "reply-to")) return header_id::reply_to;
        if (detail::iequals_lower(s, "sip-etag")) return header_id::sip_etag;
        break;
    case 9:
        if (detail::iequals_lower(s, "call-info")) return header_id::call_info;
        if (detail::iequals_lower(s, "supported")) return header_id::supported;
        if (detail::iequals_lower(s, "timestamp")) return header_id::timestamp;
        break;
    case 10:
        if (detail::iequals_lower(s, "alert-info")) return header_id::alert_info;
        if (detail::iequals_lower(s, "error-info")) return header_id::error_info;
        if (detail::iequals_lower(s, "flow-timer")) return header_id::flow_timer;
        if (detail::iequals_lower(s, "user-agent")) return header_id::user_agent;
        break;
    case 11:
        if (detail::iequals_lower(s, "in-reply-to")) return header_id::in_reply_to;
        if (detail::iequals_lower(s, "min-expires")) return header_id::min_expires;
        if (detail::iequals_lower(s, "referred-by")) return header_id::referred_by;
        if (detail::iequals_lower(s, "retry-after")) return header_id::retry_after;
        if (detail::iequals_lower(s, "unsupported")) return header_id::unsupported;
        break;
    case 12:
        if (detail::iequals_lower(s, "allow-events")) return header_id::allow_events;
        if (detail::iequals_lower(s, "content-type")) return header_id::content_type;
        if (detail::iequals_lower(s, "max-forwards")) return header_id::max_forwards;
        if (detail::iequals_lower(s, "mime-version")) return header_id::mime_version;
        if (detail::iequals_lower(s, "organization")) return header_id::organization;
        if (detail::iequals_lower(s, "record-route")) return header_id::record_route;
        if (detail::iequals_lower(s, "sip-if-match")) return header_id::sip_if_match;
        break;
    case 13:
        if (detail::iequals_lower(s, "authorization")) return header_id::authorization;
        if (detail::iequals_lower(s, "proxy-require")) return header_id::proxy_require;
        if (detail::iequals_lower(s, "service-route")) return header_id::service_route;
        break;
    case 14:
        if (detail::iequals_lower(s, "accept-contact")) return header_id::accept_contact;
        if (detail::iequals_lower(s, "content-length")) return header_id::content_length;
        if (detail::iequals_lower(s, "reject-contact")) return header_id::reject_contact;
        break;
    case 15:
        if (detail::iequals_lower(s, "accept-encoding")) return header_id::accept_encoding;
        if (detail::iequals_lower(s, "accept-language")) return header_id::accept_language;
        if (detail::iequals_lower(s, "security-client")) return header_id::security_client;
        if (detail::iequals_lower(s, "security-server")) return header_id::security_server;
        if (detail::iequals_lower(s, "security-verify")) return header_id::security_verify;
        if (detail::iequals_lower(s, "session-expires")) return header_id::session_expires;
        break;
    case 16:
        if (detail::iequals_lower(s, "content-encoding")) return header_id::content_encoding;
        if (detail::iequals_lower(s, "content-language")) return header_id::content_language;
        if (detail::iequals_lower(s, "www-authenticate")) return header_id::www_authenticate;
        break;
    case 18:
        if (detail::iequals_lower(s, "proxy-authenticate")) return header_id::proxy_authenticate;
        if (detail::iequals_lower(s, "subscription-state")) return header_id::subscription_state;
        break;
    case 19:
        if (detail::iequals_lower(s, "authentication-info")) return header_id::authentication_info;
        if (detail::iequals_lower(s, "content-disposition")) return header_id::content_disposition;
        if (detail::iequals_lower(s, "p-asserted-identity")) return header_id::p_asserted_identity;
        if (detail::iequals_lower(s, "proxy-authorization")) return header_id::proxy_authorization;
        if (detail::iequals_lower(s, "request-disposition")) return header_id::request_disposition;
        break;
    case 20:
        if (detail::iequals_lower(s, "p-preferred-identity")) return header_id::p_preferred_identity;
        break;

    default:
        break;
    }
    return header_id::unknown;
}

} // namespace sipws::sip

#endif
