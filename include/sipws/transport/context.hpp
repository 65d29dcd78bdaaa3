// Distributed under the Boost Software License, Version 1.0.
#ifndef SIPWS_TRANSPORT_CONTEXT_HPP
#define SIPWS_TRANSPORT_CONTEXT_HPP

/// \file
/// What a listener or connector shares with the connections it opens: the
/// policy objects of its Config, the limits, the handlers and the flow
/// registry. Users reach it through the listener / connector.
///
/// Threading rule: every handler of a flow runs on that flow's strand, so
/// handlers of one flow never run concurrently; handlers of different flows
/// may run concurrently when several threads run the io_context. Set the
/// handlers and policies before the listener starts (or the connector
/// connects); policies are read concurrently by the connections afterwards.

#include <sipws/transport/config.hpp>
#include <sipws/transport/flow_registry.hpp>
#include <sipws/transport/limits.hpp>

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

namespace sipws::transport {

/// One whole WebSocket message (one SIP message), on the flow's strand. The
/// view is valid during the call only.
using message_handler = std::function<void(flow_id, ws::message_type, std::string_view)>;
/// A flow opened (handshake done, flow registered).
using open_handler = std::function<void(const flow_info&)>;
/// A flow ended (it is no longer in the registry).
using close_handler = std::function<void(flow_id, const close_info&)>;

/// The answer to a plain HTTP request (no `Upgrade: websocket`) on a
/// listener's port, e.g. a web page served next to the WebSocket endpoint.
/// The connection closes after it (`Connection: close`).
struct http_response {
    int status = 200;          ///< 200-599
    std::string content_type;  ///< omitted when empty
    std::string body;
    std::string extra_headers; ///< field lines, each ending in CRLF
};
/// Called (on the connection's strand) for a GET without `Upgrade:
/// websocket`; std::nullopt keeps the default answer (426 Upgrade Required).
/// Only the request's method, target, path, query, host and fields are set.
using http_handler = std::function<std::optional<http_response>(const ws::handshake_request&)>;

namespace detail {
/// The HTTP/1.1 message for \p r (invalid header lines are dropped).
inline std::string http_response_text(const http_response& r) {
    const int status = r.status < 200 || r.status > 599 ? 500 : r.status;
    std::string out = "HTTP/1.1 " + std::to_string(status) + ' ';
    out += ws::server_handshake::reason_phrase(status);
    out += "\r\nConnection: close\r\nCache-Control: no-store\r\n";
    if (!r.content_type.empty() && ws::server_handshake::valid_field_lines("Content-Type: " + r.content_type + "\r\n")) {
        out += "Content-Type: ";
        out += r.content_type;
        out += "\r\n";
    }
    if (ws::server_handshake::valid_field_lines(r.extra_headers)) out += r.extra_headers;
    out += "Content-Length: " + std::to_string(r.body.size()) + "\r\n\r\n";
    out += r.body;
    return out;
}
} // namespace detail

template <class Config> class basic_context {
public:
    static_assert(detail::check_config<Config>::value, "");
    using origin_policy_type = typename Config::origin_policy;
    using web_auth_policy_type = typename Config::web_auth_policy;
    using subprotocol_policy_type = typename Config::subprotocol_policy;
    using framing_policy_type = typename Config::framing_policy;
    using keepalive_policy_type = typename Config::keepalive_policy;
    using compression_policy_type = typename detail::compression_of<Config>::type;

    explicit basic_context(std::shared_ptr<flow_registry> registry)
        : registry_(registry ? std::move(registry) : std::make_shared<flow_registry>()) {}

    origin_policy_type origin;
    web_auth_policy_type web_auth;
    subprotocol_policy_type subprotocol;
    framing_policy_type framing;
    keepalive_policy_type keepalive;
    compression_policy_type compression;

    message_handler on_message;
    open_handler on_open;
    close_handler on_close;
    http_handler on_http;

    limits get_limits() const {
        std::lock_guard<std::mutex> lk(mu_);
        return limits_;
    }
    void set_limits(const limits& l) {
        std::lock_guard<std::mutex> lk(mu_);
        limits_ = l;
    }

    flow_registry& registry() const noexcept { return *registry_; }
    const std::shared_ptr<flow_registry>& registry_ptr() const noexcept { return registry_; }

    /// Connections of this context in handshake or open.
    std::atomic<std::size_t> live{0};

private:
    mutable std::mutex mu_;
    limits limits_;
    std::shared_ptr<flow_registry> registry_;
};

} // namespace sipws::transport

#endif
