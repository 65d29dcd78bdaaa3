// Distributed under the Boost Software License, Version 1.0.
#ifndef SIPWS_WS_DETAIL_KEY_RESERVOIR_HPP
#define SIPWS_WS_DETAIL_KEY_RESERVOIR_HPP

// Internal: masking keys (RFC 6455 section 5.3, 10.3) drawn from OpenSSL's
// CSPRNG in bulk. One reservoir per thread, refilled 1 KiB at a time, so a
// client frame costs a 4-octet copy instead of a RAND_bytes call, and idle
// connections hold no key material. Each key is used once. After fork() the
// child discards what it inherited (pthread_atfork), so parent and child never
// send the same keys.

#include <sipws/crypto/random.hpp>
#include <sipws/ws/mask.hpp>

#include <atomic>
#include <cstddef>
#include <cstring>

#if defined(__unix__) || defined(__APPLE__)
#include <pthread.h>
#define SIPWS_WS_HAVE_ATFORK 1
#endif

namespace sipws::ws::detail {

inline std::atomic<unsigned>& fork_generation() noexcept {
    static std::atomic<unsigned> generation{0};
    return generation;
}

class key_reservoir {
public:
    masking_key next() {
        const unsigned gen = fork_generation().load(std::memory_order_relaxed);
        if (pos_ + 4 > sizeof bytes_ || gen != generation_) {
            crypto::random_bytes(bytes_, sizeof bytes_);
            pos_ = 0;
            generation_ = gen;
        }
        masking_key k;
        std::memcpy(k.data(), bytes_ + pos_, 4);
        std::memset(bytes_ + pos_, 0, 4); // a used key does not linger
        pos_ += 4;
        return k;
    }

    static key_reservoir& for_this_thread() {
#if defined(SIPWS_WS_HAVE_ATFORK)
        static const int registered = ::pthread_atfork(
            nullptr, nullptr, [] { fork_generation().fetch_add(1, std::memory_order_relaxed); });
        (void)registered;
#endif
        thread_local key_reservoir reservoir;
        return reservoir;
    }

private:
    unsigned char bytes_[1024];
    std::size_t pos_ = sizeof bytes_;
    unsigned generation_ = 0;
};

/// A fresh masking key.
inline masking_key next_masking_key() {
    return key_reservoir::for_this_thread().next();
}

} // namespace sipws::ws::detail

#endif
