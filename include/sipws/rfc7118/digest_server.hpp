// Distributed under the Boost Software License, Version 1.0.
#ifndef SIPWS_RFC7118_DIGEST_SERVER_HPP
#define SIPWS_RFC7118_DIGEST_SERVER_HPP

/// \file
/// The server side of Digest authentication (RFC 3261 section 22.3,
/// RFC 7616, RFC 8760) for a UAS, registrar or proxy, and for the
/// WebSocket handshake's 401.
///
/// Challenges: one per configured algorithm, most preferred first, all
/// with the same nonce and always with `qop` (RFC 8760 sections 2.3, 2.6).
///
/// Nonces are stateless and unforgeable:
///     nonce = base64url( issued(8, big endian seconds) | random(12) | mac(16) )
///     mac   = HMAC-SHA-256(key, "sipws digest nonce" | realm | issued | random)[0..16)
/// so a server verifies a nonce it issued without remembering it; a nonce
/// older than nonce_lifetime answers digest_status::stale (the caller
/// re-challenges with stale=true, RFC 7616 section 3.3).
///
/// Replays: per nonce, the highest nc seen and a 64-bit bitmap of the nc
/// values below it (the IPsec anti-replay window, RFC 4303 section 3.4.3).
/// An nc already seen, or more than 64 below the highest, is a replay. The
/// table is bounded (max_tracked_nonces): when full the oldest nonce is
/// dropped and every nonce issued at or before it is answered `stale`
/// from then on, so eviction can never re-open a replay. Expired nonces
/// are purged as a side effect of verify(). Memory is O(max_tracked_nonces).
///
/// verify() compares the response in constant time. It is thread-safe
/// (one mutex around the replay table).

#include <sipws/crypto/base64.hpp>
#include <sipws/crypto/hmac.hpp>
#include <sipws/crypto/random.hpp>
#include <sipws/rfc7118/digest.hpp>

#include <array>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace sipws::rfc7118 {

/// The outcome of verify(); anything but ok calls for a new challenge.
enum class digest_status {
    ok,                    ///< credentials valid, nonce fresh, nc not seen before
    stale,                 ///< valid credentials but an expired nonce: challenge with stale=true
    wrong_credentials,     ///< the response does not match (wrong password)
    replay,                ///< nc already used with this nonce (or too far behind)
    malformed,             ///< the header value does not parse or lacks parameters
    unknown_user,          ///< the lookup does not know the user
    invalid_nonce,         ///< not a nonce of this server (forged, tampered, other key)
    realm_mismatch,        ///< realm is not ours
    algorithm_not_offered, ///< an algorithm this server does not offer
    qop_missing,           ///< no qop although every challenge has one
    opaque_mismatch,       ///< opaque differs from the one this server sends
    uri_mismatch,          ///< uri differs from the request's URI (when checked)
};

constexpr std::string_view to_string(digest_status s) noexcept {
    switch (s) {
    case digest_status::ok:
        return "ok";
    case digest_status::stale:
        return "stale";
    case digest_status::wrong_credentials:
        return "wrong credentials";
    case digest_status::replay:
        return "replay";
    case digest_status::malformed:
        return "malformed";
    case digest_status::unknown_user:
        return "unknown user";
    case digest_status::invalid_nonce:
        return "invalid nonce";
    case digest_status::realm_mismatch:
        return "realm mismatch";
    case digest_status::algorithm_not_offered:
        return "algorithm not offered";
    case digest_status::qop_missing:
        return "qop missing";
    case digest_status::opaque_mismatch:
        return "opaque mismatch";
    case digest_status::uri_mismatch:
        return "uri mismatch";
    }
    return "";
}

/// What a user lookup returns: the user's name and either the clear-text
/// password or H(user:realm:password) in hex for the hash of the
/// credentials' algorithm (see digest_user_hash_a1).
struct digest_secret {
    std::string username;
    std::string password;
    std::string ha1; ///< used when not empty
};

struct digest_server_options {
    digest_server_options() = default;
    explicit digest_server_options(std::string r) : realm(std::move(r)) {}

    std::string realm;
    /// Offered algorithms, most preferred first (RFC 8760 section 2.3).
    std::vector<digest_algorithm> algorithms{digest_algorithm::sha512_256, digest_algorithm::sha256,
                                             digest_algorithm::md5};
    bool offer_auth_int = false;
    bool userhash = false; ///< add userhash=true to challenges
    std::string opaque;    ///< sent and checked when not empty
    std::chrono::seconds nonce_lifetime{300};
    std::size_t max_tracked_nonces = 8192;
    /// HMAC key for nonces; 32 random octets when empty. Share it between
    /// the servers of a cluster so that any of them accepts the nonces.
    std::string key;
    auth_parse_limits limits{};
};

/// The result of verify(): a status and, on ok, the authenticated user.
struct digest_verification {
    digest_status status = digest_status::malformed;
    std::string username;
    digest_credentials credentials;
    explicit operator bool() const noexcept { return status == digest_status::ok; }
};

class digest_server {
public:
    using clock = std::chrono::system_clock;

    explicit digest_server(digest_server_options options)
        : options_(std::move(options)),
          nonce_key_(options_.key.empty() ? (options_.key = crypto::random_bytes(32)) : options_.key) {
        if (options_.algorithms.empty()) options_.algorithms.push_back(digest_algorithm::sha256);
        if (options_.max_tracked_nonces == 0) options_.max_tracked_nonces = 1;
    }

    const digest_server_options& options() const noexcept { return options_; }

    /// A fresh nonce issued at \p now.
    std::string make_nonce(clock::time_point now = clock::now()) const {
        std::array<unsigned char, nonce_size> raw{};
        auto secs = static_cast<std::uint64_t>(
            std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count());
        for (int i = 0; i < 8; ++i)
            raw[static_cast<std::size_t>(i)] = static_cast<unsigned char>(secs >> (56 - 8 * i));
        crypto::random_bytes(raw.data() + 8, 12);
        auto mac = nonce_mac(raw.data());
        std::memcpy(raw.data() + 20, mac.data(), 16);
        return crypto::base64url_encode(
            std::string_view(reinterpret_cast<const char*>(raw.data()), raw.size()));
    }

    /// The challenge header values (WWW-Authenticate or Proxy-Authenticate),
    /// one per offered algorithm in preference order, sharing one nonce.
    std::vector<std::string> challenges(bool stale = false,
                                        clock::time_point now = clock::now()) const {
        std::vector<std::string> out;
        const std::string nonce = make_nonce(now);
        for (auto a : options_.algorithms) {
            digest_challenge c;
            c.realm = options_.realm;
            c.nonce = nonce;
            c.algorithm = a;
            c.stale = stale;
            c.qop_auth = true;
            c.qop_auth_int = options_.offer_auth_int;
            c.userhash = options_.userhash;
            if (!options_.opaque.empty()) {
                c.opaque = options_.opaque;
                c.has_opaque = true;
            }
            out.push_back(to_string(c));
        }
        return out;
    }

    /// Verifies one Authorization / Proxy-Authorization header value for a
    /// request with \p method (SIP method, or `GET` for the WebSocket
    /// handshake) and \p body (for auth-int). When \p request_uri is not
    /// empty, the credentials' uri must equal it.
    ///
    /// \p lookup is called as `std::optional<digest_secret>(const
    /// digest_credentials&)`; with credentials.userhash the username is
    /// H(user:realm) and the lookup must map it back (the server checks it).
    template <class Lookup>
    digest_verification verify(std::string_view header_value, std::string_view method,
                               Lookup&& lookup, std::string_view request_uri = {},
                               std::string_view body = {}, clock::time_point now = clock::now()) {
        static_assert(
            std::is_invocable_r_v<std::optional<digest_secret>, Lookup&, const digest_credentials&>,
            "sipws: the digest lookup must be callable as "
            "std::optional<digest_secret>(const digest_credentials&)");
        digest_verification v;
        auto& c = v.credentials;
        if (parse_digest_credentials(header_value, c, options_.limits)) return v;
        auto fail = [&](digest_status s) {
            v.status = s;
            return v;
        };
        if (c.realm != options_.realm) return fail(digest_status::realm_mismatch);
        bool offered = false;
        for (auto a : options_.algorithms) offered = offered || a == c.algorithm;
        if (!offered) return fail(digest_status::algorithm_not_offered);
        if (c.qop == digest_qop::none) return fail(digest_status::qop_missing);
        if (c.qop == digest_qop::auth_int && !options_.offer_auth_int)
            return fail(digest_status::malformed);
        if (c.nc == 0) return fail(digest_status::malformed);
        if (!options_.opaque.empty() && (!c.has_opaque || c.opaque != options_.opaque))
            return fail(digest_status::opaque_mismatch);
        if (!request_uri.empty() && c.uri != request_uri) return fail(digest_status::uri_mismatch);

        std::array<unsigned char, nonce_size> raw{};
        if (!decode_nonce(c.nonce, raw)) return fail(digest_status::invalid_nonce);

        std::optional<digest_secret> secret = lookup(static_cast<const digest_credentials&>(c));
        if (!secret) return fail(digest_status::unknown_user);
        if (c.userhash) {
            auto expected = digest_userhash(c.algorithm, secret->username, c.realm);
            if (expected.size() != c.username.size() ||
                !crypto::constant_time_equal(expected.data(), c.username.data(), expected.size()))
                return fail(digest_status::unknown_user);
        } else if (secret->username != c.username) {
            return fail(digest_status::unknown_user);
        }
        digest_input in;
        in.algorithm = c.algorithm;
        in.method = method;
        in.uri = c.uri;
        in.nonce = c.nonce;
        in.cnonce = c.cnonce;
        in.nc = c.nc;
        in.qop = c.qop;
        in.body = body;
        const std::string ha1 = !secret->ha1.empty()
                                    ? secret->ha1
                                    : digest_user_hash_a1(hash_of(c.algorithm), secret->username,
                                                          c.realm, secret->password);
        const std::string expected = digest_response_from_ha1(ha1, in);
        if (expected.size() != c.response.size() ||
            !crypto::constant_time_equal(expected.data(), c.response.data(), expected.size()))
            return fail(digest_status::wrong_credentials);

        const std::uint64_t issued = read_issued(raw);
        const auto now_s = static_cast<std::uint64_t>(
            std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count());
        const auto lifetime = static_cast<std::uint64_t>(options_.nonce_lifetime.count());
        if (issued > now_s + 60)
            return fail(digest_status::invalid_nonce); // not issued by a sane clock
        if (now_s > issued + lifetime) return fail(digest_status::stale);

        std::lock_guard<std::mutex> lock(mutex_);
        purge(now_s, lifetime);
        nonce_id id{};
        std::memcpy(id.data(), raw.data(), id.size());
        auto it = table_.find(id);
        if (it == table_.end()) {
            // Forgotten after eviction: its replay history is gone.
            if (has_watermark_ && !(watermark_ < id)) return fail(digest_status::stale);
            if (table_.size() >= options_.max_tracked_nonces) {
                auto oldest = table_.begin();
                watermark_ = oldest->first;
                has_watermark_ = true;
                table_.erase(oldest);
                if (!(watermark_ < id)) return fail(digest_status::stale);
            }
            it = table_.emplace(id, window{}).first;
        }
        if (!accept_nc(it->second, c.nc)) return fail(digest_status::replay);
        v.status = digest_status::ok;
        v.username = secret->username;
        return v;
    }

    /// Nonces whose replay state is currently held.
    std::size_t tracked_nonces() const {
        std::lock_guard<std::mutex> lock(mutex_);
        return table_.size();
    }

private:
    static constexpr std::size_t nonce_size = 36;
    using nonce_id = std::array<unsigned char, 20>; // issued | random: sorts by age

    struct window {
        std::uint32_t highest = 0;
        std::uint64_t seen = 0; // bit i: nc == highest - i was accepted
    };

    static bool accept_nc(window& w, std::uint32_t nc) noexcept {
        if (nc > w.highest) {
            std::uint32_t shift = nc - w.highest;
            w.seen = shift >= 64 ? 0 : (w.seen << shift);
            w.seen |= 1;
            w.highest = nc;
            return true;
        }
        std::uint32_t diff = w.highest - nc;
        if (diff >= 64) return false;
        std::uint64_t bit = std::uint64_t{1} << diff;
        if (w.seen & bit) return false;
        w.seen |= bit;
        return true;
    }

    crypto::hmac_sha256_digest nonce_mac(const unsigned char* issued_and_random) const {
        std::string msg = "sipws digest nonce";
        msg.push_back('\0');
        msg += options_.realm;
        msg.push_back('\0');
        msg.append(reinterpret_cast<const char*>(issued_and_random), 20);
        return nonce_key_.mac(msg);
    }

    bool decode_nonce(std::string_view nonce, std::array<unsigned char, nonce_size>& raw) const {
        if (nonce.size() != crypto::base64_encoded_size(nonce_size)) return false;
        auto bytes = crypto::base64url_decode(nonce);
        if (!bytes || bytes->size() != nonce_size) return false;
        std::memcpy(raw.data(), bytes->data(), nonce_size);
        auto mac = nonce_mac(raw.data());
        return crypto::constant_time_equal(mac.data(), raw.data() + 20, 16);
    }

    static std::uint64_t read_issued(const std::array<unsigned char, nonce_size>& raw) noexcept {
        std::uint64_t v = 0;
        for (int i = 0; i < 8; ++i) v = (v << 8) | raw[static_cast<std::size_t>(i)];
        return v;
    }

    void purge(std::uint64_t now_s, std::uint64_t lifetime) {
        while (!table_.empty()) {
            std::uint64_t issued = 0;
            for (int i = 0; i < 8; ++i)
                issued = (issued << 8) | table_.begin()->first[static_cast<std::size_t>(i)];
            if (now_s <= issued + lifetime) break;
            table_.erase(table_.begin());
        }
    }

    digest_server_options options_;
    crypto::hmac_sha256_key nonce_key_; ///< options_.key, prepared
    mutable std::mutex mutex_;
    std::map<nonce_id, window> table_;
    nonce_id watermark_{};
    bool has_watermark_ = false;
};

} // namespace sipws::rfc7118

#endif
