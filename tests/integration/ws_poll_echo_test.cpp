// The examples/ws-poll-echo program (the engine driven by a poll() loop, no
// Asio) against the npm ws client: echo, fragmentation, ping/pong, UTF-8
// failures, limits, refused and stalled handshakes.
#include "support/test.hpp"

// After test.hpp: process.hpp uses its helpers.
#include "support/process.hpp"

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <string>
#include <vector>

using namespace std::chrono_literals;

namespace {

std::string example_binary() {
    return std::string(sipws::test::binary_dir()) + "/examples/ws-poll-echo/sipws-ws-poll-echo";
}

std::string peer_script() {
    return std::string(sipws::test::source_dir()) + "/tests/peers/ws_conformance_peer.js";
}

struct echo_server {
    std::unique_ptr<sipws::test::process> proc;
    std::string port;
    explicit echo_server(std::vector<std::string> extra = {}) {
        if (::access(example_binary().c_str(), X_OK) != 0)
            FAIL("example program not built: " << example_binary());
        std::vector<std::string> argv{example_binary(), "--listen", "127.0.0.1:0"};
        argv.insert(argv.end(), extra.begin(), extra.end());
        proc = std::make_unique<sipws::test::process>(argv);
        if (!proc->wait_for_output("LISTENING ", 10s) || !proc->wait_for_output("\n", 2s))
            FAIL("sipws-ws-poll-echo did not start: " << proc->output());
        const std::string& out = proc->output();
        auto at = out.find("LISTENING ") + 10;
        port = out.substr(at, out.find('\n', at) - at);
    }
};

/// Runs one ws client scenario against the server; returns the client's output.
std::string run_client(const echo_server& srv, const std::string& scenario,
                       const std::string& protocol = "sip") {
    sipws::test::process client({"node", peer_script(), "client",
                                 "ws://127.0.0.1:" + srv.port + "/" + scenario, scenario,
                                 protocol});
    INFO("scenario " << scenario);
    CHECK(client.wait_for_output("DONE " + scenario, 20s));
    client.wait(5s);
    return client.output();
}

} // namespace

TEST_CASE("ws-poll-echo example: echoes, answers pings, fails bad input with the right code",
          "[ws][example][WS6455-5.4-b][WS6455-5.5.2-a][WS6455-5.6-a][WS6455-10.4-a]"
          "[WS7118-4.1-b][WS7118-4.1-c]") {
    echo_server srv;
    for (const char* ok : {"echo_sizes", "fragmented", "ping_pong", "utf8_valid", "chopped"}) {
        std::string out = run_client(srv, ok);
        INFO(out);
        CHECK(out.find(std::string("OPEN ") + ok + " sip -") != std::string::npos);
        CHECK(out.find(std::string("OK ") + ok + "\n") != std::string::npos);
        CHECK(out.find(std::string("CLOSE ") + ok + " 1000") != std::string::npos);
    }
    struct {
        const char* scenario;
        const char* close;
    } failures[] = {{"utf8_failfast", "1007"},
                    {"rsv1", "1002"},
                    {"opcode_3", "1002"},
                    {"wrong_mask", "1002"},
                    {"close_code_1005", "1002"}};
    for (const auto& f : failures) {
        std::string out = run_client(srv, f.scenario);
        INFO(out);
        CHECK(out.find(std::string("CLOSE ") + f.scenario + " " + f.close) != std::string::npos);
    }
    // No sip subprotocol: 400, no upgrade (RFC 7118 4.1).
    std::string out = run_client(srv, "echo_sizes", "-");
    INFO(out);
    CHECK(out.find("STATUS echo_sizes 400") != std::string::npos);
    REQUIRE(srv.proc->running());
    // SIGTERM ends it cleanly.
    auto status = srv.proc->stop();
    REQUIRE(status);
    CHECK(*status == 0);
}

TEST_CASE("ws-poll-echo example: message limit and stalled handshakes",
          "[ws][example][WS6455-10.4-a]") {
    echo_server srv({"--max-message", "65536", "--handshake-timeout", "1"});
    std::string out = run_client(srv, "too_big");
    INFO(out);
    CHECK(out.find("CLOSE too_big 1009") != std::string::npos);

    // A client that sends half a request and stalls is dropped.
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    REQUIRE(fd >= 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = htons(static_cast<unsigned short>(std::stoi(srv.port)));
    REQUIRE(::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
    const char half[] = "GET / HTTP/1.1\r\nHost: x\r\n";
    REQUIRE(::send(fd, half, sizeof half - 1, 0) > 0);
    pollfd p{fd, POLLIN, 0};
    REQUIRE(::poll(&p, 1, 10000) == 1); // closed by the server within its timeout
    char c;
    CHECK(::recv(fd, &c, 1, 0) <= 0);
    ::close(fd);
    CHECK(srv.proc->running());
}
