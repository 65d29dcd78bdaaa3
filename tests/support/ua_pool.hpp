// Test-side crowd of SIP WebSocket user agents built from the library's own
// client side: one transport connector for all of them, and per user agent
// an Outbound contact (instance-id, reg-id 1), a registration and the
// MESSAGE requests it has sent (rfc7118 client_request). Any thread may call
// it; its callbacks run on the io_context's threads with the pool's lock
// held, so they must not call back into the pool.
//
//   ua_pool pool(io, proxy.ws_url(), "sipws.test");
//   auto a = pool.add("alice"), b = pool.add("bob");
//   pool.start(a); pool.start(b);                       // connect + REGISTER
//   wait until pool.registered(a) && pool.registered(b)
//   pool.send_message(a, "sip:bob@sipws.test", "hi");   // id, or 0
//   pool.on_final([](std::uint64_t id, unsigned status) {...});  // status 0: the sender's flow died first
//   pool.abort(b);                                      // socket closed, no WebSocket Close
#ifndef SIPWS_TEST_SUPPORT_UA_POOL_HPP
#define SIPWS_TEST_SUPPORT_UA_POOL_HPP

#include <sipws/rfc7118/instance_id.hpp>
#include <sipws/rfc7118/ua_answer.hpp>
#include <sipws/rfc7118/ua_client_request.hpp>
#include <sipws/rfc7118/ua_registration.hpp>
#include <sipws/sip/parser.hpp>
#include <sipws/transport/connector.hpp>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace sipws::test {

class ua_pool {
public:
    enum class state { idle, connecting, registering, registered };

    /// A request received by user agent \p ua; return false to leave it
    /// unanswered (by default each one is answered, MESSAGE with 200).
    using request_handler = std::function<bool(std::size_t ua, const sip::message& req)>;
    /// The end of MESSAGE \p id: its final status, or 0 when the sender's own
    /// flow closed before it.
    using final_handler = std::function<void(std::uint64_t id, unsigned status)>;
    /// User agent \p ua lost its flow (aborted by the test or by the proxy).
    using lost_handler = std::function<void(std::size_t ua)>;

    ua_pool(asio::io_context& io, std::string url, std::string domain)
        : url_(std::move(url)), domain_(std::move(domain)), connector_(io) {
        connector_.on_message([this](transport::flow_id f, ws::message_type, std::string_view m) {
            on_message(f, m);
        });
        connector_.on_close([this](transport::flow_id f, const transport::close_info&) { on_close(f); });
    }
    ua_pool(const ua_pool&) = delete;
    ua_pool& operator=(const ua_pool&) = delete;

    void on_request(request_handler h) {
        std::lock_guard<std::mutex> lk(mu_);
        on_request_ = std::move(h);
    }
    void on_final(final_handler h) {
        std::lock_guard<std::mutex> lk(mu_);
        on_final_ = std::move(h);
    }
    void on_lost(lost_handler h) {
        std::lock_guard<std::mutex> lk(mu_);
        on_lost_ = std::move(h);
    }

    /// A new user agent `sip:USER@domain`; its index.
    std::size_t add(const std::string& user) {
        std::lock_guard<std::mutex> lk(mu_);
        auto u = std::make_unique<agent>();
        u->aor = "sip:" + user + "@" + domain_;
        u->contact = rfc7118::make_ua_contact(user, false, rfc7118::make_instance_id(), 1);
        agents_.push_back(std::move(u));
        return agents_.size() - 1;
    }

    std::string aor(std::size_t ua) const {
        std::lock_guard<std::mutex> lk(mu_);
        return agents_[ua]->aor;
    }

    /// Connects \p ua (idle) and registers it; false when it is not idle.
    bool start(std::size_t ua) {
        {
            std::lock_guard<std::mutex> lk(mu_);
            agent& a = *agents_[ua];
            if (a.st != state::idle) return false;
            a.st = state::connecting;
        }
        connector_.async_connect(url_, [this, ua](std::error_code ec, transport::flow_id f) {
            std::lock_guard<std::mutex> lk(mu_);
            agent& a = *agents_[ua];
            if (ec) {
                ++connect_failures_;
                a.st = state::idle;
                return;
            }
            if (!connector_.registry().contains(f)) { // closed already (on_close found nothing)
                a.st = state::idle;
                return;
            }
            a.flow = f;
            by_flow_[f] = ua;
            a.st = state::registering;
            rfc7118::registration_options ro;
            ro.registrar_uri = "sip:" + domain_;
            ro.aor = a.aor;
            ro.contact = a.contact;
            ro.expires = 600;
            a.reg.emplace(std::move(ro));
            send(a, a.reg->register_request());
        });
        return true;
    }

    state status(std::size_t ua) const {
        std::lock_guard<std::mutex> lk(mu_);
        return agents_[ua]->st;
    }
    bool registered(std::size_t ua) const { return status(ua) == state::registered; }
    std::size_t registered_count() const {
        std::lock_guard<std::mutex> lk(mu_);
        std::size_t n = 0;
        for (const auto& a : agents_) n += a->st == state::registered;
        return n;
    }

    /// Sends MESSAGE with \p body from \p ua (registered) to \p target; its
    /// id (from 1), or 0 when \p ua is not registered or the send failed.
    std::uint64_t send_message(std::size_t ua, const std::string& target, const std::string& body) {
        std::lock_guard<std::mutex> lk(mu_);
        agent& a = *agents_[ua];
        if (a.st != state::registered) return 0;
        auto spec = rfc7118::make_out_of_dialog_spec("MESSAGE", target, a.aor);
        spec.content_type = "text/plain";
        spec.body = body;
        auto req = std::make_unique<rfc7118::client_request>(std::move(spec), a.contact.host, false);
        std::string text = req->send();
        if (!send(a, text)) return 0;
        const std::uint64_t id = ++last_id_;
        std::string branch = req->transaction().branch();
        a.sent.emplace(std::move(branch), outgoing{id, std::move(req)});
        return id;
    }

    /// Closes \p ua's socket without a WebSocket Close (abort) or with one.
    void abort(std::size_t ua) { end_flow(ua, false); }
    void close(std::size_t ua) { end_flow(ua, true); }

    /// MESSAGE requests sent and not finished yet.
    std::size_t outstanding() const {
        std::lock_guard<std::mutex> lk(mu_);
        std::size_t n = 0;
        for (const auto& a : agents_) n += a->sent.size();
        return n;
    }
    std::size_t size() const {
        std::lock_guard<std::mutex> lk(mu_);
        return agents_.size();
    }
    std::uint64_t connect_failures() const {
        std::lock_guard<std::mutex> lk(mu_);
        return connect_failures_;
    }
    std::uint64_t registration_failures() const {
        std::lock_guard<std::mutex> lk(mu_);
        return registration_failures_;
    }
    std::uint64_t send_failures() const {
        std::lock_guard<std::mutex> lk(mu_);
        return send_failures_;
    }
    transport::flow_registry& registry() { return connector_.registry(); }

private:
    struct outgoing {
        std::uint64_t id;
        std::unique_ptr<rfc7118::client_request> req;
    };
    struct agent {
        std::string aor;
        rfc7118::ua_contact contact;
        std::optional<rfc7118::registration> reg;
        transport::flow_id flow = 0;
        state st = state::idle;
        std::map<std::string, outgoing> sent; // by Via branch
    };

    bool send(agent& a, const std::string& text) { // mu_ held
        if (a.flow == 0) return false;
        if (connector_.registry().send(a.flow, text)) {
            ++send_failures_;
            return false;
        }
        return true;
    }

    void end_flow(std::size_t ua, bool graceful) {
        transport::flow_id f;
        {
            std::lock_guard<std::mutex> lk(mu_);
            f = agents_[ua]->flow;
        }
        if (f == 0) return;
        if (auto c = connector_.registry().find(f)) {
            if (graceful) c->close();
            else c->abort();
        }
    }

    void on_message(transport::flow_id f, std::string_view bytes) {
        auto m = sip::parse(bytes);
        std::lock_guard<std::mutex> lk(mu_);
        auto it = by_flow_.find(f);
        if (it == by_flow_.end() || !m) return;
        const std::size_t ua = it->second;
        agent& a = *agents_[ua];
        if (m->is_request()) {
            if (on_request_ && !on_request_(ua, *m)) return;
            if (auto answer = rfc7118::answer_request(*m)) send(a, *answer);
            return;
        }
        if (a.reg && a.reg->matches(*m)) {
            auto ev = a.reg->on_response(*m);
            using kind = rfc7118::registration::event::kind;
            if (ev.what == kind::registered) a.st = state::registered;
            else if (ev.what == kind::send) send(a, ev.request);
            else if (ev.what == kind::failed) ++registration_failures_;
            return;
        }
        auto via = m->top_via();
        if (!via) return;
        auto s = a.sent.find(std::string(via->branch));
        if (s == a.sent.end()) return;
        auto r = s->second.req->on_response(*m);
        if (r.what != rfc7118::client_request::result::kind::final) return;
        const std::uint64_t id = s->second.id;
        a.sent.erase(s);
        if (on_final_) on_final_(id, r.status);
    }

    void on_close(transport::flow_id f) {
        std::lock_guard<std::mutex> lk(mu_);
        auto it = by_flow_.find(f);
        if (it == by_flow_.end()) return;
        const std::size_t ua = it->second;
        by_flow_.erase(it);
        agent& a = *agents_[ua];
        a.flow = 0;
        a.st = state::idle;
        a.reg.reset();
        for (auto& kv : a.sent)
            if (on_final_) on_final_(kv.second.id, 0);
        a.sent.clear();
        if (on_lost_) on_lost_(ua);
    }

    std::string url_, domain_;
    transport::connector<> connector_;
    mutable std::mutex mu_;
    std::vector<std::unique_ptr<agent>> agents_;
    std::unordered_map<transport::flow_id, std::size_t> by_flow_;
    std::uint64_t last_id_ = 0, connect_failures_ = 0, registration_failures_ = 0, send_failures_ = 0;
    request_handler on_request_;
    final_handler on_final_;
    lost_handler on_lost_;
};

} // namespace sipws::test

#endif
