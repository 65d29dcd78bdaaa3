// Distributed under the Boost Software License, Version 1.0.
#ifndef SIPWS_RFC7118_BINDING_STORE_HPP
#define SIPWS_RFC7118_BINDING_STORE_HPP

/// \file
/// Registrar bindings (RFC 3261 section 10.3, RFC 5626 section 6, RFC 5627)
/// and where they are kept.
///
/// A binding is filed under its AOR (canonical form, see aor.hpp) and a key:
/// - (instance-id, reg-id) for an Outbound registration (OB5626-6-c): a new
///   REGISTER with the same instance and reg-id replaces the old binding and
///   its flow, whatever its Contact URI;
/// - (instance-id) when there is an instance but no reg-id (RFC 5627);
/// - the Contact URI (RFC 3261 comparison) otherwise.
///
/// binding_store is the interface a registrar talks to; memory_binding_store
/// is the in-process implementation (thread-safe, one mutex). A deployment
/// with a database or a cluster derives its own from binding_store.

#include <sipws/sip/uri.hpp>
#include <sipws/transport/flow.hpp>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <map>
#include <functional>
#include <iterator>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sipws::rfc7118 {

using binding_clock = std::chrono::steady_clock;

struct binding {
    std::string aor;            ///< canonical AOR (aor_of)
    std::string contact;        ///< the Contact URI, without brackets
    std::string contact_params; ///< its header parameters as sent (`;reg-id=1;+sip.instance=...`), no `expires`
    std::string instance;       ///< instance-id (`urn:uuid:...`), empty when none
    std::uint32_t reg_id = 0;   ///< 0: none
    std::string call_id;
    std::uint32_t cseq = 0;
    transport::flow_id flow = 0;   ///< the flow the REGISTER came on (0: not a direct flow)
    bool outbound = false;         ///< Outbound processing applied (RFC 5626 section 6)
    std::vector<std::string> path; ///< Path values in order (RFC 3327), as sent
    binding_clock::time_point expires_at{};
    binding_clock::time_point updated_at{};

    bool live(binding_clock::time_point now) const noexcept { return expires_at > now; }
    /// Seconds left at \p now (0 once expired).
    std::uint32_t seconds_left(binding_clock::time_point now) const noexcept {
        if (!live(now)) return 0;
        auto s = std::chrono::duration_cast<std::chrono::seconds>(expires_at - now).count();
        return static_cast<std::uint32_t>(std::max<std::int64_t>(1, s));
    }
    /// Same key (see the file comment); AORs are compared by the caller.
    bool same_key(const binding& o) const {
        if (!instance.empty() || !o.instance.empty())
            return instance == o.instance && reg_id == o.reg_id;
        return contact == o.contact || sip::equivalent(contact, o.contact); // the usual refresh first
    }
};

/// What a store change did, for logs and counters.
enum class binding_event : unsigned char { added, refreshed, replaced, removed, expired, flow_closed };

constexpr std::string_view to_string(binding_event e) noexcept {
    switch (e) {
    case binding_event::added: return "added";
    case binding_event::refreshed: return "refreshed";
    case binding_event::replaced: return "replaced";
    case binding_event::removed: return "removed";
    case binding_event::expired: return "expired";
    case binding_event::flow_closed: return "flow closed";
    }
    return "";
}

struct binding_change {
    binding_event event;
    binding b; ///< the binding as it is now (added/refreshed/replaced) or was (others)
    std::optional<binding> previous; ///< replaced: the binding it replaced
};

/// The interface of a binding store. Lookups return live bindings only,
/// most recently updated first.
class binding_store {
public:
    virtual ~binding_store() = default;

    /// Inserts \p b or replaces the binding of the same AOR and key.
    virtual binding_change put(binding b) = 0;
    /// Removes the binding of \p b's AOR and key; nullopt when none.
    virtual std::optional<binding> remove(const binding& b) = 0;
    /// Removes every binding of \p aor (Contact: *).
    virtual std::vector<binding> remove_aor(std::string_view aor) = 0;
    /// Removes every binding on \p flow, for all AORs (OB5626-7-b).
    virtual std::vector<binding> remove_flow(transport::flow_id flow) = 0;
    /// Removes the bindings expired at \p now.
    virtual std::vector<binding> purge(binding_clock::time_point now) = 0;

    virtual std::vector<binding> lookup(std::string_view aor, binding_clock::time_point now) const = 0;
    /// Calls \p f with each binding lookup() would return, in that order,
    /// without copying them. \p f must not call the store.
    virtual void visit(std::string_view aor, binding_clock::time_point now,
                       const std::function<void(const binding&)>& f) const {
        for (const binding& b : lookup(aor, now)) f(b);
    }
    /// The binding of \p aor with the same key as \p probe (expired or not).
    virtual std::optional<binding> find(const binding& probe) const = 0;
    /// Calls \p f with the binding find() would return, if any, without
    /// copying it. \p f must not call the store.
    virtual void visit_same_key(const binding& probe, const std::function<void(const binding&)>& f) const {
        if (auto b = find(probe)) f(*b);
    }
    /// The AORs with at least one live binding, sorted.
    virtual std::vector<std::string> aors(binding_clock::time_point now) const = 0;
    /// Number of bindings held (live or not yet purged).
    virtual std::size_t size() const = 0;
};

class memory_binding_store final : public binding_store {
public:
    binding_change put(binding b) override {
        std::lock_guard<std::mutex> lk(mu_);
        auto& list = map_[b.aor];
        for (auto& cur : list) {
            if (!cur.same_key(b)) continue;
            binding_change ch{binding_event::refreshed, {}, std::nullopt};
            if (cur.flow != b.flow || cur.contact != b.contact || cur.call_id != b.call_id) {
                ch.event = binding_event::replaced;
                ch.previous = std::move(cur);
            }
            cur = b; // a refresh: the strings fit where they were, no allocation
            ch.b = std::move(b);
            return ch;
        }
        list.push_back(b);
        return {binding_event::added, std::move(b), std::nullopt};
    }

    std::optional<binding> remove(const binding& b) override {
        std::lock_guard<std::mutex> lk(mu_);
        auto it = map_.find(b.aor);
        if (it == map_.end()) return std::nullopt;
        auto& list = it->second;
        for (auto k = list.begin(); k != list.end(); ++k) {
            if (!k->same_key(b)) continue;
            binding out = std::move(*k);
            list.erase(k);
            if (list.empty()) map_.erase(it);
            return out;
        }
        return std::nullopt;
    }

    std::vector<binding> remove_aor(std::string_view aor) override {
        std::lock_guard<std::mutex> lk(mu_);
        auto it = map_.find(aor);
        if (it == map_.end()) return {};
        std::vector<binding> out = std::move(it->second);
        map_.erase(it);
        return out;
    }

    std::vector<binding> remove_flow(transport::flow_id flow) override {
        return remove_if([flow](const binding& b) { return flow != 0 && b.flow == flow; });
    }

    std::vector<binding> purge(binding_clock::time_point now) override {
        return remove_if([now](const binding& b) { return !b.live(now); });
    }

    std::vector<binding> lookup(std::string_view aor, binding_clock::time_point now) const override {
        std::vector<binding> out;
        {
            std::lock_guard<std::mutex> lk(mu_);
            auto it = map_.find(aor);
            if (it == map_.end()) return out;
            for (const auto& b : it->second)
                if (b.live(now)) out.push_back(b);
        }
        std::stable_sort(out.begin(), out.end(), [](const binding& a, const binding& b) {
            return a.updated_at > b.updated_at;
        });
        return out;
    }

    void visit(std::string_view aor, binding_clock::time_point now,
               const std::function<void(const binding&)>& f) const override {
        std::lock_guard<std::mutex> lk(mu_);
        auto it = map_.find(aor);
        if (it == map_.end()) return;
        const auto& list = it->second;
        const binding* local[8];
        std::vector<const binding*> heap;
        const binding** first = local;
        if (list.size() > std::size(local)) {
            heap.resize(list.size());
            first = heap.data();
        }
        std::size_t n = 0;
        for (const auto& b : list)
            if (b.live(now)) first[n++] = &b;
        std::stable_sort(first, first + n, [](const binding* a, const binding* b) {
            return a->updated_at > b->updated_at;
        });
        for (std::size_t i = 0; i < n; ++i) f(*first[i]);
    }

    std::optional<binding> find(const binding& probe) const override {
        std::lock_guard<std::mutex> lk(mu_);
        auto it = map_.find(probe.aor);
        if (it == map_.end()) return std::nullopt;
        for (const auto& b : it->second)
            if (b.same_key(probe)) return b;
        return std::nullopt;
    }

    void visit_same_key(const binding& probe, const std::function<void(const binding&)>& f) const override {
        std::lock_guard<std::mutex> lk(mu_);
        auto it = map_.find(probe.aor);
        if (it == map_.end()) return;
        for (const auto& b : it->second)
            if (b.same_key(probe)) return f(b);
    }

    std::vector<std::string> aors(binding_clock::time_point now) const override {
        std::vector<std::string> out;
        std::lock_guard<std::mutex> lk(mu_);
        for (const auto& kv : map_)
            for (const auto& b : kv.second)
                if (b.live(now)) {
                    out.push_back(kv.first);
                    break;
                }
        return out; // std::map: already sorted
    }

    std::size_t size() const override {
        std::lock_guard<std::mutex> lk(mu_);
        std::size_t n = 0;
        for (const auto& kv : map_) n += kv.second.size();
        return n;
    }

private:
    template <class Pred> std::vector<binding> remove_if(Pred p) {
        std::vector<binding> out;
        std::lock_guard<std::mutex> lk(mu_);
        for (auto it = map_.begin(); it != map_.end();) {
            auto& list = it->second;
            for (auto k = list.begin(); k != list.end();) {
                if (p(*k)) {
                    out.push_back(std::move(*k));
                    k = list.erase(k);
                } else {
                    ++k;
                }
            }
            it = list.empty() ? map_.erase(it) : std::next(it);
        }
        return out;
    }

    mutable std::mutex mu_;
    std::map<std::string, std::vector<binding>, std::less<>> map_;
};

} // namespace sipws::rfc7118

#endif
