// A browser page cannot send WebSocket Ping frames (RFC 7118 section 6): an
// idle page in headless Chromium stays connected to a listener with an idle
// timeout only because the server pings and the browser answers with Pong.
#include "support/peers.hpp"
#include "support/test.hpp"

#include <sipws/transport/policy/permessage_deflate.hpp>

#include "integration/transport_support.hpp"

using namespace sipws::test;
namespace tr = sipws::transport;

namespace {

struct pinging_config : tr::default_config {
    using keepalive_policy = tr::policy::ws_ping_keepalive;
};

/// Runs the idle browser page for 3 s against \p server (started here,
/// closing connections idle for 0.8 s); \p sbox records its flows.
template <class Listener> peer_result idle_browser_page(Listener& server, inbox& sbox) {
    tr::limits lim;
    lim.idle_timeout = std::chrono::milliseconds(800);
    server.set_limits(lim);
    server.on_close(sbox.close_handler());
    REQUIRE_FALSE(server.listen(loopback()));
    server.start();
    return run_peer({"node", peers_dir() + "/browser-idle-websocket.mjs", "--server",
                     "ws://127.0.0.1:" + std::to_string(server.local_endpoint().port()) + "/", "--idle", "3"});
}

struct deflate_config : tr::default_config {
    using compression_policy = tr::policy::permessage_deflate;
};

/// An echo listener with \p Config, and the browser page's echo run against it.
template <class Config> peer_result browser_echo(bool& clean_close) {
    io_runner run(1);
    tr::basic_listener<asio::ip::tcp::socket, Config> server(run.io);
    auto* reg = &server.registry();
    server.on_message([reg](tr::flow_id f, sipws::ws::message_type t, std::string_view m) {
        reg->send(f, t, m);
    });
    inbox sbox;
    server.on_close(sbox.close_handler());
    REQUIRE_FALSE(server.listen(loopback()));
    server.start();
    peer_result page = run_peer({"node", peers_dir() + "/browser-idle-websocket.mjs", "--server",
                                 "ws://127.0.0.1:" + std::to_string(server.local_endpoint().port()) + "/",
                                 "--idle", "0", "--echo", "6"});
    clean_close = wait_until([&] { return sbox.close_count() == 1; }) &&
                  sbox.closes[0].second.clean() && sbox.closes[0].second.code == 1000;
    return page;
}

} // namespace

TEST_CASE("transport: Chromium's permessage-deflate offer, declined by default, taken by the policy",
          "[transport][browser][deflate][PMD7692-5-a][PMD7692-8-a][PMD7692-7.2-b]") {
    bool clean = false;
    SECTION("default Config: declined, the page talks uncompressed") {
        peer_result page = browser_echo<tr::default_config>(clean);
        INFO(page.output);
        CHECK(page.status == 0);
        CHECK(page.line("EXTENSIONS") == "EXTENSIONS -");
        CHECK(page.line("ECHO_OK") == "ECHO_OK");
        CHECK(clean);
    }
    SECTION("policy::permessage_deflate: agreed, SIP messages both ways compressed") {
        peer_result page = browser_echo<deflate_config>(clean);
        INFO(page.output);
        CHECK(page.status == 0);
        CHECK(page.line("EXTENSIONS") == "EXTENSIONS permessage-deflate");
        CHECK(page.line("ECHO_OK") == "ECHO_OK");
        CHECK(clean);
    }
}

TEST_CASE("transport: an idle browser page lives on the server's pings alone",
          "[transport][keepalive][browser][WS7118-6-c][WS7118-6-a]") {
    SECTION("the server pings: the page stays open past many idle timeouts") {
        io_runner run(1);
        tr::basic_listener<asio::ip::tcp::socket, pinging_config> server(run.io);
        server.keepalive_policy().interval = std::chrono::milliseconds(200);
        server.keepalive_policy().pong_timeout = std::chrono::milliseconds(2000);
        inbox sbox;
        peer_result page = idle_browser_page(server, sbox);
        INFO(page.output);
        CHECK(page.status == 0);
        CHECK(page.line("PING_API") == "PING_API none");
        CHECK(page.line("OPEN") == "OPEN sip");
        CHECK(page.line("STILL_OPEN") == "STILL_OPEN");
        REQUIRE(wait_until([&] { return sbox.close_count() == 1; }));
        CHECK(sbox.closes[0].second.code == 1000); // the page closed it, not a timeout
        CHECK(sbox.closes[0].second.error != tr::error::idle_timeout);
    }

    SECTION("no server pings: the same page is closed by the idle timeout") {
        io_runner run(1);
        tr::ws_listener<> server(run.io);
        inbox sbox;
        peer_result page = idle_browser_page(server, sbox);
        INFO(page.output);
        CHECK(page.status == 0);
        CHECK(page.line("OPEN") == "OPEN sip");
        CHECK(page.line("CLOSED") == "CLOSED 1001");
        CHECK(page.line("STILL_OPEN").empty());
        REQUIRE(wait_until([&] { return sbox.close_count() == 1; }));
        CHECK(sbox.closes[0].second.error == tr::error::idle_timeout);
    }
}
