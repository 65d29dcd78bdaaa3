// Distributed under the Boost Software License, Version 1.0.
// Non-INVITE requests a proxy forwarded on a flow and that have no final
// response yet. The proxy otherwise forwards statelessly; this is the part
// of a transaction it must keep so that the sender never waits in vain
// (RFC 3261 section 16.7 step 10, RFC 5626 section 5.3.1): when the flow
// the request went out on closes first, the sender gets 430 Flow Failed;
// when no final response comes within Timer F (64*T1 = 32 s), 408.
//
//   pending_requests p;
//   p.add(branch, out_flow, in_flow, request_text, now);   // when forwarding
//   p.answered(branch);                                    // final response
//   for (auto& e : p.take_flow(closed_flow)) ...answer 430 to e.upstream
//   for (auto& e : p.take_expired(now)) ...answer 408 to e.upstream
//
// Keyed by the branch of the proxy's own Via, which comes back in the
// response. Bounded: past the capacity a request is forwarded untracked.
// No locking and no I/O: the program keeps it under its own lock.
#ifndef SIPWS_EXAMPLES_COMMON_PENDING_REQUESTS_HPP
#define SIPWS_EXAMPLES_COMMON_PENDING_REQUESTS_HPP

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <list>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace sipws_program {

class pending_requests {
public:
    using clock = std::chrono::steady_clock;

    struct entry {
        std::uint64_t downstream = 0; ///< the flow the request went out on
        std::uint64_t upstream = 0;   ///< the flow it came from (answers go there)
        std::string request;          ///< the request as received (its Via stack)
        clock::time_point expires;
        std::list<std::string>::iterator order; ///< its place in expiry order
    };

    static constexpr std::chrono::milliseconds timer_f{32000}; ///< 64*T1

    explicit pending_requests(std::size_t capacity = 65536) : capacity_(capacity) {}

    /// Tracks the request forwarded with \p branch; false when full (it is
    /// then not tracked). A request with the same branch replaces the older.
    bool add(std::string branch, std::uint64_t downstream, std::uint64_t upstream, std::string request,
             clock::time_point now) {
        answered(branch);
        if (by_branch_.size() >= capacity_) return false;
        by_flow_[downstream].insert(branch);
        order_.push_back(branch);
        by_branch_.emplace(std::move(branch), entry{downstream, upstream, std::move(request),
                                                    now + timer_f, std::prev(order_.end())});
        return true;
    }

    /// A final response came back for \p branch: nothing more to do.
    void answered(std::string_view branch) {
        auto it = by_branch_.find(std::string(branch));
        if (it == by_branch_.end()) return;
        forget(it);
    }

    /// The requests still pending on \p downstream, which closed; removed.
    std::vector<entry> take_flow(std::uint64_t downstream) {
        std::vector<entry> out;
        auto f = by_flow_.find(downstream);
        if (f == by_flow_.end()) return out;
        for (const std::string& b : f->second) {
            auto it = by_branch_.find(b);
            if (it == by_branch_.end()) continue;
            order_.erase(it->second.order);
            out.push_back(std::move(it->second));
            by_branch_.erase(it);
        }
        by_flow_.erase(f);
        return out;
    }

    /// The requests whose Timer F fired by \p now; removed.
    std::vector<entry> take_expired(clock::time_point now) {
        std::vector<entry> out;
        while (!order_.empty()) {
            auto it = by_branch_.find(order_.front());
            if (it->second.expires > now) break;
            out.push_back(std::move(it->second)); // forget() reads only the flow and place
            forget(it);
        }
        return out;
    }

    std::size_t size() const noexcept { return by_branch_.size(); }

private:
    void forget(std::unordered_map<std::string, entry>::iterator it) {
        auto f = by_flow_.find(it->second.downstream);
        if (f != by_flow_.end()) {
            f->second.erase(it->first);
            if (f->second.empty()) by_flow_.erase(f);
        }
        order_.erase(it->second.order);
        by_branch_.erase(it);
    }

    std::size_t capacity_;
    std::unordered_map<std::string, entry> by_branch_;
    std::unordered_map<std::uint64_t, std::set<std::string>> by_flow_;
    std::list<std::string> order_; // branches oldest first: expiry order, as Timer F is constant
};

} // namespace sipws_program

#endif
