// Distributed under the Boost Software License, Version 1.0.
#ifndef SIPWS_RFC7118_DIGEST_HPP
#define SIPWS_RFC7118_DIGEST_HPP

/// \file
/// Digest access authentication for SIP (RFC 3261 section 22, RFC 8760) and
/// for the WebSocket handshake's HTTP 401 (RFC 7616): the algorithms, the
/// challenge (WWW-Authenticate / Proxy-Authenticate) and credentials
/// (Authorization / Proxy-Authorization) as typed values, their parsing and
/// serialisation, and the response computation (RFC 7616 section 3.4).
///
/// Serialisation follows RFC 7616 section 3.3/3.4 quoting exactly: realm,
/// domain, nonce, opaque, username, uri, response and cnonce are
/// quoted-strings; algorithm, stale, userhash, nc and the chosen qop are
/// tokens; the challenge's qop list is a quoted-string. Parsing is lenient
/// on quoting of token-valued parameters (peers quote `algorithm` and `qop`)
/// but strict on everything else: duplicates, malformed nc, unknown qop.
///
/// The digest is computed for a method and a URI: for SIP the request
/// method and Request-URI, for the WebSocket handshake `GET` and the HTTP
/// request-target (RFC 7118 section 7).

#include <sipws/crypto/hash.hpp>
#include <sipws/rfc7118/auth_params.hpp>
#include <sipws/rfc7118/error.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

namespace sipws::rfc7118 {

/// The algorithms of RFC 7616 section 3.3 / RFC 8760 section 2.7.
enum class digest_algorithm { md5, md5_sess, sha256, sha256_sess, sha512_256, sha512_256_sess };

/// The name as it appears on the wire (`SHA-512-256-sess`).
constexpr std::string_view to_string(digest_algorithm a) noexcept {
    switch (a) {
    case digest_algorithm::md5:
        return "MD5";
    case digest_algorithm::md5_sess:
        return "MD5-sess";
    case digest_algorithm::sha256:
        return "SHA-256";
    case digest_algorithm::sha256_sess:
        return "SHA-256-sess";
    case digest_algorithm::sha512_256:
        return "SHA-512-256";
    case digest_algorithm::sha512_256_sess:
        return "SHA-512-256-sess";
    }
    return "";
}

/// Case-insensitive lookup of an algorithm name; nullopt when unknown.
inline std::optional<digest_algorithm> parse_digest_algorithm(std::string_view name) noexcept {
    for (auto a : {digest_algorithm::md5, digest_algorithm::md5_sess, digest_algorithm::sha256,
                   digest_algorithm::sha256_sess, digest_algorithm::sha512_256,
                   digest_algorithm::sha512_256_sess})
        if (detail::iequals(name, to_string(a))) return a;
    return std::nullopt;
}

/// The hash function behind \p a.
constexpr crypto::hash_algorithm hash_of(digest_algorithm a) noexcept {
    switch (a) {
    case digest_algorithm::md5:
    case digest_algorithm::md5_sess:
        return crypto::hash_algorithm::md5;
    case digest_algorithm::sha256:
    case digest_algorithm::sha256_sess:
        return crypto::hash_algorithm::sha256;
    case digest_algorithm::sha512_256:
    case digest_algorithm::sha512_256_sess:
        return crypto::hash_algorithm::sha512_256;
    }
    return crypto::hash_algorithm::sha256;
}

/// True for the `-sess` variants.
constexpr bool is_session(digest_algorithm a) noexcept {
    return a == digest_algorithm::md5_sess || a == digest_algorithm::sha256_sess ||
           a == digest_algorithm::sha512_256_sess;
}

/// Quality of protection.
enum class digest_qop { none, auth, auth_int };

constexpr std::string_view to_string(digest_qop q) noexcept {
    return q == digest_qop::auth ? "auth" : q == digest_qop::auth_int ? "auth-int" : "";
}

/// A Digest challenge (WWW-Authenticate / Proxy-Authenticate).
struct digest_challenge {
    std::string realm;
    std::string domain; ///< space-separated URI list, empty if absent
    std::string nonce;
    std::string opaque; ///< empty if absent
    bool has_opaque = false;
    digest_algorithm algorithm = digest_algorithm::md5; ///< MD5 when absent (RFC 7616 3.3)
    bool stale = false;
    bool qop_auth = false;
    bool qop_auth_int = false;
    bool userhash = false;
    std::string charset; ///< `UTF-8` or empty
};

/// Digest credentials (Authorization / Proxy-Authorization).
struct digest_credentials {
    std::string username; ///< the user name, or H(user:realm) hex when userhash
    std::string realm;
    std::string nonce;
    std::string uri;
    std::string response;
    digest_algorithm algorithm = digest_algorithm::md5;
    bool has_algorithm = false;
    digest_qop qop = digest_qop::none;
    std::string cnonce;
    std::uint32_t nc = 0;
    std::string opaque;
    bool has_opaque = false;
    bool userhash = false;
};

namespace detail {

inline bool is_true(std::string_view v) noexcept {
    return iequals(v, "true");
}

inline bool parse_nc(std::string_view v, std::uint32_t& out) noexcept {
    // nc-value = 8LHEX
    if (v.size() != 8) return false;
    std::uint32_t n = 0;
    for (char c : v) {
        int d = (c >= '0' && c <= '9')   ? c - '0'
                : (c >= 'a' && c <= 'f') ? c - 'a' + 10
                : (c >= 'A' && c <= 'F') ? c - 'A' + 10
                                         : -1;
        if (d < 0) return false;
        n = (n << 4) | static_cast<std::uint32_t>(d);
    }
    out = n;
    return true;
}

inline std::string format_nc(std::uint32_t nc) {
    static constexpr char digits[] = "0123456789abcdef";
    std::string out(8, '0');
    for (int i = 7; i >= 0; --i) {
        out[static_cast<std::size_t>(i)] = digits[nc & 15];
        nc >>= 4;
    }
    return out;
}

inline void append_param_quoted(std::string& out, std::string_view name, std::string_view value,
                                bool& ok) {
    if (out.back() != ' ') out += ", ";
    out += name;
    out += '=';
    ok = append_quoted(out, value) && ok;
}

inline void append_param_token(std::string& out, std::string_view name, std::string_view value,
                               bool& ok) {
    if (out.back() != ' ') out += ", ";
    out += name;
    out += '=';
    ok = is_token(value) && ok;
    out += value;
}

} // namespace detail

/// Reads a Digest challenge from parsed auth-params. Errors: not_digest,
/// missing_param (realm or nonce), invalid_param_value, and
/// unsupported_algorithm for an algorithm we do not implement (such a
/// challenge is to be ignored, RFC 7616 section 3.7 / RFC 8760 section 2.4).
inline std::error_code to_digest_challenge(const auth_scheme_params& in, digest_challenge& out) {
    out = digest_challenge{};
    if (!detail::iequals(in.scheme, "Digest")) return error::not_digest;
    if (!in.token68.empty()) return error::malformed_auth_params;
    bool has_realm = false, has_nonce = false;
    for (auto& p : in.params) {
        if (p.name == "realm") {
            out.realm = p.value;
            has_realm = true;
        } else if (p.name == "nonce") {
            out.nonce = p.value;
            has_nonce = true;
        } else if (p.name == "domain") {
            out.domain = p.value;
        } else if (p.name == "opaque") {
            out.opaque = p.value;
            out.has_opaque = true;
        } else if (p.name == "stale") {
            out.stale = detail::is_true(p.value);
        } else if (p.name == "userhash") {
            out.userhash = detail::is_true(p.value);
        } else if (p.name == "charset") {
            out.charset = p.value;
        } else if (p.name == "algorithm") {
            auto a = parse_digest_algorithm(p.value);
            if (!a) return error::unsupported_algorithm;
            out.algorithm = *a;
        } else if (p.name == "qop") {
            // qop-options: quoted comma-separated list; unknown values are ignored.
            std::string_view list = p.value;
            std::size_t pos = 0;
            while (pos <= list.size()) {
                std::size_t comma = list.find(',', pos);
                if (comma == std::string_view::npos) comma = list.size();
                std::string_view item = list.substr(pos, comma - pos);
                while (!item.empty() && (item.front() == ' ' || item.front() == '\t'))
                    item.remove_prefix(1);
                while (!item.empty() && (item.back() == ' ' || item.back() == '\t'))
                    item.remove_suffix(1);
                if (detail::iequals(item, "auth"))
                    out.qop_auth = true;
                else if (detail::iequals(item, "auth-int"))
                    out.qop_auth_int = true;
                pos = comma + 1;
            }
            if (!out.qop_auth && !out.qop_auth_int) return error::invalid_param_value;
        }
        // Unknown parameters are ignored (RFC 7616 section 3.3).
    }
    if (!has_realm || !has_nonce) return error::missing_param;
    return {};
}

/// Parses every challenge of one header value. Digest challenges with a
/// supported algorithm are appended to \p out in order; other schemes
/// (Basic is never used in SIP, RFC 8760 section 2.6) and unknown
/// algorithms are skipped. Errors only for syntax errors.
inline std::error_code parse_digest_challenges(std::string_view header_value,
                                               std::vector<digest_challenge>& out,
                                               const auth_parse_limits& limits = {}) {
    std::vector<auth_scheme_params> raw;
    if (auto ec = parse_auth_header(header_value, raw, limits)) return ec;
    for (auto& r : raw) {
        digest_challenge c;
        auto ec = to_digest_challenge(r, c);
        if (!ec)
            out.push_back(std::move(c));
        else if (ec != error::not_digest && ec != error::unsupported_algorithm)
            return ec;
    }
    return {};
}

/// Serialises a challenge as a header value: `Digest realm="...", ...`.
/// Returns an empty string when a value cannot be represented (CR/LF in a
/// quoted value).
inline std::string to_string(const digest_challenge& c) {
    std::string out = "Digest ";
    bool ok = true;
    detail::append_param_quoted(out, "realm", c.realm, ok);
    if (!c.domain.empty()) detail::append_param_quoted(out, "domain", c.domain, ok);
    detail::append_param_quoted(out, "nonce", c.nonce, ok);
    if (c.has_opaque) detail::append_param_quoted(out, "opaque", c.opaque, ok);
    if (c.stale) detail::append_param_token(out, "stale", "true", ok);
    detail::append_param_token(out, "algorithm", to_string(c.algorithm), ok);
    if (c.qop_auth || c.qop_auth_int) {
        std::string list;
        if (c.qop_auth) list = "auth";
        if (c.qop_auth_int) list += list.empty() ? "auth-int" : ",auth-int";
        detail::append_param_quoted(out, "qop", list, ok);
    }
    if (!c.charset.empty()) detail::append_param_token(out, "charset", c.charset, ok);
    if (c.userhash) detail::append_param_token(out, "userhash", "true", ok);
    return ok ? out : std::string();
}

/// Reads Digest credentials from one header value. Errors: syntax errors,
/// not_digest, duplicate_param, missing_param (username, realm, nonce, uri,
/// response; cnonce and nc when qop is present), invalid_param_value
/// (unknown qop, nc not 8 hex digits), unsupported_algorithm.
inline std::error_code parse_digest_credentials(std::string_view header_value,
                                                digest_credentials& out,
                                                const auth_parse_limits& limits = {}) {
    out = digest_credentials{};
    std::vector<auth_scheme_params> raw;
    auth_parse_limits one = limits;
    one.max_challenges = 1;
    if (auto ec = parse_auth_header(header_value, raw, one)) return ec;
    if (raw.size() != 1) return error::malformed_auth_params;
    auto& in = raw.front();
    if (!detail::iequals(in.scheme, "Digest")) return error::not_digest;
    if (!in.token68.empty()) return error::malformed_auth_params;
    bool has[5] = {};
    bool has_cnonce = false, has_nc = false;
    for (auto& p : in.params) {
        if (p.name == "username") {
            out.username = p.value;
            has[0] = true;
        } else if (p.name == "realm") {
            out.realm = p.value;
            has[1] = true;
        } else if (p.name == "nonce") {
            out.nonce = p.value;
            has[2] = true;
        } else if (p.name == "uri") {
            out.uri = p.value;
            has[3] = true;
        } else if (p.name == "response") {
            out.response = p.value;
            has[4] = true;
        } else if (p.name == "algorithm") {
            auto a = parse_digest_algorithm(p.value);
            if (!a) return error::unsupported_algorithm;
            out.algorithm = *a;
            out.has_algorithm = true;
        } else if (p.name == "qop") {
            if (detail::iequals(p.value, "auth"))
                out.qop = digest_qop::auth;
            else if (detail::iequals(p.value, "auth-int"))
                out.qop = digest_qop::auth_int;
            else
                return error::invalid_param_value;
        } else if (p.name == "cnonce") {
            out.cnonce = p.value;
            has_cnonce = true;
        } else if (p.name == "nc") {
            if (!detail::parse_nc(p.value, out.nc)) return error::invalid_param_value;
            has_nc = true;
        } else if (p.name == "opaque") {
            out.opaque = p.value;
            out.has_opaque = true;
        } else if (p.name == "userhash") {
            out.userhash = detail::is_true(p.value);
        }
    }
    for (bool h : has)
        if (!h) return error::missing_param;
    if (out.qop != digest_qop::none && (!has_cnonce || !has_nc)) return error::missing_param;
    if (out.qop == digest_qop::none) {
        // nc and cnonce only exist with a qop (RFC 7616 section 3.4).
        out.nc = 0;
        out.cnonce.clear();
    }
    return {};
}

/// Serialises credentials as a header value: `Digest username="...", ...`.
/// Empty when a value cannot be represented.
inline std::string to_string(const digest_credentials& c) {
    std::string out = "Digest ";
    bool ok = true;
    detail::append_param_quoted(out, "username", c.username, ok);
    detail::append_param_quoted(out, "realm", c.realm, ok);
    detail::append_param_quoted(out, "nonce", c.nonce, ok);
    detail::append_param_quoted(out, "uri", c.uri, ok);
    detail::append_param_quoted(out, "response", c.response, ok);
    if (c.has_algorithm) detail::append_param_token(out, "algorithm", to_string(c.algorithm), ok);
    if (c.qop != digest_qop::none) {
        detail::append_param_token(out, "qop", to_string(c.qop), ok);
        detail::append_param_token(out, "nc", detail::format_nc(c.nc), ok);
        detail::append_param_quoted(out, "cnonce", c.cnonce, ok);
    }
    if (c.has_opaque) detail::append_param_quoted(out, "opaque", c.opaque, ok);
    if (c.userhash) detail::append_param_token(out, "userhash", "true", ok);
    return ok ? out : std::string();
}

// ---------------------------------------------------------------------------
// Response computation (RFC 7616 section 3.4.1 - 3.4.4)

/// H(user ":" realm ":" password), hex: what a server may store instead of
/// the password (one per hash function).
inline std::string digest_user_hash_a1(crypto::hash_algorithm h, std::string_view username,
                                       std::string_view realm, std::string_view password) {
    return crypto::hasher(h)
        .update(username)
        .update(":")
        .update(realm)
        .update(":")
        .update(password)
        .finish_hex();
}

/// The userhash username, H(user ":" realm) hex (RFC 7616 section 3.4.4).
inline std::string digest_userhash(digest_algorithm a, std::string_view username,
                                   std::string_view realm) {
    return crypto::hasher(hash_of(a)).update(username).update(":").update(realm).finish_hex();
}

/// The inputs of one response computation.
struct digest_input {
    digest_algorithm algorithm = digest_algorithm::md5;
    std::string_view method; ///< SIP method, or `GET` for the WebSocket handshake
    std::string_view uri;    ///< Request-URI / request-target, as sent in `uri`
    std::string_view nonce;
    std::string_view cnonce; ///< required with a qop
    std::uint32_t nc = 1;
    digest_qop qop = digest_qop::auth;
    std::string_view body; ///< entity body, for auth-int only
};

/// The `response` value from H(user:realm:password) in hex (\p user_ha1,
/// see digest_user_hash_a1, computed with hash_of(in.algorithm)).
/// With qop none this is the RFC 2069 form H(HA1:nonce:HA2).
inline std::string digest_response_from_ha1(std::string_view user_ha1, const digest_input& in) {
    const auto h = hash_of(in.algorithm);
    std::string ha1(user_ha1);
    if (is_session(in.algorithm))
        ha1 = crypto::hasher(h)
                  .update(user_ha1)
                  .update(":")
                  .update(in.nonce)
                  .update(":")
                  .update(in.cnonce)
                  .finish_hex();
    crypto::hasher a2(h);
    a2.update(in.method).update(":").update(in.uri);
    if (in.qop == digest_qop::auth_int) a2.update(":").update(crypto::hash_hex(h, in.body));
    const std::string ha2 = a2.finish_hex();
    crypto::hasher r(h);
    r.update(ha1).update(":").update(in.nonce).update(":");
    if (in.qop != digest_qop::none) {
        r.update(detail::format_nc(in.nc))
            .update(":")
            .update(in.cnonce)
            .update(":")
            .update(to_string(in.qop))
            .update(":");
    }
    r.update(ha2);
    return r.finish_hex();
}

/// The `response` value from the clear-text password.
inline std::string digest_response(std::string_view username, std::string_view realm,
                                   std::string_view password, const digest_input& in) {
    return digest_response_from_ha1(
        digest_user_hash_a1(hash_of(in.algorithm), username, realm, password), in);
}

} // namespace sipws::rfc7118

#endif
