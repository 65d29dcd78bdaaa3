// Distributed under the Boost Software License, Version 1.0.
#ifndef SIPWS_RFC7118_FLOW_TOKEN_HPP
#define SIPWS_RFC7118_FLOW_TOKEN_HPP

/// \file
/// Flow tokens for an Outbound edge proxy (RFC 5626 section 5.2): the user
/// part of the Path / Record-Route URI that names the flow a request came
/// on, so that requests routed back can find it.
///
/// A flow is named by the 64-bit id the transport's flow registry assigned
/// plus a 32-bit generation (the registry bumps it when it reuses an id), so
/// a token of a closed flow can never reach a new flow that recycled the id.
///
/// Token (26 octets, 35 characters of unpadded base64url, safe in a SIP
/// URI user part since base64url's alphabet is all `unreserved`):
///
///     version(1) = 1 | key id(1) | flow id(8, BE) | generation(4, BE) | mac(12)
///     mac = HMAC-SHA-256(key, "sipws flow token" 0x00 | first 14 octets)[0..12)
///
/// The MAC is truncated to 96 bits (as HMAC-SHA-256-128 and the RFC 5626
/// example HMAC-SHA1-80 do): a forger succeeds with probability 2^-96 per
/// attempt. Key rotation: the codec holds a current key (used to sign) and
/// optionally the previous one (still accepted); the key id in the token
/// selects which, so a token of another or a retired key is told apart
/// (error::token_unknown_key) from a forged one (error::token_forged).
/// Decoding is strict (canonical base64url), so altering any character of
/// a token makes it fail.
///
/// A proxy encodes the token of the same flow and decodes the tokens it
/// minted again and again (each forwarded request and its responses), so
/// each thread remembers the last tokens it minted or authenticated, per
/// key set: encoding a remembered flow costs no MAC, and a token that equals
/// (compared in constant time) one already authenticated under the same keys
/// is accepted without computing its MAC again. Any other token, whatever it
/// resembles, is decoded and authenticated in full.

#include <sipws/crypto/base64.hpp>
#include <sipws/crypto/hmac.hpp>
#include <sipws/crypto/random.hpp>
#include <sipws/rfc7118/error.hpp>

#include <array>
#include <atomic>
#include <cstdint>
#include <cstring>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>

namespace sipws::rfc7118 {

/// What a flow token carries.
struct flow_identity {
    std::uint64_t flow_id = 0;
    std::uint32_t generation = 0;

    friend bool operator==(const flow_identity& a, const flow_identity& b) noexcept {
        return a.flow_id == b.flow_id && a.generation == b.generation;
    }
    friend bool operator!=(const flow_identity& a, const flow_identity& b) noexcept {
        return !(a == b);
    }
};

/// A signing key and the id that names it inside tokens.
struct flow_token_key {
    std::uint8_t id = 0;
    std::string secret; ///< at least 16 octets (32 recommended)

    /// A fresh key of 32 random octets.
    static flow_token_key generate(std::uint8_t id) { return {id, crypto::random_bytes(32)}; }
};

class flow_token_codec {
public:
    static constexpr std::size_t raw_size = 26;
    static constexpr std::size_t token_size = 35; ///< characters of an encoded token
    static constexpr std::size_t mac_size = 12;

    /// Throws std::invalid_argument for a key shorter than 16 octets or a
    /// previous key with the same id as the current one.
    explicit flow_token_codec(flow_token_key current, std::optional<flow_token_key> previous = {})
        : current_(std::move(current)), previous_(std::move(previous)) {
        check(current_);
        if (previous_) {
            check(*previous_);
            if (previous_->id == current_.id)
                throw std::invalid_argument("sipws: flow token keys need distinct ids");
        }
        prepare();
    }

    /// Makes \p next the signing key; the current one stays valid as previous.
    void rotate(flow_token_key next) {
        check(next);
        if (next.id == current_.id)
            throw std::invalid_argument("sipws: flow token keys need distinct ids");
        previous_ = std::move(current_);
        current_ = std::move(next);
        prepare();
    }

    std::uint8_t current_key_id() const noexcept { return current_.id; }

    /// The token for \p flow under the current key.
    std::string encode(const flow_identity& flow) const {
        token_memory::entry* set = token_memory::by_flow(flow);
        for (int k = 0; k < 2; ++k)
            if (set[k].serial == serial_ && set[k].id == flow) return std::string(set[k].token, token_size);
        std::string t = encode_uncached(flow);
        remember(set, flow, t);
        remember(token_memory::by_token(t), flow, t);
        return t;
    }

    /// Decodes and authenticates \p token. Errors: token_malformed,
    /// token_unknown_key, token_forged.
    std::error_code decode(std::string_view token, flow_identity& out) const {
        if (token.size() != token_size) return error::token_malformed;
        token_memory::entry* set = token_memory::by_token(token);
        for (int k = 0; k < 2; ++k) {
            if (set[k].serial == serial_ && crypto::constant_time_equal(set[k].token, token.data(), token_size)) {
                out = set[k].id;
                return {};
            }
        }
        flow_identity f;
        if (std::error_code ec = decode_uncached(token, f)) return ec;
        remember(set, f, token);
        out = f;
        return {};
    }

private:
    static constexpr unsigned char version = 1;

    /// This thread's memory of minted and authenticated tokens (see the
    /// file comment): two tables (by flow, by token text) of two-way sets.
    struct token_memory {
        struct entry {
            std::uint64_t serial = 0; ///< of the codec's key set; 0: empty
            flow_identity id;
            char token[token_size];
        };
        static constexpr std::size_t sets = 512; // per table, a power of two
        static entry* table(bool tokens) {
            thread_local std::unique_ptr<entry[]> t(new entry[2 * 2 * sets]()); // on first use only
            return t.get() + (tokens ? 2 * sets : 0);
        }
        static entry* by_flow(const flow_identity& f) {
            std::uint64_t h = (f.flow_id ^ (std::uint64_t(f.generation) << 32)) * 0x9e3779b97f4a7c15ull;
            return table(false) + 2 * (h >> 55);
        }
        static entry* by_token(std::string_view t) {
            std::uint64_t h = 0xcbf29ce484222325ull; // FNV-1a
            for (char c : t) h = (h ^ static_cast<unsigned char>(c)) * 0x100000001b3ull;
            return table(true) + 2 * (h & (sets - 1));
        }
    };

    /// Files \p token first in \p set; the newer of what was there stays second.
    void remember(token_memory::entry* set, const flow_identity& f, std::string_view token) const {
        set[1] = set[0];
        set[0].serial = serial_;
        set[0].id = f;
        std::memcpy(set[0].token, token.data(), token_size);
    }

    std::string encode_uncached(const flow_identity& flow) const {
        std::array<unsigned char, raw_size> raw{};
        raw[0] = version;
        raw[1] = current_.id;
        for (int i = 0; i < 8; ++i)
            raw[static_cast<std::size_t>(2 + i)] =
                static_cast<unsigned char>(flow.flow_id >> (56 - 8 * i));
        for (int i = 0; i < 4; ++i)
            raw[static_cast<std::size_t>(10 + i)] =
                static_cast<unsigned char>(flow.generation >> (24 - 8 * i));
        auto m = mac(*current_mac_, raw.data());
        for (std::size_t i = 0; i < mac_size; ++i) raw[14 + i] = m[i];
        return crypto::base64url_encode(
            std::string_view(reinterpret_cast<const char*>(raw.data()), raw.size()));
    }

    std::error_code decode_uncached(std::string_view token, flow_identity& out) const {
        auto bytes = crypto::base64url_decode(token);
        if (!bytes || bytes->size() != raw_size) return error::token_malformed;
        auto raw = reinterpret_cast<const unsigned char*>(bytes->data());
        if (raw[0] != version) return error::token_malformed;
        const crypto::hmac_sha256_key* key = raw[1] == current_.id                  ? &*current_mac_
                                             : previous_ && raw[1] == previous_->id ? &*previous_mac_
                                                                                    : nullptr;
        if (!key) return error::token_unknown_key;
        auto m = mac(*key, raw);
        if (!crypto::constant_time_equal(m.data(), raw + 14, mac_size)) return error::token_forged;
        flow_identity f;
        for (int i = 0; i < 8; ++i) f.flow_id = (f.flow_id << 8) | raw[2 + i];
        for (int i = 0; i < 4; ++i) f.generation = (f.generation << 8) | raw[10 + i];
        out = f;
        return {};
    }

    static void check(const flow_token_key& k) {
        if (k.secret.size() < 16)
            throw std::invalid_argument("sipws: flow token key shorter than 16 octets");
    }

    static crypto::hmac_sha256_digest mac(const crypto::hmac_sha256_key& k, const unsigned char* head) {
        static constexpr char label[] = "sipws flow token"; // then its NUL, then the head
        return k.mac(std::string_view(label, sizeof label), std::string_view(reinterpret_cast<const char*>(head), 14));
    }

    void prepare() {
        static std::atomic<std::uint64_t> serials{0};
        serial_ = ++serials;
        current_mac_.emplace(current_.secret);
        if (previous_) previous_mac_.emplace(previous_->secret);
        else previous_mac_.reset();
    }

    flow_token_key current_;
    std::optional<flow_token_key> previous_;
    std::optional<crypto::hmac_sha256_key> current_mac_, previous_mac_;
    std::uint64_t serial_ = 0; ///< names the key set (copies share it) in the token memory
};

/// `sip:TOKEN@HOST;lr;ob` (or `sips:` / without `ob`): the URI an edge proxy
/// puts in Path or Record-Route (RFC 5626 sections 5.2 and 6). \p host is
/// the edge's host[:port] as it should appear in the URI.
inline std::string make_flow_uri(std::string_view token, std::string_view host, bool ob = true,
                                 bool sips = false) {
    std::string out = sips ? "sips:" : "sip:";
    out += token;
    out += '@';
    out += host;
    out += ";lr";
    if (ob) out += ";ob";
    return out;
}

} // namespace sipws::rfc7118

#endif
