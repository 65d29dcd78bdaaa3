// Distributed under the Boost Software License, Version 1.0.
#ifndef SIPWS_WS_UTF8_HPP
#define SIPWS_WS_UTF8_HPP

/// \file
/// UTF-8 validation per RFC 3629 (at most 4-octet sequences, no overlong
/// forms, no surrogates U+D800-U+DFFF, nothing above U+10FFFF).
///
/// utf8_validator is incremental: feed() the pieces of one text (WebSocket
/// fragments, chunks of a read) in order; it fails on the first octet that no
/// valid continuation could follow (fail-fast, WS6455-5.6-a), also when the
/// offending sequence started in an earlier piece. finish() tells whether the
/// text may end here (no sequence left incomplete). ASCII runs are skipped 16
/// octets at a time.
///
/// is_valid_utf8() is the one-shot form; the transport's framing policy uses
/// it to choose text or binary for an outgoing SIP message (WS7118-4.2-b/d).

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

#include <sipws/ws/detail/simd.hpp>

#if defined(__SSE2__) || defined(_M_X64)
#include <emmintrin.h>
#define SIPWS_WS_HAVE_SSE2 1
#endif

namespace sipws::ws {

namespace detail {
/// Skips the leading run of ASCII octets in [p, end) a block at a time; the
/// result may stop short of the first non-ASCII octet by less than a block.
inline const unsigned char* skip_ascii(const unsigned char* p, const unsigned char* end) noexcept {
#if defined(SIPWS_WS_AVX2_DISPATCH)
    if (end - p >= 1024 && have_avx2()) p += skip_ascii_avx2(p, static_cast<std::size_t>(end - p));
#endif
#if defined(SIPWS_WS_HAVE_SSE2)
    while (end - p >= 64) {
        __m128i a = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
        __m128i b = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + 16));
        __m128i c = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + 32));
        __m128i d = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + 48));
        if (_mm_movemask_epi8(_mm_or_si128(_mm_or_si128(a, b), _mm_or_si128(c, d))) != 0) break;
        p += 64;
    }
    while (end - p >= 16) {
        __m128i a = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
        if (_mm_movemask_epi8(a) != 0) break;
        p += 16;
    }
#endif
    while (end - p >= 8) {
        std::uint64_t w;
        std::memcpy(&w, p, 8);
        if (w & 0x8080808080808080ull) break;
        p += 8;
    }
    return p;
}
} // namespace detail

class utf8_validator {
public:
    /// Validates the next piece. Returns false as soon as an octet is found
    /// that cannot belong to valid UTF-8; the validator then stays failed
    /// until reset().
    bool feed(const void* data, std::size_t size) noexcept {
        if (failed_) return false;
        auto p = static_cast<const unsigned char*>(data);
        const unsigned char* const end = p + size;
        while (p != end) {
            if (need_ == 0) {
                if (*p < 0x80) {
                    p = detail::skip_ascii(p, end);
                    while (p != end && *p < 0x80) ++p;
                    continue;
                }
                if (end - p >= 4) {
                    // Whole sequence at once while at least 4 octets remain.
                    const unsigned char c = p[0];
                    if (c < 0xC2) return fail();
                    if (c < 0xE0) {
                        if ((p[1] & 0xC0) != 0x80) return fail();
                        p += 2;
                    } else if (c < 0xF0) {
                        const unsigned char lo = c == 0xE0 ? 0xA0 : 0x80;
                        const unsigned char hi = c == 0xED ? 0x9F : 0xBF;
                        if (p[1] < lo || p[1] > hi || (p[2] & 0xC0) != 0x80) return fail();
                        p += 3;
                    } else if (c < 0xF5) {
                        const unsigned char lo = c == 0xF0 ? 0x90 : 0x80;
                        const unsigned char hi = c == 0xF4 ? 0x8F : 0xBF;
                        if (p[1] < lo || p[1] > hi || (p[2] & 0xC0) != 0x80 ||
                            (p[3] & 0xC0) != 0x80)
                            return fail();
                        p += 4;
                    } else {
                        return fail();
                    }
                    continue;
                }
                unsigned char c = *p++;
                if (c < 0xC2) return fail(); // continuation or overlong 2-octet lead
                if (c < 0xE0) {
                    need_ = 1;
                    lo_ = 0x80;
                    hi_ = 0xBF;
                } else if (c < 0xF0) {
                    need_ = 2;
                    lo_ = c == 0xE0 ? 0xA0 : 0x80; // overlong 3-octet forms
                    hi_ = c == 0xED ? 0x9F : 0xBF; // surrogates
                } else if (c < 0xF5) {
                    need_ = 3;
                    lo_ = c == 0xF0 ? 0x90 : 0x80; // overlong 4-octet forms
                    hi_ = c == 0xF4 ? 0x8F : 0xBF; // above U+10FFFF
                } else {
                    return fail();
                }
            } else {
                unsigned char c = *p++;
                if (c < lo_ || c > hi_) return fail();
                lo_ = 0x80;
                hi_ = 0xBF;
                --need_;
            }
        }
        return true;
    }
    bool feed(std::string_view s) noexcept { return feed(s.data(), s.size()); }

    /// True when everything fed so far is valid and ends on a character boundary.
    bool finish() const noexcept { return !failed_ && need_ == 0; }
    /// True when an invalid octet has been seen.
    bool failed() const noexcept { return failed_; }
    /// True when a multi-octet sequence is open at the end of what was fed.
    bool incomplete() const noexcept { return need_ != 0; }
    void reset() noexcept {
        need_ = 0;
        failed_ = false;
    }

private:
    bool fail() noexcept {
        failed_ = true;
        return false;
    }
    unsigned char need_ = 0;
    unsigned char lo_ = 0x80;
    unsigned char hi_ = 0xBF;
    bool failed_ = false;
};

/// True when [data, data + size) is complete, valid UTF-8 (RFC 3629).
inline bool is_valid_utf8(const void* data, std::size_t size) noexcept {
    utf8_validator v;
    return v.feed(data, size) && v.finish();
}
inline bool is_valid_utf8(std::string_view s) noexcept {
    return is_valid_utf8(s.data(), s.size());
}

} // namespace sipws::ws

#endif
