// Distributed under the Boost Software License, Version 1.0.
#ifndef SIPWS_WS_DETAIL_SIMD_HPP
#define SIPWS_WS_DETAIL_SIMD_HPP

// Internal: 32-octet kernels for masking and the ASCII fast path, compiled for
// AVX2 through a function attribute and chosen at run time, so a build for
// baseline x86-64 still uses AVX2 where the CPU has it. GCC and Clang vector
// extensions only (no <immintrin.h>, which is heavy to compile). Define
// SIPWS_WS_NO_AVX2 to leave them out.

#include <cstddef>
#include <cstdint>
#include <cstring>

#if (defined(__GNUC__) || defined(__clang__)) && (defined(__x86_64__) || defined(__i386__)) &&     \
    !defined(SIPWS_WS_NO_AVX2)
#define SIPWS_WS_AVX2_DISPATCH 1
#endif

namespace sipws::ws::detail {
#if defined(SIPWS_WS_AVX2_DISPATCH)
/// True when the CPU runs AVX2 (checked once); long runs then take the
/// 32-octet kernels below, compiled for AVX2 whatever the build flags.
inline bool have_avx2() noexcept {
    static const bool yes = [] {
        __builtin_cpu_init();
        return __builtin_cpu_supports("avx2") != 0;
    }();
    return yes;
}
typedef unsigned char avx2_block __attribute__((vector_size(32)));

/// XORs 128-octet blocks; returns the octets done. With \p ascii, also ORs
/// the results into *ascii_acc (high bits tell non-ASCII).
__attribute__((target("avx2"))) inline std::size_t
mask_blocks_avx2(unsigned char* dst, const unsigned char* src, std::size_t n, std::uint64_t w,
                 std::uint64_t* ascii_acc) noexcept {
    avx2_block m;
    for (std::size_t k = 0; k < 4; ++k) std::memcpy(reinterpret_cast<char*>(&m) + 8 * k, &w, 8);
    avx2_block acc{};
    std::size_t i = 0;
    for (; i + 128 <= n; i += 128) {
        avx2_block a, b, c, d;
        std::memcpy(&a, src + i, 32);
        std::memcpy(&b, src + i + 32, 32);
        std::memcpy(&c, src + i + 64, 32);
        std::memcpy(&d, src + i + 96, 32);
        a ^= m;
        b ^= m;
        c ^= m;
        d ^= m;
        std::memcpy(dst + i, &a, 32);
        std::memcpy(dst + i + 32, &b, 32);
        std::memcpy(dst + i + 64, &c, 32);
        std::memcpy(dst + i + 96, &d, 32);
        if (ascii_acc) acc |= (a | b) | (c | d);
    }
    if (ascii_acc) {
        std::uint64_t r[4];
        std::memcpy(r, &acc, 32);
        *ascii_acc |= r[0] | r[1] | r[2] | r[3];
    }
    return i;
}

/// Skips 128-octet blocks of ASCII; returns the octets skipped.
__attribute__((target("avx2"))) inline std::size_t skip_ascii_avx2(const unsigned char* p,
                                                                   std::size_t n) noexcept {
    std::size_t i = 0;
    for (; i + 128 <= n; i += 128) {
        avx2_block a, b, c, d;
        std::memcpy(&a, p + i, 32);
        std::memcpy(&b, p + i + 32, 32);
        std::memcpy(&c, p + i + 64, 32);
        std::memcpy(&d, p + i + 96, 32);
        avx2_block o = (a | b) | (c | d);
        std::uint64_t r[4];
        std::memcpy(r, &o, 32);
        if ((r[0] | r[1] | r[2] | r[3]) & 0x8080808080808080ull) break;
    }
    return i;
}
#endif

} // namespace sipws::ws::detail

#endif
