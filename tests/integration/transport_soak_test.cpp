// Soak: connections opening, exchanging messages and dying abruptly for a
// fixed time while long-lived connections keep exchanging numbered messages.
// Zero lost, duplicated or reordered messages on the long-lived ones; no send
// error other than back-pressure, which the senders wait out (async_send);
// the server ends with exactly those flows; RSS (under ASan: the heap in use)
// does not keep growing.
// Duration: 30 s, or SIPWS_SOAK_SECONDS.
#include "support/sanitizer.hpp"
#include "support/test.hpp"

#include "integration/transport_support.hpp"
#include "support/process.hpp"

#include <asio/use_future.hpp>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <future>
#include <map>
#include <random>
#include <set>

#ifdef SIPWS_TEST_ASAN
// From the sanitizer runtime (sanitizer/allocator_interface.h, which GCC does
// not install).
extern "C" std::size_t __sanitizer_get_current_allocated_bytes();
#endif

using namespace sipws::test;
namespace tr = sipws::transport;

namespace {

/// The memory the check watches, in KiB: the RSS; under AddressSanitizer,
/// whose quarantine of freed blocks makes the RSS grow by design (up to
/// quarantine_size_mb), the heap in use instead (leaks are its own check).
long memory_kb() {
#ifdef SIPWS_TEST_ASAN
    return static_cast<long>(__sanitizer_get_current_allocated_bytes() / 1024);
#else
    return rss_kb();
#endif
}
#ifdef SIPWS_TEST_ASAN
const char* const memory_name = "heap in use";
#else
const char* const memory_name = "RSS";
#endif

unsigned long long ull(std::uint64_t v) { return static_cast<unsigned long long>(v); }

/// Send failures by cause; back-pressure (queue_full) is waited out and
/// counted apart, as it is not a failure.
struct send_errors {
    std::atomic<std::uint64_t> waited{0}, flow_failed{0}, other{0};

    void record(const char* who, tr::flow_id f, std::error_code ec) {
        if (ec == tr::error::flow_failed) ++flow_failed;
        else ++other;
        if (who)
            std::printf("soak: %s send on flow %llu failed: %s\n", who, ull(f), ec.message().c_str());
    }
    std::uint64_t failures() const { return flow_failed + other; }
};

/// Sends \p payload on flow \p f after the messages sent before it: when the
/// write queue is full, waits for room (async_send keeps the order, as
/// send() refuses while a sender waits).
void send_in_order(tr::flow_registry& reg, tr::flow_id f, sipws::ws::message_type type,
                   std::string_view payload, send_errors& errs, const char* who) {
    std::error_code ec = reg.send(f, type, payload);
    if (ec != tr::error::queue_full) {
        if (ec) errs.record(who, f, ec);
        return;
    }
    ++errs.waited;
    auto c = reg.find(f);
    if (!c) return errs.record(who, f, make_error_code(tr::error::flow_failed));
    c->async_send(type, payload, [&errs, f, who](std::error_code e) {
        if (e) errs.record(who, f, e);
    });
}

/// One long-lived flow: numbers sent, and which came back how.
struct sequence {
    std::uint64_t next_to_send = 0;
    std::uint64_t next_in_order = 0; // lowest number not received yet
    std::vector<bool> seen;
    std::uint64_t received = 0, duplicated = 0, reordered = 0;

    /// Records the echo of number \p n; false when it is out of sequence.
    bool receive(std::uint64_t n) {
        if (n >= seen.size()) seen.resize(n + 1024);
        if (seen[n]) {
            ++duplicated;
            return false;
        }
        seen[n] = true;
        ++received;
        const bool in_order = n == next_in_order;
        if (!in_order) ++reordered;
        while (next_in_order < seen.size() && seen[next_in_order]) ++next_in_order;
        return in_order;
    }
    std::uint64_t lost() const { return next_to_send - received; }
};

} // namespace

TEST_CASE("transport soak: churn with abrupt deaths, zero loss on stable flows", "[soak][transport]") {
    int seconds = 30;
    if (const char* s = std::getenv("SIPWS_SOAK_SECONDS")) seconds = std::max(5, std::atoi(s));
    // State the handlers use outlives the io_context threads (declared first).
    send_errors server_errors, client_errors, churn_errors;
    // The numbers of a stable flow are sent under this lock, so that they are
    // queued in the order they are taken (the first window, sent from this
    // thread, races with the echoes that come back meanwhile).
    std::mutex mu;
    std::map<tr::flow_id, sequence> stable_flows;
    std::set<tr::flow_id> stable_on_server;
    std::atomic<bool> sending{true};
    constexpr int window = 8;

    io_runner run(2);
    tr::ws_listener<> server(run.io);
    auto* sreg = &server.registry();
    server.on_open([&](const tr::flow_info& i) {
        std::lock_guard<std::mutex> lk(mu);
        if (i.target == "/stable") stable_on_server.insert(i.id);
    });
    // Echo; a churn flow may be gone before its echo is sent (not a failure).
    server.on_message([&, sreg](tr::flow_id f, sipws::ws::message_type t, std::string_view m) {
        bool is_stable;
        {
            std::lock_guard<std::mutex> lk(mu);
            is_stable = stable_on_server.count(f) != 0;
        }
        send_in_order(*sreg, f, t, m, is_stable ? server_errors : churn_errors,
                      is_stable ? "server" : nullptr);
    });
    REQUIRE_FALSE(server.listen(loopback()));
    server.start();
    const std::string url = ws_url(server.local_endpoint());

    tr::connector<> client(run.io);
    // A write queue smaller than the window: the stable flows meet
    // back-pressure all the time, and wait it out.
    tr::limits lim;
    lim.max_queued_messages = window / 2;
    client.set_limits(lim);
    auto* creg = &client.registry();
    auto send_next = [&](tr::flow_id f, sequence& s) { // mu held
        send_in_order(*creg, f, sipws::ws::message_type::text,
                      "seq " + std::to_string(s.next_to_send++), client_errors, "client");
    };
    client.on_message([&](tr::flow_id f, sipws::ws::message_type, std::string_view m) {
        std::lock_guard<std::mutex> lk(mu);
        auto it = stable_flows.find(f);
        if (it == stable_flows.end()) return; // a churn flow
        sequence& s = it->second;
        const std::uint64_t expected = s.next_in_order;
        if (m.substr(0, 4) != "seq ") {
            std::printf("soak: flow %llu: unexpected echo '%.*s'\n", ull(f),
                        static_cast<int>(std::min<std::size_t>(m.size(), 40)), m.data());
            ++s.duplicated;
            return;
        }
        const std::uint64_t n = std::strtoull(std::string(m.substr(4)).c_str(), nullptr, 10);
        if (!s.receive(n))
            std::printf("soak: flow %llu: got %llu, expected %llu (%s)\n", ull(f), ull(n),
                        ull(expected), n < expected ? "duplicate or late" : "gap");
        if (sending) send_next(f, s);
    });

    constexpr int stable = 40;
    std::vector<tr::flow_id> stable_ids;
    for (int i = 0; i < stable; ++i) {
        auto fut = client.async_connect(url + "stable", asio::use_future);
        REQUIRE(fut.wait_for(std::chrono::seconds(10)) == std::future_status::ready);
        tr::flow_id f = fut.get();
        stable_ids.push_back(f);
        std::lock_guard<std::mutex> lk(mu);
        sequence& s = stable_flows[f];
        for (int k = 0; k < window; ++k) send_next(f, s);
    }

    const auto start = std::chrono::steady_clock::now();
    const auto end = start + std::chrono::seconds(seconds);
    long rss_warm = 0;
    std::uint64_t churned = 0;
    std::mt19937 rng(42);
    while (std::chrono::steady_clock::now() < end) {
        if (!rss_warm && std::chrono::steady_clock::now() - start > std::chrono::seconds(seconds / 3))
            rss_warm = memory_kb();
        // A wave of short-lived connections.
        std::vector<std::future<tr::flow_id>> wave;
        for (int i = 0; i < 40; ++i)
            wave.push_back(client.async_connect(url + "churn", asio::use_future));
        std::vector<tr::flow_id> ids;
        for (auto& w : wave) {
            if (w.wait_for(std::chrono::seconds(10)) != std::future_status::ready) continue;
            try {
                ids.push_back(w.get());
            } catch (const std::system_error&) {
            }
        }
        for (auto f : ids)
            for (int k = 0; k < 3; ++k) creg->send(f, std::string(100 + rng() % 3000, 'c'));
        for (std::size_t i = 0; i < ids.size(); ++i) {
            auto c = creg->find(ids[i]);
            if (!c) continue;
            if (i % 2) c->abort(); // vanishes without a Close
            else c->close(1000);
        }
        // Peers that die in the middle of a frame.
        for (int i = 0; i < 5; ++i) {
            raw_peer p(server.local_endpoint());
            p.handshake();
            p.write(raw_peer::frame(0x1, std::string(2000, 'z')).substr(0, 700));
            p.close();
        }
        churned += ids.size() + 5;
    }
    sending = false;
    // Drain: every stable flow's outstanding window comes back.
    const bool drained = wait_until(
        [&] {
            std::lock_guard<std::mutex> lk(mu);
            for (auto& kv : stable_flows)
                if (kv.second.lost() != 0) return false;
            return true;
        },
        std::chrono::seconds(20));
    CHECK(drained);
    CHECK(wait_until([&] { return server.registry().size() == std::size_t(stable); },
                     std::chrono::seconds(20)));
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    const long rss_end = memory_kb();
    std::uint64_t total = 0, lost = 0, duplicated = 0, reordered = 0;
    {
        std::lock_guard<std::mutex> lk(mu);
        for (auto& kv : stable_flows) {
            const sequence& s = kv.second;
            total += s.received;
            lost += s.lost();
            duplicated += s.duplicated;
            reordered += s.reordered;
            if (s.lost() || s.duplicated || s.reordered)
                std::printf("soak: flow %llu: sent %llu, lost %llu, duplicated %llu, reordered %llu\n",
                            ull(kv.first), ull(s.next_to_send), ull(s.lost()), ull(s.duplicated),
                            ull(s.reordered));
        }
    }
    std::printf("soak: %d s, %llu churned connections, %llu echoes on %d stable flows, %s %ld -> "
                "%ld KiB; lost %llu, duplicated %llu, reordered %llu; waits for room: client %llu, "
                "server %llu; send failures: client flow_failed %llu other %llu, server "
                "flow_failed %llu other %llu\n",
                seconds, ull(churned), ull(total), stable, memory_name, rss_warm, rss_end, ull(lost),
                ull(duplicated), ull(reordered), ull(client_errors.waited),
                ull(server_errors.waited), ull(client_errors.flow_failed), ull(client_errors.other),
                ull(server_errors.flow_failed), ull(server_errors.other));
    CHECK(lost == 0);
    CHECK(duplicated == 0);
    CHECK(reordered == 0);
    CHECK(client_errors.failures() == 0);
    CHECK(server_errors.failures() == 0);
    CHECK(churned > 100);
    CHECK(total > 1000);
    for (auto f : stable_ids) CHECK(creg->contains(f)); // no stable flow was lost
    CHECK(server.registry().size() == std::size_t(stable));
    CHECK(rss_end < rss_warm + 64 * 1024); // flat: no growth per connection
    for (auto f : stable_ids) creg->close(f);
    CHECK(wait_until([&] { return creg->size() == 0; }));
}
