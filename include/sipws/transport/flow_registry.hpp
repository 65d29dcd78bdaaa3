// Distributed under the Boost Software License, Version 1.0.
#ifndef SIPWS_TRANSPORT_FLOW_REGISTRY_HPP
#define SIPWS_TRANSPORT_FLOW_REGISTRY_HPP

/// \file
/// Every open flow of the listeners and connectors that share a registry,
/// by flow id. All members may be called from any thread.
///
/// A flow is added when its opening handshake succeeds and removed when it
/// ends, just before the close handlers run. send() to a flow that is not
/// (or no longer) open returns error::flow_failed, which a SIP proxy turns
/// into 430 Flow Failed (RFC 5626).

#include <sipws/transport/connection_base.hpp>

#include <functional>
#include <memory>
#include <mutex>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace sipws::transport {

class flow_registry {
public:
    using close_handler = std::function<void(flow_id, const close_info&)>;

    flow_registry() = default;
    flow_registry(const flow_registry&) = delete;
    flow_registry& operator=(const flow_registry&) = delete;

    /// The connection of flow \p id, or null when the flow is not open.
    std::shared_ptr<connection_base> find(flow_id id) const {
        const shard& s = shard_of(id);
        std::lock_guard<std::mutex> lk(s.mu);
        auto it = s.map.find(id);
        return it == s.map.end() ? nullptr : it->second.lock();
    }

    /// Sends on flow \p id (framing policy of its Config); error::flow_failed
    /// when the flow is gone, error::queue_full under back-pressure.
    std::error_code send(flow_id id, std::string_view payload) const {
        auto c = find(id);
        return c ? c->send(payload) : make_error_code(error::flow_failed);
    }
    std::error_code send(flow_id id, ws::message_type type, std::string_view payload) const {
        auto c = find(id);
        return c ? c->send(type, payload) : make_error_code(error::flow_failed);
    }
    /// Closes flow \p id gracefully; false when it is not open.
    bool close(flow_id id, std::uint16_t code = ws::close_code::normal,
               std::string_view reason = {}) const {
        auto c = find(id);
        if (c) c->close(code, reason);
        return c != nullptr;
    }

    bool contains(flow_id id) const { return find(id) != nullptr; }

    /// The ids of the open flows (a snapshot).
    std::vector<flow_id> flows() const {
        std::vector<flow_id> out;
        for (const auto& s : shards_) {
            std::lock_guard<std::mutex> lk(s.mu);
            for (const auto& kv : s.map)
                if (!kv.second.expired()) out.push_back(kv.first);
        }
        return out;
    }
    std::size_t size() const {
        std::size_t n = 0;
        for (const auto& s : shards_) {
            std::lock_guard<std::mutex> lk(s.mu);
            n += s.map.size();
        }
        return n;
    }

    /// Called (on the flow's strand) whenever a flow of this registry ends.
    /// Set it before flows open.
    void on_flow_closed(close_handler h) { on_closed_ = std::move(h); }

    /// Closes every flow with \p code (or aborts them with abort_all()).
    void close_all(std::uint16_t code = ws::close_code::going_away, std::string_view reason = {}) {
        for (auto id : flows())
            if (auto c = find(id)) c->close(code, reason);
    }
    void abort_all() {
        for (auto id : flows())
            if (auto c = find(id)) c->abort();
    }

    // ---- used by the connections ----------------------------------------
    // The registry does not own connections: their pending operations do.
    void add(const std::shared_ptr<connection_base>& c) {
        const flow_id id = c->id();
        shard& s = shard_of(id);
        std::lock_guard<std::mutex> lk(s.mu);
        s.map.emplace(id, c);
    }
    /// Forgets \p id without calling the close handler (connection destroyed
    /// with its io_context).
    void forget(flow_id id) {
        shard& s = shard_of(id);
        std::lock_guard<std::mutex> lk(s.mu);
        s.map.erase(id);
    }
    void remove(flow_id id, const close_info& info) {
        bool had = false;
        {
            shard& s = shard_of(id);
            std::lock_guard<std::mutex> lk(s.mu);
            had = s.map.erase(id) != 0;
        }
        if (had && on_closed_) on_closed_(id, info);
    }

private:
    struct shard {
        mutable std::mutex mu;
        std::unordered_map<flow_id, std::weak_ptr<connection_base>> map;
    };
    static constexpr std::size_t shard_count = 16;
    shard& shard_of(flow_id id) { return shards_[id % shard_count]; }
    const shard& shard_of(flow_id id) const { return shards_[id % shard_count]; }

    shard shards_[shard_count];
    close_handler on_closed_;
};

} // namespace sipws::transport

#endif
