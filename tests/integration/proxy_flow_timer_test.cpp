// sipws-proxy with --flow-timer: Outbound clients get `Flow-Timer: N` in the
// 2xx to their REGISTER and keep their flow alive within it; a flow that
// stays silent for longer than the proxy waits is closed and its binding
// goes with it (RFC 5626 sections 4.4 and 5.4).
#include "support/peers.hpp"
#include "support/proxy.hpp"
#include "support/test.hpp"
#include "support/ua_pool.hpp"

#include "integration/transport_support.hpp"

#include <atomic>
#include <filesystem>
#include <string>

using namespace sipws::test;
using namespace std::chrono_literals;

TEST_CASE("sipws-proxy --flow-timer: keep-alives within it keep a flow, silence ends it",
          "[proxy][client][OB5626-5.4-b][OB5626-4.4-a]") {
    const std::string client = std::string(binary_dir()) + "/examples/client/sipws-client";
    REQUIRE(file_exists(client));
    proxy_options o;
    o.flow_timer = 1; // the proxy waits flow_timeout(1 s) = 3 s
    sipws_proxy p(o);

    // sipws-client reads Flow-Timer and pings every 0.8-1 s (OB5626-4.4-a).
    const std::string dir = make_temp_dir("flow-timer");
    auto bob = start_peer({client, "--server", p.ws_url(), "--aor", "sip:bob@sipws.test", "--instance-file",
                           dir + "/instance", "listen", "--duration", "30"},
                          "LISTENING");
    const std::string interval = field_of(line_starting(bob->output(), "OUTBOUND "), "interval");
    INFO("bob:\n" << bob->output());
    REQUIRE(interval.size() > 2);
    const long ms = std::stol(interval);
    CHECK(ms >= 800);
    CHECK(ms <= 1000);

    // A client that never sends anything after registering loses its flow.
    io_runner run(1);
    ua_pool pool(run.io, p.ws_url(), "sipws.test");
    std::atomic<bool> lost{false};
    pool.on_lost([&](std::size_t) { lost = true; });
    const std::size_t silent = pool.add("carol");
    pool.start(silent);
    REQUIRE(wait_until([&] { return pool.registered(silent); }));
    CHECK(wait_until([&] { return lost.load(); }, 15s));
    INFO("proxy:\n" << p.output());
    CHECK(p.proc().wait_for_output("registration flow closed: sip:carol@sipws.test", 5s));

    // bob, pinging, outlived several of those timeouts and is still reachable.
    CHECK(bob->output().find("DISCONNECTED") == std::string::npos);
    peer_result alice = run_peer({client, "--server", p.ws_url(), "--aor", "sip:alice@sipws.test",
                                  "--instance-file", dir + "/instance-alice", "message", "--to",
                                  "sip:bob@sipws.test", "--text", "still there"});
    INFO("alice:\n" << alice.output);
    CHECK(alice.line("MESSAGE_SENT") == "MESSAGE_SENT 200");
    CHECK(bob->wait_for_output("MESSAGE from sip:alice@sipws.test: still there", 10s));
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
}
