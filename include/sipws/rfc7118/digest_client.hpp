// Distributed under the Boost Software License, Version 1.0.
#ifndef SIPWS_RFC7118_DIGEST_CLIENT_HPP
#define SIPWS_RFC7118_DIGEST_CLIENT_HPP

/// \file
/// The client side of Digest authentication (RFC 3261 section 22.2,
/// RFC 7616, RFC 8760): answers the challenges of a 401 / 407.
///
/// - For each realm the topmost challenge with a supported algorithm is
///   used; unknown algorithms and non-Digest schemes (Basic, which SIP
///   forbids) are ignored; with no usable challenge the client gives up
///   (RFC 8760 sections 2.4 and 2.6).
/// - nc counts per nonce from 00000001; each request gets a fresh cnonce
///   from OpenSSL's CSPRNG; opaque and algorithm are echoed (RFC 7616 3.4).
/// - `stale=true` retries with the new nonce and the same credentials; a
///   second challenge for a realm already answered without `stale=true`
///   means the credentials were refused: on_challenge() reports
///   error::credentials_rejected so the caller stops instead of looping.
/// - userhash=true in the challenge makes the client send H(user:realm).
///
/// The same object serves SIP requests (method + Request-URI) and the
/// WebSocket handshake (`GET` + request-target). Not thread-safe: one
/// client per registration / dialog / connection attempt.

#include <sipws/crypto/base64.hpp>
#include <sipws/crypto/random.hpp>
#include <sipws/rfc7118/digest.hpp>

#include <algorithm>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

namespace sipws::rfc7118 {

struct digest_client_options {
    /// Algorithms this client accepts, in any order (the server's order
    /// decides). MD5 is kept for compatibility; remove it to refuse the
    /// downgrade (RFC 8760 section 3).
    std::vector<digest_algorithm> accepted{
        digest_algorithm::sha512_256, digest_algorithm::sha512_256_sess,
        digest_algorithm::sha256,     digest_algorithm::sha256_sess,
        digest_algorithm::md5,        digest_algorithm::md5_sess};
    bool use_userhash = true;     ///< honour userhash=true challenges
    bool prefer_auth_int = false; ///< answer auth-int when both are offered
    std::size_t cnonce_octets = 16;
    /// Answer a challenge without qop in the RFC 2069 form (no qop, nc,
    /// cnonce), for pre-RFC 2617 HTTP servers. Off: SIP requires qop
    /// (RFC 8760 section 2.6), so such a challenge is answered as auth.
    bool rfc2069_without_qop = false;
    auth_parse_limits limits{};
};

/// One header to add to the retried request.
struct digest_authorization {
    bool proxy = false; ///< Proxy-Authorization (answer to 407) or Authorization
    std::string value;  ///< the header value
};

class digest_client {
public:
    digest_client(std::string username, std::string password, digest_client_options options = {})
        : username_(std::move(username)), password_(std::move(password)),
          options_(std::move(options)) {}

    /// Uses \p username / \p password for challenges of \p realm instead of
    /// the default credentials (e.g. one account for an outbound proxy and
    /// another for the registrar).
    void add_credentials(std::string realm, std::string username, std::string password) {
        for (auto& c : per_realm_)
            if (c.realm == realm) {
                c.username = std::move(username);
                c.password = std::move(password);
                return;
            }
        per_realm_.push_back({std::move(realm), std::move(username), std::move(password)});
    }

    /// Feeds the WWW-Authenticate (\p proxy false) or Proxy-Authenticate
    /// (\p proxy true) header values of one 401 / 407 response, in order.
    /// Errors: a syntax error, error::unsupported_algorithm when no challenge
    /// is usable, error::credentials_rejected when a realm answered before
    /// is challenged again without stale=true.
    std::error_code on_challenge(const std::vector<std::string_view>& header_values, bool proxy) {
        std::vector<digest_challenge> all;
        for (auto v : header_values)
            if (auto ec = parse_digest_challenges(v, all, options_.limits)) return ec;
        bool any = false;
        std::vector<std::string> seen_realms;
        for (auto& c : all) {
            // Topmost supported challenge per realm (RFC 8760 section 2.4).
            if (std::find(seen_realms.begin(), seen_realms.end(), c.realm) != seen_realms.end())
                continue;
            if (!accepts(c)) continue;
            seen_realms.push_back(c.realm);
            any = true;
            auto it = std::find_if(realms_.begin(), realms_.end(),
                                   [&](const state& s) { return s.challenge.realm == c.realm; });
            if (it != realms_.end()) {
                if (it->answered && !c.stale) return error::credentials_rejected;
                it->challenge = std::move(c);
                it->proxy = proxy;
                it->nc = 0;
                it->answered = false;
            } else {
                realms_.push_back(state{std::move(c), proxy, 0, false});
            }
        }
        return any ? std::error_code{} : make_error_code(error::unsupported_algorithm);
    }

    /// One header per realm answered so far, for a request with \p method
    /// and \p uri (the Request-URI, or the request-target of an HTTP GET).
    /// \p body is used for qop=auth-int.
    std::vector<digest_authorization> authorize(std::string_view method, std::string_view uri,
                                                std::string_view body = {}) {
        std::vector<digest_authorization> out;
        for (auto& s : realms_) {
            auto& c = s.challenge;
            digest_credentials cr;
            cr.realm = c.realm;
            cr.nonce = c.nonce;
            cr.uri = std::string(uri);
            cr.algorithm = c.algorithm;
            cr.has_algorithm = true;
            cr.opaque = c.opaque;
            cr.has_opaque = c.has_opaque;
            // A challenge without qop is answered as qop=auth (RFC 8760
            // section 2.6) unless the RFC 2069 form is asked for.
            cr.qop = (c.qop_auth_int && (options_.prefer_auth_int || !c.qop_auth))
                         ? digest_qop::auth_int
                     : (c.qop_auth || !options_.rfc2069_without_qop) ? digest_qop::auth
                                                                     : digest_qop::none;
            std::string cnonce;
            if (cr.qop != digest_qop::none) {
                cnonce = crypto::base64url_encode(crypto::random_bytes(options_.cnonce_octets));
                cr.cnonce = cnonce;
                cr.nc = ++s.nc;
            }
            digest_input in;
            in.algorithm = c.algorithm;
            in.method = method;
            in.uri = uri;
            in.nonce = c.nonce;
            in.cnonce = cnonce;
            in.nc = cr.nc;
            in.qop = cr.qop;
            in.body = body;
            const std::string* user = &username_;
            const std::string* pass = &password_;
            for (auto& pr : per_realm_)
                if (pr.realm == c.realm) {
                    user = &pr.username;
                    pass = &pr.password;
                }
            cr.response = digest_response(*user, c.realm, *pass, in);
            if (c.userhash && options_.use_userhash) {
                cr.username = digest_userhash(c.algorithm, *user, c.realm);
                cr.userhash = true;
            } else {
                cr.username = *user;
            }
            s.answered = true;
            out.push_back({s.proxy, to_string(cr)});
        }
        return out;
    }

    /// True once a usable challenge has been received.
    bool has_challenge() const noexcept { return !realms_.empty(); }

    /// Forgets all challenges (e.g. for a new registration).
    void reset() noexcept { realms_.clear(); }

private:
    struct state {
        digest_challenge challenge;
        bool proxy;
        std::uint32_t nc;
        bool answered;
    };

    bool accepts(const digest_challenge& c) const {
        return std::find(options_.accepted.begin(), options_.accepted.end(), c.algorithm) !=
               options_.accepted.end();
    }

    struct realm_credentials {
        std::string realm;
        std::string username;
        std::string password;
    };

    std::string username_;
    std::string password_;
    std::vector<realm_credentials> per_realm_;
    digest_client_options options_;
    std::vector<state> realms_;
};

} // namespace sipws::rfc7118

#endif
