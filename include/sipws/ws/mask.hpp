// Distributed under the Boost Software License, Version 1.0.
#ifndef SIPWS_WS_MASK_HPP
#define SIPWS_WS_MASK_HPP

/// \file
/// Payload masking (RFC 6455 section 5.3): octet i of the payload is XORed with
/// octet (i mod 4) of the 32-bit masking key. Masking and unmasking are the
/// same operation. Both functions work 16 octets at a time (SSE2) or 8 at a
/// time (64-bit words) and take the position inside the payload of the first
/// octet, so a payload that arrives in pieces is unmasked piece by piece.

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>

#include <sipws/ws/detail/simd.hpp>

#if defined(__SSE2__) || defined(_M_X64)
#include <emmintrin.h>
#endif

namespace sipws::ws {

/// The four octets of a masking key, in wire order.
using masking_key = std::array<unsigned char, 4>;

namespace detail {
inline std::uint64_t mask_word(const masking_key& key, std::size_t offset) noexcept {
    unsigned char rotated[8];
    for (std::size_t i = 0; i < 8; ++i) rotated[i] = key[(offset + i) & 3];
    std::uint64_t w;
    std::memcpy(&w, rotated, 8);
    return w;
}

inline void mask_run(unsigned char* dst, const unsigned char* src, std::size_t n,
                     const masking_key& key, std::size_t offset) noexcept {
    const std::uint64_t w = mask_word(key, offset);
    std::size_t i = 0;
#if defined(SIPWS_WS_AVX2_DISPATCH)
    if (n >= 1024 && have_avx2()) i = mask_blocks_avx2(dst, src, n, w, nullptr);
#endif
#if defined(__SSE2__) || defined(_M_X64)
    const __m128i m = _mm_set1_epi64x(static_cast<long long>(w));
    for (; i + 64 <= n; i += 64) {
        __m128i a = _mm_loadu_si128(reinterpret_cast<const __m128i*>(src + i));
        __m128i b = _mm_loadu_si128(reinterpret_cast<const __m128i*>(src + i + 16));
        __m128i c = _mm_loadu_si128(reinterpret_cast<const __m128i*>(src + i + 32));
        __m128i d = _mm_loadu_si128(reinterpret_cast<const __m128i*>(src + i + 48));
        _mm_storeu_si128(reinterpret_cast<__m128i*>(dst + i), _mm_xor_si128(a, m));
        _mm_storeu_si128(reinterpret_cast<__m128i*>(dst + i + 16), _mm_xor_si128(b, m));
        _mm_storeu_si128(reinterpret_cast<__m128i*>(dst + i + 32), _mm_xor_si128(c, m));
        _mm_storeu_si128(reinterpret_cast<__m128i*>(dst + i + 48), _mm_xor_si128(d, m));
    }
    for (; i + 16 <= n; i += 16) {
        __m128i a = _mm_loadu_si128(reinterpret_cast<const __m128i*>(src + i));
        _mm_storeu_si128(reinterpret_cast<__m128i*>(dst + i), _mm_xor_si128(a, m));
    }
#endif
    for (; i + 8 <= n; i += 8) {
        std::uint64_t v;
        std::memcpy(&v, src + i, 8);
        v ^= w;
        std::memcpy(dst + i, &v, 8);
    }
    for (; i < n; ++i) dst[i] = static_cast<unsigned char>(src[i] ^ key[(offset + i) & 3]);
}

/// mask_run that also tells whether every octet it wrote is ASCII (< 0x80):
/// unmasking and the ASCII fast path of UTF-8 validation in one pass.
inline bool mask_run_ascii(unsigned char* dst, const unsigned char* src, std::size_t n,
                           const masking_key& key, std::size_t offset) noexcept {
    const std::uint64_t w = mask_word(key, offset);
    std::size_t i = 0;
    std::uint64_t acc = 0;
#if defined(SIPWS_WS_AVX2_DISPATCH)
    if (n >= 1024 && have_avx2()) i = mask_blocks_avx2(dst, src, n, w, &acc);
#endif
#if defined(__SSE2__) || defined(_M_X64)
    const __m128i m = _mm_set1_epi64x(static_cast<long long>(w));
    __m128i vacc = _mm_setzero_si128();
    for (; i + 64 <= n; i += 64) {
        __m128i a = _mm_xor_si128(_mm_loadu_si128(reinterpret_cast<const __m128i*>(src + i)), m);
        __m128i b =
            _mm_xor_si128(_mm_loadu_si128(reinterpret_cast<const __m128i*>(src + i + 16)), m);
        __m128i c =
            _mm_xor_si128(_mm_loadu_si128(reinterpret_cast<const __m128i*>(src + i + 32)), m);
        __m128i d =
            _mm_xor_si128(_mm_loadu_si128(reinterpret_cast<const __m128i*>(src + i + 48)), m);
        _mm_storeu_si128(reinterpret_cast<__m128i*>(dst + i), a);
        _mm_storeu_si128(reinterpret_cast<__m128i*>(dst + i + 16), b);
        _mm_storeu_si128(reinterpret_cast<__m128i*>(dst + i + 32), c);
        _mm_storeu_si128(reinterpret_cast<__m128i*>(dst + i + 48), d);
        vacc = _mm_or_si128(vacc, _mm_or_si128(_mm_or_si128(a, b), _mm_or_si128(c, d)));
    }
    for (; i + 16 <= n; i += 16) {
        __m128i a = _mm_xor_si128(_mm_loadu_si128(reinterpret_cast<const __m128i*>(src + i)), m);
        _mm_storeu_si128(reinterpret_cast<__m128i*>(dst + i), a);
        vacc = _mm_or_si128(vacc, a);
    }
    if (_mm_movemask_epi8(vacc) != 0) acc = 0x80;
#endif
    for (; i + 8 <= n; i += 8) {
        std::uint64_t v;
        std::memcpy(&v, src + i, 8);
        v ^= w;
        std::memcpy(dst + i, &v, 8);
        acc |= v;
    }
    for (; i < n; ++i) {
        auto c = static_cast<unsigned char>(src[i] ^ key[(offset + i) & 3]);
        dst[i] = c;
        acc |= c;
    }
    return (acc & 0x8080808080808080ull) == 0;
}
} // namespace detail

/// Masks (or unmasks) [data, data + size) in place. \p offset is the position
/// of data[0] inside the frame payload. Returns the offset after the run.
inline std::size_t mask_in_place(void* data, std::size_t size, const masking_key& key,
                                 std::size_t offset = 0) noexcept {
    auto p = static_cast<unsigned char*>(data);
    detail::mask_run(p, p, size, key, offset);
    return offset + size;
}

/// Writes the masked (or unmasked) form of [src, src + size) to \p dst.
/// The ranges must not overlap unless dst == src.
inline std::size_t mask_copy(void* dst, const void* src, std::size_t size, const masking_key& key,
                             std::size_t offset = 0) noexcept {
    detail::mask_run(static_cast<unsigned char*>(dst), static_cast<const unsigned char*>(src), size,
                     key, offset);
    return offset + size;
}

} // namespace sipws::ws

#endif
