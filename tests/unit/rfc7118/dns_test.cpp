#include <sipws/rfc7118/dns.hpp>
#include <sipws/rfc7118/dns_message.hpp>

#include "support/test.hpp"

#include <map>
#include <string>
#include <vector>

using namespace sipws::rfc7118;

namespace {

naptr_record naptr(std::uint16_t order, std::uint16_t pref, std::string flags, std::string service,
                   std::string replacement) {
    return {order, pref, std::move(flags), std::move(service), "", std::move(replacement)};
}

// A deterministic "random" source: always the given fraction of the bound.
struct fixed_random {
    double fraction;
    std::uint32_t operator()(std::uint32_t bound) const {
        return static_cast<std::uint32_t>(fraction * bound);
    }
};

static_resolver example_zone() {
    static_resolver r;
    r.add_naptr("example.com", naptr(20, 10, "s", "SIP+D2W", "_sip._ws.example.com"));
    r.add_naptr("example.com", naptr(10, 20, "S", "SIPS+D2W", "_sips._ws.example.com"));
    r.add_naptr("example.com", naptr(5, 10, "s", "SIP+D2T", "_sip._tcp.example.com"));
    r.add_naptr("example.com", naptr(10, 10, "s", "SIPS+D2T", "_sips._tcp.example.com"));
    r.add_srv("_sips._ws.example.com", {0, 0, 443, "wss1.example.com"});
    r.add_srv("_sips._ws.example.com", {1, 0, 8443, "wss2.example.com"});
    r.add_srv("_sip._ws.example.com", {0, 0, 8080, "ws1.example.com"});
    r.add_srv("_sip._tcp.example.com", {0, 0, 5060, "tcp.example.com"});
    r.add_address("wss1.example.com", "192.0.2.1");
    r.add_address("wss2.example.com", "192.0.2.2");
    r.add_address("wss2.example.com", "2001:db8::2");
    r.add_address("ws1.example.com", "192.0.2.3");
    r.add_address("tcp.example.com", "192.0.2.4");
    r.add_address("example.com", "192.0.2.100");
    return r;
}

std::string describe(const std::vector<ws_target>& v) {
    std::string s;
    for (auto& t : v) s += t.host + ":" + std::to_string(t.port) + (t.secure ? "/s " : "/p ");
    return s;
}

} // namespace

TEST_CASE("d2w: NAPTR SIPS+D2W / SIP+D2W ordered by order and preference",
          "[rfc7118][dns][WS7118-5.5-a][DNS3263-4.1-b][WS7118-10-a]") {
    auto zone = example_zone();
    std::vector<ws_target> out;
    REQUIRE_FALSE(resolve_d2w({false, "example.com", {}, ""}, zone, out));
    CHECK(describe(out) ==
          "wss1.example.com:443/s wss2.example.com:8443/s ws1.example.com:8080/p ");
    REQUIRE(out.size() == 3);
    CHECK(out[0].source == d2w_source::naptr_srv);
    CHECK(out[1].addresses == std::vector<std::string>{"192.0.2.2", "2001:db8::2"});
    // D2T (TCP) records are ignored by a WebSocket client.
    for (auto& t : out) CHECK(t.host != "tcp.example.com");
}

TEST_CASE("d2w: a sips target keeps only SIPS+D2W", "[rfc7118][dns][DNS3263-4.1-b][WS7118-5.5-a]") {
    auto zone = example_zone();
    std::vector<ws_target> out;
    REQUIRE_FALSE(resolve_d2w({true, "example.com", {}, ""}, zone, out));
    CHECK(describe(out) == "wss1.example.com:443/s wss2.example.com:8443/s ");
    // A sip target that may not use TLS keeps only SIP+D2W.
    d2w_options o;
    o.secure_for_sip = false;
    REQUIRE_FALSE(resolve_d2w({false, "example.com", {}, "ws"}, zone, out, o));
    CHECK(describe(out) == "ws1.example.com:8080/p ");
    // sips with only SIP+D2W records: fall back to A/AAAA on 443.
    static_resolver plain;
    plain.add_naptr("p.example", naptr(1, 1, "s", "SIP+D2W", "_sip._ws.p.example"));
    plain.add_srv("_sip._ws.p.example", {0, 0, 80, "ws.p.example"});
    plain.add_address("ws.p.example", "192.0.2.9");
    plain.add_address("p.example", "192.0.2.8");
    REQUIRE_FALSE(resolve_d2w({true, "p.example", {}, ""}, plain, out));
    REQUIRE(out.size() == 1);
    CHECK(out[0].host == "p.example");
    CHECK(out[0].port == 443);
    CHECK(out[0].secure);
    CHECK(out[0].source == d2w_source::default_port);
}

TEST_CASE("d2w: default ports 80/443 without NAPTR or SRV",
          "[rfc7118][dns][WS7118-5.5-b][DNS3263-4.1-c]") {
    static_resolver zone;
    zone.add_address("h.example", "192.0.2.7");
    std::vector<ws_target> out;
    REQUIRE_FALSE(resolve_d2w({false, "h.example", {}, "ws"}, zone, out));
    REQUIRE(out.size() == 1);
    CHECK(out[0].port == 80);
    CHECK_FALSE(out[0].secure);
    CHECK(out[0].addresses == std::vector<std::string>{"192.0.2.7"});
    REQUIRE_FALSE(resolve_d2w({true, "h.example", {}, "ws"}, zone, out));
    CHECK(out[0].port == 443);
    CHECK(out[0].secure);
    REQUIRE_FALSE(resolve_d2w({false, "H.EXAMPLE.", {}, "wss"}, zone, out));
    CHECK(out[0].port == 443);
    CHECK(out[0].secure);
    CHECK(resolve_d2w({false, "missing.example", {}, "ws"}, zone, out) ==
          error::no_websocket_target);
    CHECK(out.empty());
}

TEST_CASE("d2w: numeric IPs and explicit ports", "[rfc7118][dns][DNS3263-4.2-a][DNS3263-4.1-a]") {
    static_resolver zone;
    zone.add_naptr("h.example", naptr(1, 1, "s", "SIP+D2W", "_sip._ws.h.example"));
    zone.add_srv("_sip._ws.h.example", {0, 0, 8080, "ws.h.example"});
    zone.add_address("ws.h.example", "192.0.2.70");
    zone.add_address("h.example", "192.0.2.7");
    std::vector<ws_target> out;
    REQUIRE_FALSE(resolve_d2w({false, "192.0.2.55", {}, "ws"}, zone, out));
    REQUIRE(out.size() == 1);
    CHECK(out[0].host == "192.0.2.55");
    CHECK(out[0].port == 80);
    CHECK(out[0].source == d2w_source::numeric_ip);
    REQUIRE_FALSE(resolve_d2w({true, "[2001:db8::1]", 8443, "ws"}, zone, out));
    CHECK(out[0].host == "2001:db8::1");
    CHECK(out[0].port == 8443);
    CHECK(out[0].secure);
    // Explicit port: A/AAAA only, NAPTR not consulted.
    REQUIRE_FALSE(resolve_d2w({false, "h.example", 5062, "ws"}, zone, out));
    REQUIRE(out.size() == 1);
    CHECK(out[0].host == "h.example");
    CHECK(out[0].port == 5062);
    CHECK(out[0].source == d2w_source::explicit_port);
    // The transport parameter decides (DNS3263-4.1-a).
    CHECK(resolve_d2w({false, "h.example", {}, "tcp"}, zone, out) ==
          error::not_websocket_transport);
    CHECK(resolve_d2w({false, "h.example", {}, "udp"}, zone, out) ==
          error::not_websocket_transport);
    d2w_options strict;
    strict.websocket_by_default = false;
    CHECK(resolve_d2w({false, "192.0.2.1", {}, ""}, zone, out, strict) ==
          error::not_websocket_transport);
    CHECK(resolve_d2w({false, "h.example", 5060, ""}, zone, out, strict) ==
          error::not_websocket_transport);
    REQUIRE_FALSE(resolve_d2w({false, "h.example", {}, ""}, zone, out, strict));
    CHECK(out[0].host == "ws.h.example");
    // Invalid hosts.
    CHECK(resolve_d2w({false, "", {}, ""}, zone, out) == error::invalid_target);
    CHECK(resolve_d2w({false, "bad host", {}, ""}, zone, out) == error::invalid_target);
    CHECK(resolve_d2w({false, "a..b", {}, ""}, zone, out) == error::invalid_target);
    CHECK(resolve_d2w({false, std::string(64, 'a') + ".com", {}, ""}, zone, out) ==
          error::invalid_target);
}

TEST_CASE("d2w: fallbacks when lookups fail or give nothing usable",
          "[rfc7118][dns][DNS3263-4.1-b][DNS3263-4.1-c]") {
    static_resolver zone;
    zone.add_naptr("f.example", naptr(1, 1, "s", "SIPS+D2W", "_sips._ws.f.example"));
    zone.add_naptr("f.example", naptr(2, 1, "s", "SIP+D2W", "_sip._ws.f.example"));
    zone.add_naptr("f.example", naptr(3, 1, "a", "SIP+D2W", "direct.f.example"));
    zone.add_naptr("f.example", naptr(4, 1, "u", "SIP+D2W", "ignored.f.example"));
    zone.fail("_sips._ws.f.example", make_error_code(error::dns_failure));
    zone.add_srv("_sip._ws.f.example", {0, 0, 8080, "gone.f.example"}); // no address
    zone.add_address("direct.f.example", "192.0.2.20");
    zone.add_address("ignored.f.example", "192.0.2.21");
    std::vector<ws_target> out;
    REQUIRE_FALSE(resolve_d2w({false, "f.example", {}, ""}, zone, out));
    REQUIRE(out.size() == 1);
    CHECK(out[0].host == "direct.f.example");
    CHECK(out[0].port == 80);
    CHECK(out[0].source == d2w_source::naptr_a);
    // Without address resolution the unresolvable SRV target stays.
    d2w_options no_addr;
    no_addr.resolve_addresses = false;
    REQUIRE_FALSE(resolve_d2w({false, "f.example", {}, ""}, zone, out, no_addr));
    CHECK(describe(out) == "gone.f.example:8080/p direct.f.example:80/p ");
    // Everything fails: the failure is reported.
    static_resolver broken;
    broken.fail("b.example", make_error_code(error::dns_failure));
    CHECK(resolve_d2w({false, "b.example", {}, ""}, broken, out) == error::dns_failure);
    // SRV "." means: no service.
    static_resolver dot;
    dot.add_naptr("d.example", naptr(1, 1, "s", "SIP+D2W", "_sip._ws.d.example"));
    dot.add_srv("_sip._ws.d.example", {0, 0, 0, "."});
    dot.add_address("d.example", "192.0.2.30");
    REQUIRE_FALSE(resolve_d2w({false, "d.example", {}, ""}, dot, out));
    REQUIRE(out.size() == 1);
    CHECK(out[0].source == d2w_source::default_port);
    // Result bound.
    static_resolver many;
    many.add_naptr("m.example", naptr(1, 1, "s", "SIP+D2W", "_sip._ws.m.example"));
    for (std::uint16_t i = 0; i < 40; ++i)
        many.add_srv("_sip._ws.m.example", {i, 0, 80, "h" + std::to_string(i) + ".m.example"});
    d2w_options bound = no_addr;
    bound.max_targets = 5;
    REQUIRE_FALSE(resolve_d2w({false, "m.example", {}, ""}, many, out, bound));
    CHECK(out.size() == 5);
    CHECK(out[0].host == "h0.m.example");
}

TEST_CASE("srv ordering: priority first, weighted random inside a priority (RFC 2782)",
          "[rfc7118][dns][DNS3263-4.2-a]") {
    std::vector<srv_record> base = {
        {10, 60, 1, "a"}, {10, 40, 2, "b"}, {5, 0, 3, "c"}, {10, 0, 4, "z"}, {20, 1, 5, "d"}};
    auto r = base;
    order_srv(r, fixed_random{0.0});
    // pick 0 selects the zero-weight record placed first, then "a" (running 60 >= 0) ...
    REQUIRE(r.size() == 5);
    CHECK(r[0].target == "c");
    CHECK(r[1].target == "z");
    CHECK(r[2].target == "a");
    CHECK(r[3].target == "b");
    CHECK(r[4].target == "d");
    r = base;
    order_srv(r, fixed_random{0.99});
    CHECK(r[0].target == "c");
    CHECK(r[1].target == "b"); // 0.99 * 100 = 99 > 60: the second weighted record
    CHECK(r[4].target == "d");

    // With the real random source the weights show in the first pick.
    std::map<std::string, int> first;
    for (int i = 0; i < 2000; ++i) {
        std::vector<srv_record> g = {{0, 80, 1, "heavy"}, {0, 20, 1, "light"}};
        order_srv(g);
        REQUIRE(g.size() == 2);
        ++first[g[0].target];
    }
    CHECK(first["heavy"] > 1400);
    CHECK(first["light"] > 200);

    std::vector<srv_record> none = {{0, 0, 0, "."}};
    order_srv(none);
    CHECK(none.empty());
}

// ---------------------------------------------------------------------------
// DNS message parsing

namespace {
std::string u16(unsigned v) {
    return {static_cast<char>(v >> 8), static_cast<char>(v & 0xff)};
}
std::string name(std::initializer_list<std::string> labels) {
    std::string out;
    for (auto& l : labels) {
        out.push_back(static_cast<char>(l.size()));
        out += l;
    }
    out.push_back('\0');
    return out;
}
std::string header(unsigned qd, unsigned an, unsigned flags = 0x8180) {
    return u16(0x1234) + u16(flags) + u16(qd) + u16(an) + u16(0) + u16(0);
}
std::string rr(const std::string& owner, unsigned type, const std::string& rdata) {
    return owner + u16(type) + u16(1) + u16(0) + u16(60) +
           u16(static_cast<unsigned>(rdata.size())) + rdata;
}
} // namespace

TEST_CASE("dns message: NAPTR, SRV, A, AAAA with compression", "[rfc7118][dns][WS7118-5.5-a]") {
    std::string msg = header(1, 4);
    const std::size_t qname_at = msg.size();
    msg += name({"example", "com"}) + u16(35) + u16(1);
    std::string ptr = {static_cast<char>(0xc0), static_cast<char>(qname_at)};
    std::string naptr_rd = u16(10) + u16(20) + std::string("\x01S", 2) +
                           std::string("\x08SIPS+D2W", 9) + std::string("\x00", 1) +
                           name({"_sips", "_ws"}).substr(0, 10) + ptr;
    msg += rr(ptr, 35, naptr_rd);
    msg += rr(ptr, 33, u16(1) + u16(5) + u16(443) + name({"wss", "example", "com"}));
    msg += rr(ptr, 1, std::string("\xc0\x00\x02\x0a", 4));
    msg += rr(ptr, 28, sipws::test::from_hex("20010db8000000000000000000000010"));
    dns_answer a;
    REQUIRE_FALSE(parse_dns_answer(msg.data(), msg.size(), a));
    REQUIRE(a.naptr.size() == 1);
    CHECK(a.naptr[0].order == 10);
    CHECK(a.naptr[0].preference == 20);
    CHECK(a.naptr[0].flags == "S");
    CHECK(a.naptr[0].service == "SIPS+D2W");
    CHECK(a.naptr[0].replacement == "_sips._ws.example.com");
    REQUIRE(a.srv.size() == 1);
    CHECK(a.srv[0].port == 443);
    CHECK(a.srv[0].weight == 5);
    CHECK(a.srv[0].target == "wss.example.com");
    CHECK(a.addresses == std::vector<std::string>{"192.0.2.10", "2001:db8::10"});

    SECTION("every truncation is an error, never a crash") {
        for (std::size_t n = 0; n < msg.size(); ++n) {
            dns_answer t;
            CAPTURE(n);
            CHECK(parse_dns_answer(msg.data(), n, t));
        }
    }
    SECTION("pointer loops and bad pointers are rejected") {
        std::string loop = header(1, 0) + std::string("\xc0\x0c", 2) + u16(1) + u16(1);
        CHECK(parse_dns_answer(loop.data(), loop.size(), a) == error::dns_malformed_answer);
        std::string far = header(1, 0) + std::string("\xc0\xff", 2) + u16(1) + u16(1);
        CHECK(parse_dns_answer(far.data(), far.size(), a) == error::dns_malformed_answer);
        std::string query = header(0, 0, 0x0100);
        CHECK(parse_dns_answer(query.data(), query.size(), a) == error::dns_malformed_answer);
        std::string bad_a = header(0, 1) + rr(name({"x"}), 1, "abc");
        CHECK(parse_dns_answer(bad_a.data(), bad_a.size(), a) == error::dns_malformed_answer);
    }
    SECTION("IPv6 text follows RFC 5952") {
        auto six = [](const char* hex) {
            std::string m = header(0, 1) + rr(name({"x"}), 28, sipws::test::from_hex(hex));
            dns_answer d;
            REQUIRE_FALSE(parse_dns_answer(m.data(), m.size(), d));
            return d.addresses.at(0);
        };
        CHECK(six("00000000000000000000000000000001") == "::1");
        CHECK(six("00000000000000000000000000000000") == "::");
        CHECK(six("20010db8000000010000000000000001") == "2001:db8:0:1::1");
        CHECK(six("20010db8000000000001000000000001") == "2001:db8::1:0:0:1");
        CHECK(six("20010db8000100010001000100010001") == "2001:db8:1:1:1:1:1:1");
        CHECK(six("fe800000000000000000000000000000") == "fe80::");
    }
}

namespace {
/// A user's own resolver policy (e.g. a stack's asynchronous DNS cache
/// queried beforehand): it only has to answer the three lookups.
struct counting_resolver {
    std::vector<std::string> asked;
    std::error_code query_naptr(std::string_view name, std::vector<naptr_record>& out) {
        asked.push_back("NAPTR " + std::string(name));
        if (name == "cache.example") out.push_back(naptr(1, 1, "s", "SIP+D2W", "_sip._ws.cache.example"));
        return {};
    }
    std::error_code query_srv(std::string_view name, std::vector<srv_record>& out) {
        asked.push_back("SRV " + std::string(name));
        if (name == "_sip._ws.cache.example") out.push_back({0, 0, 8088, "edge.cache.example"});
        return {};
    }
    std::error_code query_addresses(std::string_view name, std::vector<std::string>& out) {
        asked.push_back("A " + std::string(name));
        if (name == "edge.cache.example") out.push_back("198.51.100.9");
        return {};
    }
};
static_assert(sipws::rfc7118::detail::is_dns_resolver<counting_resolver>::value);
static_assert(!sipws::rfc7118::detail::is_dns_resolver<int>::value);
} // namespace

TEST_CASE("d2w: resolution goes through a resolver policy the user can replace",
          "[rfc7118][dns][WS7118-5.5-c]") {
    counting_resolver r;
    std::vector<ws_target> out;
    REQUIRE_FALSE(resolve_d2w({false, "cache.example", {}, ""}, r, out));
    REQUIRE(out.size() == 1);
    CHECK(out[0].host == "edge.cache.example");
    CHECK(out[0].port == 8088);
    CHECK_FALSE(out[0].secure);
    CHECK(out[0].addresses == std::vector<std::string>{"198.51.100.9"});
    // Every lookup went to the policy, in RFC 3263 order.
    CHECK(r.asked == std::vector<std::string>{"NAPTR cache.example", "SRV _sip._ws.cache.example",
                                              "A edge.cache.example"});
}
