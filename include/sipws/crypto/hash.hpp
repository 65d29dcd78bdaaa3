// Distributed under the Boost Software License, Version 1.0.
#ifndef SIPWS_CRYPTO_HASH_HPP
#define SIPWS_CRYPTO_HASH_HPP

/// \file
/// Message digests through OpenSSL's EVP interface: SHA-1 for the WebSocket
/// accept value, MD5 / SHA-256 / SHA-512/256 for SIP and HTTP digest
/// authentication (RFC 7616, RFC 8760).

#include <openssl/evp.h>

#include <array>
#include <cstddef>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>

namespace sipws::crypto {

enum class hash_algorithm { md5, sha1, sha256, sha512_256 };

/// Size in octets of the digest of \p a.
constexpr std::size_t digest_size(hash_algorithm a) noexcept {
    switch (a) {
    case hash_algorithm::md5: return 16;
    case hash_algorithm::sha1: return 20;
    case hash_algorithm::sha256: return 32;
    case hash_algorithm::sha512_256: return 32;
    }
    return 0;
}

namespace detail {
/// The digest's implementation, looked up once per process: with OpenSSL 3
/// a digest named by EVP_sha256() and the like is looked up again by every
/// EVP_DigestInit_ex, which costs more than hashing a SIP header. Falls back
/// to that form when the explicit lookup fails. Never freed (process-wide).
inline const EVP_MD* fetched_md(const char* name, const EVP_MD* legacy) noexcept {
#if OPENSSL_VERSION_NUMBER >= 0x30000000L
    if (EVP_MD* md = EVP_MD_fetch(nullptr, name, nullptr)) return md;
#else
    (void)name;
#endif
    return legacy;
}

inline const EVP_MD* evp_md(hash_algorithm a) noexcept {
    switch (a) {
    case hash_algorithm::md5: {
        static const EVP_MD* md = fetched_md("MD5", EVP_md5());
        return md;
    }
    case hash_algorithm::sha1: {
        static const EVP_MD* md = fetched_md("SHA1", EVP_sha1());
        return md;
    }
    case hash_algorithm::sha256: {
        static const EVP_MD* md = fetched_md("SHA256", EVP_sha256());
        return md;
    }
    case hash_algorithm::sha512_256: {
        static const EVP_MD* md = fetched_md("SHA512-256", EVP_sha512_256());
        return md;
    }
    }
    return nullptr;
}
} // namespace detail

/// Incremental hashing, for inputs that come in pieces (A1 = user ":" realm
/// ":" password without building the concatenation).
class hasher {
public:
    explicit hasher(hash_algorithm a) : algorithm_(a), ctx_(EVP_MD_CTX_new()) {
        if (!ctx_ || EVP_DigestInit_ex(ctx_, detail::evp_md(a), nullptr) != 1) {
            EVP_MD_CTX_free(ctx_);
            throw std::runtime_error("sipws: OpenSSL digest initialisation failed");
        }
    }
    hasher(const hasher&) = delete;
    hasher& operator=(const hasher&) = delete;
    ~hasher() { EVP_MD_CTX_free(ctx_); }

    hasher& update(std::string_view bytes) noexcept {
        EVP_DigestUpdate(ctx_, bytes.data(), bytes.size());
        return *this;
    }

    /// Raw digest octets.
    std::string finish() {
        std::string out(digest_size(algorithm_), '\0');
        unsigned int n = 0;
        EVP_DigestFinal_ex(ctx_, reinterpret_cast<unsigned char*>(out.data()), &n);
        out.resize(n);
        return out;
    }

    /// Lower-case hexadecimal digest (the form digest authentication uses).
    std::string finish_hex();

private:
    hash_algorithm algorithm_;
    EVP_MD_CTX* ctx_;
};

/// Lower-case hexadecimal form of \p bytes.
inline std::string to_hex(std::string_view bytes) {
    static constexpr char digits[] = "0123456789abcdef";
    std::string out;
    out.reserve(bytes.size() * 2);
    for (char ch : bytes) {
        auto c = static_cast<unsigned char>(ch);
        out.push_back(digits[c >> 4U]);
        out.push_back(digits[c & 15U]);
    }
    return out;
}

inline std::string hasher::finish_hex() { return to_hex(finish()); }

/// One-shot digest of \p bytes (raw octets), through a digest context that
/// each thread keeps (a context costs more to make than a short digest).
inline std::string hash(hash_algorithm a, std::string_view bytes) {
    struct ctx_free {
        void operator()(EVP_MD_CTX* c) const noexcept { EVP_MD_CTX_free(c); }
    };
    thread_local std::unique_ptr<EVP_MD_CTX, ctx_free> ctx(EVP_MD_CTX_new());
    std::string out(digest_size(a), '\0');
    unsigned int n = 0;
    if (!ctx || EVP_DigestInit_ex(ctx.get(), detail::evp_md(a), nullptr) != 1 ||
        EVP_DigestUpdate(ctx.get(), bytes.data(), bytes.size()) != 1 ||
        EVP_DigestFinal_ex(ctx.get(), reinterpret_cast<unsigned char*>(out.data()), &n) != 1)
        throw std::runtime_error("sipws: OpenSSL digest failed");
    out.resize(n);
    return out;
}

/// One-shot digest of \p bytes as lower-case hex.
inline std::string hash_hex(hash_algorithm a, std::string_view bytes) {
    return to_hex(hash(a, bytes));
}

} // namespace sipws::crypto

#endif
