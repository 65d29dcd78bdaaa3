// Distributed under the Boost Software License, Version 1.0.
#ifndef SIPWS_CRYPTO_AES_GCM_HPP
#define SIPWS_CRYPTO_AES_GCM_HPP

/// \file
/// AES-256-GCM (NIST SP 800-38D) through OpenSSL's EVP interface, with a
/// 96-bit IV and a 128-bit tag: authenticated encryption for opaque,
/// unforgeable identifiers such as temporary GRUUs.

#include <openssl/evp.h>

#include <cstddef>
#include <cstring>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace sipws::crypto {

inline constexpr std::size_t aes_gcm_key_size = 32;
inline constexpr std::size_t aes_gcm_iv_size = 12;
inline constexpr std::size_t aes_gcm_tag_size = 16;

namespace detail {
struct cipher_ctx_deleter {
    void operator()(EVP_CIPHER_CTX* c) const noexcept { EVP_CIPHER_CTX_free(c); }
};
using cipher_ctx = std::unique_ptr<EVP_CIPHER_CTX, cipher_ctx_deleter>;
inline const unsigned char* bytes(std::string_view s) noexcept {
    return reinterpret_cast<const unsigned char*>(s.data());
}
/// This thread's AES-256-GCM context for one direction, set up once (the
/// cipher lookup is the costly part); each use sets the key and IV anew.
/// After a failure the context is dropped and set up again on next use.
class gcm_context {
public:
    EVP_CIPHER_CTX* get(bool encrypt) {
        cipher_ctx& c = encrypt ? enc_ : dec_;
        if (!c) {
            cipher_ctx fresh(EVP_CIPHER_CTX_new());
            if (!fresh || EVP_CipherInit_ex(fresh.get(), EVP_aes_256_gcm(), nullptr, nullptr, nullptr,
                                            encrypt ? 1 : 0) != 1)
                return nullptr;
            c = std::move(fresh); // the default IV length is 12 octets
        }
        return c.get();
    }
    void drop(bool encrypt) { (encrypt ? enc_ : dec_).reset(); }
    static gcm_context& for_this_thread() {
        thread_local gcm_context ctx;
        return ctx;
    }

private:
    cipher_ctx enc_, dec_;
};
} // namespace detail

/// ciphertext | tag (16 octets). \p key is 32 octets, \p iv 12 octets and
/// must never repeat under one key (use random IVs). Throws
/// std::invalid_argument on bad sizes, std::runtime_error if OpenSSL fails.
inline std::string aes256_gcm_seal(std::string_view key, std::string_view iv, std::string_view aad,
                                   std::string_view plaintext) {
    if (key.size() != aes_gcm_key_size || iv.size() != aes_gcm_iv_size)
        throw std::invalid_argument("sipws: AES-256-GCM needs a 32-octet key and a 12-octet IV");
    auto& contexts = detail::gcm_context::for_this_thread();
    EVP_CIPHER_CTX* ctx = contexts.get(true);
    std::string out(plaintext.size() + aes_gcm_tag_size, '\0');
    auto o = reinterpret_cast<unsigned char*>(out.data());
    int len = 0;
    bool ok =
        ctx &&
        EVP_EncryptInit_ex(ctx, nullptr, nullptr, detail::bytes(key), detail::bytes(iv)) == 1 &&
        (aad.empty() || EVP_EncryptUpdate(ctx, nullptr, &len, detail::bytes(aad),
                                          static_cast<int>(aad.size())) == 1) &&
        (plaintext.empty() || EVP_EncryptUpdate(ctx, o, &len, detail::bytes(plaintext),
                                                static_cast<int>(plaintext.size())) == 1) &&
        EVP_EncryptFinal_ex(ctx, o + plaintext.size(), &len) == 1 &&
        EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, static_cast<int>(aes_gcm_tag_size),
                            o + plaintext.size()) == 1;
    if (!ok) {
        contexts.drop(true);
        throw std::runtime_error("sipws: AES-256-GCM encryption failed");
    }
    return out;
}

/// The plaintext of ciphertext | tag, or nullopt when the tag does not
/// verify (wrong key, IV, AAD, or any altered octet).
inline std::optional<std::string> aes256_gcm_open(std::string_view key, std::string_view iv,
                                                  std::string_view aad, std::string_view sealed) {
    if (key.size() != aes_gcm_key_size || iv.size() != aes_gcm_iv_size ||
        sealed.size() < aes_gcm_tag_size)
        return std::nullopt;
    const std::size_t n = sealed.size() - aes_gcm_tag_size;
    auto& contexts = detail::gcm_context::for_this_thread();
    EVP_CIPHER_CTX* ctx = contexts.get(false);
    std::string out(n, '\0');
    auto o = reinterpret_cast<unsigned char*>(out.data());
    unsigned char tag[aes_gcm_tag_size];
    std::memcpy(tag, sealed.data() + n, aes_gcm_tag_size);
    int len = 0;
    bool ok =
        ctx &&
        EVP_DecryptInit_ex(ctx, nullptr, nullptr, detail::bytes(key), detail::bytes(iv)) == 1 &&
        (aad.empty() || EVP_DecryptUpdate(ctx, nullptr, &len, detail::bytes(aad),
                                          static_cast<int>(aad.size())) == 1) &&
        (n == 0 || EVP_DecryptUpdate(ctx, o, &len, detail::bytes(sealed), static_cast<int>(n)) == 1) &&
        EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, static_cast<int>(aes_gcm_tag_size), tag) == 1 &&
        EVP_DecryptFinal_ex(ctx, o + n, &len) == 1;
    if (!ok) {
        contexts.drop(false); // a failed tag check leaves the context in no state to reuse
        return std::nullopt;
    }
    return out;
}

} // namespace sipws::crypto

#endif
