// Distributed under the Boost Software License, Version 1.0.
#ifndef SIPWS_TRANSPORT_RECONNECT_BACKOFF_HPP
#define SIPWS_TRANSPORT_RECONNECT_BACKOFF_HPP

/// \file
/// When a client reconnects after losing its connection (RFC 6455 7.2.3,
/// WS6455-7.2-a): the first attempt after a random delay (0-5 s by
/// default), further ones after a truncated binary exponential backoff, so
/// that clients cut off together do not all come back at once.
///
/// \code
///   sipws::transport::reconnect_backoff backoff;
///   timer.expires_after(backoff.delay(failures, sipws::rfc7118::random_unit()));
/// \endcode
/// (SIP user agents that use Outbound follow RFC 5626 4.5 instead:
/// rfc7118::flow_recovery_delay().)

#include <chrono>
#include <cstdint>

namespace sipws::transport {

struct reconnect_backoff {
    /// The first delay is uniform in [0, first].
    std::chrono::milliseconds first{5000};
    /// No delay exceeds this.
    std::chrono::milliseconds max{120000};

    /// The delay before the next attempt, after \p consecutive_failures
    /// attempts that failed (0: the connection was just lost), for a draw
    /// \p u in [0, 1]: uniform in [0, first] first, then with
    /// W = min(max, first * 2^failures), uniform in [W/2, W].
    std::chrono::milliseconds delay(unsigned consecutive_failures, double u) const noexcept {
        if (!(u >= 0.0)) u = 0.0;
        if (u > 1.0) u = 1.0;
        const double f = static_cast<double>(first.count());
        const double m = static_cast<double>(max.count());
        if (consecutive_failures == 0) return std::chrono::milliseconds(static_cast<std::int64_t>(u * (f < m ? f : m)));
        double w = f;
        for (unsigned i = 0; i < consecutive_failures && w < m; ++i) w *= 2.0;
        if (w > m) w = m;
        return std::chrono::milliseconds(static_cast<std::int64_t>(0.5 * w + u * 0.5 * w));
    }
};

} // namespace sipws::transport

#endif
