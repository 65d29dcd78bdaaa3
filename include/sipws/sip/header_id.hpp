// Distributed under the Boost Software License, Version 1.0.
#ifndef SIPWS_SIP_HEADER_ID_HPP
#define SIPWS_SIP_HEADER_ID_HPP

/// \file
/// Identifiers of the header fields the parser knows, their canonical names,
/// compact forms (RFC 3261 7.3.3 and extensions) and whether their values form a
/// comma-separated list (RFC 3261 7.3.1).

#include <sipws/detail/ascii.hpp>
#include <sipws/sip/detail/chars.hpp>

#include <cstddef>
#include <cstdint>
#include <cstring>
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

namespace detail {

/// The long names in lower case, each in a 24-octet slot (zero padded, its
/// last octet the length), so that a comparison may load whole words of it.
struct lower_name_table {
    char v[static_cast<std::size_t>(header_id::count_)][24];
    constexpr lower_name_table() : v{} {
        for (std::size_t i = 0; i < static_cast<std::size_t>(header_id::count_); ++i) {
            std::string_view n = header_infos[i].name;
            for (std::size_t k = 0; k < n.size(); ++k) v[i][k] = sipws::detail::ascii_lower(n[k]);
            v[i][23] = static_cast<char>(n.size());
        }
    }
};
inline constexpr lower_name_table lower_names{};
constexpr bool names_fit_slots() {
    for (const header_info& h : header_infos)
        if (h.name.size() > 23) return false;
    return true;
}
static_assert(names_fit_slots(), "a header name longer than its slot");

/// Key of a long name of four octets or more: its first four octets and its
/// last octet (letters folded) and its length, hashed into 256 slots
/// (multiplier chosen so that no two long names share a slot).
inline constexpr std::uint64_t header_hash_multiplier = 0x3f7431fbd47b7f85ull;
constexpr std::size_t header_hash(std::uint32_t first4, std::size_t n, char last) noexcept {
    std::uint64_t k = (first4 | 0x20202020u) | (std::uint64_t{n} << 32) |
                      (std::uint64_t{static_cast<unsigned char>(last | 0x20)} << 40);
    return static_cast<std::size_t>((k * header_hash_multiplier) >> 56);
}

struct header_hash_table {
    header_id v[256];
    bool collision = false;
    constexpr header_hash_table() : v{} {
        for (std::size_t i = 1; i < static_cast<std::size_t>(header_id::count_); ++i) {
            std::string_view n = header_infos[i].name;
            if (n.size() < 4) continue;
            std::uint32_t w = 0;
            for (std::size_t k = 0; k < 4; ++k)
                w |= static_cast<std::uint32_t>(static_cast<unsigned char>(n[k])) << (8 * k);
            std::size_t h = header_hash(w, n.size(), n.back());
            if (v[h] != header_id::unknown) collision = true;
            v[h] = static_cast<header_id>(i);
        }
    }
};
inline constexpr header_hash_table header_slots_by_hash{};
static_assert(!header_hash_table{}.collision, "two header names share a hash slot");

/// lookup_header() for a name without control octets (then a match also
/// proves that the name is a token).
SIPWS_SIP_ALWAYS_INLINE header_id lookup_header_name(const char* s, std::size_t n) noexcept {
    if (n >= 4) {
        std::uint32_t w;
        std::memcpy(&w, s, 4);
        header_id id = header_slots_by_hash.v[header_hash(w, n, s[n - 1])];
        std::size_t i = static_cast<std::size_t>(id);
        const char* lower = lower_names.v[i];
        // a name without control octets: the folded comparison is exact
        return static_cast<std::size_t>(lower[23]) == n && sipws::detail::equals_lower_n(s, lower, n)
                   ? id
                   : header_id::unknown;
    }
    if (n == 0) return header_id::unknown;
    char c0 = static_cast<char>(s[0] | 0x20);
    if (n == 1) return c0 >= 'a' && c0 <= 'z' ? compact_ids[c0 - 'a'] : header_id::unknown;
    if (n == 2) return c0 == 't' && (s[1] | 0x20) == 'o' ? header_id::to : header_id::unknown;
    if (n == 3)
        return c0 == 'v' && (s[1] | 0x20) == 'i' && (s[2] | 0x20) == 'a' ? header_id::via
                                                                          : header_id::unknown;
    return header_id::unknown;
}

} // namespace detail

/// The header id of a field name given in any case, long or compact form.
/// The name must be a token (the parser has checked that before calling).
/// Hashes the length, the first four and the last octet to the one
/// candidate, then compares once.
inline header_id lookup_header(std::string_view s) noexcept {
    return detail::lookup_header_name(s.data(), s.size());
}

} // namespace sipws::sip

#endif
