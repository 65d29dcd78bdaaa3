// permessage-deflate's codec over zlib and the engine with it (RFC 7692
// sections 6 and 7.2): the section 7.2.3 vectors, fragmented compressed
// messages, RSV1 misuse, the zip-bomb bound, UTF-8 after inflating, and
// context takeover or reset per message.
#ifdef SIPWS_HAS_ZLIB
#include <sipws/ws/deflate.hpp>

#include "support/test.hpp"
#include "ws_test_util.hpp"

#include <string>

using namespace sipws::ws;
using sipws::test::from_hex;
using sipws::test::ws::cframe;
using sipws::test::ws::feed;
using sipws::test::ws::frame;
using sipws::test::ws::parse_frames;

namespace {
constexpr unsigned rsv1 = 4;

const std::string hello_deflated = from_hex("f2 48 cd c9 c9 07 00");
const std::string hello_again = from_hex("f2 00 11 00 00");

engine make_engine(role r, const deflate_agreement& a = {}, permessage_deflate_options o = {},
                   engine_options eo = {}) {
    engine eng(r, eo);
    o.min_size = 0;
    enable_permessage_deflate(eng, a, o);
    return eng;
}

std::string encode(engine& eng, message_type type, const std::string& payload) {
    std::string out;
    REQUIRE_FALSE(eng.encode_message(type, payload, out));
    return out;
}

void expect_failure(engine& eng, const std::string& wire, error e, std::uint16_t code) {
    auto evs = feed(eng, wire);
    REQUIRE_FALSE(evs.empty());
    CHECK(evs.back().type == event_type::error);
    CHECK(evs.back().error == make_error_code(e));
    CHECK(evs.back().code == code);
    CHECK(eng.state() == engine_state::failed);
}

/// Text of \p n octets that compresses well but not trivially.
std::string sip_like(std::size_t n) {
    std::string s;
    for (int i = 0; s.size() < n; ++i)
        s += "Via: SIP/2.0/WSS df7jal23ls0d.invalid;branch=z9hG4bK" + std::to_string(i * 7919) +
             "\r\n";
    s.resize(n);
    return s;
}
} // namespace

TEST_CASE("permessage-deflate codec: the RFC 7692 section 7.2.3 vectors",
          "[ws][deflate][PMD7692-7.2-a][PMD7692-7.2-c]") {
    zlib_deflater d(15, false, -1, 8, 0);
    CHECK(std::string(d.deflate("Hello", 5)) == hello_deflated);
    // Context takeover: the second "Hello" refers to the first.
    CHECK(std::string(d.deflate("Hello", 5)) == hello_again);
    // No context takeover: every message stands alone.
    zlib_deflater reset(15, true, -1, 8, 0);
    CHECK(std::string(reset.deflate("Hello", 5)) == hello_deflated);
    CHECK(std::string(reset.deflate("Hello", 5)) == hello_deflated);
    // An empty message is one octet, 0x00 (section 7.2.3.6).
    zlib_deflater empty(15, false, -1, 8, 0);
    CHECK(std::string(empty.deflate("", 0)) == from_hex("00"));

    // As one unmasked frame from a server.
    engine server = make_engine(role::server);
    CHECK(encode(server, message_type::text, "Hello") == from_hex("c1 07 f2 48 cd c9 c9 07 00"));
    CHECK(encode(server, message_type::text, "Hello") == from_hex("c1 05") + hello_again);
}

TEST_CASE("permessage-deflate engine: compressed messages are inflated, whole or fragmented",
          "[ws][deflate][engine][PMD7692-7.2-b][PMD7692-7.2-c][PMD7692-6-a]") {
    const std::string wire[] = {
        // One frame (section 7.2.3.1), then the same "Hello" with context takeover.
        from_hex("c1 07") + hello_deflated + from_hex("c1 05") + hello_again,
        // Two fragments: RSV1 on the first only (section 7.2.3.1).
        from_hex("41 03 f2 48 cd 80 04 c9 c9 07 00") + from_hex("c1 05") + hello_again,
        // A stored block (section 7.2.3.3), then a block with BFINAL set (7.2.3.4).
        from_hex("c1 0b 00 05 00 fa ff 48 65 6c 6c 6f 00") +
            from_hex("c1 08 f3 48 cd c9 c9 07 00 00"),
    };
    for (const auto& w : wire) {
        for (std::size_t chunk : {0, 1, 2, 3, 7}) {
            INFO("chunk " << chunk);
            engine client = make_engine(role::client);
            auto evs = feed(client, w, chunk);
            REQUIRE(evs.size() == 2);
            for (const auto& ev : evs) {
                CHECK(ev.type == event_type::message);
                CHECK(ev.message == message_type::text);
                CHECK(ev.payload == "Hello");
            }
        }
    }
    // An empty compressed message (section 7.2.3.6), and an uncompressed
    // message between compressed ones.
    engine client = make_engine(role::client);
    auto evs = feed(client, from_hex("c1 01 00") + frame(true, 1, "plain") + from_hex("c1 07") +
                                hello_deflated);
    REQUIRE(evs.size() == 3);
    CHECK(evs[0].payload.empty());
    CHECK(evs[1].payload == "plain");
    CHECK(evs[2].payload == "Hello");
    // Masked, from a client, in fragments with a Ping between them.
    engine server = make_engine(role::server);
    evs = feed(server,
               cframe(false, 2, hello_deflated.substr(0, 2), rsv1) + cframe(true, 9, "p") +
                   cframe(false, 0, hello_deflated.substr(2, 3)) +
                   cframe(true, 0, hello_deflated.substr(5)),
               4);
    REQUIRE(evs.size() == 2);
    CHECK(evs[0].type == event_type::ping);
    CHECK(evs[1].type == event_type::message);
    CHECK(evs[1].message == message_type::binary);
    CHECK(evs[1].payload == "Hello");
}

TEST_CASE("permessage-deflate engine: both roles round-trip SIP-sized messages",
          "[ws][deflate][engine][PMD7692-7.2-a][PMD7692-7.2-b]") {
    for (bool resets : {false, true}) {
        for (int bits : {9, 12, 15}) {
            INFO("no_context_takeover " << resets << " window bits " << bits);
            deflate_agreement a;
            a.server_max_window_bits = a.client_max_window_bits = bits;
            a.server_no_context_takeover = a.client_no_context_takeover = resets;
            engine_options eo;
            eo.fragment_size = 1000;
            engine client = make_engine(role::client, a, {}, eo);
            engine server = make_engine(role::server, a, {}, eo);
            for (std::size_t n : {0, 1, 100, 3000, 40000}) {
                const std::string msg = sip_like(n);
                const std::string up = encode(client, message_type::text, msg);
                if (n > 100) CHECK(up.size() < n / 2); // it did compress
                auto frames = parse_frames(up);
                REQUIRE_FALSE(frames.empty());
                CHECK(frames[0].rsv == rsv1);
                for (std::size_t i = 1; i < frames.size(); ++i) CHECK(frames[i].rsv == 0);
                auto evs = feed(server, up, 333);
                REQUIRE(evs.size() == 1);
                CHECK(evs[0].payload == msg);
                const std::string down = encode(server, message_type::binary, msg);
                evs = feed(client, down, 4096);
                REQUIRE(evs.size() == 1);
                CHECK(evs[0].message == message_type::binary);
                CHECK(evs[0].payload == msg);
            }
        }
    }
    // Messages below min_size go uncompressed (RSV1 clear).
    engine server(role::server);
    permessage_deflate_options o;
    o.min_size = 64;
    enable_permessage_deflate(server, {}, o);
    auto frames = parse_frames(encode(server, message_type::text, "\r\n"));
    REQUIRE(frames.size() == 1);
    CHECK(frames[0].rsv == 0);
    CHECK(frames[0].payload == "\r\n");
}

TEST_CASE("permessage-deflate engine: shrink() frees the inflated message's storage between messages",
          "[ws][deflate][engine][PMD7692-7.2-b]") {
    engine client = make_engine(role::client);
    engine server(role::server);
    auto owned = std::make_unique<zlib_inflater>(15, false);
    zlib_inflater* inflater = owned.get();
    server.set_inflater(std::move(owned));
    const std::string big = sip_like(200000);
    auto evs = feed(server, encode(client, message_type::text, big), 1500);
    REQUIRE(evs.size() == 1);
    CHECK(evs[0].payload == big);
    CHECK(inflater->capacity() >= big.size());
    server.shrink();
    CHECK(inflater->capacity() == 0);
    // the connection goes on with the same compression context
    const std::string next = sip_like(3000);
    evs = feed(server, encode(client, message_type::text, next), 100);
    REQUIRE(evs.size() == 1);
    CHECK(evs[0].payload == next);
    // not while a compressed message is half read: its octets stay
    const std::string wire = encode(client, message_type::text, big);
    const std::size_t half = wire.size() / 2;
    CHECK(feed(server, wire.substr(0, half), 1500).empty());
    const std::size_t held = inflater->capacity();
    CHECK(held > 0);
    server.shrink();
    CHECK(inflater->capacity() == held);
    evs = feed(server, wire.substr(half), 1500);
    REQUIRE(evs.size() == 1);
    CHECK(evs[0].payload == big);
}

TEST_CASE("permessage-deflate engine: RSV1 only on the first frame of a data message",
          "[ws][deflate][engine][PMD7692-6-a]") {
    {
        engine e = make_engine(role::server);
        expect_failure(e, cframe(false, 1, "Hel") + cframe(true, 0, "lo", rsv1),
                       error::reserved_bits, 1002);
    }
    {
        engine e = make_engine(role::server);
        expect_failure(e, cframe(true, 9, "", rsv1), error::reserved_bits, 1002);
    }
    {
        engine e = make_engine(role::client);
        expect_failure(e, frame(true, 8, "", nullptr, rsv1), error::reserved_bits, 1002);
    }
    {
        engine e = make_engine(role::server);
        expect_failure(e,
                       cframe(false, 1, hello_deflated.substr(0, 3), rsv1) +
                           cframe(true, 0, hello_deflated.substr(3), rsv1),
                       error::reserved_bits, 1002);
    }
    // RSV2 and RSV3 stay reserved.
    for (unsigned rsv : {1u, 2u, 5u}) {
        engine e = make_engine(role::server);
        expect_failure(e, cframe(true, 1, "x", rsv), error::reserved_bits, 1002);
    }
}

TEST_CASE("permessage-deflate engine: zip bomb, invalid UTF-8 and corrupt data fail the connection",
          "[ws][deflate][engine][PMD7692-7.2-b]") {
    // 4 MiB of zeros deflate to a few KiB; the inflated limit is 1 MiB (1009).
    {
        zlib_deflater d(15, false, 9, 8, 0);
        const std::string zeros(4 * 1024 * 1024, '\0');
        const std::string bomb(d.deflate(zeros.data(), zeros.size()));
        REQUIRE(bomb.size() < 16 * 1024);
        engine e = make_engine(role::server);
        expect_failure(e, cframe(true, 2, bomb, rsv1), error::message_too_big, 1009);
        // Just at the limit it passes.
        engine_options eo;
        eo.max_message_size = zeros.size();
        engine ok = make_engine(role::server, {}, {}, eo);
        auto evs = feed(ok, cframe(true, 2, bomb, rsv1));
        REQUIRE(evs.size() == 1);
        CHECK(evs[0].payload.size() == zeros.size());
    }
    // Invalid UTF-8 in a text message shows only once inflated (1007); the
    // same octets in a binary message are fine.
    {
        zlib_deflater d(15, true, -1, 8, 0);
        const std::string latin = "caf\xc3\x28 au lait";
        const std::string bad_text(d.deflate(latin.data(), latin.size()));
        engine e = make_engine(role::server);
        auto evs = feed(e, cframe(true, 2, bad_text, rsv1));
        REQUIRE(evs.size() == 1);
        CHECK(evs[0].payload == latin);
        expect_failure(e, cframe(true, 1, bad_text, rsv1), error::invalid_utf8, 1007);
    }
    // Octets that are not DEFLATE (a reserved block type).
    {
        engine e = make_engine(role::server);
        expect_failure(e, cframe(true, 1, from_hex("ff ff ff"), rsv1), error::bad_compressed_data,
                       1002);
    }
}

TEST_CASE("permessage-deflate engine: no_context_takeover resets the peer's window",
          "[ws][deflate][engine][PMD7692-7.2-a][PMD7692-7.2-b]") {
    // With context takeover the second "Hello" refers back to the first.
    engine keeps = make_engine(role::client);
    auto evs = feed(keeps, from_hex("c1 07") + hello_deflated + from_hex("c1 05") + hello_again);
    REQUIRE(evs.size() == 2);
    CHECK(evs[1].payload == "Hello");
    // server_no_context_takeover agreed: the client's inflater starts each
    // message afresh, so that back reference points nowhere.
    deflate_agreement a;
    a.server_no_context_takeover = true;
    engine resets = make_engine(role::client, a);
    evs = feed(resets, from_hex("c1 07") + hello_deflated + from_hex("c1 05") + hello_again);
    REQUIRE(evs.size() == 2);
    CHECK(evs[0].payload == "Hello");
    CHECK(evs[1].type == event_type::error);
    CHECK(evs[1].error == make_error_code(error::bad_compressed_data));
    // And a server that agreed to it sends every "Hello" alike.
    engine server = make_engine(role::server, a);
    CHECK(encode(server, message_type::text, "Hello") == from_hex("c1 07") + hello_deflated);
    CHECK(encode(server, message_type::text, "Hello") == from_hex("c1 07") + hello_deflated);
}

TEST_CASE("permessage-deflate engine: an 8-bit window is honoured by sending uncompressed",
          "[ws][deflate][engine][PMD7692-7-c]") {
    deflate_agreement a;
    a.client_max_window_bits = 8;
    CHECK(make_deflater(a, role::client, {}) == nullptr);
    engine client = make_engine(role::client, a);
    auto frames = parse_frames(encode(client, message_type::text, sip_like(500)));
    REQUIRE(frames.size() == 1);
    CHECK(frames[0].rsv == 0);
    CHECK(frames[0].payload == sip_like(500));
}
#endif
