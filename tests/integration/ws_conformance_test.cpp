// Conformance of the WebSocket engine against the npm `ws` package over real
// loopback TCP, in both roles, Autobahn-style: framing, ping/pong,
// fragmentation, UTF-8 (valid, invalid, fail-fast), close codes, limits,
// reserved bits and opcodes, masking, handshake negotiation. The engine has no
// I/O; this file drives it with blocking POSIX sockets.

#include <sipws/ws/client_handshake.hpp>
#include <sipws/ws/engine.hpp>
#include <sipws/ws/server_handshake.hpp>

#include "support/test.hpp"

// After test.hpp: process.hpp uses its helpers.
#include "support/peers.hpp"
#include "support/process.hpp"

#include <netinet/tcp.h>

#include <chrono>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

using namespace sipws::ws;
using namespace std::chrono_literals;
using clock_type = std::chrono::steady_clock;

namespace {

std::string peer_script() {
    return std::string(sipws::test::source_dir()) + "/tests/peers/ws_conformance_peer.js";
}

// ---- sockets ---------------------------------------------------------------

struct socket_fd {
    int fd = -1;
    explicit socket_fd(int f = -1) : fd(f) {}
    socket_fd(socket_fd&& o) noexcept : fd(o.fd) { o.fd = -1; }
    socket_fd& operator=(socket_fd&& o) noexcept {
        std::swap(fd, o.fd);
        return *this;
    }
    ~socket_fd() {
        if (fd >= 0) ::close(fd);
    }
};

socket_fd listen_loopback(unsigned short& port) {
    socket_fd s(::socket(AF_INET, SOCK_STREAM, 0));
    REQUIRE(s.fd >= 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = 0;
    REQUIRE(::bind(s.fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
    REQUIRE(::listen(s.fd, 8) == 0);
    socklen_t len = sizeof a;
    REQUIRE(::getsockname(s.fd, reinterpret_cast<sockaddr*>(&a), &len) == 0);
    port = ntohs(a.sin_port);
    return s;
}

bool wait_readable(int fd, clock_type::time_point deadline) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - clock_type::now());
    if (left.count() < 0) return false;
    pollfd p{fd, POLLIN, 0};
    return ::poll(&p, 1, static_cast<int>(left.count())) > 0;
}

socket_fd accept_one(int lfd) {
    REQUIRE(wait_readable(lfd, clock_type::now() + 15s));
    socket_fd s(::accept(lfd, nullptr, nullptr));
    REQUIRE(s.fd >= 0);
    return s;
}

socket_fd connect_loopback(unsigned short port) {
    socket_fd s(::socket(AF_INET, SOCK_STREAM, 0));
    REQUIRE(s.fd >= 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = htons(port);
    REQUIRE(::connect(s.fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
    int one = 1;
    ::setsockopt(s.fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    return s;
}

bool write_all(int fd, std::string_view bytes) {
    while (!bytes.empty()) {
        ssize_t n = ::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
        if (n <= 0) return false;
        bytes.remove_prefix(static_cast<std::size_t>(n));
    }
    return true;
}

/// Lingering close: stop writing, drain what the peer still sends until it
/// closes (or 2 s), so our last frames are not lost to a reset.
void graceful_close(socket_fd& s) {
    ::shutdown(s.fd, SHUT_WR);
    auto deadline = clock_type::now() + 2s;
    char tmp[4096];
    while (wait_readable(s.fd, deadline)) {
        if (::recv(s.fd, tmp, sizeof tmp, 0) <= 0) break;
    }
    s = socket_fd();
}

// ---- the engine over a socket -----------------------------------------------

struct seen {
    event_type type;
    message_type message;
    std::string payload;
    std::uint16_t code;
    std::error_code error;
};

enum class our_behaviour { echo, ping_then_close, send_fragments, close_first };

struct outcome {
    std::vector<seen> events;
    bool peer_eof = false;
    bool timed_out = false;
    const seen* find(event_type t) const {
        for (const auto& e : events)
            if (e.type == t) return &e;
        return nullptr;
    }
    std::size_t count(event_type t) const {
        std::size_t n = 0;
        for (const auto& e : events) n += e.type == t;
        return n;
    }
};

void flush(engine& eng, int fd) {
    if (eng.has_pending_output()) {
        write_all(fd, eng.pending_output());
        eng.pop_output(eng.pending_output().size());
    }
}

void send_message(engine& eng, int fd, message_type t, std::string_view payload) {
    std::string frame(eng.encoded_size(payload.size()), '\0');
    std::error_code ec;
    std::size_t n = eng.encode_message(t, payload.data(), payload.size(), frame.data(), ec);
    if (ec) return; // closing: data is dropped (WS6455-5.5.1-b)
    write_all(fd, std::string_view(frame.data(), n));
}

std::string pattern(std::size_t n, int seed) {
    std::string s(n, '\0');
    for (std::size_t i = 0; i < n; ++i) s[i] = static_cast<char>('a' + (i * 7 + seed) % 26);
    return s;
}

/// Runs the engine on \p s until the connection ends; \p leftover are octets
/// read with the handshake that belong to the frame stream.
outcome drive(socket_fd& s, engine& eng, std::string leftover, our_behaviour how) {
    outcome out;
    const std::string frag_text = pattern(10000, 1), frag_bin = pattern(5000, 2);
    std::size_t echoes_expected = 0;
    switch (how) {
    case our_behaviour::ping_then_close:
        REQUIRE_FALSE(eng.ping("hello-ping"));
        break;
    case our_behaviour::send_fragments: {
        engine_options o = eng.options();
        o.fragment_size = 1000;
        eng.set_options(o);
        send_message(eng, s.fd, message_type::text, frag_text);
        send_message(eng, s.fd, message_type::binary, frag_bin);
        echoes_expected = 2;
        break;
    }
    case our_behaviour::close_first:
        REQUIRE_FALSE(eng.close(4000, "x"));
        break;
    case our_behaviour::echo:
        break;
    }
    flush(eng, s.fd);

    auto deadline = clock_type::now() + 10s;
    std::string buf = std::move(leftover);
    std::vector<char> tmp(16384);
    for (;;) {
        std::size_t at = 0;
        while (at < buf.size() || at == 0) {
            auto ev = eng.consume(buf.data() + at, buf.size() - at);
            at += ev.consumed;
            if (ev.type == event_type::none) break;
            out.events.push_back({ev.type, ev.message, std::string(ev.payload), ev.code, ev.error});
            if (ev.type == event_type::message) {
                if (how == our_behaviour::echo) {
                    send_message(eng, s.fd, ev.message, ev.payload);
                } else if (how == our_behaviour::send_fragments) {
                    const std::string& want =
                        ev.message == message_type::text ? frag_text : frag_bin;
                    CHECK(std::string(ev.payload) == want);
                    if (--echoes_expected == 0) CHECK_FALSE(eng.close(4001, "fragments ok"));
                }
            } else if (ev.type == event_type::pong && how == our_behaviour::ping_then_close) {
                CHECK(ev.payload == "hello-ping");
                CHECK_FALSE(eng.close(1000, "bye"));
            }
            flush(eng, s.fd);
        }
        flush(eng, s.fd);
        if (eng.action() == transport_action::close) {
            graceful_close(s);
            return out;
        }
        if (eng.action() == transport_action::wait_for_peer_close) {
            // The client waits for the server to close TCP (WS6455-5.5.1-c).
            char c;
            if (wait_readable(s.fd, clock_type::now() + 3s))
                out.peer_eof = ::recv(s.fd, &c, 1, 0) == 0;
            s = socket_fd();
            return out;
        }
        if (!wait_readable(s.fd, deadline)) {
            out.timed_out = true;
            return out;
        }
        ssize_t n = ::recv(s.fd, tmp.data(), tmp.size(), 0);
        if (n <= 0) {
            out.peer_eof = true;
            return out;
        }
        buf.assign(tmp.data(), static_cast<std::size_t>(n));
    }
}

// ---- scenarios ----------------------------------------------------------------

struct scenario {
    const char* peer;             // scenario the ws peer runs
    our_behaviour how;            // what our side does
    std::uint16_t our_failure;    // close code we must fail with (0: none)
    int peer_close;               // close code ws must report
    bool peer_ok;                 // ws must print OK
    std::uint16_t our_close_code; // close code of our close event (0: none expected)
    std::size_t engine_limit;     // max_message_size (0: default)
};

const scenario scenarios[] = {
    {"echo_sizes", our_behaviour::echo, 0, 1000, true, 1000, 0},
    {"fragmented", our_behaviour::echo, 0, 1000, true, 1000, 0},
    {"ping_pong", our_behaviour::echo, 0, 1000, true, 1000, 0},
    {"utf8_valid", our_behaviour::echo, 0, 1000, true, 1000, 0},
    {"peer_echo", our_behaviour::ping_then_close, 0, 1000, false, 1000, 0},
    {"peer_echo", our_behaviour::send_fragments, 0, 4001, false, 4001, 0},
    {"idle", our_behaviour::close_first, 0, 4000, false, 4000, 0},
    {"utf8_invalid", our_behaviour::echo, 1007, 1007, false, 0, 0},
    {"utf8_failfast", our_behaviour::echo, 1007, 1007, false, 0, 0},
    {"utf8_failfast_split", our_behaviour::echo, 1007, 1007, false, 0, 0},
    {"close_1000", our_behaviour::echo, 0, 1000, false, 1000, 0},
    {"close_1001", our_behaviour::echo, 0, 1001, false, 1001, 0},
    {"close_3000", our_behaviour::echo, 0, 3000, false, 3000, 0},
    {"close_4999", our_behaviour::echo, 0, 4999, false, 4999, 0},
    {"close_empty", our_behaviour::echo, 0, 1005, false, 1005, 0},
    {"close_1byte", our_behaviour::echo, 1002, 1002, false, 0, 0},
    {"close_bad_reason", our_behaviour::echo, 1007, 1007, false, 0, 0},
    {"close_code_0", our_behaviour::echo, 1002, 1002, false, 0, 0},
    {"close_code_999", our_behaviour::echo, 1002, 1002, false, 0, 0},
    {"close_code_1004", our_behaviour::echo, 1002, 1002, false, 0, 0},
    {"close_code_1005", our_behaviour::echo, 1002, 1002, false, 0, 0},
    {"close_code_1006", our_behaviour::echo, 1002, 1002, false, 0, 0},
    {"close_code_1015", our_behaviour::echo, 1002, 1002, false, 0, 0},
    {"close_code_1016", our_behaviour::echo, 1002, 1002, false, 0, 0},
    {"close_code_2999", our_behaviour::echo, 1002, 1002, false, 0, 0},
    {"close_code_5000", our_behaviour::echo, 1002, 1002, false, 0, 0},
    {"data_after_close", our_behaviour::echo, 0, 1000, false, 1000, 0},
    {"rsv1", our_behaviour::echo, 1002, 1002, false, 0, 0},
    {"rsv2", our_behaviour::echo, 1002, 1002, false, 0, 0},
    {"rsv3", our_behaviour::echo, 1002, 1002, false, 0, 0},
    {"opcode_3", our_behaviour::echo, 1002, 1002, false, 0, 0},
    {"opcode_7", our_behaviour::echo, 1002, 1002, false, 0, 0},
    {"opcode_b", our_behaviour::echo, 1002, 1002, false, 0, 0},
    {"opcode_f", our_behaviour::echo, 1002, 1002, false, 0, 0},
    {"ping_too_long", our_behaviour::echo, 1002, 1002, false, 0, 0},
    {"ping_fragmented", our_behaviour::echo, 1002, 1002, false, 0, 0},
    {"continuation_first", our_behaviour::echo, 1002, 1002, false, 0, 0},
    {"text_inside_text", our_behaviour::echo, 1002, 1002, false, 0, 0},
    {"non_minimal_length", our_behaviour::echo, 1002, 1002, false, 0, 0},
    {"length_msb", our_behaviour::echo, 1002, 1002, false, 0, 0},
    {"wrong_mask", our_behaviour::echo, 1002, 1002, false, 0, 0},
    {"ping_flood", our_behaviour::echo, 0, 1000, true, 1000, 0},
    {"chopped", our_behaviour::echo, 0, 1000, true, 1000, 0},
    {"utf8_batch", our_behaviour::echo, 0, 1000, true, 1000, 0},
    {"fragment_then_close", our_behaviour::echo, 0, 1000, false, 1000, 0},
    {"large_then_close", our_behaviour::echo, 0, 1000, false, 1000, 0},
    {"close_reason_123", our_behaviour::echo, 0, 1000, false, 1000, 0},
    {"close_reason_124", our_behaviour::echo, 1002, 1002, false, 0, 0},
    {"max_size", our_behaviour::echo, 0, 1000, true, 1000, 0},
    {"too_big", our_behaviour::echo, 1009, 1009, false, 0, 65536},
    {"too_big_fragmented", our_behaviour::echo, 1009, 1009, false, 0, 65536},
};

std::string line_of(const std::string& output, const std::string& prefix) {
    auto at = output.find(prefix);
    if (at == std::string::npos) return {};
    return output.substr(at, output.find('\n', at) - at);
}

void check_outcome(const scenario& sc, const outcome& out, const std::string& peer_output) {
    const std::string name = sc.peer;
    INFO("scenario " << name << " behaviour " << static_cast<int>(sc.how));
    INFO("peer output:\n" << peer_output);
    CHECK_FALSE(out.timed_out);
    CHECK(peer_output.find("FAIL " + name) == std::string::npos);
    if (sc.peer_ok) CHECK(peer_output.find("OK " + name + "\n") != std::string::npos);
    const std::string close_line = line_of(peer_output, "CLOSE " + name + " ");
    CHECK(close_line.rfind("CLOSE " + name + " " + std::to_string(sc.peer_close), 0) == 0);
    if (sc.our_failure) {
        const seen* err = out.find(event_type::error);
        REQUIRE(err != nullptr);
        CHECK(err->code == sc.our_failure);
        CHECK(out.count(event_type::message) == 0);
    } else {
        CHECK(out.find(event_type::error) == nullptr);
    }
    if (sc.our_close_code) {
        const seen* cl = out.find(event_type::close);
        REQUIRE(cl != nullptr);
        CHECK(cl->code == sc.our_close_code);
    }
    if (name == "data_after_close" || name == "fragment_then_close")
        CHECK(out.count(event_type::message) == 0);
    if (name == "large_then_close") {
        REQUIRE(out.count(event_type::message) == 1);
        CHECK(out.find(event_type::message)->payload == std::string(262144, 'L'));
        // The echo was sent before the close reply: ws saw it.
        CHECK(peer_output.find("MSG large_then_close text 262144") != std::string::npos);
        CHECK(out.find(event_type::close)->payload == "after large");
    }
    if (name == "close_reason_123") CHECK(out.find(event_type::close)->payload.size() == 123);
    if (name == "ping_flood") CHECK(out.count(event_type::ping) == 10);
    if (name == "echo_sizes") CHECK(out.count(event_type::message) == 16);
    if (name == "ping_pong") CHECK(out.count(event_type::ping) == 3);
    if (sc.how == our_behaviour::ping_then_close) CHECK(out.count(event_type::pong) == 1);
    if (name == "fragmented") {
        REQUIRE(out.count(event_type::message) == 2);
        CHECK(out.find(event_type::message)->payload == "Hello world");
    }
}

engine_options options_for(const scenario& sc) {
    engine_options o;
    if (sc.engine_limit) o.max_message_size = o.max_frame_size = sc.engine_limit;
    return o;
}

/// Our server, ws client: one peer process per scenario.
void run_server_scenario(const scenario& sc) {
    unsigned short port = 0;
    socket_fd lfd = listen_loopback(port);
    sipws::test::process peer({"node", peer_script(), "client",
                               "ws://127.0.0.1:" + std::to_string(port) + "/" + sc.peer, sc.peer});
    socket_fd s = accept_one(lfd.fd);
    server_handshake hs;
    std::string in;
    std::vector<char> tmp(4096);
    std::size_t used = 0;
    auto deadline = clock_type::now() + 10s;
    handshake_status st = handshake_status::need_more;
    while (st == handshake_status::need_more) {
        REQUIRE(wait_readable(s.fd, deadline));
        ssize_t n = ::recv(s.fd, tmp.data(), tmp.size(), 0);
        REQUIRE(n > 0);
        in.assign(tmp.data(), static_cast<std::size_t>(n));
        st = hs.feed(in.data(), in.size(), used);
    }
    REQUIRE(st == handshake_status::ready);
    REQUIRE_FALSE(hs.accept());
    REQUIRE(write_all(s.fd, hs.response()));
    engine eng(role::server, options_for(sc));
    outcome out = drive(s, eng, in.substr(used), sc.how);
    INFO("scenario " << sc.peer << " behaviour " << static_cast<int>(sc.how) << " timed out "
                     << out.timed_out << " events " << out.events.size());
    if (!peer.wait_for_output(std::string("DONE ") + sc.peer, 10s)) INFO(peer.output());
    REQUIRE(peer.wait_for_output(std::string("DONE ") + sc.peer, 10s));
    peer.wait(5s);
    const std::string& output = peer.output();
    // ws saw the subprotocol and no extension (its permessage-deflate offer declined).
    CHECK(output.find(std::string("OPEN ") + sc.peer + " sip -\n") != std::string::npos);
    check_outcome(sc, out, output);
}

/// Our client against a running ws server.
outcome run_client_scenario(const scenario& sc, unsigned short port,
                            std::error_code* handshake_error = nullptr) {
    socket_fd s = connect_loopback(port);
    client_handshake_options o;
    o.host = "127.0.0.1:" + std::to_string(port);
    o.target = std::string("/") + sc.peer;
    o.origin = "http://127.0.0.1";
    client_handshake hs(o);
    REQUIRE(write_all(s.fd, hs.request()));
    std::string in;
    std::vector<char> tmp(4096);
    std::size_t used = 0;
    auto deadline = clock_type::now() + 10s;
    handshake_status st = handshake_status::need_more;
    while (st == handshake_status::need_more) {
        REQUIRE(wait_readable(s.fd, deadline));
        ssize_t n = ::recv(s.fd, tmp.data(), tmp.size(), 0);
        REQUIRE(n > 0);
        in.assign(tmp.data(), static_cast<std::size_t>(n));
        st = hs.feed(in.data(), in.size(), used);
    }
    if (handshake_error) {
        *handshake_error = hs.error();
        return {};
    }
    INFO("handshake error: " << hs.error().message());
    REQUIRE(st == handshake_status::accepted);
    CHECK(hs.subprotocol() == "sip");
    engine eng(role::client, options_for(sc));
    return drive(s, eng, in.substr(used), sc.how);
}

std::unique_ptr<sipws::test::process> start_ws_server(unsigned short& port) {
    auto server = std::make_unique<sipws::test::process>(
        std::vector<std::string>{"node", peer_script(), "server"});
    if (!server->wait_for_output("LISTENING ", 15s))
        FAIL("the ws peer server did not start: " << server->output());
    std::string line = line_of(server->output(), "LISTENING ");
    port = static_cast<unsigned short>(std::stoi(line.substr(10)));
    return server;
}

} // namespace

TEST_CASE("ws conformance: our server against the ws client",
          "[ws][conformance][WS6455-5.1-c][WS6455-5.2-a][WS6455-5.2-b][WS6455-5.2-d]"
          "[WS6455-5.4-b][WS6455-5.4-c][WS6455-5.4-d][WS6455-5.5-a][WS6455-5.5.1-a]"
          "[WS6455-5.5.1-b][WS6455-5.5.2-a][WS6455-5.6-a][WS6455-7.4-a][WS6455-10.4-a]"
          "[WS7118-4.1-b][WS6455-9-a]") {
    for (const auto& sc : scenarios) run_server_scenario(sc);
}

TEST_CASE("ws conformance: our client against the ws server",
          "[ws][conformance][WS6455-5.1-a][WS6455-5.1-d][WS6455-5.2-a][WS6455-5.2-b]"
          "[WS6455-5.4-b][WS6455-5.4-c][WS6455-5.5.1-b][WS6455-5.5.1-c][WS6455-5.5.2-a]"
          "[WS6455-5.6-a][WS6455-7.4-a][WS6455-10.4-a][WS7118-4.1-a]") {
    unsigned short port = 0;
    auto server_ptr = start_ws_server(port);
    auto& server = *server_ptr;
    for (const auto& sc : scenarios) {
        std::size_t mark = server.output().size();
        outcome out = run_client_scenario(sc, port);
        REQUIRE(server.wait_for_output(std::string("DONE ") + sc.peer, 10s));
        // Only this scenario's lines (scenarios may repeat a peer name).
        std::string output = server.output().substr(mark);
        while (output.find(std::string("DONE ") + sc.peer) == std::string::npos) {
            REQUIRE(server.wait_for_output("DONE", 1s));
            output = server.output().substr(mark);
        }
        CHECK(output.find(std::string("OPEN ") + sc.peer + " sip -\n") != std::string::npos);
        check_outcome(sc, out, output);
    }
}

TEST_CASE("ws conformance: ws client without the sip subprotocol is refused with 400",
          "[ws][conformance][handshake][WS7118-4.1-c][E0-a-5]") {
    for (const char* proto : {"-", "chat"}) {
        unsigned short port = 0;
        socket_fd lfd = listen_loopback(port);
        sipws::test::process peer({"node", peer_script(), "client",
                                   "ws://127.0.0.1:" + std::to_string(port) + "/x", "x", proto});
        socket_fd s = accept_one(lfd.fd);
        server_handshake hs;
        std::vector<char> tmp(4096);
        std::size_t used = 0;
        handshake_status st = handshake_status::need_more;
        while (st == handshake_status::need_more) {
            REQUIRE(wait_readable(s.fd, clock_type::now() + 10s));
            ssize_t n = ::recv(s.fd, tmp.data(), tmp.size(), 0);
            REQUIRE(n > 0);
            st = hs.feed(tmp.data(), static_cast<std::size_t>(n), used);
        }
        CHECK(st == handshake_status::failed);
        CHECK(hs.error() == make_error_code(error::no_subprotocol));
        REQUIRE(write_all(s.fd, hs.response()));
        graceful_close(s);
        REQUIRE(peer.wait_for_output("DONE x", 10s));
        INFO(peer.output());
        CHECK(peer.output().find("STATUS x 400") != std::string::npos);
        CHECK(peer.output().find("OPEN x") == std::string::npos);
    }
}

TEST_CASE("ws conformance: our client rejects bad 101 answers from a ws server",
          "[ws][conformance][handshake][WS7118-4.1-d][WS6455-4.1-j][WS6455-4.1-k]"
          "[WS6455-11.3-a]") {
    unsigned short port = 0;
    auto server = start_ws_server(port);
    CHECK(server->running());
    struct {
        const char* path;
        error expected;
    } cases[] = {{"no_protocol", error::missing_subprotocol},
                 {"wrong_protocol", error::unrequested_subprotocol},
                 {"dup_accept", error::duplicate_field},
                 {"bad_accept", error::bad_accept},
                 {"extension", error::unrequested_extension}};
    for (const auto& c : cases) {
        scenario sc{c.path, our_behaviour::echo, 0, 0, false, 0, 0};
        std::error_code ec;
        run_client_scenario(sc, port, &ec);
        INFO(c.path);
        CHECK(ec == make_error_code(c.expected));
    }
}

TEST_CASE("ws conformance: sipws-echo-client drives a fuzzingserver through every echo case",
          "[ws][conformance][echo-client][autobahn][WS6455-5.1-a][WS6455-5.4-b][WS6455-5.5.2-a]"
          "[WS6455-7.4-a]") {
    const std::string client = std::string(sipws::test::binary_dir()) + "/examples/echo-client/sipws-echo-client";
    REQUIRE(sipws::test::file_exists(client));
    // The cases where our side only echoes and the default limits apply.
    std::vector<const scenario*> cases;
    std::string list;
    for (const auto& sc : scenarios) {
        if (sc.how != our_behaviour::echo || sc.engine_limit != 0) continue;
        cases.push_back(&sc);
        list += (list.empty() ? "" : ",") + std::string(sc.peer);
    }
    REQUIRE(cases.size() >= 40);
    sipws::test::process server({"node", peer_script(), "fuzzingserver", list});
    REQUIRE(server.wait_for_output("LISTENING ", 15s));
    const std::string port = line_of(server.output(), "LISTENING ").substr(10);

    sipws::test::process driver({client, "--autobahn", "ws://127.0.0.1:" + port, "--agent", "sipws"});
    auto rc = driver.wait(120s);
    INFO("echo client:\n" << driver.output());
    REQUIRE(rc);
    CHECK(*rc == 0);
    CHECK(driver.output().find("cases: " + std::to_string(cases.size()) + "\n") != std::string::npos);
    REQUIRE(server.wait_for_output("REPORTS sipws", 10s));
    const std::string output = server.output();
    for (std::size_t i = 0; i < cases.size(); ++i) {
        const scenario& sc = *cases[i];
        const std::string name = sc.peer;
        INFO("case " << i + 1 << " " << name << "\n" << output);
        CHECK(output.find("CASE " + std::to_string(i + 1) + " " + name + " sipws\n") != std::string::npos);
        CHECK(output.find("DONE " + name + "\n") != std::string::npos);
        CHECK(output.find("CLOSE " + name + " " + std::to_string(sc.peer_close) + " ") != std::string::npos);
        if (sc.peer_ok) CHECK(output.find("OK " + name + "\n") != std::string::npos);
        CHECK(output.find("FAIL " + name + " ") == std::string::npos);
    }
}
