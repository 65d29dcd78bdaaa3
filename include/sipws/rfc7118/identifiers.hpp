// Distributed under the Boost Software License, Version 1.0.
#ifndef SIPWS_RFC7118_IDENTIFIERS_HPP
#define SIPWS_RFC7118_IDENTIFIERS_HPP

/// \file
/// Random identifiers a WebSocket SIP client needs: Via branches
/// (RFC 3261 section 8.1.1.7), From/To tags (19.3), Call-IDs (8.1.1.4), and
/// the `.invalid` host a client uses when it cannot learn its own address
/// (RFC 7118 Appendix B.1, RFC 2606). All come from OpenSSL's CSPRNG over
/// [a-z0-9], which is valid in a token, a word and a host label alike.

#include <sipws/crypto/random.hpp>
#include <sipws/rfc7118/auth_params.hpp>

#include <string>
#include <string_view>

namespace sipws::rfc7118 {

/// The RFC 3261 branch magic cookie.
inline constexpr std::string_view branch_magic_cookie = "z9hG4bK";

/// `z9hG4bK` + 24 random characters (~124 bits): unique in space and time.
inline std::string make_branch() {
    std::string out(branch_magic_cookie);
    out += crypto::random_token(24);
    return out;
}

/// True when \p branch was made by an RFC 3261 element (magic cookie
/// followed by at least one token character, all of it a token).
inline bool is_rfc3261_branch(std::string_view branch) noexcept {
    return branch.size() > branch_magic_cookie.size() &&
           branch.substr(0, branch_magic_cookie.size()) == branch_magic_cookie &&
           detail::is_token(branch);
}

/// A From / To tag: 16 random characters (~82 bits; RFC 3261 asks >= 32).
inline std::string make_tag() {
    return crypto::random_token(16);
}

/// A Call-ID: 24 random characters, `@host` appended when \p host is given.
inline std::string make_call_id(std::string_view host = {}) {
    std::string out = crypto::random_token(24);
    if (!host.empty()) {
        out += '@';
        out += host;
    }
    return out;
}

/// A random host name under `.invalid`, e.g. `a8k2m0q9x1zt.invalid`, for
/// the Via sent-by and Contact host of a client that cannot learn its own
/// address (RFC 7118 Appendix B.1). 12 characters (~62 bits) by default.
inline std::string make_invalid_host(std::size_t label_size = 12) {
    if (label_size == 0) label_size = 1;
    if (label_size > 63) label_size = 63;
    std::string out = crypto::random_token(label_size);
    out += ".invalid";
    return out;
}

/// True when \p host is under the `.invalid` TLD (a trailing dot allowed):
/// such a sent-by must never be resolved; responses go back on the flow.
inline bool is_invalid_host(std::string_view host) noexcept {
    if (!host.empty() && host.back() == '.') host.remove_suffix(1);
    constexpr std::string_view tld = ".invalid";
    return host.size() > tld.size() && detail::iequals(host.substr(host.size() - tld.size()), tld);
}

} // namespace sipws::rfc7118

#endif
