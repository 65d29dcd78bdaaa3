// Distributed under the Boost Software License, Version 1.0.
#ifndef SIPWS_CRYPTO_DETAIL_RANDOM_RESERVOIR_HPP
#define SIPWS_CRYPTO_DETAIL_RANDOM_RESERVOIR_HPP

// Internal: octets from OpenSSL's CSPRNG drawn in bulk, for the many small
// values that are used once (WebSocket masking keys, tags, branches,
// Call-IDs). One reservoir per thread, refilled 1 KiB at a time, so a value
// costs a copy instead of a RAND_bytes call. Octets handed out are wiped
// from the reservoir. After fork() the child discards what it inherited
// (pthread_atfork), so parent and child never hand out the same octets.
// Keys are not drawn from here: they come from random_bytes() directly.

#include <openssl/rand.h>

#include <atomic>
#include <cstddef>
#include <cstring>
#include <stdexcept>

#if defined(__unix__) || defined(__APPLE__)
#include <pthread.h>
#define SIPWS_CRYPTO_HAVE_ATFORK 1
#endif

namespace sipws::crypto::detail {

inline std::atomic<unsigned>& fork_generation() noexcept {
    static std::atomic<unsigned> generation{0};
    return generation;
}

class random_reservoir {
public:
    static constexpr std::size_t capacity = 1024;

    /// Fills [out, out + n) with fresh octets; \p n above capacity / 4
    /// goes to the generator directly.
    void take(void* out, std::size_t n) {
        if (n > capacity / 4) return fill(out, n);
        const unsigned gen = fork_generation().load(std::memory_order_relaxed);
        if (pos_ + n > capacity || gen != generation_) {
            fill(bytes_, capacity);
            pos_ = 0;
            generation_ = gen;
        }
        std::memcpy(out, bytes_ + pos_, n);
        std::memset(bytes_ + pos_, 0, n); // a used value does not linger
        pos_ += n;
    }

    static random_reservoir& for_this_thread() {
#if defined(SIPWS_CRYPTO_HAVE_ATFORK)
        static const int registered = ::pthread_atfork(
            nullptr, nullptr, [] { fork_generation().fetch_add(1, std::memory_order_relaxed); });
        (void)registered;
#endif
        thread_local random_reservoir reservoir;
        return reservoir;
    }

private:
    static void fill(void* out, std::size_t n) {
        if (n != 0 && RAND_bytes(static_cast<unsigned char*>(out), static_cast<int>(n)) != 1)
            throw std::runtime_error("sipws: RAND_bytes failed");
    }

    unsigned char bytes_[capacity];
    std::size_t pos_ = capacity;
    unsigned generation_ = 0;
};

} // namespace sipws::crypto::detail

#endif
