// Soak: connections opening, exchanging messages and dying abruptly for a
// fixed time while long-lived connections keep exchanging numbered messages.
// Zero lost or reordered messages on the long-lived ones; the server ends
// with exactly those flows; RSS does not keep growing. Duration: 30 s, or
// SIPWS_SOAK_SECONDS.
#include "support/test.hpp"

#include "integration/transport_support.hpp"

#include <asio/use_future.hpp>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <future>
#include <map>
#include <random>

using namespace sipws::test;
namespace tr = sipws::transport;

namespace {
long rss_kb() {
    std::ifstream in("/proc/self/status");
    std::string line;
    while (std::getline(in, line))
        if (line.rfind("VmRSS:", 0) == 0) return std::atol(line.c_str() + 6);
    return 0;
}
} // namespace

TEST_CASE("transport soak: churn with abrupt deaths, zero loss on stable flows", "[soak][transport]") {
    int seconds = 30;
    if (const char* s = std::getenv("SIPWS_SOAK_SECONDS")) seconds = std::max(5, std::atoi(s));
    io_runner run(2);
    tr::ws_listener<> server(run.io);
    tr::limits lim;
    lim.max_queued_messages = 1u << 20;
    lim.max_queued_bytes = 256u << 20;
    server.set_limits(lim);
    auto* sreg = &server.registry();
    server.on_message([sreg](tr::flow_id f, sipws::ws::message_type t, std::string_view m) {
        sreg->send(f, t, m);
    });
    REQUIRE_FALSE(server.listen(loopback()));
    server.start();
    const std::string url = ws_url(server.local_endpoint());

    tr::connector<> client(run.io);
    std::mutex mu;
    std::map<tr::flow_id, std::uint64_t> expected; // stable flows: next sequence number
    std::atomic<bool> sending{true};
    std::atomic<std::uint64_t> errors{0}, echoed{0};
    constexpr int window = 8;
    auto* creg = &client.registry();
    client.on_message([&](tr::flow_id f, sipws::ws::message_type, std::string_view m) {
        std::lock_guard<std::mutex> lk(mu);
        auto it = expected.find(f);
        if (it == expected.end()) return; // a churn flow
        if (m != "seq " + std::to_string(it->second)) ++errors;
        ++it->second;
        ++echoed;
        if (sending) {
            if (creg->send(f, "seq " + std::to_string(it->second + window - 1))) ++errors;
        }
    });

    constexpr int stable = 40;
    std::vector<tr::flow_id> stable_ids;
    for (int i = 0; i < stable; ++i) {
        auto fut = client.async_connect(url, asio::use_future);
        REQUIRE(fut.wait_for(std::chrono::seconds(10)) == std::future_status::ready);
        tr::flow_id f = fut.get();
        stable_ids.push_back(f);
        std::lock_guard<std::mutex> lk(mu);
        expected[f] = 0;
    }
    for (auto f : stable_ids)
        for (int k = 0; k < window; ++k) CHECK_FALSE(creg->send(f, "seq " + std::to_string(k)));

    const auto start = std::chrono::steady_clock::now();
    const auto end = start + std::chrono::seconds(seconds);
    long rss_warm = 0;
    std::uint64_t churned = 0;
    std::mt19937 rng(42);
    while (std::chrono::steady_clock::now() < end) {
        if (!rss_warm && std::chrono::steady_clock::now() - start > std::chrono::seconds(seconds / 3))
            rss_warm = rss_kb();
        // A wave of short-lived connections.
        std::vector<std::future<tr::flow_id>> wave;
        for (int i = 0; i < 40; ++i) wave.push_back(client.async_connect(url, asio::use_future));
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
    CHECK(wait_until([&] { return server.registry().size() == std::size_t(stable); },
                     std::chrono::seconds(20)));
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    const long rss_end = rss_kb();
    std::uint64_t total = 0;
    {
        std::lock_guard<std::mutex> lk(mu);
        for (auto& kv : expected) total += kv.second;
    }
    std::printf("soak: %d s, %llu churned connections, %llu echoes on %d stable flows, RSS %ld -> "
                "%ld KiB\n",
                seconds, static_cast<unsigned long long>(churned),
                static_cast<unsigned long long>(total), stable, rss_warm, rss_end);
    CHECK(errors == 0);
    CHECK(churned > 100);
    CHECK(total > 1000);
    for (auto f : stable_ids) CHECK(creg->contains(f)); // no stable flow was lost
    CHECK(server.registry().size() == std::size_t(stable));
    CHECK(rss_end < rss_warm + 64 * 1024); // flat: no growth per connection
    for (auto f : stable_ids) creg->close(f);
    CHECK(wait_until([&] { return creg->size() == 0; }));
}
