// Distributed under the Boost Software License, Version 1.0.
#ifndef SIPWS_TRANSPORT_FLOW_POOL_HPP
#define SIPWS_TRANSPORT_FLOW_POOL_HPP

/// \file
/// Flow reuse for a client (RFC 5626 section 4.3, OB5626-4.3-b): a request
/// to a next hop that already has an open flow goes over that flow instead
/// of a new connection. Over a connector:
///
/// \code
///   sipws::transport::connector<> c(io);
///   sipws::transport::flow_pool<> pool(c);
///   pool.async_acquire("wss://edge.example.com/", {}, [&](std::error_code ec, flow_id f) {
///       if (!ec) c.registry().send(f, request);
///   });
/// \endcode
///
/// - The key is the host as the URL names it (case-insensitive), the port
///   and ws or wss; for wss also the TLS server name that the certificate
///   was checked against (connect_options::server_name, else the URL's
///   host): a flow whose certificate matched one name is never used for a
///   next hop known by another, nor a flow opened without verification for
///   a request that asks for it.
/// - A flow is reused while it is open (still in the connector's registry);
///   a closed one is forgotten and the next acquire opens a new one.
/// - Acquires for a key whose connection is still being opened wait for
///   it: two requests at once open one connection. They all get its result.
/// - Only URLs and options are compared: a request that needs different
///   handshake fields (Origin, cookies, subprotocols) should use its own
///   connector.
///
/// Handlers run on the connection attempt's strand, or inline when a flow
/// is reused; the pool may be used from any thread.

#include <sipws/transport/connector.hpp>

#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <system_error>
#include <tuple>
#include <vector>

namespace sipws::transport {

template <class Config = default_config> class basic_flow_pool {
public:
    using connector_type = basic_connector<Config>;
    using handler_type = std::function<void(std::error_code, flow_id)>;

    /// \p c must outlive the pool.
    explicit basic_flow_pool(connector_type& c) : connector_(c) {}
    basic_flow_pool(const basic_flow_pool&) = delete;
    basic_flow_pool& operator=(const basic_flow_pool&) = delete;

    /// An open flow to \p url: an existing one with the same key, else a new
    /// connection. \p h is called once with the flow or the error.
    void async_acquire(std::string_view url, connect_options opts, handler_type h) {
        auto u = ws::parse_url(url);
        if (!u) return h(make_error_code(error::bad_url), flow_id{0});
        key k = key_of(*u, opts);
        flow_id reuse = 0;
        {
            std::lock_guard<std::mutex> lk(mu_);
            auto open = flows_.find(k);
            if (open != flows_.end() && connector_.registry().contains(open->second)) {
                reuse = open->second;
                ++reused_;
            } else {
                if (open != flows_.end()) flows_.erase(open); // closed since
                auto& waiting = pending_[k];
                waiting.push_back(std::move(h));
                if (waiting.size() > 1) return; // the connection is on its way
            }
        }
        if (reuse != 0) return h(std::error_code(), reuse); // outside the lock
        connector_.async_connect(url, std::move(opts), [this, k](std::error_code ec, flow_id f) {
            std::vector<handler_type> waiting;
            {
                std::lock_guard<std::mutex> lk(mu_);
                auto it = pending_.find(k);
                if (it != pending_.end()) {
                    waiting = std::move(it->second);
                    pending_.erase(it);
                }
                if (!ec) flows_[k] = f;
            }
            for (auto& w : waiting) w(ec, ec ? flow_id{0} : f);
        });
    }

    /// The flow kept for \p url and \p opts (0 when none is open).
    flow_id find(std::string_view url, const connect_options& opts = {}) {
        auto u = ws::parse_url(url);
        if (!u) return 0;
        std::lock_guard<std::mutex> lk(mu_);
        auto it = flows_.find(key_of(*u, opts));
        if (it == flows_.end() || !connector_.registry().contains(it->second)) return 0;
        return it->second;
    }

    /// Open flows kept (closed ones are counted until the next acquire finds them).
    std::size_t size() const {
        std::lock_guard<std::mutex> lk(mu_);
        return flows_.size();
    }
    /// How many acquires were answered with an existing flow.
    std::size_t reused() const {
        std::lock_guard<std::mutex> lk(mu_);
        return reused_;
    }

private:
    // host, port, secure, TLS server name ("" for ws), certificate verified
    using key = std::tuple<std::string, std::uint16_t, bool, std::string, bool>;

    static std::string lower(std::string_view s) {
        std::string out(s);
        for (char& c : out)
            if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
        return out;
    }

    static key key_of(const ws::url& u, const connect_options& o) {
        std::string name;
        if (u.secure) name = lower(o.server_name.empty() ? u.address() : std::string_view(o.server_name));
        return key{lower(u.address()), u.port, u.secure, std::move(name), u.secure && o.verify_peer};
    }

    connector_type& connector_;
    mutable std::mutex mu_;
    std::map<key, flow_id> flows_;
    std::map<key, std::vector<handler_type>> pending_;
    std::size_t reused_ = 0;
};

template <class Config = default_config> using flow_pool = basic_flow_pool<Config>;

} // namespace sipws::transport

#endif
