// Distributed under the Boost Software License, Version 1.0.
// Requests a proxy forwarded on a flow and that have no final response yet.
// The proxy otherwise forwards statelessly; this is the part of a
// transaction it must keep so that the sender never waits in vain (RFC 3261
// section 16.7 steps 2 and 10, RFC 5626 section 5.3.1): when the flow the
// request went out on closes first, the sender gets 430 Flow Failed (or the
// request goes to another flow of the same instance, RFC 5626 section 7);
// when no final response comes in time, 408. A non-INVITE request has Timer
// F (64*T1 = 32 s); an INVITE has Timer B (also 32 s) until a provisional
// response comes, then Timer C (3 minutes, restarted by each provisional
// response). An INVITE is also found by its upstream server transaction, so
// that a CANCEL reaches the flow the INVITE went out on.
//
//   pending_requests p;
//   auto key = pending_requests::key(branch, method);
//   p.add(key, out_flow, in_flow, request_text, now);       // when forwarding
//   p.add_invite(key, out_flow, in_flow, request_text, server_transaction_id, forwarded_text, now);
//   p.proceeding(key, now);                                  // 1xx for an INVITE
//   p.answered(key);                                         // final response
//   p.find(key)->context                                     // the program's own marks
//   for (auto& e : p.take_flow(closed_flow)) ...answer 430 to e.upstream
//   for (auto& e : p.take_expired(now)) ...answer 408 to e.upstream
//
// Keyed by the branch of the proxy's own Via, which comes back in the
// response, and the method for a CANCEL (which has the INVITE's branch).
// Expiry needs no timer per request: both timers are constant, so each has
// its list in expiry order and take_expired() reads only the heads.
// Bounded: past the capacity a request is forwarded untracked. No locking
// and no I/O: the program keeps it under its own lock.
#ifndef SIPWS_EXAMPLES_COMMON_PENDING_REQUESTS_HPP
#define SIPWS_EXAMPLES_COMMON_PENDING_REQUESTS_HPP

#include <sipws/rfc7118/binding_store.hpp>

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
        bool invite = false;
        bool proceeding = false;      ///< INVITE: a provisional response came (Timer C runs)
        std::string transaction;      ///< INVITE: its server transaction upstream (sip::server_transaction_id)
        std::string forwarded;        ///< INVITE: as sent downstream (a CANCEL copies it)
        /// Other bindings of the target's instance to try, in order, when
        /// the flow fails (RFC 5626 section 7); the program fills it.
        std::vector<sipws::rfc7118::binding> alternatives;
        /// The program's response context of a forked request (0: none)
        /// and this request's branch in it.
        std::uint64_t context = 0;
        std::size_t branch = 0;
        int timer = 0;                           ///< which expiry list: 0 Timer F/B, 1 Timer C
        std::list<std::string>::iterator order;  ///< its place in that list
    };

    static constexpr std::chrono::milliseconds default_t1{500}; ///< RFC 3261 17.1.1.1
    static constexpr std::chrono::milliseconds timer_c{180000}; ///< more than 3 minutes is not needed

    /// 64*T1: Timer B (INVITE) and Timer F (other requests), RFC 3261 17.1.
    std::chrono::milliseconds timer_f() const noexcept { return timer_f_; }
    /// T1, the round-trip estimate (RFC 3261 17.1.1.1: 500 ms unless the
    /// network is known to be faster or slower).
    void set_t1(std::chrono::milliseconds t1) noexcept { timer_f_ = 64 * t1; }

    explicit pending_requests(std::size_t capacity = 65536) : capacity_(capacity) {}

    /// The branch of a Via value the program wrote (`...;branch=B`, branch last).
    static std::string_view branch_of(std::string_view via) {
        std::size_t at = via.find(";branch=");
        return at == std::string_view::npos ? std::string_view() : via.substr(at + 8);
    }

    /// The key of a request forwarded with Via branch \p branch: the branch,
    /// and for a CANCEL (whose branch is its INVITE's) the method too.
    static std::string key(std::string_view branch, std::string_view method) {
        std::string k(branch);
        if (method == "CANCEL") k += " CANCEL";
        return k;
    }

    /// Tracks the non-INVITE request forwarded as \p key; nullptr when full
    /// (it is then not tracked). A request with the same key replaces the older.
    entry* add(std::string key, std::uint64_t downstream, std::uint64_t upstream, std::string request,
               clock::time_point now) {
        answered(key);
        if (by_key_.size() >= capacity_) return nullptr;
        by_flow_[downstream].insert(key);
        order_[0].push_back(key);
        auto it = by_key_.emplace(std::move(key), entry{}).first;
        entry& e = it->second;
        e.downstream = downstream;
        e.upstream = upstream;
        e.request = std::move(request);
        e.expires = now + timer_f_;
        e.order = std::prev(order_[0].end());
        return &e;
    }

    /// Tracks the INVITE forwarded as \p key, found by its upstream server
    /// transaction \p transaction too; nullptr when full.
    entry* add_invite(std::string key, std::uint64_t downstream, std::uint64_t upstream, std::string request,
                      std::string transaction, std::string forwarded, clock::time_point now) {
        std::string k = key;
        entry* e = add(std::move(key), downstream, upstream, std::move(request), now);
        if (!e) return nullptr;
        e->invite = true;
        e->forwarded = std::move(forwarded);
        if (!transaction.empty()) {
            by_transaction_[transaction] = std::move(k);
            e->transaction = std::move(transaction);
        }
        return e;
    }

    /// A provisional response came back for \p key: an INVITE's Timer C
    /// (re)starts; nothing for other requests.
    void proceeding(const std::string& key, clock::time_point now) {
        auto it = by_key_.find(key);
        if (it == by_key_.end() || !it->second.invite) return;
        entry& e = it->second;
        order_[e.timer].erase(e.order);
        e.proceeding = true;
        e.timer = 1;
        e.expires = now + timer_c;
        order_[1].push_back(it->first);
        e.order = std::prev(order_[1].end());
    }

    /// A final response came back for \p key: nothing more to do.
    void answered(const std::string& key) {
        auto it = by_key_.find(key);
        if (it == by_key_.end()) return;
        forget(it);
    }

    /// The request pending as \p key, or nullptr.
    entry* find(const std::string& key) {
        auto it = by_key_.find(key);
        return it == by_key_.end() ? nullptr : &it->second;
    }

    /// The pending INVITE whose upstream server transaction is \p
    /// transaction (a CANCEL's sip::cancelled_transaction_id), or nullptr.
    const entry* find_invite(const std::string& transaction) const {
        auto t = by_transaction_.find(transaction);
        if (t == by_transaction_.end()) return nullptr;
        auto it = by_key_.find(t->second);
        return it == by_key_.end() ? nullptr : &it->second;
    }

    /// The requests still pending on \p downstream, which closed; removed.
    std::vector<entry> take_flow(std::uint64_t downstream) {
        std::vector<entry> out;
        auto f = by_flow_.find(downstream);
        if (f == by_flow_.end()) return out;
        std::set<std::string> keys = std::move(f->second);
        by_flow_.erase(f);
        for (const std::string& k : keys) {
            auto it = by_key_.find(k);
            if (it == by_key_.end()) continue;
            out.push_back(take(it));
        }
        return out;
    }

    /// The requests whose timer fired by \p now; removed.
    std::vector<entry> take_expired(clock::time_point now) {
        std::vector<entry> out;
        for (auto& order : order_) {
            while (!order.empty()) {
                auto it = by_key_.find(order.front());
                if (it->second.expires > now) break;
                out.push_back(take(it));
            }
        }
        return out;
    }

    std::size_t size() const noexcept { return by_key_.size(); }

private:
    using iterator = std::unordered_map<std::string, entry>::iterator;

    void forget(iterator it) { take(it); }

    entry take(iterator it) {
        auto f = by_flow_.find(it->second.downstream);
        if (f != by_flow_.end()) {
            f->second.erase(it->first);
            if (f->second.empty()) by_flow_.erase(f);
        }
        if (!it->second.transaction.empty()) {
            auto t = by_transaction_.find(it->second.transaction);
            if (t != by_transaction_.end() && t->second == it->first) by_transaction_.erase(t);
        }
        order_[it->second.timer].erase(it->second.order);
        entry e = std::move(it->second);
        by_key_.erase(it);
        return e;
    }

    std::size_t capacity_;
    std::chrono::milliseconds timer_f_ = 64 * default_t1;
    std::unordered_map<std::string, entry> by_key_;
    std::unordered_map<std::uint64_t, std::set<std::string>> by_flow_;
    std::unordered_map<std::string, std::string> by_transaction_; // INVITE transaction -> key
    std::list<std::string> order_[2]; // keys oldest first per timer: expiry order, as each timer is constant
};

} // namespace sipws_program

#endif
