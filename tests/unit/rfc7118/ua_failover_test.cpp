#include <sipws/rfc7118/ua_failover.hpp>
#include <sipws/rfc7118/ua_registration.hpp>
#include <sipws/sip/parser.hpp>

#include "support/test.hpp"

#include <string>
#include <vector>

using namespace sipws::rfc7118;
namespace sip = sipws::sip;

TEST_CASE("ua failover: hops in D2W order, one per address, with the server's name",
          "[rfc7118][ua][dns][failover][DNS3263-4.3-a]") {
    std::vector<ws_target> targets = {
        {"ws-a.example.test", 8080, false, d2w_source::naptr_srv, {"192.0.2.3", "2001:db8::3"}},
        {"wss-a.example.test", 443, true, d2w_source::naptr_srv, {"192.0.2.1"}},
        {"edge.example.test", 8443, true, d2w_source::naptr_a, {}},
    };
    target_failover f(targets, "/sip");
    REQUIRE(f.size() == 4u);
    REQUIRE(f.current());
    CHECK(f.current()->url == "ws://192.0.2.3:8080/sip");
    CHECK(f.current()->server_name == "ws-a.example.test");
    CHECK_FALSE(f.current()->secure);
    REQUIRE(f.next());
    CHECK(f.current()->url == "ws://[2001:db8::3]:8080/sip");
    REQUIRE(f.next());
    CHECK(f.current()->url == "wss://192.0.2.1/sip"); // the default port is left out
    CHECK(f.current()->server_name == "wss-a.example.test");
    CHECK(f.current()->secure);
    REQUIRE(f.next());
    CHECK(f.current()->url == "wss://edge.example.test:8443/sip");
    CHECK_FALSE(f.next());
    CHECK(f.current() == nullptr);
    CHECK_FALSE(f.next());
    f.rewind();
    CHECK(f.position() == 0u);
    CHECK(target_failover(targets, "").hops()[0].url == "ws://192.0.2.3:8080/");
    CHECK(target_failover(std::vector<ws_target>{}).current() == nullptr);
}

TEST_CASE("ua failover: 503, timeouts and transport failures move on; other answers do not",
          "[rfc7118][ua][dns][failover][DNS3263-4.3-a]") {
    CHECK(calls_for_failover(attempt_outcome::transport_failure));
    CHECK(calls_for_failover(attempt_outcome::timeout));
    CHECK(calls_for_failover(attempt_outcome::response, 503));
    CHECK_FALSE(calls_for_failover(attempt_outcome::response, 200));
    CHECK_FALSE(calls_for_failover(attempt_outcome::response, 403));
    CHECK_FALSE(calls_for_failover(attempt_outcome::response, 408)); // a server's 408 is an answer
    CHECK_FALSE(calls_for_failover(attempt_outcome::response, 500));

    // The REGISTER sent to the next hop is a new transaction: a new branch.
    registration_options o;
    o.registrar_uri = "sip:example.test";
    o.aor = "sip:alice@example.test";
    o.contact = make_ua_contact("alice", false, "urn:uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6");
    registration r(o);
    const std::string first = r.register_request();
    const std::string second = r.register_request();
    auto a = sip::parse(first);
    auto b = sip::parse(second);
    REQUIRE(a);
    REQUIRE(b);
    CHECK(a->top_via()->branch != b->top_via()->branch);
    CHECK(b->cseq()->number == a->cseq()->number + 1);
}
