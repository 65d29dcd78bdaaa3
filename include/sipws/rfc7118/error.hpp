// Distributed under the Boost Software License, Version 1.0.
#ifndef SIPWS_RFC7118_ERROR_HPP
#define SIPWS_RFC7118_ERROR_HPP

/// \file
/// Error codes of the rfc7118 layer (digest parameters, flow tokens,
/// temporary GRUUs, D2W DNS resolution), as a std::error_category.

#include <string>
#include <system_error>

namespace sipws::rfc7118 {

enum class error {
    // auth-param lists (RFC 7235 section 2.1, RFC 3261 section 25.1)
    malformed_auth_params = 1, ///< not a valid auth-param list
    duplicate_param,           ///< a parameter name appears twice
    missing_param,             ///< a parameter the scheme requires is absent
    invalid_param_value,       ///< a known parameter has a value of the wrong form
    too_many_params,           ///< more parameters than the configured limit
    value_too_long,            ///< a value longer than the configured limit
    not_digest,                ///< the scheme is not Digest (e.g. Basic)
    unsupported_algorithm,     ///< no challenge with an algorithm we implement
    credentials_rejected,      ///< the server refused the credentials we sent
    // flow tokens and temporary GRUUs
    token_malformed,   ///< not a token of ours: bad alphabet, length or version
    token_forged,      ///< the MAC / authentication tag does not verify
    token_unknown_key, ///< signed under a key id that is neither current nor previous
    // D2W DNS
    dns_failure,             ///< the resolver failed (timeout, SERVFAIL, refused)
    dns_malformed_answer,    ///< a DNS message that does not parse
    no_websocket_target,     ///< resolution found no WebSocket target
    not_websocket_transport, ///< the URI asks for a transport other than WS
    invalid_target,          ///< the target host is empty or not a valid name
};

namespace detail {
class error_category_impl final : public std::error_category {
public:
    const char* name() const noexcept override { return "sipws.rfc7118"; }
    std::string message(int ev) const override {
        switch (static_cast<error>(ev)) {
        case error::malformed_auth_params:
            return "malformed auth-param list";
        case error::duplicate_param:
            return "duplicate auth-param";
        case error::missing_param:
            return "required auth-param missing";
        case error::invalid_param_value:
            return "invalid auth-param value";
        case error::too_many_params:
            return "too many auth-params";
        case error::value_too_long:
            return "auth-param value too long";
        case error::not_digest:
            return "authentication scheme is not Digest";
        case error::unsupported_algorithm:
            return "no supported digest algorithm";
        case error::credentials_rejected:
            return "credentials rejected";
        case error::token_malformed:
            return "malformed token";
        case error::token_forged:
            return "token does not authenticate";
        case error::token_unknown_key:
            return "token signed with an unknown key";
        case error::dns_failure:
            return "DNS resolution failed";
        case error::dns_malformed_answer:
            return "malformed DNS answer";
        case error::no_websocket_target:
            return "no WebSocket target found";
        case error::not_websocket_transport:
            return "URI transport is not WebSocket";
        case error::invalid_target:
            return "invalid target host";
        }
        return "unknown sipws.rfc7118 error";
    }
};
} // namespace detail

inline const std::error_category& rfc7118_category() noexcept {
    static const detail::error_category_impl instance;
    return instance;
}

inline std::error_code make_error_code(error e) noexcept {
    return {static_cast<int>(e), rfc7118_category()};
}

} // namespace sipws::rfc7118

template <>
struct std::is_error_code_enum<sipws::rfc7118::error> : std::true_type {};

#endif
