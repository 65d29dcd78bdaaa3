// Distributed under the Boost Software License, Version 1.0.
#ifndef SIPWS_WS_DETAIL_KEY_RESERVOIR_HPP
#define SIPWS_WS_DETAIL_KEY_RESERVOIR_HPP

// Internal: masking keys (RFC 6455 section 5.3, 10.3), each used once, from
// the thread's reservoir of CSPRNG output: a client frame costs a 4-octet
// copy instead of a RAND_bytes call.

#include <sipws/crypto/detail/random_reservoir.hpp>
#include <sipws/ws/mask.hpp>

namespace sipws::ws::detail {

/// A fresh masking key.
inline masking_key next_masking_key() {
    masking_key k;
    crypto::detail::random_reservoir::for_this_thread().take(k.data(), k.size());
    return k;
}

} // namespace sipws::ws::detail

#endif
