// Distributed under the Boost Software License, Version 1.0.
#ifndef SIPWS_CRYPTO_HMAC_HPP
#define SIPWS_CRYPTO_HMAC_HPP

/// \file
/// HMAC-SHA-256 (RFC 2104) through OpenSSL, and a constant-time comparison,
/// for flow tokens, temporary GRUUs and digest nonces.

#include <sipws/crypto/hash.hpp>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <array>
#include <cstddef>
#include <cstring>
#include <memory>
#include <stdexcept>
#include <string_view>

namespace sipws::crypto {

using hmac_sha256_digest = std::array<unsigned char, 32>;

/// HMAC-SHA-256 of \p message under \p key.
inline hmac_sha256_digest hmac_sha256(std::string_view key, std::string_view message) {
    hmac_sha256_digest out{};
    unsigned int n = 0;
    if (!HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
              reinterpret_cast<const unsigned char*>(message.data()), message.size(), out.data(),
              &n) ||
        n != out.size())
        throw std::runtime_error("sipws: HMAC-SHA-256 failed");
    return out;
}

/// An HMAC-SHA-256 key prepared once (RFC 2104: the hash states after the
/// padded inner and outer keys), so each MAC costs two SHA-256 runs over the
/// message instead of a key set-up. Copies share the prepared state, which
/// is never written after construction: any thread may use one at once.
class hmac_sha256_key {
public:
    explicit hmac_sha256_key(std::string_view key) : s_(std::make_shared<state>()) {
        unsigned char k[64] = {};
        if (key.size() > sizeof k) {
            unsigned int n = 0;
            if (EVP_Digest(key.data(), key.size(), k, &n, detail::evp_md(hash_algorithm::sha256), nullptr) != 1)
                throw std::runtime_error("sipws: SHA-256 failed");
        } else if (!key.empty()) {
            std::memcpy(k, key.data(), key.size());
        }
        unsigned char ipad[64], opad[64];
        for (std::size_t i = 0; i < sizeof k; ++i) {
            ipad[i] = static_cast<unsigned char>(k[i] ^ 0x36);
            opad[i] = static_cast<unsigned char>(k[i] ^ 0x5c);
        }
        OPENSSL_cleanse(k, sizeof k);
        bool ok = s_->inner && s_->outer && EVP_DigestInit_ex(s_->inner.get(), detail::evp_md(hash_algorithm::sha256), nullptr) == 1 &&
                  EVP_DigestUpdate(s_->inner.get(), ipad, sizeof ipad) == 1 &&
                  EVP_DigestInit_ex(s_->outer.get(), detail::evp_md(hash_algorithm::sha256), nullptr) == 1 &&
                  EVP_DigestUpdate(s_->outer.get(), opad, sizeof opad) == 1;
        OPENSSL_cleanse(ipad, sizeof ipad);
        OPENSSL_cleanse(opad, sizeof opad);
        if (!ok) throw std::runtime_error("sipws: HMAC-SHA-256 key set-up failed");
    }

    /// HMAC-SHA-256 of \p a followed by \p b (no need to join them first).
    hmac_sha256_digest mac(std::string_view a, std::string_view b = {}) const {
        EVP_MD_CTX* w = work();
        hmac_sha256_digest inner{}, out{};
        unsigned int n = 0, m = 0;
        bool ok = w && EVP_MD_CTX_copy_ex(w, s_->inner.get()) == 1 &&
                  (a.empty() || EVP_DigestUpdate(w, a.data(), a.size()) == 1) &&
                  (b.empty() || EVP_DigestUpdate(w, b.data(), b.size()) == 1) &&
                  EVP_DigestFinal_ex(w, inner.data(), &n) == 1 && EVP_MD_CTX_copy_ex(w, s_->outer.get()) == 1 &&
                  EVP_DigestUpdate(w, inner.data(), inner.size()) == 1 &&
                  EVP_DigestFinal_ex(w, out.data(), &m) == 1 && n == inner.size() && m == out.size();
        if (!ok) throw std::runtime_error("sipws: HMAC-SHA-256 failed");
        return out;
    }

private:
    struct md_ctx_deleter {
        void operator()(EVP_MD_CTX* c) const noexcept { EVP_MD_CTX_free(c); }
    };
    using md_ctx = std::unique_ptr<EVP_MD_CTX, md_ctx_deleter>;
    struct state {
        md_ctx inner{EVP_MD_CTX_new()}, outer{EVP_MD_CTX_new()};
    };
    /// This thread's scratch context (the prepared states are only read).
    static EVP_MD_CTX* work() {
        thread_local md_ctx w{EVP_MD_CTX_new()};
        return w.get();
    }
    std::shared_ptr<const state> s_;
};

/// Compares two byte ranges without leaking where they differ through timing.
inline bool constant_time_equal(const void* a, const void* b, std::size_t n) noexcept {
    return CRYPTO_memcmp(a, b, n) == 0;
}

} // namespace sipws::crypto

#endif
