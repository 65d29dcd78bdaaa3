// sipws-proxy when the flow a MESSAGE went out on closes before the target
// answers: the sender gets 430 Flow Failed from the proxy (instead of
// silence), whether the target vanished without a WebSocket Close or closed
// cleanly, and the proxy forgets the request (its pending count is 0).
#include "support/peers.hpp"
#include "support/proxy.hpp"
#include "support/test.hpp"
#include "support/ua_pool.hpp"

#include "integration/transport_support.hpp"

#include <atomic>
#include <map>
#include <mutex>

using namespace sipws::test;

TEST_CASE("sipws-proxy: a MESSAGE whose target flow closes before the answer gets 430 Flow Failed",
          "[proxy][OB5626-5.3.1-a][OB5626-11-a]") {
    sipws_proxy p;
    io_runner run(1);
    ua_pool pool(run.io, p.ws_url(), "sipws.test");
    std::mutex mu;
    std::map<std::uint64_t, unsigned> finals;
    std::atomic<int> received{0};
    pool.on_final([&](std::uint64_t id, unsigned status) {
        std::lock_guard<std::mutex> lk(mu);
        finals[id] = status;
    });
    const std::size_t alice = pool.add("alice");
    const std::size_t bob = pool.add("bob");
    // bob takes each MESSAGE and never answers it.
    pool.on_request([&](std::size_t ua, const sipws::sip::message& req) {
        if (ua == bob && req.method() == "MESSAGE") {
            ++received;
            return false;
        }
        return true;
    });
    auto final_of = [&](std::uint64_t id) -> unsigned {
        unsigned status = 0;
        wait_until([&] {
            std::lock_guard<std::mutex> lk(mu);
            auto it = finals.find(id);
            if (it == finals.end()) return false;
            status = it->second;
            return true;
        });
        return status;
    };

    for (bool graceful : {false, true}) {
        INFO((graceful ? "bob closes with a WebSocket Close" : "bob's socket just closes"));
        pool.start(alice);
        pool.start(bob);
        REQUIRE(wait_until([&] { return pool.registered(alice) && pool.registered(bob); }));
        const int before = received;
        const std::uint64_t id = pool.send_message(alice, "sip:bob@sipws.test", "unanswered");
        REQUIRE(id != 0);
        REQUIRE(wait_until([&] { return received == before + 1; }));
        // Forwarded, not answered: the proxy has it pending; then bob's flow ends.
        CHECK(field_of(p.counters(), "pending") == "1");
        if (graceful) pool.close(bob);
        else pool.abort(bob);
        INFO("proxy:\n" << p.output());
        CHECK(final_of(id) == 430);
        CHECK(p.proc().wait_for_output("flow closed before the final response to MESSAGE", std::chrono::seconds(5)));
        const std::string counters = p.counters();
        CHECK(field_of(counters, "pending") == "0");
        CHECK(field_of(counters, "bindings") == "1");

        // With no binding left, the same MESSAGE is 480 at once.
        const std::uint64_t late = pool.send_message(alice, "sip:bob@sipws.test", "late");
        CHECK(final_of(late) == 480);
        pool.close(alice);
        REQUIRE(wait_until([&] { return pool.status(alice) == ua_pool::state::idle; }));
    }
    CHECK(received == 2);

    // An answered MESSAGE leaves nothing pending either.
    pool.on_request({});
    pool.start(alice);
    pool.start(bob);
    REQUIRE(wait_until([&] { return pool.registered(alice) && pool.registered(bob); }));
    CHECK(final_of(pool.send_message(alice, "sip:bob@sipws.test", "answered")) == 200);
    CHECK(field_of(p.counters(), "pending") == "0");
    CHECK(p.stop() == 0);
}
