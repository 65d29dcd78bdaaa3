// The requests sipws-proxy and sipws-gateway keep until their final
// response (examples/common/pending_requests.hpp): expiry by Timer F, B and
// C with no timer per request, the flow that closed, CANCEL's own key and
// the INVITE found by its server transaction.
#include "../../../examples/common/pending_requests.hpp"

#include "support/test.hpp"

#include <algorithm>

using sipws_program::pending_requests;
using namespace std::chrono_literals;

namespace {

std::vector<std::string> requests_of(const std::vector<pending_requests::entry>& v) {
    std::vector<std::string> out;
    for (const auto& e : v) out.push_back(e.request);
    std::sort(out.begin(), out.end());
    return out;
}

} // namespace

TEST_CASE("pending_requests: Timer F for non-INVITE, Timer B then C for an INVITE", "[examples][SIP3261-16.7]") {
    pending_requests p;
    const auto t0 = pending_requests::clock::time_point{} + 1000s;
    REQUIRE(p.add("m1", 7, 1, "MESSAGE 1", t0));
    REQUIRE(p.add_invite("i1", 7, 1, "INVITE 1", "tx-i1", "forwarded", t0 + 1s));
    REQUIRE(p.add_invite("i2", 8, 2, "INVITE 2", "tx-i2", "forwarded", t0 + 2s));
    REQUIRE(p.add("m2", 8, 2, "MESSAGE 2", t0 + 3s));
    CHECK(p.size() == 4);

    // i1 rings: Timer C (3 minutes from its 180) replaces Timer B.
    p.proceeding("i1", t0 + 10s);
    p.proceeding("m1", t0 + 10s); // not an INVITE: nothing changes
    CHECK(p.take_expired(t0 + 31s).empty());
    CHECK(requests_of(p.take_expired(t0 + p.timer_f() + 2s)) ==
          std::vector<std::string>{"INVITE 2", "MESSAGE 1"});
    CHECK(requests_of(p.take_expired(t0 + p.timer_f() + 3s)) == std::vector<std::string>{"MESSAGE 2"});
    CHECK(p.take_expired(t0 + 10s + pending_requests::timer_c - 1s).empty());
    auto c = p.take_expired(t0 + 10s + pending_requests::timer_c);
    REQUIRE(c.size() == 1);
    CHECK(c[0].invite);
    CHECK(c[0].proceeding);
    CHECK(p.timer_f() == 32s); // 64*T1 with T1 = 500 ms (RFC 3261 17.1.1.1)
    CHECK(c[0].forwarded == "forwarded");
    CHECK(p.size() == 0);
    CHECK(p.find_invite("tx-i1") == nullptr);

    // A smaller T1 (sipws-proxy --t1) shortens Timer B and F with it.
    pending_requests fast;
    fast.set_t1(50ms);
    CHECK(fast.timer_f() == 3200ms);
    REQUIRE(fast.add_invite("i3", 7, 1, "INVITE 3", "tx-i3", "forwarded", t0));
    CHECK(fast.take_expired(t0 + 3199ms).empty());
    CHECK(requests_of(fast.take_expired(t0 + 3200ms)) == std::vector<std::string>{"INVITE 3"});
}

TEST_CASE("pending_requests: a closed flow, answers, CANCEL's own key and the INVITE by its transaction",
          "[examples][SIP3261-17-a][OB5626-5.3.1-a]") {
    pending_requests p;
    const auto now = pending_requests::clock::now();
    const std::string k = pending_requests::key(pending_requests::branch_of("SIP/2.0/WS h;branch=z9hG4bKx.y"), "INVITE");
    CHECK(k == "z9hG4bKx.y");
    const std::string kc = pending_requests::key("z9hG4bKx.y", "CANCEL");
    CHECK(kc != k);
    REQUIRE(p.add_invite(k, 5, 1, "INVITE", "tx", "fwd", now));
    REQUIRE(p.add(kc, 5, 1, "CANCEL", now));
    REQUIRE(p.add("other", 6, 1, "MESSAGE", now));
    const pending_requests::entry* inv = p.find_invite("tx");
    REQUIRE(inv);
    CHECK(inv->downstream == 5u);
    CHECK(p.find_invite("unknown") == nullptr);

    // The CANCEL's answer leaves the INVITE pending; the flow's close takes the INVITE.
    p.answered(kc);
    CHECK(p.find_invite("tx") != nullptr);
    auto gone = p.take_flow(5);
    REQUIRE(gone.size() == 1);
    CHECK(gone[0].request == "INVITE");
    CHECK(gone[0].upstream == 1u);
    CHECK(p.find_invite("tx") == nullptr);
    CHECK(p.take_flow(5).empty());
    CHECK(p.size() == 1);
    p.answered("other");
    CHECK(p.size() == 0);
    CHECK(p.take_expired(now + pending_requests::timer_c + 1s).empty());
}

TEST_CASE("pending_requests: bounded, and a request with the same key replaces the older", "[examples]") {
    pending_requests p(2);
    const auto now = pending_requests::clock::now();
    REQUIRE(p.add("a", 1, 9, "A", now));
    REQUIRE(p.add("b", 1, 9, "B", now));
    CHECK_FALSE(p.add("c", 1, 9, "C", now));
    auto* again = p.add("a", 2, 9, "A2", now);
    REQUIRE(again);
    CHECK(again->downstream == 2u);
    CHECK(requests_of(p.take_flow(1)) == std::vector<std::string>{"B"});
    CHECK(requests_of(p.take_flow(2)) == std::vector<std::string>{"A2"});
}

TEST_CASE("pending_requests: each branch of a forked INVITE has its own Timer C and keeps its fork's marks",
          "[examples][SIP3261-16.7]") {
    pending_requests p;
    const auto t0 = pending_requests::clock::time_point{} + 1000s;
    for (std::size_t b = 0; b < 2; ++b) {
        auto* e = p.add_invite("fork-b" + std::to_string(b), 7 + b, 1, "INVITE", "", "forwarded", t0);
        REQUIRE(e);
        e->context = 42;
        e->branch = b;
    }
    REQUIRE(p.find("fork-b1"));
    CHECK(p.find("fork-b1")->branch == 1u);
    CHECK(p.find("nothing") == nullptr);
    // Branch 0 rings at once, branch 1 a minute later: their Timer C ends a minute apart.
    p.proceeding("fork-b0", t0 + 1s);
    p.proceeding("fork-b1", t0 + 61s);
    auto first = p.take_expired(t0 + 1s + pending_requests::timer_c);
    REQUIRE(first.size() == 1);
    CHECK(first[0].context == 42u);
    CHECK(first[0].branch == 0u);
    CHECK(first[0].downstream == 7u);
    CHECK(p.take_expired(t0 + 60s + pending_requests::timer_c).empty());
    auto second = p.take_expired(t0 + 61s + pending_requests::timer_c);
    REQUIRE(second.size() == 1);
    CHECK(second[0].branch == 1u);
    CHECK(p.size() == 0);
}
