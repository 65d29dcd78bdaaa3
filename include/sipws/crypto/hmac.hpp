// Distributed under the Boost Software License, Version 1.0.
#ifndef SIPWS_CRYPTO_HMAC_HPP
#define SIPWS_CRYPTO_HMAC_HPP

/// \file
/// HMAC-SHA-256 (RFC 2104) through OpenSSL, and a constant-time comparison,
/// for flow tokens, temporary GRUUs and digest nonces.

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <array>
#include <cstddef>
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

/// Compares two byte ranges without leaking where they differ through timing.
inline bool constant_time_equal(const void* a, const void* b, std::size_t n) noexcept {
    return CRYPTO_memcmp(a, b, n) == 0;
}

} // namespace sipws::crypto

#endif
