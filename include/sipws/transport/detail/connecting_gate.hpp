// Distributed under the Boost Software License, Version 1.0.
#ifndef SIPWS_TRANSPORT_DETAIL_CONNECTING_GATE_HPP
#define SIPWS_TRANSPORT_DETAIL_CONNECTING_GATE_HPP

/// \file
/// RFC 6455 4.1, step 2 (WS6455-4.1-a): a client keeps at most one
/// connection per remote IP address and port in the CONNECTING state;
/// further attempts to the same address wait until that one is open or has
/// failed, then go one at a time, in order.

#include <asio/ip/tcp.hpp>

#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <utility>

namespace sipws::transport::detail {

class connecting_gate {
public:
    using key = asio::ip::tcp::endpoint;

    /// Runs \p go now when no attempt to \p k is connecting, else queues it
    /// behind the ones that are. The caller calls leave(k) once its attempt
    /// is open or has failed. \p go must not block (it posts its work).
    void enter(const key& k, std::function<void()> go) {
        {
            std::lock_guard<std::mutex> lk(mu_);
            auto [it, fresh] = busy_.try_emplace(k);
            if (!fresh) {
                it->second.push_back(std::move(go));
                return;
            }
        }
        go();
    }

    /// Ends the connecting attempt to \p k and lets the next waiter go.
    void leave(const key& k) {
        std::function<void()> next;
        {
            std::lock_guard<std::mutex> lk(mu_);
            auto it = busy_.find(k);
            if (it == busy_.end()) return;
            if (it->second.empty()) {
                busy_.erase(it);
                return;
            }
            next = std::move(it->second.front());
            it->second.pop_front();
        }
        next();
    }

    /// Addresses with an attempt in the CONNECTING state.
    std::size_t connecting() const {
        std::lock_guard<std::mutex> lk(mu_);
        return busy_.size();
    }

private:
    mutable std::mutex mu_;
    std::map<key, std::deque<std::function<void()>>> busy_;
};

} // namespace sipws::transport::detail

#endif
