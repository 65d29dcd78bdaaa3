// Distributed under the Boost Software License, Version 1.0.
#ifndef SIPWS_CRYPTO_RANDOM_HPP
#define SIPWS_CRYPTO_RANDOM_HPP

/// \file
/// Unpredictable bytes from OpenSSL's CSPRNG: WebSocket keys and masking keys
/// (RFC 6455 section 10.3), Via branches, tags, `.invalid` host labels,
/// instance ids and keys for signing.

#include <sipws/crypto/detail/random_reservoir.hpp>

#include <openssl/rand.h>

#include <cstddef>
#include <stdexcept>
#include <string>

namespace sipws::crypto {

/// Fills [out, out + n) with cryptographically strong random octets.
/// Throws std::runtime_error when the generator cannot be seeded.
inline void random_bytes(void* out, std::size_t n) {
    if (n == 0) return;
    if (RAND_bytes(static_cast<unsigned char*>(out), static_cast<int>(n)) != 1)
        throw std::runtime_error("sipws: RAND_bytes failed");
}

inline std::string random_bytes(std::size_t n) {
    std::string out(n, '\0');
    random_bytes(out.data(), n);
    return out;
}

/// \p n random characters from [a-z0-9]: a token that is safe in a SIP
/// token, a host label and a URI user part alike. Drawn from the thread's
/// reservoir of CSPRNG output (values used once: tags, branches, Call-IDs),
/// not for keys.
inline std::string random_token(std::size_t n) {
    static constexpr char alphabet[] = "abcdefghijklmnopqrstuvwxyz0123456789";
    auto& reservoir = detail::random_reservoir::for_this_thread();
    std::string out(n, '\0');
    reservoir.take(out.data(), n);
    // 36 does not divide 256; rejection sampling keeps the distribution flat.
    for (std::size_t i = 0; i < n; ++i) {
        unsigned char c = static_cast<unsigned char>(out[i]);
        while (c >= 252) reservoir.take(&c, 1);
        out[i] = alphabet[c % 36];
    }
    return out;
}

} // namespace sipws::crypto

#endif
