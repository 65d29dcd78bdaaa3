// The transport against the npm `ws` package in both roles, and the echo
// programs driven end to end.
#include "support/peers.hpp"
#include "support/process.hpp"
#include "support/test.hpp"

#include "integration/transport_support.hpp"

#include <sipws/transport/policy/permessage_deflate.hpp>

#include <asio/use_future.hpp>

#include <csignal>
#include <future>
#include <sstream>

using namespace sipws::test;
namespace tr = sipws::transport;
using sipws::ws::message_type;

namespace {

void require_ws_package() {
    if (!file_exists(node_modules_dir() + "/ws/package.json"))
        FAIL("npm package ws missing in " + node_modules_dir() + ": run 'npm ci' in tests/");
}

std::string peer_script() { return peers_dir() + "/transport_echo_peer.js"; }

std::string program(const std::string& name) {
    return std::string(binary_dir()) + "/examples/" + name + "/sipws-" + name;
}

int port_after(const std::string& text, const std::string& word) {
    auto at = text.find(word);
    if (at == std::string::npos) return 0;
    std::istringstream in(text.substr(at + word.size()));
    int p = 0;
    in >> p;
    return p;
}

struct deflate_config : tr::default_config {
    using compression_policy = tr::policy::permessage_deflate;
};

/// permessage-deflate built in and switched off at run time.
struct deflate_switched_off : tr::policy::permessage_deflate {
    deflate_switched_off() { active = false; }
};
struct deflate_off_config : tr::default_config {
    using compression_policy = deflate_switched_off;
};

/// "RX <octets read> <octets of messages>" from the peer: true when the
/// messages crossed TCP in fewer octets than they hold (they were compressed).
bool compressed_on_the_wire(const std::string& output) {
    std::istringstream in(line_starting(output, "RX "));
    std::string word;
    double read = 0, payload = 0;
    in >> word >> read >> payload;
    INFO(output);
    CHECK(payload > 0);
    return read > 0 && read < payload / 2;
}

/// A SIP message of a few KiB (an INVITE with a long SDP body).
std::string sip_invite(int i) {
    std::string sdp = "v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\n";
    for (int k = 0; sdp.size() < 3000; ++k)
        sdp += "a=candidate:" + std::to_string(k) + " 1 udp 2122260223 192.0.2." +
               std::to_string(k % 250) + " " + std::to_string(50000 + k) + " typ host\r\n";
    return "INVITE sip:bob@example.com SIP/2.0\r\nVia: SIP/2.0/WS df7jal23ls0d.invalid;branch=z9hG4bK" +
           std::to_string(i) + "\r\nCall-ID: " + std::to_string(i) +
           "@example.com\r\nCSeq: 1 INVITE\r\nContent-Type: application/sdp\r\nContent-Length: " +
           std::to_string(sdp.size()) + "\r\n\r\n" + sdp;
}

/// Runs the npm `ws` echo client with \p count messages (and \p compression
/// when not empty) against an echo listener of Config; checks that it ran to
/// "OK" and that both sides closed with 1000. Returns what the client printed.
template <class Config>
std::string npm_client_against_echo_listener(const std::string& count,
                                             const std::string& compression = {}) {
    io_runner run(2);
    tr::ws_listener<Config> server(run.io);
    auto* reg = &server.registry();
    server.on_message([reg](tr::flow_id f, message_type t, std::string_view m) { reg->send(f, t, m); });
    inbox sbox;
    server.on_close(sbox.close_handler());
    REQUIRE_FALSE(server.listen(loopback()));
    server.start();
    std::vector<std::string> argv{"node", peer_script(), "client", ws_url(server.local_endpoint()),
                                  count};
    if (!compression.empty()) argv.push_back(compression);
    process peer(argv, {"NODE_PATH=" + node_modules_dir()});
    auto rc = peer.wait(std::chrono::seconds(30));
    INFO(peer.output());
    REQUIRE(rc);
    CHECK(*rc == 0);
    CHECK(peer.output().find("OK") != std::string::npos);
    CHECK(peer.output().find("CLOSE 1000") != std::string::npos);
    REQUIRE(wait_until([&] { return sbox.close_count() == 1; }));
    CHECK(sbox.closes[0].second.clean());
    CHECK(sbox.closes[0].second.code == 1000);
    return peer.output();
}

/// The npm `ws` echo server (with \p compression when not empty) and a flow
/// to it from a connector of Config.
template <class Config> struct npm_echo_server_flow {
    process peer;
    io_runner run{2};
    tr::connector<Config> client{run.io};
    inbox box;
    tr::flow_id flow{};
    bool was_compressed = false; ///< flow_info::compressed of the flow

    explicit npm_echo_server_flow(const std::string& compression = {})
        : peer(argv(compression), {"NODE_PATH=" + node_modules_dir()}) {
        REQUIRE(peer.wait_for_output("LISTENING"));
        const int port = port_after(peer.output(), "LISTENING ");
        REQUIRE(port > 0);
        client.on_message(box.message_handler());
        client.on_close(box.close_handler());
        auto fut = client.async_connect("ws://127.0.0.1:" + std::to_string(port) + "/",
                                        asio::use_future);
        REQUIRE(fut.wait_for(std::chrono::seconds(10)) == std::future_status::ready);
        flow = fut.get();
        auto c = client.registry().find(flow);
        REQUIRE(c);
        was_compressed = c->info().compressed;
    }
    static std::vector<std::string> argv(const std::string& compression) {
        std::vector<std::string> a{"node", peer_script(), "server"};
        if (!compression.empty()) a.push_back(compression);
        return a;
    }
    /// Closes the flow with 1000 and checks that the closing handshake completed.
    void close_cleanly() {
        client.registry().close(flow, 1000, "done");
        REQUIRE(wait_until([&] { return box.close_count() == 1; }));
        CHECK(box.closes[0].second.clean());
        CHECK(box.closes[0].second.code == 1000);
    }
};

} // namespace

TEST_CASE("transport interop: ws (npm) client against a sipws listener",
          "[transport][interop][WS7118-4.2-a][OB5626-KA-b]") {
    require_ws_package();
    // The npm client offers permessage-deflate by default: the default Config declines.
    const std::string out = npm_client_against_echo_listener<tr::default_config>("30");
    CHECK(line_starting(out, "EXT ") == "EXT -");
}

TEST_CASE("transport interop: sipws connector against a ws (npm) server",
          "[transport][interop][WS7118-4.1-a][WS7118-4.2-b]") {
    require_ws_package();
    npm_echo_server_flow<tr::default_config> x;
    const std::string big(200000, 'v');
    CHECK_FALSE(x.client.registry().send(x.flow, "REGISTER sip:x SIP/2.0\r\n\r\n"));
    CHECK_FALSE(x.client.registry().send(x.flow, std::string("\xc0\xaf", 2))); // overlong: binary
    CHECK_FALSE(x.client.registry().send(x.flow, big));
    REQUIRE(wait_until([&] { return x.box.message_count() == 3; }));
    CHECK(x.box.types[0] == message_type::text);
    CHECK(x.box.types[1] == message_type::binary);
    CHECK(x.box.messages[2].second == big);
    x.close_cleanly();
}

TEST_CASE("transport: sipws-echo-server end to end (ws, wss, signals)",
          "[transport][programs][tls]") {
    const std::string dir = make_temp_dir("echo");
    {
        process ca({"bash", peers_dir() + "/make-test-ca.sh", dir});
        auto rc = ca.wait(std::chrono::seconds(30));
        REQUIRE(rc);
        REQUIRE(*rc == 0);
    }
    const auto p1 = free_port(), p2 = free_port();
    const std::string ws = "ws://127.0.0.1:" + std::to_string(p1);
    const std::string wss = "wss://127.0.0.1:" + std::to_string(p2);
    process server({program("echo-server"), "--listen", ws, "--listen", wss, "--cert",
                    dir + "/server-chain.pem", "--key", dir + "/server.key"});
    REQUIRE(server.wait_for_output("listening " + wss));

    io_runner run(2);
    tr::connector<> client(run.io);
    client.set_ca_file(dir + "/ca.pem");
    inbox box;
    client.on_message(box.message_handler());
    for (const auto& url : {ws + "/", wss + "/"}) {
        auto fut = client.async_connect(url, asio::use_future);
        REQUIRE(fut.wait_for(std::chrono::seconds(10)) == std::future_status::ready);
        tr::flow_id f = fut.get();
        CHECK_FALSE(client.registry().send(f, "echo me"));
        CHECK_FALSE(client.registry().send(f, message_type::binary, "bin"));
    }
    REQUIRE(wait_until([&] { return box.message_count() == 4; }));
    CHECK(box.types[0] == message_type::text);
    CHECK(box.types[1] == message_type::binary);
    CHECK(box.messages[3].second == "bin");

    server.signal(SIGTERM);
    auto rc = server.wait(std::chrono::seconds(10));
    INFO(server.output());
    REQUIRE(rc);
    CHECK(*rc == 0);
}

TEST_CASE("transport: sipws-echo-client echoes until the server closes, then exits 0",
          "[transport][programs]") {
    io_runner run(2);
    tr::ws_listener<> server(run.io);
    inbox sbox;
    server.on_message(sbox.message_handler());
    server.on_close(sbox.close_handler());
    auto* reg = &server.registry();
    server.on_open([reg](const tr::flow_info& i) {
        reg->send(i.id, "one");
        reg->send(i.id, message_type::binary, std::string("\x01\x02", 2));
        reg->send(i.id, "three");
    });
    REQUIRE_FALSE(server.listen(loopback()));
    server.start();
    process client({program("echo-client"), ws_url(server.local_endpoint()), "--subprotocol", "sip"});
    REQUIRE(wait_until([&] { return sbox.message_count() == 3; }));
    CHECK(sbox.messages[0].second == "one");
    CHECK(sbox.types[1] == message_type::binary);
    CHECK(sbox.messages[2].second == "three");
    reg->close_all(1000, "bye");
    auto rc = client.wait(std::chrono::seconds(10));
    INFO(client.output());
    REQUIRE(rc);
    CHECK(*rc == 0);
    CHECK(client.output().find("closed code=1000") != std::string::npos);
}

TEST_CASE("transport interop: permessage-deflate with a ws (npm) client, both context rules",
          "[transport][interop][deflate][PMD7692-5-a][PMD7692-7.2-a][PMD7692-7.2-b][PMD7692-6-a]") {
    require_ws_package();
    for (const char* mode : {"deflate", "deflate-reset"}) {
        INFO(mode);
        const std::string out = npm_client_against_echo_listener<deflate_config>("12", mode);
        CHECK(line_starting(out, "EXT ") == "EXT permessage-deflate");
        CHECK(compressed_on_the_wire(out)); // our echoes were compressed
    }
}

TEST_CASE("transport interop: permessage-deflate switched off at run time declines and offers nothing",
          "[transport][interop][deflate][PMD7692-8-a]") {
    require_ws_package();
    // the npm client offers it (both context rules): declined
    for (const char* mode : {"deflate", "deflate-reset"}) {
        INFO(mode);
        const std::string out = npm_client_against_echo_listener<deflate_off_config>("12", mode);
        CHECK(line_starting(out, "EXT ") == "EXT -");
        CHECK_FALSE(compressed_on_the_wire(out));
    }
    // a connector makes no offer, so a server that would agree has none to answer
    npm_echo_server_flow<deflate_off_config> x("deflate");
    CHECK_FALSE(x.was_compressed);
    const std::string m = sip_invite(1);
    CHECK_FALSE(x.client.registry().send(x.flow, m));
    REQUIRE(wait_until([&] { return x.box.message_count() == 1; }));
    CHECK(x.box.messages[0].second == m);
    x.close_cleanly();
    REQUIRE(x.peer.wait_for_output("RX "));
    CHECK(line_starting(x.peer.output(), "EXT ") == "EXT -");
    CHECK_FALSE(compressed_on_the_wire(x.peer.output()));
}

TEST_CASE("transport interop: permessage-deflate from a sipws connector to a ws (npm) server",
          "[transport][interop][deflate][PMD7692-5-a][PMD7692-7-c][PMD7692-7.2-a][PMD7692-7.2-b]") {
    require_ws_package();
    for (const char* mode : {"deflate", "deflate-reset"}) {
        INFO(mode);
        npm_echo_server_flow<deflate_config> x(mode);
        std::vector<std::string> sent;
        for (int i = 0; i < 20; ++i) sent.push_back(sip_invite(i));
        sent.push_back("REGISTER sip:x SIP/2.0\r\n\r\n"); // below min_size: plain
        sent.push_back(std::string(200000, 'v'));
        for (const auto& m : sent) CHECK_FALSE(x.client.registry().send(x.flow, m));
        REQUIRE(wait_until([&] { return x.box.message_count() == sent.size(); }));
        for (std::size_t i = 0; i < sent.size(); ++i) CHECK(x.box.messages[i].second == sent[i]);
        x.close_cleanly();
        REQUIRE(x.peer.wait_for_output("RX "));
        CHECK(line_starting(x.peer.output(), "EXT ") == "EXT permessage-deflate");
        CHECK(compressed_on_the_wire(x.peer.output())); // what we sent was compressed
        CHECK(x.was_compressed);
    }
}
