#include <sipws/ws/url.hpp>

#include "support/test.hpp"

using sipws::ws::parse_url;

TEST_CASE("ws url: schemes, default ports and resource names", "[ws][url][WS6455-3-a]") {
    auto a = parse_url("ws://sip-ws.example.com");
    REQUIRE(a);
    CHECK_FALSE(a->secure);
    CHECK(a->host == "sip-ws.example.com");
    CHECK(a->port == 80);
    CHECK_FALSE(a->explicit_port);
    CHECK(a->resource == "/");
    CHECK(a->host_header() == "sip-ws.example.com");

    auto b = parse_url("WSS://proxy.example.com/sip?token=abc");
    REQUIRE(b);
    CHECK(b->secure);
    CHECK(b->port == 443);
    CHECK(b->resource == "/sip?token=abc");
    CHECK(b->to_string() == "wss://proxy.example.com/sip?token=abc");

    auto c = parse_url("ws://127.0.0.1:8080?x=1");
    REQUIRE(c);
    CHECK(c->port == 8080);
    CHECK(c->resource == "/?x=1");
    CHECK(c->host_header() == "127.0.0.1:8080");

    auto d = parse_url("wss://[::1]:8443/");
    REQUIRE(d);
    CHECK(d->host == "[::1]");
    CHECK(d->address() == "::1");
    CHECK(d->host_header() == "[::1]:8443");

    auto e = parse_url("wss://example.com:443/");
    REQUIRE(e);
    CHECK(e->explicit_port);
    CHECK(e->host_header() == "example.com"); // default port is not repeated
}

TEST_CASE("ws url: what is not a WebSocket URI is refused", "[ws][url][WS6455-3-a]") {
    CHECK_FALSE(parse_url("http://example.com/"));
    CHECK_FALSE(parse_url("ws://example.com/#frag")); // fragments are not allowed
    CHECK_FALSE(parse_url("ws://user@example.com/"));
    CHECK_FALSE(parse_url("ws://"));
    CHECK_FALSE(parse_url("ws://:80/"));
    CHECK_FALSE(parse_url("ws://example.com:/"));
    CHECK_FALSE(parse_url("ws://example.com:0/"));
    CHECK_FALSE(parse_url("ws://example.com:65536/"));
    CHECK_FALSE(parse_url("ws://example.com:80a/"));
    CHECK_FALSE(parse_url("ws://[::1/"));
    CHECK_FALSE(parse_url("ws://[zz::1]/"));
    CHECK_FALSE(parse_url("ws://exa mple.com/"));
    CHECK_FALSE(parse_url("ws://example.com/a b"));
    CHECK_FALSE(parse_url("example.com"));
}
