// Distributed under the Boost Software License, Version 1.0.
#ifndef SIPWS_SIP_HEADER_ID_HPP
#define SIPWS_SIP_HEADER_ID_HPP

/// \file
/// Identifiers of the header fields the parser knows, their canonical names,
/// compact forms (RFC 3261 7.3.3 and extensions) and whether their values form a
/// comma-separated list (RFC 3261 7.3.1).

#include <sipws/detail/ascii.hpp>
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

} // namespace detail

/// Facts about \p id.
constexpr const header_info& info(header_id id) noexcept {
    return detail::header_infos[static_cast<std::size_t>(id)];
}

/// Canonical name of \p id ("" for header_id::unknown).
constexpr std::string_view canonical_name(header_id id) noexcept { return info(id).name; }

/// The header id of a field name given in any case, long or compact form.
/// The name must be a token (the parser has checked that before calling).
/// Picks the one candidate from the length and one or two octets, then
/// compares once.
inline header_id lookup_header(std::string_view s) noexcept {
    if (s.size() == 1) {
        char c = static_cast<char>(s[0] | 0x20);
        if (c >= 'a' && c <= 'z') return detail::compact_ids[c - 'a'];
        return header_id::unknown;
    }
    header_id id = header_id::unknown;
    std::string_view name;
    auto pick = [&](header_id i, std::string_view n) {
        id = i;
        name = n;
    };
    char c0 = static_cast<char>(s[0] | 0x20);
    switch (s.size()) {
    case 2:
        switch (c0) {
        case 't':
            pick(header_id::to, "to");
            break;
        default: break;
        }
        break;
    case 3:
        switch (c0) {
        case 'v':
            pick(header_id::via, "via");
            break;
        default: break;
        }
        break;
    case 4:
        switch (c0) {
        case 'c':
            pick(header_id::cseq, "cseq");
            break;
        case 'd':
            pick(header_id::date, "date");
            break;
        case 'f':
            pick(header_id::from, "from");
            break;
        case 'p':
            pick(header_id::path, "path");
            break;
        case 'r':
            switch (static_cast<char>(s[1] | 0x20)) {
            case 'a': pick(header_id::rack, "rack"); break;
            case 's': pick(header_id::rseq, "rseq"); break;
            default: break;
            }
            break;
        default: break;
        }
        break;
    case 5:
        switch (c0) {
        case 'a':
            pick(header_id::allow, "allow");
            break;
        case 'e':
            pick(header_id::event, "event");
            break;
        case 'r':
            pick(header_id::route, "route");
            break;
        default: break;
        }
        break;
    case 6:
        switch (c0) {
        case 'a':
            pick(header_id::accept, "accept");
            break;
        case 'm':
            pick(header_id::min_se, "min-se");
            break;
        case 'r':
            pick(header_id::reason, "reason");
            break;
        case 's':
            pick(header_id::server, "server");
            break;
        default: break;
        }
        break;
    case 7:
        switch (c0) {
        case 'c':
            switch (static_cast<char>(s[1] | 0x20)) {
            case 'a': pick(header_id::call_id, "call-id"); break;
            case 'o': pick(header_id::contact, "contact"); break;
            default: break;
            }
            break;
        case 'e':
            pick(header_id::expires, "expires");
            break;
        case 'p':
            pick(header_id::privacy, "privacy");
            break;
        case 'r':
            pick(header_id::require, "require");
            break;
        case 's':
            pick(header_id::subject, "subject");
            break;
        case 'w':
            pick(header_id::warning, "warning");
            break;
        default: break;
        }
        break;
    case 8:
        switch (c0) {
        case 'i':
            pick(header_id::identity, "identity");
            break;
        case 'p':
            pick(header_id::priority, "priority");
            break;
        case 'r':
            switch (static_cast<char>(s[4] | 0x20)) {
            case 'r': pick(header_id::refer_to, "refer-to"); break;
            case 'a': pick(header_id::replaces, "replaces"); break;
            case 'y': pick(header_id::reply_to, "reply-to"); break;
            default: break;
            }
            break;
        case 's':
            pick(header_id::sip_etag, "sip-etag");
            break;
        default: break;
        }
        break;
    case 9:
        switch (c0) {
        case 'c':
            pick(header_id::call_info, "call-info");
            break;
        case 's':
            pick(header_id::supported, "supported");
            break;
        case 't':
            pick(header_id::timestamp, "timestamp");
            break;
        default: break;
        }
        break;
    case 10:
        switch (c0) {
        case 'a':
            pick(header_id::alert_info, "alert-info");
            break;
        case 'e':
            pick(header_id::error_info, "error-info");
            break;
        case 'f':
            pick(header_id::flow_timer, "flow-timer");
            break;
        case 'u':
            pick(header_id::user_agent, "user-agent");
            break;
        default: break;
        }
        break;
    case 11:
        switch (c0) {
        case 'i':
            pick(header_id::in_reply_to, "in-reply-to");
            break;
        case 'm':
            pick(header_id::min_expires, "min-expires");
            break;
        case 'r':
            switch (static_cast<char>(s[2] | 0x20)) {
            case 'f': pick(header_id::referred_by, "referred-by"); break;
            case 't': pick(header_id::retry_after, "retry-after"); break;
            default: break;
            }
            break;
        case 'u':
            pick(header_id::unsupported, "unsupported");
            break;
        default: break;
        }
        break;
    case 12:
        switch (c0) {
        case 'a':
            pick(header_id::allow_events, "allow-events");
            break;
        case 'c':
            pick(header_id::content_type, "content-type");
            break;
        case 'm':
            switch (static_cast<char>(s[1] | 0x20)) {
            case 'a': pick(header_id::max_forwards, "max-forwards"); break;
            case 'i': pick(header_id::mime_version, "mime-version"); break;
            default: break;
            }
            break;
        case 'o':
            pick(header_id::organization, "organization");
            break;
        case 'r':
            pick(header_id::record_route, "record-route");
            break;
        case 's':
            pick(header_id::sip_if_match, "sip-if-match");
            break;
        default: break;
        }
        break;
    case 13:
        switch (c0) {
        case 'a':
            pick(header_id::authorization, "authorization");
            break;
        case 'p':
            pick(header_id::proxy_require, "proxy-require");
            break;
        case 's':
            pick(header_id::service_route, "service-route");
            break;
        default: break;
        }
        break;
    case 14:
        switch (c0) {
        case 'a':
            pick(header_id::accept_contact, "accept-contact");
            break;
        case 'c':
            pick(header_id::content_length, "content-length");
            break;
        case 'r':
            pick(header_id::reject_contact, "reject-contact");
            break;
        default: break;
        }
        break;
    case 15:
        switch (c0) {
        case 'a':
            switch (static_cast<char>(s[7] | 0x20)) {
            case 'e': pick(header_id::accept_encoding, "accept-encoding"); break;
            case 'l': pick(header_id::accept_language, "accept-language"); break;
            default: break;
            }
            break;
        case 's':
            switch (static_cast<char>(s[9] | 0x20)) {
            case 'c': pick(header_id::security_client, "security-client"); break;
            case 's': pick(header_id::security_server, "security-server"); break;
            case 'v': pick(header_id::security_verify, "security-verify"); break;
            case 'x': pick(header_id::session_expires, "session-expires"); break;
            default: break;
            }
            break;
        default: break;
        }
        break;
    case 16:
        switch (c0) {
        case 'c':
            switch (static_cast<char>(s[8] | 0x20)) {
            case 'e': pick(header_id::content_encoding, "content-encoding"); break;
            case 'l': pick(header_id::content_language, "content-language"); break;
            default: break;
            }
            break;
        case 'w':
            pick(header_id::www_authenticate, "www-authenticate");
            break;
        default: break;
        }
        break;
    case 18:
        switch (c0) {
        case 'p':
            pick(header_id::proxy_authenticate, "proxy-authenticate");
            break;
        case 's':
            pick(header_id::subscription_state, "subscription-state");
            break;
        default: break;
        }
        break;
    case 19:
        switch (c0) {
        case 'a':
            pick(header_id::authentication_info, "authentication-info");
            break;
        case 'c':
            pick(header_id::content_disposition, "content-disposition");
            break;
        case 'p':
            switch (static_cast<char>(s[1] | 0x20)) {
            case '-': pick(header_id::p_asserted_identity, "p-asserted-identity"); break;
            case 'r': pick(header_id::proxy_authorization, "proxy-authorization"); break;
            default: break;
            }
            break;
        case 'r':
            pick(header_id::request_disposition, "request-disposition");
            break;
        default: break;
        }
        break;
    case 20:
        switch (c0) {
        case 'p':
            pick(header_id::p_preferred_identity, "p-preferred-identity");
            break;
        default: break;
        }
        break;
    default: return header_id::unknown;
    }
    return id != header_id::unknown && sipws::detail::equals_lower_token(s, name) ? id
                                                                                  : header_id::unknown;
}

} // namespace sipws::sip

#endif
