#include <sipws/ws/engine.hpp>

#include "support/test.hpp"
#include "ws_test_util.hpp"

#include <string>

using namespace sipws::ws;
using sipws::test::from_hex;
using sipws::test::ws::cframe;
using sipws::test::ws::feed;
using sipws::test::ws::frame;
using sipws::test::ws::parse_frames;
using sipws::test::ws::take_output;

namespace {

/// Expects the engine to fail with \p e / \p code and to queue exactly one
/// Close with that code, whatever the chunking.
void expect_failure(role r, const std::string& bytes, error e, std::uint16_t code,
                    engine_options opt = {}) {
    for (std::size_t chunk : {std::size_t(0), std::size_t(1), std::size_t(3), std::size_t(7)}) {
        engine eng(r, opt);
        auto evs = feed(eng, bytes, chunk);
        INFO("chunk " << chunk);
        REQUIRE(!evs.empty());
        CHECK(evs.back().type == event_type::error);
        CHECK(evs.back().error == make_error_code(e));
        CHECK(evs.back().code == code);
        CHECK(eng.state() == engine_state::failed);
        CHECK(eng.action() == transport_action::close);
        auto frames = parse_frames(take_output(eng));
        REQUIRE(frames.size() == 1);
        CHECK(frames[0].op == 0x8);
        CHECK(frames[0].masked == (r == role::client));
        REQUIRE(frames[0].payload.size() == 2);
        CHECK(static_cast<unsigned char>(frames[0].payload[0]) * 256 +
                  static_cast<unsigned char>(frames[0].payload[1]) ==
              code);
        // Input after failure is ignored (WS6455-7.1.7-a).
        std::string more = cframe(true, 1, "late");
        auto ev = eng.consume(more.data(), more.size());
        CHECK(ev.type == event_type::none);
        CHECK(ev.consumed == more.size());
        CHECK_FALSE(eng.has_pending_output());
    }
}

} // namespace

TEST_CASE("engine: server receives masked text in any chunking",
          "[ws][engine][WS6455-5.3-b][WS6455-6.2-a][WS6455-5.4-b]") {
    const std::string wire = from_hex("81 85 37 fa 21 3d 7f 9f 4d 51 58");
    for (std::size_t chunk = 0; chunk <= wire.size(); ++chunk) {
        engine eng(role::server);
        auto evs = feed(eng, wire, chunk);
        INFO("chunk " << chunk);
        REQUIRE(evs.size() == 1);
        CHECK(evs[0].type == event_type::message);
        CHECK(evs[0].message == message_type::text);
        CHECK(evs[0].payload == "Hello");
    }
}

TEST_CASE("engine: client receives unmasked frames; 16- and 64-bit lengths",
          "[ws][engine][WS6455-5.2-c][WS6455-5.3-b]") {
    engine eng(role::client);
    auto evs = feed(eng, from_hex("81 05 48 65 6c 6c 6f"));
    REQUIRE(evs.size() == 1);
    CHECK(evs[0].payload == "Hello");

    const std::string big256(256, 'b'), big64k(65536, 'c');
    for (std::size_t chunk : {std::size_t(0), std::size_t(1000), std::size_t(4096)}) {
        engine e2(role::client);
        auto ev2 = feed(e2, frame(true, 2, big256) + frame(true, 2, big64k), chunk);
        REQUIRE(ev2.size() == 2);
        CHECK(ev2[0].message == message_type::binary);
        CHECK(ev2[0].payload == big256);
        CHECK(ev2[1].payload == big64k);
    }
}

TEST_CASE("engine: whole single-frame messages are delivered in place (no copy)",
          "[ws][engine][zero-copy]") {
    engine eng(role::server);
    std::string wire = cframe(true, 1, "REGISTER sip:example.com SIP/2.0\r\n\r\n");
    auto ev = eng.consume(wire.data(), wire.size());
    REQUIRE(ev.type == event_type::message);
    CHECK(ev.consumed == wire.size());
    CHECK(ev.payload.data() == wire.data() + 6); // unmasked in the caller's buffer
    CHECK(ev.payload == "REGISTER sip:example.com SIP/2.0\r\n\r\n");
}

TEST_CASE("engine: several messages in one input give one event per call",
          "[ws][engine][WS6455-5.4-b]") {
    engine eng(role::server);
    std::string wire = cframe(true, 1, "one") + cframe(true, 2, "two") + cframe(true, 1, "");
    std::size_t at = 0;
    auto e1 = eng.consume(wire.data(), wire.size());
    at += e1.consumed;
    CHECK(e1.payload == "one");
    auto e2 = eng.consume(wire.data() + at, wire.size() - at);
    at += e2.consumed;
    CHECK(e2.payload == "two");
    CHECK(e2.message == message_type::binary);
    auto e3 = eng.consume(wire.data() + at, wire.size() - at);
    at += e3.consumed;
    CHECK(e3.type == event_type::message);
    CHECK(e3.payload.empty());
    CHECK(at == wire.size());
    auto e4 = eng.consume(wire.data() + at, 0);
    CHECK(e4.type == event_type::none);
}

TEST_CASE("engine: fragmented messages with control frames in between",
          "[ws][engine][WS6455-5.4-a][WS6455-5.4-b][WS6455-5.4-c][WS6455-5.5.2-a]") {
    const std::string wire = cframe(false, 1, "Hel") + cframe(true, 9, "ping!") +
                             cframe(false, 0, "lo ") + cframe(true, 0xA, "") +
                             cframe(false, 0, "") + cframe(true, 0, "world");
    for (std::size_t chunk :
         {std::size_t(0), std::size_t(1), std::size_t(2), std::size_t(5), std::size_t(11)}) {
        engine eng(role::server);
        auto evs = feed(eng, wire, chunk);
        INFO("chunk " << chunk);
        REQUIRE(evs.size() == 3);
        CHECK(evs[0].type == event_type::ping);
        CHECK(evs[0].payload == "ping!");
        CHECK(evs[1].type == event_type::pong);
        CHECK(evs[2].type == event_type::message);
        CHECK(evs[2].payload == "Hello world");
        auto out = parse_frames(take_output(eng));
        REQUIRE(out.size() == 1);
        CHECK(out[0].op == 0xA); // pong with the same data
        CHECK(out[0].payload == "ping!");
        CHECK_FALSE(out[0].masked); // server never masks (WS6455-5.1-b)
    }
}

TEST_CASE("engine: client answers a ping with a masked pong",
          "[ws][engine][WS6455-5.5.2-a][WS6455-5.1-a]") {
    engine eng(role::client);
    auto evs = feed(eng, frame(true, 9, std::string(125, 'p')));
    REQUIRE(evs.size() == 1);
    auto out = parse_frames(take_output(eng));
    REQUIRE(out.size() == 1);
    CHECK(out[0].op == 0xA);
    CHECK(out[0].masked);
    CHECK(out[0].payload == std::string(125, 'p'));
}

TEST_CASE("engine: unsolicited pong needs no reply", "[ws][engine][WS6455-5.5.3-a]") {
    engine eng(role::server);
    auto evs = feed(eng, cframe(true, 0xA, "heartbeat"));
    REQUIRE(evs.size() == 1);
    CHECK(evs[0].type == event_type::pong);
    CHECK(evs[0].payload == "heartbeat");
    CHECK_FALSE(eng.has_pending_output());
}

TEST_CASE("engine: masking rules per role",
          "[ws][engine][WS6455-5.1-c][WS6455-5.1-d][WS6455-7.1.7-a]") {
    expect_failure(role::server, frame(true, 1, "x"), error::unmasked_frame, 1002);
    expect_failure(role::client, cframe(true, 1, "x"), error::masked_frame, 1002);
}

TEST_CASE("engine: reserved bits fail the connection", "[ws][engine][WS6455-5.2-a]") {
    for (unsigned rsv : {1u, 2u, 4u, 7u}) {
        expect_failure(role::server, cframe(true, 1, "x", rsv), error::reserved_bits, 1002);
        expect_failure(role::server, cframe(true, 9, "", rsv), error::reserved_bits, 1002);
    }
}

TEST_CASE("engine: reserved opcodes fail the connection", "[ws][engine][WS6455-5.2-b]") {
    for (unsigned op : {3u, 4u, 5u, 6u, 7u, 0xBu, 0xCu, 0xDu, 0xEu, 0xFu}) {
        INFO("opcode " << op);
        expect_failure(role::server, cframe(true, op, "x"), error::reserved_opcode, 1002);
        // Also in the middle of a fragmented message.
        expect_failure(role::server, cframe(false, 1, "a") + cframe(true, op, ""),
                       error::reserved_opcode, 1002);
    }
}

TEST_CASE("engine: length encodings must be minimal, 64-bit top bit clear",
          "[ws][engine][WS6455-5.2-c][WS6455-5.2-d]") {
    // 5 octets with a 16-bit length.
    expect_failure(role::client, from_hex("81 7e 00 05 48 65 6c 6c 6f"), error::non_minimal_length,
                   1002);
    // 126 with a 64-bit length.
    expect_failure(role::client, from_hex("82 7f 00 00 00 00 00 00 00 7e") + std::string(126, 'x'),
                   error::non_minimal_length, 1002);
    // MSB set.
    expect_failure(role::client, from_hex("82 7f 80 00 00 00 00 00 00 01"), error::bad_length,
                   1002);
    // Largest legal claim is still refused by the size limit, before buffering.
    expect_failure(role::client, from_hex("82 7f 7f ff ff ff ff ff ff ff"), error::frame_too_big,
                   1009);
    // Fail fast: the length is judged before the masking key arrives.
    for (const char* hex : {"82 ff 80 00 00 00 00 00 00 01", "82 fe 00 05", "82 fe 10 00"}) {
        engine_options small;
        small.max_frame_size = 1000;
        engine srv(role::server, small);
        std::string head = from_hex(hex);
        auto ev = srv.consume(head.data(), head.size());
        INFO(hex);
        CHECK(ev.type == event_type::error);
    }
    // 126 and 65535 in 16 bits, 65536 in 64 bits are fine.
    engine eng(role::client);
    auto evs = feed(eng, from_hex("82 7e 00 7e") + std::string(126, 'y') + from_hex("82 7e ff ff") +
                             std::string(65535, 'z') + from_hex("82 7f 00 00 00 00 00 01 00 00") +
                             std::string(65536, 'w'));
    REQUIRE(evs.size() == 3);
    CHECK(evs[0].payload.size() == 126);
    CHECK(evs[1].payload.size() == 65535);
    CHECK(evs[2].payload.size() == 65536);
}

TEST_CASE("engine: control frames are at most 125 octets and never fragmented",
          "[ws][engine][WS6455-5.5-a]") {
    expect_failure(role::server, cframe(true, 9, std::string(126, 'p')), error::control_too_long,
                   1002);
    expect_failure(role::server, cframe(true, 8, std::string(2, '\x03') + std::string(124, 'r')),
                   error::control_too_long, 1002);
    expect_failure(role::server, cframe(false, 9, "ping"), error::fragmented_control, 1002);
    expect_failure(role::server, cframe(false, 0xA, ""), error::fragmented_control, 1002);
    expect_failure(role::server, cframe(false, 8, ""), error::fragmented_control, 1002);
}

TEST_CASE("engine: continuation rules", "[ws][engine][WS6455-5.4-a][WS6455-5.4-d]") {
    expect_failure(role::server, cframe(true, 0, "x"), error::unexpected_continuation, 1002);
    expect_failure(role::server, cframe(false, 0, "x"), error::unexpected_continuation, 1002);
    expect_failure(role::server, cframe(false, 1, "a") + cframe(true, 1, "b"),
                   error::expected_continuation, 1002);
    expect_failure(role::server, cframe(false, 2, "a") + cframe(false, 2, "b"),
                   error::expected_continuation, 1002);
    // A complete message followed by a continuation.
    expect_failure(role::server, cframe(true, 1, "a") + cframe(true, 0, "b"),
                   error::unexpected_continuation, 1002);
}

TEST_CASE("engine: invalid UTF-8 in text fails with 1007, fast, across fragments",
          "[ws][engine][WS6455-5.6-a][WS6455-7.4-b]") {
    expect_failure(
        role::server,
        cframe(true, 1, from_hex("ce ba e1 bd b9 cf 83 ce bc ce b5 ed a0 80 65 64 69 74 65 64")),
        error::invalid_utf8, 1007);
    // Incomplete sequence at FIN.
    expect_failure(role::server, cframe(true, 1, from_hex("41 e6 97")), error::invalid_utf8, 1007);
    // Split sequence across fragments is fine.
    {
        engine eng(role::server);
        auto evs =
            feed(eng, cframe(false, 1, from_hex("41 e6")) + cframe(true, 0, from_hex("97 a5")));
        REQUIRE(evs.size() == 1);
        CHECK(evs[0].payload == from_hex("41 e6 97 a5"));
    }
    // Fail-fast: the first fragment alone is already invalid; the error comes
    // before the message is complete (no FIN has been seen).
    {
        engine eng(role::server);
        std::string first = cframe(false, 1, "ok " + from_hex("f4 90 80 80"));
        auto ev = eng.consume(first.data(), first.size());
        CHECK(ev.type == event_type::error);
        CHECK(ev.code == 1007);
    }
    // Fail-fast within a frame whose payload has not fully arrived.
    {
        engine eng(role::server);
        std::string wire = cframe(true, 1, "abc" + from_hex("c0") + std::string(1000, 'z'));
        auto ev = eng.consume(wire.data(), 20); // header + first 14 payload octets
        CHECK(ev.type == event_type::error);
        CHECK(ev.error == make_error_code(error::invalid_utf8));
    }
    // Binary messages are not validated.
    {
        engine eng(role::server);
        auto evs = feed(eng, cframe(true, 2, from_hex("ff fe c0 80")));
        REQUIRE(evs.size() == 1);
        CHECK(evs[0].type == event_type::message);
    }
}

TEST_CASE("engine: message and frame size limits close with 1009 before buffering",
          "[ws][engine][WS6455-10.4-a]") {
    engine_options opt;
    opt.max_message_size = 100;
    opt.max_frame_size = 60;
    expect_failure(role::server, cframe(true, 2, std::string(61, 'x')), error::frame_too_big, 1009,
                   opt);
    expect_failure(role::server,
                   cframe(false, 2, std::string(50, 'x')) + cframe(true, 0, std::string(51, 'y')),
                   error::message_too_big, 1009, opt);
    // The header alone is enough to fail: no payload octets needed.
    engine eng(role::server, opt);
    std::string hdr = from_hex("82 fe 10 00 01 02 03 04");
    auto ev = eng.consume(hdr.data(), hdr.size());
    CHECK(ev.type == event_type::error);
    CHECK(ev.code == 1009);
    // At the limit is fine.
    engine ok(role::server, opt);
    auto evs =
        feed(ok, cframe(false, 2, std::string(50, 'x')) + cframe(true, 0, std::string(50, 'y')));
    REQUIRE(evs.size() == 1);
    CHECK(evs[0].payload.size() == 100);
}

TEST_CASE("engine: limits can change at run time", "[ws][engine][WS6455-10.4-a]") {
    engine eng(role::server);
    CHECK(feed(eng, cframe(true, 2, std::string(500, 'x'))).at(0).type == event_type::message);
    engine_options opt = eng.options();
    opt.max_message_size = 100;
    eng.set_options(opt);
    auto evs = feed(eng, cframe(true, 2, std::string(500, 'x')));
    CHECK(evs.at(0).type == event_type::error);
    CHECK(evs.at(0).code == 1009);
}

TEST_CASE("engine: close payload rules", "[ws][engine][WS6455-5.5.1-a][WS6455-7.4-a]") {
    // 1-octet payload.
    expect_failure(role::server, cframe(true, 8, "\x03"), error::bad_close_payload, 1002);
    // Invalid codes on receipt.
    for (unsigned code :
         {0u, 999u, 1004u, 1005u, 1006u, 1015u, 1016u, 1100u, 2000u, 2999u, 5000u, 65535u}) {
        std::string p{static_cast<char>(code >> 8), static_cast<char>(code & 0xFF)};
        INFO("code " << code);
        expect_failure(role::server, cframe(true, 8, p), error::bad_close_code, 1002);
    }
    // Reason must be UTF-8.
    expect_failure(role::server, cframe(true, 8, from_hex("03 e8 ce ba ed a0 80")),
                   error::invalid_close_reason, 1007);
    // Valid codes are echoed.
    for (unsigned code : {1000u, 1001u, 1002u, 1003u, 1007u, 1008u, 1009u, 1011u, 1012u, 1013u,
                          1014u, 3000u, 3999u, 4000u, 4999u}) {
        engine eng(role::server);
        std::string p{static_cast<char>(code >> 8), static_cast<char>(code & 0xFF)};
        auto evs = feed(eng, cframe(true, 8, p + "bye"));
        INFO("code " << code);
        REQUIRE(evs.size() == 1);
        CHECK(evs[0].type == event_type::close);
        CHECK(evs[0].code == code);
        CHECK(evs[0].payload == "bye");
        auto out = parse_frames(take_output(eng));
        REQUIRE(out.size() == 1);
        CHECK(out[0].payload == p);
    }
    // 1010 from a client is valid; a server does not send 1010 back.
    engine srv(role::server);
    feed(srv, cframe(true, 8, from_hex("03 f2")));
    auto out = parse_frames(take_output(srv));
    REQUIRE(out.size() == 1);
    CHECK(out[0].payload == from_hex("03 e8"));
}

TEST_CASE("engine: peer closes first; reply queued; data after close ignored",
          "[ws][engine][WS6455-5.5.1-b][WS6455-5.5.1-c][WS6455-7.1.5-a][WS6455-5.5.2-a]") {
    engine eng(role::server);
    CHECK(eng.close_code_received() == 1006);
    auto evs = feed(eng, cframe(true, 8, "") + cframe(true, 1, "after") + cframe(true, 9, "p"));
    REQUIRE(evs.size() == 1);
    CHECK(evs[0].type == event_type::close);
    CHECK(evs[0].code == 1005);
    CHECK(eng.close_code_received() == 1005);
    CHECK(eng.peer_closed_first());
    CHECK(eng.state() == engine_state::closed);
    CHECK(eng.action() == transport_action::close);
    auto out = parse_frames(take_output(eng));
    REQUIRE(out.size() == 1); // close reply only: no pong after close
    CHECK(out[0].op == 8);
    CHECK(out[0].payload.empty());
    std::error_code ec;
    std::string buf(100, '\0');
    CHECK(eng.encode_message(message_type::text, "x", 1, buf.data(), ec) == 0);
    CHECK(ec == make_error_code(error::closed));

    engine cli(role::client);
    feed(cli, frame(true, 8, from_hex("03 e8")));
    CHECK(cli.action() == transport_action::wait_for_peer_close);
}

TEST_CASE("engine: we close first; messages still arrive until the peer's close",
          "[ws][engine][WS6455-5.5.1-b][WS6455-5.5.1-c]") {
    engine eng(role::client);
    REQUIRE_FALSE(eng.close(1000, "done"));
    CHECK(eng.state() == engine_state::close_sent);
    auto out = parse_frames(take_output(eng));
    REQUIRE(out.size() == 1);
    CHECK(out[0].masked);
    CHECK(out[0].payload == from_hex("03 e8") + "done");
    CHECK(eng.close(1000) == make_error_code(error::closed));
    auto evs = feed(eng, frame(true, 1, "late data") + frame(true, 9, "p") +
                             frame(true, 8, from_hex("03 e8")));
    REQUIRE(evs.size() == 3);
    CHECK(evs[0].type == event_type::message);
    CHECK(evs[1].type == event_type::ping);
    CHECK(evs[2].type == event_type::close);
    CHECK_FALSE(eng.has_pending_output()); // no pong, no second close
    CHECK_FALSE(eng.peer_closed_first());
    CHECK(eng.state() == engine_state::closed);
    CHECK(eng.action() == transport_action::wait_for_peer_close);
}

TEST_CASE("engine: only codes an endpoint may send are accepted by close()",
          "[ws][engine][WS6455-7.4-a]") {
    for (unsigned code : {1005u, 1006u, 1015u, 1004u, 999u, 2000u, 5000u}) {
        engine eng(role::server);
        CHECK(eng.close(static_cast<std::uint16_t>(code)) == make_error_code(error::bad_argument));
        CHECK(eng.state() == engine_state::open);
    }
    engine srv(role::server), cli(role::client);
    CHECK(srv.close(1010) == make_error_code(error::bad_argument));
    CHECK_FALSE(cli.close(1010));
    engine e(role::server);
    CHECK(e.close(1000, std::string(124, 'r')) == make_error_code(error::bad_argument));
    CHECK(e.close(1000, from_hex("c0 80")) == make_error_code(error::bad_argument));
    CHECK_FALSE(e.close(4000, std::string(123, 'r')));
}

TEST_CASE("engine: reassembly buffer is reused below the retained size",
          "[ws][engine][allocation]") {
    engine_options opt;
    opt.retained_buffer_size = 4096;
    engine eng(role::server, opt);
    const char* first = nullptr;
    for (int i = 0; i < 20; ++i) {
        std::string wire = cframe(false, 1, std::string(1000, 'a')) + cframe(true, 0, "tail");
        auto evs = eng.consume(wire.data(), wire.size());
        REQUIRE(evs.type == event_type::message);
        CHECK(evs.payload.size() == 1004);
        if (!first) first = evs.payload.data();
        CHECK(evs.payload.data() == first); // same storage, no new allocation
    }
}

TEST_CASE("engine: UTF-8 verdicts do not depend on where ASCII and non-ASCII runs fall",
          "[ws][engine][WS6455-5.6-a]") {
    // Long ASCII runs around multi-octet characters, cut at every point.
    const std::string good = std::string(70, 'a') + from_hex("f0 9f 98 80") + std::string(20, 'b') +
                             from_hex("ce ba") + std::string(33, 'c');
    const std::string bad = std::string(70, 'a') + from_hex("f0 9f 98") + std::string(20, 'b');
    for (std::size_t cut = 1; cut < good.size(); cut += 3) {
        engine eng(role::server);
        auto evs =
            feed(eng, cframe(false, 1, good.substr(0, cut)) + cframe(true, 0, good.substr(cut)),
                 cut % 17 + 1);
        INFO("cut " << cut);
        REQUIRE(evs.size() == 1);
        CHECK(evs[0].type == event_type::message);
        CHECK(evs[0].payload == good);
    }
    for (std::size_t cut = 1; cut < bad.size(); cut += 5) {
        engine eng(role::server);
        auto evs =
            feed(eng, cframe(false, 1, bad.substr(0, cut)) + cframe(true, 0, bad.substr(cut)));
        INFO("cut " << cut);
        REQUIRE(evs.size() == 1);
        CHECK(evs[0].type == event_type::error);
        CHECK(evs[0].code == 1007);
    }
}
