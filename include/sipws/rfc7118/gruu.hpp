// Distributed under the Boost Software License, Version 1.0.
#ifndef SIPWS_RFC7118_GRUU_HPP
#define SIPWS_RFC7118_GRUU_HPP

/// \file
/// GRUU minting and recognition for a registrar (RFC 5627).
///
/// Public GRUU (section 3.1): the AOR plus `;gr=<instance URN>`, e.g.
/// `sip:alice@example.com;gr=urn:uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6`.
///
/// Temporary GRUU (sections 3.2, 5.1): `sip:<token>@<domain>;gr` where the
/// token is the AES-256-GCM encryption of (AOR, instance-id, a tag of the
/// registration's Call-ID) under a registrar key:
///
///     token     = base64url( key id(1) | iv(12) | ciphertext | tag(16) )
///     plaintext = version(1) | call-id tag(12) | len(2) | AOR | instance | zero padding
///     instance  = 0x01 | 16 octets          (a lower-case `urn:uuid:` URN, restored exactly)
///               / 0x00 | len(2) | octets    (any other instance-id)
///     aad       = "sipws temp-gruu" | key id
///
/// - Opaque and unlinkable: the IV is random per mint, so two temporary
///   GRUUs of one AOR share nothing but the key id; the plaintext is padded
///   to a multiple of 32 octets so the length reveals only a size class.
/// - Unforgeable: GCM's tag authenticates everything (2^-128 forgery odds).
/// - Stateless: the registrar recovers AOR and instance from the GRUU
///   itself and looks up the binding; no table of minted GRUUs is kept, so
///   a new one per REGISTER costs nothing (GR5627-5.1-d).
/// - Invalidation: the Call-ID tag (first 12 octets of SHA-256 of the
///   Call-ID) must equal the tag of the binding's current Call-ID; when a
///   UA registers with a new Call-ID all earlier temporary GRUUs stop
///   resolving (GR5627-5.1-c), and they die with the binding (5.3). Use
///   temp_gruu_codec::call_id_matches() against the stored binding.
/// - Key rotation: a current key (mints and resolves) and a previous key
///   (resolves only). Retiring a key invalidates its temporary GRUUs.

#include <sipws/crypto/aes_gcm.hpp>
#include <sipws/crypto/base64.hpp>
#include <sipws/crypto/hash.hpp>
#include <sipws/crypto/hmac.hpp>
#include <sipws/crypto/random.hpp>
#include <sipws/rfc7118/auth_params.hpp>
#include <sipws/rfc7118/error.hpp>

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>

namespace sipws::rfc7118 {

namespace detail {

constexpr bool is_gr_paramchar(char c) noexcept {
    // paramchar = param-unreserved / unreserved (RFC 3261 section 25.1)
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
    switch (c) {
    case '[':
    case ']':
    case '/':
    case ':':
    case '&':
    case '+':
    case '$':
    case '-':
    case '_':
    case '.':
    case '!':
    case '~':
    case '*':
    case '\'':
    case '(':
    case ')':
        return true;
    default:
        return false;
    }
}

/// Where the uri-parameters of a SIP URI begin (the first ';' after the
/// host), where its headers begin ('?' after the host), or npos.
inline void uri_sections(std::string_view uri, std::size_t& params, std::size_t& headers) noexcept {
    std::size_t at = uri.find('@');
    std::size_t host = at == std::string_view::npos ? uri.find(':') : at;
    if (host == std::string_view::npos) host = 0;
    params = uri.find(';', host);
    headers = uri.find('?', host);
    if (params != std::string_view::npos && headers != std::string_view::npos && headers < params)
        params = std::string_view::npos;
}

} // namespace detail

/// The `gr` URI parameter of \p uri: nullopt when absent, an empty view for
/// a valueless `;gr`, else the (still escaped) value. Names compare
/// case-insensitively.
inline std::optional<std::string_view> gr_param(std::string_view uri) noexcept {
    std::size_t params = 0, headers = 0;
    detail::uri_sections(uri, params, headers);
    if (params == std::string_view::npos) return std::nullopt;
    std::string_view rest = uri.substr(
        params, headers == std::string_view::npos ? std::string_view::npos : headers - params);
    while (!rest.empty()) {
        rest.remove_prefix(1); // ';'
        std::size_t end = rest.find(';');
        std::string_view p = rest.substr(0, end);
        std::size_t eq = p.find('=');
        if (detail::iequals(p.substr(0, eq), "gr"))
            return eq == std::string_view::npos ? std::string_view() : p.substr(eq + 1);
        if (end == std::string_view::npos) break;
        rest.remove_prefix(end);
    }
    return std::nullopt;
}

/// True when \p uri carries the `gr` parameter (E1-F4-d): the test that
/// tells a GRUU from its AOR, which plain RFC 3261 URI comparison cannot.
inline bool is_gruu(std::string_view uri) noexcept {
    return gr_param(uri).has_value();
}

/// The public GRUU: \p aor (a bare SIP URI, no angle brackets) plus
/// `;gr=<instance>` with the characters a pvalue cannot hold %-escaped,
/// placed before any `?headers`. Throws std::invalid_argument when the AOR
/// already is a GRUU or the instance is empty.
inline std::string make_pub_gruu(std::string_view aor, std::string_view instance) {
    if (instance.empty()) throw std::invalid_argument("sipws: empty instance-id");
    if (is_gruu(aor)) throw std::invalid_argument("sipws: AOR already carries gr");
    std::size_t params = 0, headers = 0;
    detail::uri_sections(aor, params, headers);
    std::string out(aor.substr(0, headers));
    out += ";gr=";
    static constexpr char hex[] = "0123456789ABCDEF";
    for (char c : instance) {
        if (detail::is_gr_paramchar(c)) {
            out.push_back(c);
        } else {
            auto u = static_cast<unsigned char>(c);
            out.push_back('%');
            out.push_back(hex[u >> 4]);
            out.push_back(hex[u & 15]);
        }
    }
    if (headers != std::string_view::npos) out += aor.substr(headers);
    return out;
}

/// `"<uri>"` with `"` and `\` escaped: the value of the Contact parameters
/// `pub-gruu` and `temp-gruu` (RFC 5627 section 7).
inline std::string quote_gruu(std::string_view uri) {
    std::string out;
    if (!detail::append_quoted(out, uri)) return {};
    return out;
}

/// The URI inside a `pub-gruu` / `temp-gruu` value (quoted-pairs resolved);
/// nullopt when \p value is not exactly one quoted-string.
inline std::optional<std::string> unquote_gruu(std::string_view value) {
    std::size_t pos = 0;
    std::string out;
    if (!detail::read_quoted_string(value, pos, out, value.size()) || pos != value.size())
        return std::nullopt;
    return out;
}

/// What a temporary GRUU resolves to.
struct temp_gruu_content {
    std::string aor;
    std::string instance;
    std::string call_id_tag; ///< 12 octets; compare with temp_gruu_codec::call_id_matches
};

struct temp_gruu_limits {
    std::size_t max_field_size = 1024; ///< AOR and instance, each
};

class temp_gruu_codec {
public:
    struct key {
        std::uint8_t id = 0;
        std::string secret; ///< exactly 32 octets
        static key generate(std::uint8_t id) { return {id, crypto::random_bytes(32)}; }
    };

    using limits = temp_gruu_limits;

    explicit temp_gruu_codec(key current, std::optional<key> previous = {}, limits l = {})
        : current_(std::move(current)), previous_(std::move(previous)), limits_(l) {
        check(current_);
        if (previous_) {
            check(*previous_);
            if (previous_->id == current_.id)
                throw std::invalid_argument("sipws: temp-gruu keys need distinct ids");
        }
    }

    void rotate(key next) {
        check(next);
        if (next.id == current_.id)
            throw std::invalid_argument("sipws: temp-gruu keys need distinct ids");
        previous_ = std::move(current_);
        current_ = std::move(next);
    }

    /// The tag of a Call-ID as stored in temporary GRUUs.
    static std::string call_id_tag(std::string_view call_id) {
        return crypto::hash(crypto::hash_algorithm::sha256, call_id).substr(0, 12);
    }

    /// True when \p content was minted for the registration with \p call_id.
    static bool call_id_matches(const temp_gruu_content& content, std::string_view call_id) {
        auto t = call_id_tag(call_id);
        return content.call_id_tag.size() == t.size() &&
               crypto::constant_time_equal(t.data(), content.call_id_tag.data(), t.size());
    }

    /// A fresh token (user part) for (AOR, instance) registered with \p call_id.
    /// Throws std::invalid_argument when a field exceeds the limits.
    std::string mint_user(std::string_view aor, std::string_view instance,
                          std::string_view call_id) const {
        if (aor.size() > limits_.max_field_size || instance.size() > limits_.max_field_size)
            throw std::invalid_argument("sipws: temp-gruu field too long");
        std::string pt;
        pt.push_back(static_cast<char>(version));
        pt += call_id_tag(call_id);
        append_field(pt, aor);
        append_instance(pt, instance);
        pt.resize((pt.size() + 31) / 32 * 32, '\0');
        std::string iv = crypto::random_bytes(crypto::aes_gcm_iv_size);
        std::string raw(1, static_cast<char>(current_.id));
        raw += iv;
        raw += crypto::aes256_gcm_seal(current_.secret, iv, aad(current_.id), pt);
        return crypto::base64url_encode(raw);
    }

    /// `sip:<token>@<domain>;gr` (\p domain is host[:port] of the registrar).
    std::string mint(std::string_view aor, std::string_view instance, std::string_view call_id,
                     std::string_view domain, bool sips = false) const {
        std::string out = sips ? "sips:" : "sip:";
        out += mint_user(aor, instance, call_id);
        out += '@';
        out += domain;
        out += ";gr";
        return out;
    }

    /// Resolves a token (the user part of a temporary GRUU). Errors:
    /// token_malformed, token_unknown_key, token_forged (tampered, forged,
    /// or from another registrar).
    std::error_code resolve_user(std::string_view token, temp_gruu_content& out) const {
        const std::size_t max_raw = 1 + crypto::aes_gcm_iv_size + crypto::aes_gcm_tag_size +
                                    (1 + 12 + 5 + 2 * limits_.max_field_size + 31) / 32 * 32;
        if (token.size() > crypto::base64_encoded_size(max_raw)) return error::token_malformed;
        auto raw = crypto::base64url_decode(token);
        const std::size_t min_raw = 1 + crypto::aes_gcm_iv_size + 32 + crypto::aes_gcm_tag_size;
        if (!raw || raw->size() < min_raw) return error::token_malformed;
        auto id = static_cast<std::uint8_t>((*raw)[0]);
        const key* k = id == current_.id                  ? &current_
                       : previous_ && id == previous_->id ? &*previous_
                                                          : nullptr;
        if (!k) return error::token_unknown_key;
        std::string_view rv(*raw);
        auto pt = crypto::aes256_gcm_open(k->secret, rv.substr(1, crypto::aes_gcm_iv_size), aad(id),
                                          rv.substr(1 + crypto::aes_gcm_iv_size));
        if (!pt) return error::token_forged;
        // Authenticated from here on; still parse defensively.
        std::string_view p(*pt);
        if (p.size() < 13 || static_cast<unsigned char>(p[0]) != version)
            return error::token_malformed;
        temp_gruu_content c;
        c.call_id_tag.assign(p.substr(1, 12));
        p.remove_prefix(13);
        if (!read_field(p, c.aor) || !read_instance(p, c.instance)) return error::token_malformed;
        for (char ch : p)
            if (ch != '\0') return error::token_malformed;
        out = std::move(c);
        return {};
    }

    /// Resolves a whole temporary GRUU URI: it must carry `gr` and a user part.
    std::error_code resolve(std::string_view uri, temp_gruu_content& out) const {
        if (!is_gruu(uri)) return error::token_malformed;
        std::size_t colon = uri.find(':');
        std::size_t at = uri.find('@');
        if (colon == std::string_view::npos || at == std::string_view::npos || at < colon)
            return error::token_malformed;
        return resolve_user(uri.substr(colon + 1, at - colon - 1), out);
    }

private:
    static constexpr unsigned char version = 1;

    static void check(const key& k) {
        if (k.secret.size() != crypto::aes_gcm_key_size)
            throw std::invalid_argument("sipws: temp-gruu key must be 32 octets");
    }

    static std::string aad(std::uint8_t id) {
        std::string a = "sipws temp-gruu";
        a.push_back(static_cast<char>(id));
        return a;
    }

    static void append_field(std::string& out, std::string_view f) {
        out.push_back(static_cast<char>(f.size() >> 8));
        out.push_back(static_cast<char>(f.size() & 0xff));
        out += f;
    }

    static int hex_value(char c) noexcept {
        return (c >= '0' && c <= '9') ? c - '0' : (c >= 'a' && c <= 'f') ? c - 'a' + 10 : -1;
    }

    static void append_instance(std::string& out, std::string_view inst) {
        constexpr std::string_view prefix = "urn:uuid:";
        bool compact = inst.size() == prefix.size() + 36 && inst.substr(0, prefix.size()) == prefix;
        for (std::size_t i = prefix.size(); compact && i < inst.size(); ++i) {
            std::size_t k = i - prefix.size();
            compact = (k == 8 || k == 13 || k == 18 || k == 23) ? inst[i] == '-'
                                                                : hex_value(inst[i]) >= 0;
        }
        if (!compact) {
            out.push_back('\0');
            append_field(out, inst);
            return;
        }
        out.push_back('\1');
        int hi = -1;
        for (char c : inst.substr(prefix.size())) {
            if (c == '-') continue;
            if (hi < 0) {
                hi = hex_value(c);
            } else {
                out.push_back(static_cast<char>(hi * 16 + hex_value(c)));
                hi = -1;
            }
        }
    }

    static bool read_instance(std::string_view& in, std::string& out) {
        if (in.empty()) return false;
        char kind = in[0];
        in.remove_prefix(1);
        if (kind == '\0') return read_field(in, out);
        if (kind != '\1' || in.size() < 16) return false;
        static constexpr char hex[] = "0123456789abcdef";
        out = "urn:uuid:";
        for (int i = 0; i < 16; ++i) {
            if (i == 4 || i == 6 || i == 8 || i == 10) out.push_back('-');
            auto b = static_cast<unsigned char>(in[static_cast<std::size_t>(i)]);
            out.push_back(hex[b >> 4]);
            out.push_back(hex[b & 15]);
        }
        in.remove_prefix(16);
        return true;
    }

    static bool read_field(std::string_view& in, std::string& out) {
        if (in.size() < 2) return false;
        std::size_t n = (std::size_t(static_cast<unsigned char>(in[0])) << 8) |
                        static_cast<unsigned char>(in[1]);
        if (in.size() - 2 < n) return false;
        out.assign(in.substr(2, n));
        in.remove_prefix(2 + n);
        return true;
    }

    key current_;
    std::optional<key> previous_;
    limits limits_;
};

} // namespace sipws::rfc7118

#endif
