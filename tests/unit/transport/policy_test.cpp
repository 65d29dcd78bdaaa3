// Transport policies and vocabulary without sockets: Config checks, Origin
// allow-list, web-auth token lookup, framing choice, errors, flow ids.
#include "support/test.hpp"

#include <sipws/transport/config.hpp>
#include <sipws/transport/error.hpp>
#include <sipws/transport/flow.hpp>
#include <sipws/transport/flow_registry.hpp>
#include <sipws/transport/reconnect_backoff.hpp>

#include <set>
#include <thread>

namespace tr = sipws::transport;
namespace ws = sipws::ws;

namespace {

/// Parses \p extra lines into a handshake request held by \p hs.
const ws::handshake_request& request(ws::server_handshake& hs, const std::string& target,
                                     const std::string& extra) {
    std::string r = "GET " + target +
                    " HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
                    "Sec-WebSocket-Protocol: sip\r\n" +
                    extra + "\r\n";
    std::size_t used = 0;
    REQUIRE(hs.feed(r.data(), r.size(), used) == ws::handshake_status::ready);
    return hs.request();
}

struct no_allow {
    bool permit(std::string_view) const { return true; }
};
struct bad_framing {
    int choose(std::string_view) const { return 0; }
};
struct incomplete_config {
    using origin_policy = tr::policy::allow_any_origin;
};

} // namespace

TEST_CASE("transport config: default bundle and detection of bad policies", "[transport][config]") {
    STATIC_REQUIRE(tr::detail::check_config<tr::default_config>::value);
    STATIC_REQUIRE(std::is_same_v<sipws::default_config, tr::default_config>);
    STATIC_REQUIRE(tr::detail::origin_ok<tr::policy::origin_allowlist>::value);
    STATIC_REQUIRE_FALSE(tr::detail::origin_ok<no_allow>::value);
    STATIC_REQUIRE(tr::detail::web_auth_ok<tr::policy::token_auth>::value);
    STATIC_REQUIRE_FALSE(tr::detail::web_auth_ok<no_allow>::value);
    STATIC_REQUIRE(tr::detail::framing_ok<tr::policy::always_binary>::value);
    STATIC_REQUIRE_FALSE(tr::detail::framing_ok<bad_framing>::value);
    STATIC_REQUIRE(tr::detail::keepalive_ok<tr::policy::crlf_keepalive>::value);
    STATIC_REQUIRE_FALSE(tr::detail::keepalive_ok<no_allow>::value);
    STATIC_REQUIRE(tr::detail::subprotocol_ok<tr::policy::optional_subprotocol>::value);
    STATIC_REQUIRE(tr::detail::has_origin_policy<incomplete_config>::value);
    STATIC_REQUIRE_FALSE(tr::detail::has_web_auth_policy<incomplete_config>::value);
    STATIC_REQUIRE_FALSE(tr::detail::has_keepalive_policy<incomplete_config>::value);
}

TEST_CASE("transport policy: Origin allow-list", "[transport][WS7118-9-c]") {
    tr::policy::origin_allowlist o;
    CHECK(o.allow(""));
    CHECK_FALSE(o.allow("https://a.example"));
    o.add("https://a.example");
    CHECK(o.allow("https://a.example"));
    CHECK(o.allow("HTTPS://A.EXAMPLE"));
    CHECK_FALSE(o.allow("https://a.example.evil"));
    CHECK_FALSE(o.allow("https://a.exampl"));
    o.allow_absent(false);
    CHECK_FALSE(o.allow(""));
    o.clear();
    CHECK_FALSE(o.allow("https://a.example"));
    CHECK(tr::policy::allow_any_origin{}.allow("anything"));
}

TEST_CASE("transport policy: web-auth token sources and verdicts",
          "[transport][WS7118-A-b][WS7118-A-c]") {
    tr::policy::token_auth auth;
    auth.set_validator([](std::string_view t) -> std::optional<std::string> {
        if (t == "t0k") return std::string("sip:bob@example.com");
        return std::nullopt;
    });
    {
        ws::server_handshake hs;
        auto r = auth.check(request(hs, "/", ""));
        CHECK(r.refused());
        CHECK(r.status == 401);
        CHECK(r.extra_headers.find("WWW-Authenticate: Bearer") == 0);
    }
    {
        ws::server_handshake hs;
        auto r = auth.check(request(hs, "/ws?a=1&token=nope", ""));
        CHECK(r.refused());
        CHECK(r.status == 403);
    }
    {
        ws::server_handshake hs;
        auto r = auth.check(request(hs, "/ws?a=1&token=t0k", ""));
        CHECK(r.verdict == tr::web_auth_verdict::authenticated);
        CHECK(r.identity == "sip:bob@example.com");
    }
    {
        ws::server_handshake hs;
        const auto& req = request(hs, "/", "Authorization: bearer t0k\r\n");
        CHECK(auth.find_token(req) == "t0k");
        CHECK_FALSE(auth.check(req).refused());
    }
    {
        ws::server_handshake hs;
        const auto& req = request(hs, "/", "Cookie: a=b\r\nCookie: x=1; token=t0k; y=2\r\n");
        CHECK(auth.find_token(req) == "t0k");
    }
    {
        ws::server_handshake hs; // "mytoken=" is not "token="
        const auto& req = request(hs, "/?mytoken=t0k", "Cookie: notoken=t0k\r\n");
        CHECK(auth.find_token(req).empty());
    }
    {
        tr::policy::token_auth custom;
        custom.set_query_parameter("jwt");
        custom.use_bearer(false);
        ws::server_handshake hs;
        const auto& req = request(hs, "/?jwt=abc", "Authorization: Bearer zzz\r\n");
        CHECK(custom.find_token(req) == "abc");
        CHECK(custom.check(req).status == 403); // no validator: nothing is valid
    }
    ws::server_handshake hs;
    CHECK(tr::policy::no_web_auth{}.check(request(hs, "/", "")).verdict ==
          tr::web_auth_verdict::not_checked);
}

TEST_CASE("transport policy: framing", "[transport][WS7118-4.2-b][WS7118-4.2-c][WS7118-4.2-d]") {
    tr::policy::text_when_utf8 f;
    CHECK(f.choose("INVITE sip:a@b SIP/2.0\r\n\r\n") == ws::message_type::text);
    CHECK(f.choose("caf\xc3\xa9") == ws::message_type::text);
    CHECK(f.choose(std::string("\xc0\xaf", 2)) == ws::message_type::binary);       // overlong
    CHECK(f.choose(std::string("\xed\xa0\x80", 3)) == ws::message_type::binary);   // surrogate
    CHECK(f.choose(std::string("\xf8\x88\x80\x80\x80", 5)) == ws::message_type::binary); // 5-octet
    CHECK(f.choose(std::string("a\0b", 3)) == ws::message_type::text);
    CHECK(tr::policy::always_binary{}.choose("abc") == ws::message_type::binary);
    CHECK(tr::policy::always_text{}.choose("\xff") == ws::message_type::text);
}

TEST_CASE("transport: error codes and flow ids", "[transport]") {
    std::error_code ec = tr::error::queue_full;
    CHECK(ec.category().name() == std::string("sipws.transport"));
    CHECK(ec.message() == "write queue full");
    CHECK(std::error_code(tr::error::flow_failed).message().find("flow failed") == 0);
    for (int e = 1; e <= static_cast<int>(tr::error::aborted); ++e)
        CHECK(tr::transport_category().message(e).rfind("unknown sipws.transport", 0) != 0);

    std::vector<std::vector<tr::flow_id>> ids(4);
    std::vector<std::thread> ts;
    for (auto& v : ids)
        ts.emplace_back([&v] {
            for (int i = 0; i < 1000; ++i) v.push_back(tr::next_flow_id());
        });
    for (auto& t : ts) t.join();
    std::set<tr::flow_id> all;
    for (auto& v : ids) {
        for (std::size_t i = 1; i < v.size(); ++i) CHECK(v[i] > v[i - 1]);
        all.insert(v.begin(), v.end());
    }
    CHECK(all.size() == 4000);
    CHECK(all.count(0) == 0);

    tr::flow_registry reg;
    CHECK(reg.send(*all.begin(), "x") == tr::error::flow_failed);
    CHECK_FALSE(reg.close(*all.begin()));
    CHECK(reg.flows().empty());
    CHECK(reg.size() == 0);
}

TEST_CASE("reconnect backoff: a random first delay, then truncated binary exponential backoff",
          "[transport][reconnect][WS6455-7.2-a]") {
    using std::chrono::milliseconds;
    sipws::transport::reconnect_backoff b; // first 5 s, max 120 s
    CHECK(b.delay(0, 0.0) == milliseconds(0));
    CHECK(b.delay(0, 1.0) == milliseconds(5000));
    CHECK(b.delay(0, 0.5) == milliseconds(2500));
    CHECK(b.delay(1, 0.0) == milliseconds(5000));  // W = 10 s, [W/2, W]
    CHECK(b.delay(1, 1.0) == milliseconds(10000));
    CHECK(b.delay(3, 1.0) == milliseconds(40000));
    CHECK(b.delay(5, 1.0) == milliseconds(120000)); // truncated
    CHECK(b.delay(1000, 0.0) == milliseconds(60000));
    CHECK(b.delay(2, -3.0) == milliseconds(10000)); // draws outside [0, 1] are clamped
    CHECK(b.delay(2, 7.0) == milliseconds(20000));
    b.first = milliseconds(200);
    b.max = milliseconds(1000);
    CHECK(b.delay(0, 1.0) == milliseconds(200));
    CHECK(b.delay(4, 1.0) == milliseconds(1000));
}
