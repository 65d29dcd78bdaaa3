// Distributed under the Boost Software License, Version 1.0.
#ifndef SIPWS_RFC7118_UA_FAILOVER_HPP
#define SIPWS_RFC7118_UA_FAILOVER_HPP

/// \file
/// Failover between the WebSocket servers that D2W resolution found
/// (RFC 3263 section 4.3, DNS3263-4.3-a), with no I/O:
///
/// \code
///   std::vector<ws_target> targets;
///   resolve_d2w(target, resolver, targets);
///   target_failover servers(targets, "/");
///   for (const ws_hop* h = servers.current(); h; h = servers.next() ? servers.current() : nullptr) {
///       connect_options o;
///       o.server_name = h->server_name; // Host header, TLS name
///       // connect to h->url, send the request as a new transaction (a new
///       // branch); on calls_for_failover(...) go on to the next hop
///   }
/// \endcode
///
/// - Hops come in the resolver's order: every address of the first target,
///   then those of the next target, and so on.
/// - A transport failure (no connection, the flow lost before the final
///   response), a timeout (Timer B or F) or a 503 moves on to the next hop;
///   any other final response ends the search (calls_for_failover()).
/// - The request sent to the next hop is a new transaction: a new branch
///   (client_request::send() and registration::register_request() draw one
///   each time).

#include <sipws/rfc7118/dns.hpp>
#include <sipws/ws/url.hpp>

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sipws::rfc7118 {

/// One place to connect to: a ws:// or wss:// URL naming an address, and
/// the host name that the server is known by (connect_options::server_name).
struct ws_hop {
    std::string url;
    std::string server_name;
    bool secure = false;
};

/// The URL of \p t at \p address (or at t.host when \p address is empty),
/// with the WebSocket resource name \p resource ("/" when empty).
inline std::string ws_url_for(const ws_target& t, std::string_view address,
                              std::string_view resource = "/") {
    const std::string_view host = address.empty() ? std::string_view(t.host) : address;
    ws::url u;
    u.secure = t.secure;
    u.host = host.find(':') != std::string_view::npos ? "[" + std::string(host) + "]" : std::string(host);
    u.port = t.port;
    u.explicit_port = true;
    u.resource = (resource.empty() || resource.front() != '/' ? "/" : "") + std::string(resource);
    return u.to_string();
}

/// How an attempt through one hop ended.
enum class attempt_outcome {
    transport_failure, ///< no connection, or the flow closed before the final response
    timeout,           ///< Timer B or F fired
    response,          ///< a final response arrived (its status decides)
};

/// True when the request should go to the next hop (DNS3263-4.3-a): a
/// transport failure, a timeout or a 503 Service Unavailable.
constexpr bool calls_for_failover(attempt_outcome outcome, unsigned status = 0) noexcept {
    return outcome != attempt_outcome::response || status == 503;
}

class target_failover {
public:
    target_failover() = default;

    /// The hops of \p targets in order; \p resource is the URL path
    /// (configuration, WS7118-5.5-c).
    explicit target_failover(const std::vector<ws_target>& targets, std::string_view resource = "/") {
        for (const ws_target& t : targets) {
            if (t.addresses.empty()) {
                hops_.push_back({ws_url_for(t, {}, resource), t.host, t.secure});
                continue;
            }
            for (const std::string& a : t.addresses)
                hops_.push_back({ws_url_for(t, a, resource), t.host, t.secure});
        }
    }

    /// Hops given as they are (e.g. configured URLs), tried in order.
    explicit target_failover(std::vector<ws_hop> hops) : hops_(std::move(hops)) {}

    /// The hop to try now; null once every hop failed.
    const ws_hop* current() const noexcept { return at_ < hops_.size() ? &hops_[at_] : nullptr; }

    /// The current hop failed: moves on; false when none is left.
    bool next() noexcept {
        if (at_ < hops_.size()) ++at_;
        return at_ < hops_.size();
    }

    /// Starts again from the first hop (e.g. for a later request).
    void rewind() noexcept { at_ = 0; }

    std::size_t size() const noexcept { return hops_.size(); }
    std::size_t position() const noexcept { return at_; }
    const std::vector<ws_hop>& hops() const noexcept { return hops_; }

private:
    std::vector<ws_hop> hops_;
    std::size_t at_ = 0;
};

} // namespace sipws::rfc7118

#endif
