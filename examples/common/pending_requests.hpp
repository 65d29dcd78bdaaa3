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
// No locking and no I/O: the program keeps it under its own lock. Each
// request is one record, linked into the expiry order and into its flow's
// list, so add and answered cost a lookup and a few pointers.
#ifndef SIPWS_EXAMPLES_COMMON_PENDING_REQUESTS_HPP
#define SIPWS_EXAMPLES_COMMON_PENDING_REQUESTS_HPP

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
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
    };

    static constexpr std::chrono::milliseconds timer_f{32000}; ///< 64*T1

    explicit pending_requests(std::size_t capacity = 65536) : capacity_(capacity) {}
    pending_requests(const pending_requests&) = delete;
    pending_requests& operator=(const pending_requests&) = delete;

    /// Tracks the request forwarded with \p branch; false when full (it is
    /// then not tracked). A request with the same branch replaces the older.
    bool add(std::string branch, std::uint64_t downstream, std::uint64_t upstream, std::string request,
             clock::time_point now) {
        answered(branch);
        if (by_branch_.size() >= capacity_) return false;
        auto r = std::make_unique<record>();
        r->branch = std::move(branch);
        r->e = entry{downstream, upstream, std::move(request), now + timer_f};
        record* p = r.get();
        by_branch_.emplace(std::string_view(p->branch), std::move(r));
        link(p);
        return true;
    }

    /// A final response came back for \p branch: nothing more to do.
    void answered(std::string_view branch) {
        auto it = by_branch_.find(branch);
        if (it != by_branch_.end()) forget(it);
    }

    /// The requests still pending on \p downstream, which closed; removed
    /// (oldest first).
    std::vector<entry> take_flow(std::uint64_t downstream) {
        std::vector<entry> out;
        auto f = flows_.find(downstream);
        if (f == flows_.end()) return out;
        while (record* r = f->second.oldest) {
            out.push_back(std::move(r->e));
            forget(by_branch_.find(r->branch)); // may erase f: looked up again
            f = flows_.find(downstream);
            if (f == flows_.end()) break;
        }
        return out;
    }

    /// The requests whose Timer F fired by \p now; removed.
    std::vector<entry> take_expired(clock::time_point now) {
        std::vector<entry> out;
        while (all_.oldest && all_.oldest->e.expires <= now) {
            out.push_back(std::move(all_.oldest->e)); // forget() reads only the flow and links
            forget(by_branch_.find(all_.oldest->branch));
        }
        return out;
    }

    std::size_t size() const noexcept { return by_branch_.size(); }

private:
    struct record {
        std::string branch; ///< the key (by_branch_ views it)
        entry e;
        record* older = nullptr; ///< expiry order (Timer F is constant: order of adding)
        record* newer = nullptr;
        record* flow_older = nullptr; ///< the same downstream flow
        record* flow_newer = nullptr;
    };
    struct chain {
        record* oldest = nullptr;
        record* newest = nullptr;
    };
    using map = std::unordered_map<std::string_view, std::unique_ptr<record>>;

    void link(record* r) {
        r->older = all_.newest;
        (all_.newest ? all_.newest->newer : all_.oldest) = r;
        all_.newest = r;
        chain& c = flows_[r->e.downstream];
        r->flow_older = c.newest;
        (c.newest ? c.newest->flow_newer : c.oldest) = r;
        c.newest = r;
    }

    void forget(map::iterator it) {
        record* r = it->second.get();
        (r->older ? r->older->newer : all_.oldest) = r->newer;
        (r->newer ? r->newer->older : all_.newest) = r->older;
        auto f = flows_.find(r->e.downstream);
        if (f != flows_.end()) {
            chain& c = f->second;
            (r->flow_older ? r->flow_older->flow_newer : c.oldest) = r->flow_newer;
            (r->flow_newer ? r->flow_newer->flow_older : c.newest) = r->flow_older;
            if (!c.oldest) flows_.erase(f);
        }
        by_branch_.erase(it);
    }

    std::size_t capacity_;
    map by_branch_;
    std::unordered_map<std::uint64_t, chain> flows_; ///< flows with requests pending
    chain all_;
};

} // namespace sipws_program

#endif
