#include <sipws/ws/engine.hpp>

#include "support/test.hpp"
#include "ws_test_util.hpp"

#include <set>
#include <string>

using namespace sipws::ws;
using sipws::test::from_hex;
using sipws::test::ws::feed;
using sipws::test::ws::parse_frames;
using sipws::test::ws::take_output;

namespace {
std::string encode(engine& e, message_type t, const std::string& payload) {
    std::string out(e.encoded_size(payload.size()), '\0');
    std::error_code ec;
    std::size_t n = e.encode_message(t, payload.data(), payload.size(), out.data(), ec);
    REQUIRE_FALSE(ec);
    REQUIRE(n == out.size());
    return out;
}
} // namespace

TEST_CASE("engine send: server frames are unmasked, shortest length form",
          "[ws][engine][WS6455-5.1-b][WS6455-5.2-c][WS6455-5.3-b]") {
    engine srv(role::server);
    CHECK(encode(srv, message_type::text, "Hello") == from_hex("81 05 48 65 6c 6c 6f"));
    auto big = encode(srv, message_type::binary, std::string(256, 'x'));
    CHECK(big.substr(0, 4) == from_hex("82 7E 01 00"));
    auto huge = encode(srv, message_type::binary, std::string(65536, 'x'));
    CHECK(huge.substr(0, 10) == from_hex("82 7F 00 00 00 00 00 01 00 00"));
}

TEST_CASE("engine send: client masks every frame with a fresh key",
          "[ws][engine][WS6455-5.1-a][WS6455-5.3-a]") {
    engine cli(role::client);
    std::set<std::string> keys;
    for (int i = 0; i < 200; ++i) {
        auto wire = encode(cli, message_type::text, "INVITE");
        REQUIRE(wire.size() == 2 + 4 + 6);
        CHECK(static_cast<unsigned char>(wire[1]) == (0x80 | 6));
        keys.insert(wire.substr(2, 4));
        auto frames = parse_frames(wire);
        REQUIRE(frames.size() == 1);
        CHECK(frames[0].payload == "INVITE");
    }
    // 200 draws of 32 random bits: a repeat would be a broken generator.
    CHECK(keys.size() == 200);
    // Control frames are masked too.
    REQUIRE_FALSE(cli.ping("abc"));
    REQUIRE_FALSE(cli.pong("def"));
    auto ctl = parse_frames(take_output(cli));
    REQUIRE(ctl.size() == 2);
    CHECK(ctl[0].masked);
    CHECK(ctl[0].op == 9);
    CHECK(ctl[0].payload == "abc");
    CHECK(ctl[1].masked);
    CHECK(ctl[1].op == 0xA);
}

TEST_CASE("engine send: optional fragmentation", "[ws][engine][WS6455-5.4-a]") {
    engine_options opt;
    opt.fragment_size = 100;
    for (role r : {role::client, role::server}) {
        engine e(r, opt);
        std::string msg(250, 'm');
        for (std::size_t i = 0; i < msg.size(); ++i) msg[i] = static_cast<char>('a' + i % 26);
        auto wire = encode(e, message_type::text, msg);
        auto frames = parse_frames(wire);
        REQUIRE(frames.size() == 3);
        CHECK(frames[0].op == 1);
        CHECK_FALSE(frames[0].fin);
        CHECK(frames[1].op == 0);
        CHECK_FALSE(frames[1].fin);
        CHECK(frames[2].op == 0);
        CHECK(frames[2].fin);
        CHECK(frames[0].payload + frames[1].payload + frames[2].payload == msg);
        // The peer reassembles it.
        engine peer(r == role::client ? role::server : role::client);
        auto evs = feed(peer, wire);
        REQUIRE(evs.size() == 1);
        CHECK(evs[0].payload == msg);
        // Exactly at the fragment size: one frame.
        CHECK(parse_frames(encode(e, message_type::binary, std::string(100, 'x'))).size() == 1);
        CHECK(parse_frames(encode(e, message_type::binary, std::string(200, 'x'))).size() == 2);
    }
}

TEST_CASE("engine send: scatter-gather header with in-place masking",
          "[ws][engine][WS6455-5.1-a]") {
    std::error_code ec;
    unsigned char header[max_header_size];
    engine cli(role::client);
    std::string payload = "OPTIONS sip:x SIP/2.0\r\n\r\n";
    std::size_t h =
        cli.encode_message_in_place(message_type::text, payload.data(), payload.size(), header, ec);
    REQUIRE_FALSE(ec);
    CHECK(h == 6);
    std::string wire = std::string(reinterpret_cast<char*>(header), h) + payload;
    engine srv(role::server);
    auto evs = feed(srv, wire);
    REQUIRE(evs.size() == 1);
    CHECK(evs[0].payload == "OPTIONS sip:x SIP/2.0\r\n\r\n");

    std::string plain = "abc";
    h = srv.encode_message_in_place(message_type::binary, plain.data(), plain.size(), header, ec);
    CHECK(h == 2);
    CHECK(plain == "abc");
}

TEST_CASE("engine send: client and server engines talk to each other",
          "[ws][engine][WS6455-5.4-b][WS6455-5.5.1-b]") {
    engine cli(role::client), srv(role::server);
    for (std::size_t size : {0u, 1u, 125u, 126u, 1000u, 65535u, 65536u, 200000u}) {
        std::string msg(size, 'x');
        for (std::size_t i = 0; i < size; ++i) msg[i] = static_cast<char>(i % 251);
        auto evs = feed(srv, encode(cli, message_type::binary, msg), 1500);
        REQUIRE(evs.size() == 1);
        CHECK(evs[0].payload == msg);
        auto back = feed(cli, encode(srv, message_type::binary, msg), 4096);
        REQUIRE(back.size() == 1);
        CHECK(back[0].payload == msg);
    }
    // Closing handshake initiated by the client.
    REQUIRE_FALSE(cli.close(1000));
    auto evs = feed(srv, take_output(cli));
    REQUIRE(evs.size() == 1);
    CHECK(evs[0].type == event_type::close);
    CHECK(srv.action() == transport_action::close);
    auto back = feed(cli, take_output(srv));
    REQUIRE(back.size() == 1);
    CHECK(back[0].code == 1000);
    CHECK(cli.state() == engine_state::closed);
    CHECK(cli.action() == transport_action::wait_for_peer_close);
}

TEST_CASE("engine send: nothing after close, control payload limits",
          "[ws][engine][WS6455-5.5.1-b][WS6455-5.5-a]") {
    engine e(role::server);
    CHECK(e.ping(std::string(126, 'p')) == make_error_code(error::bad_argument));
    CHECK(e.pong(std::string(126, 'p')) == make_error_code(error::bad_argument));
    CHECK_FALSE(e.ping(std::string(125, 'p')));
    REQUIRE_FALSE(e.close());
    CHECK(e.ping() == make_error_code(error::closed));
    CHECK(e.pong() == make_error_code(error::closed));
    std::string out(16, '\0');
    std::error_code ec;
    CHECK(e.encode_message(message_type::text, "x", 1, out.data(), ec) == 0);
    CHECK(ec == make_error_code(error::closed));
    unsigned char h[max_header_size];
    CHECK(e.encode_message_in_place(message_type::text, out.data(), 1, h, ec) == 0);
    CHECK(ec == make_error_code(error::closed));
    auto frames = parse_frames(take_output(e));
    REQUIRE(frames.size() == 2);
    CHECK(frames[0].op == 9);
    CHECK(frames[1].op == 8);
    CHECK(frames[1].payload == from_hex("03 e8"));
}

TEST_CASE("engine send: pending output is bounded and keeps room for a close",
          "[ws][engine][WS6455-5.5.2-a]") {
    engine e(role::server);
    // Many pings without draining the output: pongs stop being queued, the
    // failure close still fits.
    std::string wire;
    for (int i = 0; i < 20; ++i) wire += sipws::test::ws::cframe(true, 9, std::string(125, 'p'));
    wire += sipws::test::ws::cframe(true, 1, from_hex("ff"));
    auto evs = feed(e, wire);
    REQUIRE(evs.back().type == event_type::error);
    auto frames = parse_frames(take_output(e));
    REQUIRE(frames.size() >= 2);
    CHECK(frames.back().op == 8);
    CHECK(frames.back().payload == from_hex("03 ef"));
    CHECK(frames.size() < 10);
}

TEST_CASE("engine send: text that is not UTF-8 is refused, binary is not checked",
          "[ws][engine][WS7118-4.2-b][WS7118-4.2-d]") {
    engine e(role::client);
    const std::string bad = "SIP/2.0 200 OK\r\nX: " + from_hex("c0 80") + "\r\n\r\n";
    std::string out(e.encoded_size(bad.size()), '\0');
    std::error_code ec;
    CHECK(e.encode_message(message_type::text, bad.data(), bad.size(), out.data(), ec) == 0);
    CHECK(ec == make_error_code(error::invalid_utf8));
    std::string copy = bad;
    unsigned char h[max_header_size];
    CHECK(e.encode_message_in_place(message_type::text, copy.data(), copy.size(), h, ec) == 0);
    CHECK(ec == make_error_code(error::invalid_utf8));
    CHECK(copy == bad); // untouched
    CHECK(e.encode_message(message_type::binary, bad.data(), bad.size(), out.data(), ec) ==
          out.size());
    CHECK_FALSE(ec);
    CHECK(e.state() == engine_state::open);
    engine_options opt;
    opt.check_outgoing_utf8 = false;
    e.set_options(opt);
    CHECK(e.encode_message(message_type::text, bad.data(), bad.size(), out.data(), ec) ==
          out.size());
}
