// Distributed under the Boost Software License, Version 1.0.
#ifndef SIPWS_RFC7118_UA_OUTBOUND_HPP
#define SIPWS_RFC7118_UA_OUTBOUND_HPP

/// \file
/// The client side of Outbound (RFC 5626 section 4) over WebSocket: when a
/// registration makes a flow an Outbound flow, how often to send CRLF
/// keep-alives on it, and how long to wait before replacing a failed flow.
///
/// - Outbound is in force only when the 2xx to REGISTER carries
///   `Require: outbound` (OB5626-4.2.1-c); only then keep-alives start.
/// - With `Flow-Timer: N` the interval is random in [0.8N, N]
///   (OB5626-4.4-a); without it, random in [96, 120] s, or [672, 840] s for
///   a battery-powered device (OB5626-4.4.1-c).
/// - The keep-alive itself is the transport's RFC 5626 CRLF mechanism
///   (transport::policy::crlf_keepalive: "\r\n\r\n" out, "\r\n" back within
///   10 s, OB5626-KA-a, OB5626-KA-c, OB5626-4.4.1-b); apply_crlf_keepalive()
///   configures it.
/// - A failed flow is recovered after W = min(1800, base * 2^failures) s,
///   base 30 s when every flow failed, else 90 s, actual wait uniform in
///   [0.5W, W] (OB5626-4.5-a).

#include <sipws/crypto/random.hpp>
#include <sipws/sip/message.hpp>
#include <sipws/transport/policy/keepalive.hpp>

#include <chrono>
#include <cstdint>
#include <optional>

namespace sipws::rfc7118 {

/// True when \p rsp, a 2xx to REGISTER, puts Outbound in force.
inline bool outbound_confirmed(const sip::message& rsp) {
    unsigned c = rsp.status_code();
    return c >= 200 && c < 300 && rsp.has_option_tag(sip::header_id::require, "outbound");
}

/// The `Flow-Timer` of \p rsp in seconds (nullopt when absent, malformed or 0).
inline std::optional<std::uint32_t> flow_timer(const sip::message& rsp) {
    auto f = rsp.find(sip::header_id::flow_timer);
    if (!f) return std::nullopt;
    std::error_code ec;
    std::uint32_t v = sip::parse_delta_seconds(f->value, ec);
    if (ec || v == 0) return std::nullopt;
    return v;
}

/// A uniform random number in [0, 1) from the CSPRNG.
inline double random_unit() {
    std::uint32_t v = 0;
    crypto::random_bytes(&v, sizeof v);
    return static_cast<double>(v) / 4294967296.0;
}

/// The keep-alive interval for a draw \p u in [0, 1] (OB5626-4.4-a,
/// OB5626-4.4.1-c): 0 gives the lower bound, 1 the upper bound.
inline std::chrono::milliseconds keepalive_interval(std::optional<std::uint32_t> flow_timer_s,
                                                    double u, bool battery = false) {
    if (!(u >= 0.0)) u = 0.0;
    if (u > 1.0) u = 1.0;
    const double upper_ms =
        1000.0 * (flow_timer_s ? static_cast<double>(*flow_timer_s) : (battery ? 840.0 : 120.0));
    const double lower_ms = 0.8 * upper_ms;
    return std::chrono::milliseconds(static_cast<std::int64_t>(lower_ms + u * (upper_ms - lower_ms)));
}

/// keepalive_interval() with a random draw.
inline std::chrono::milliseconds keepalive_interval(std::optional<std::uint32_t> flow_timer_s,
                                                    bool battery = false) {
    return keepalive_interval(flow_timer_s, random_unit(), battery);
}

/// Switches a transport keep-alive policy (e.g. a connector's
/// keepalive_policy()) to RFC 5626 CRLF keep-alives every \p interval, with
/// the 10 s pong deadline of OB5626-4.4.1-b.
template <class KeepalivePolicy>
void apply_crlf_keepalive(KeepalivePolicy& policy, std::chrono::milliseconds interval) {
    policy.mode = transport::keepalive_mode::crlf;
    policy.interval = interval;
    policy.pong_timeout = std::chrono::seconds(10);
}

/// The base and maximum times of flow recovery (RFC 5626 4.5: configurable,
/// 30 s when every flow failed, 90 s otherwise, at most 1800 s).
struct flow_recovery_times {
    std::chrono::milliseconds all_flows_failed{30000};
    std::chrono::milliseconds some_flows_failed{90000};
    std::chrono::milliseconds max{1800000};
};

/// The wait before re-registering a replacement flow after
/// \p consecutive_failures failures, for a draw \p u in [0, 1]
/// (OB5626-4.5-a): W = min(max, base * 2^failures), uniform in [W/2, W].
inline std::chrono::milliseconds flow_recovery_delay(unsigned consecutive_failures,
                                                     bool all_flows_failed, double u,
                                                     const flow_recovery_times& t) {
    if (!(u >= 0.0)) u = 0.0;
    if (u > 1.0) u = 1.0;
    const double max = static_cast<double>(t.max.count());
    double w = static_cast<double>((all_flows_failed ? t.all_flows_failed : t.some_flows_failed).count());
    for (unsigned i = 0; i < consecutive_failures && w < max; ++i) w *= 2.0;
    if (w > max) w = max;
    return std::chrono::milliseconds(static_cast<std::int64_t>(0.5 * w + u * 0.5 * w));
}

/// flow_recovery_delay() with the RFC's default times.
inline std::chrono::milliseconds flow_recovery_delay(unsigned consecutive_failures,
                                                     bool all_flows_failed, double u) {
    return flow_recovery_delay(consecutive_failures, all_flows_failed, u, flow_recovery_times{});
}

} // namespace sipws::rfc7118

#endif
