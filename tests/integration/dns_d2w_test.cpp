// D2W resolution against a real DNS server: Debian's dnsmasq on a loopback
// port, serving the NAPTR / SRV / A / AAAA records each test writes.
#include <sipws/rfc7118/dns.hpp>
#include <sipws/rfc7118/dns_system_resolver.hpp>

#include "support/dnsmasq.hpp"
#include "support/process.hpp"
#include "support/test.hpp"

#include <memory>
#include <string>
#include <vector>

using namespace sipws::rfc7118;
using sipws::test::dnsmasq;

namespace {

std::string describe(const std::vector<ws_target>& v) {
    std::string s;
    for (auto& t : v) {
        s += t.host + ":" + std::to_string(t.port) + (t.secure ? "/s" : "/p");
        for (auto& a : t.addresses) s += " " + a;
        s += "; ";
    }
    return s;
}

const std::vector<std::string> zone = {
    // NAPTR: name,order,preference,flags,service,regexp,replacement
    "--naptr-record=example.test,10,20,S,SIPS+D2W,,_sips._ws.example.test",
    "--naptr-record=example.test,10,10,S,SIP+D2W,,_sip._ws.example.test",
    "--naptr-record=example.test,5,10,S,SIP+D2T,,_sip._tcp.example.test",
    "--naptr-record=example.test,30,10,A,SIPS+D2W,,edge.example.test",
    // SRV: name,target,port,priority,weight
    "--srv-host=_sips._ws.example.test,wss-b.example.test,8443,20,10",
    "--srv-host=_sips._ws.example.test,wss-a.example.test,443,10,10",
    "--srv-host=_sip._ws.example.test,ws-a.example.test,8080,10,10",
    "--srv-host=_sip._tcp.example.test,tcp.example.test,5060,10,10",
    "--host-record=wss-a.example.test,192.0.2.1,2001:db8::1",
    "--host-record=wss-b.example.test,192.0.2.2",
    "--host-record=ws-a.example.test,192.0.2.3",
    "--host-record=tcp.example.test,192.0.2.4",
    "--host-record=edge.example.test,192.0.2.5",
    "--host-record=plain.example.test,192.0.2.6,2001:db8::6",
};

} // namespace

TEST_CASE("d2w over dnsmasq: NAPTR -> SRV -> A/AAAA in RFC 3263 order",
          "[rfc7118][dns][WS7118-5.5-a][DNS3263-4.1-b][DNS3263-4.2-a]") {
    dnsmasq server(zone);
    auto resolver = server.resolver();
    std::vector<ws_target> out;
    REQUIRE_FALSE(resolve_d2w({false, "example.test", {}, ""}, resolver, out));
    INFO(describe(out));
    // order 10: SIP+D2W (pref 10) before SIPS+D2W (pref 20); D2T skipped;
    // inside _sips._ws, priority 10 before 20; then the order-30 "A" record.
    CHECK(describe(out) == "ws-a.example.test:8080/p 192.0.2.3; "
                           "wss-a.example.test:443/s 192.0.2.1 2001:db8::1; "
                           "wss-b.example.test:8443/s 192.0.2.2; "
                           "edge.example.test:443/s 192.0.2.5; ");
    REQUIRE(out.size() == 4);
    CHECK(out[0].source == d2w_source::naptr_srv);
    CHECK(out[3].source == d2w_source::naptr_a);
}

TEST_CASE("d2w over dnsmasq: a sips target keeps only SIPS+D2W",
          "[rfc7118][dns][DNS3263-4.1-b][WS7118-5.5-a]") {
    dnsmasq server(zone);
    auto resolver = server.resolver();
    std::vector<ws_target> out;
    REQUIRE_FALSE(resolve_d2w({true, "example.test", {}, ""}, resolver, out));
    INFO(describe(out));
    REQUIRE(out.size() == 3);
    for (auto& t : out) CHECK(t.secure);
    CHECK(out[0].host == "wss-a.example.test");
    CHECK(out[1].host == "wss-b.example.test");
    CHECK(out[2].host == "edge.example.test");
}

TEST_CASE("d2w over dnsmasq: fallbacks to A/AAAA and default ports, failures",
          "[rfc7118][dns][WS7118-5.5-b][DNS3263-4.1-c][DNS3263-4.2-a]") {
    dnsmasq server(zone);
    auto resolver = server.resolver();
    std::vector<ws_target> out;
    // No NAPTR: A/AAAA with the default port.
    REQUIRE_FALSE(resolve_d2w({false, "plain.example.test", {}, "ws"}, resolver, out));
    CHECK(describe(out) == "plain.example.test:80/p 192.0.2.6 2001:db8::6; ");
    CHECK(out[0].source == d2w_source::default_port);
    REQUIRE_FALSE(resolve_d2w({true, "plain.example.test", {}, "ws"}, resolver, out));
    CHECK(describe(out) == "plain.example.test:443/s 192.0.2.6 2001:db8::6; ");
    // Explicit port: A/AAAA only.
    REQUIRE_FALSE(resolve_d2w({false, "ws-a.example.test", 9000, "ws"}, resolver, out));
    CHECK(describe(out) == "ws-a.example.test:9000/p 192.0.2.3; ");
    // Names that do not exist (NXDOMAIN from an authoritative answer).
    CHECK(resolve_d2w({false, "nothing.example.test", {}, ""}, resolver, out) ==
          error::no_websocket_target);
    // A server that refuses (no upstream for this domain): the lookup failed.
    CHECK(resolve_d2w({false, "elsewhere.invalid", {}, ""}, resolver, out) == error::dns_failure);

    // Raw lookups.
    std::vector<srv_record> srv;
    REQUIRE_FALSE(resolver.query_srv("_sips._ws.example.test", srv));
    CHECK(srv.size() == 2);
    std::vector<naptr_record> naptr;
    REQUIRE_FALSE(resolver.query_naptr("plain.example.test", naptr));
    CHECK(naptr.empty());
}

TEST_CASE("d2w over dnsmasq: no server listening is a DNS failure",
          "[rfc7118][dns][DNS3263-4.1-c]") {
    system_resolver_options o;
    o.nameserver = "127.0.0.1";
    o.port = sipws::test::free_port();
    o.timeout = std::chrono::seconds(1);
    o.attempts = 1;
    system_resolver resolver(o);
    std::vector<ws_target> out;
    CHECK(resolve_d2w({false, "example.test", {}, ""}, resolver, out) == error::dns_failure);
    CHECK_THROWS_AS(system_resolver([] {
                        system_resolver_options bad;
                        bad.nameserver = "not-an-address";
                        return bad;
                    }()),
                    std::invalid_argument);
}
