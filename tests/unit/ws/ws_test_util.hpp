// Helpers for the WebSocket engine tests: build frames by hand, feed an
// engine in chosen chunk sizes, record what it emits.
#ifndef SIPWS_TESTS_UNIT_WS_TEST_UTIL_HPP
#define SIPWS_TESTS_UNIT_WS_TEST_UTIL_HPP

#include <sipws/ws/engine.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace sipws::test::ws {

/// One frame exactly as given (no validation), masked when \p key is non-null.
inline std::string frame(bool fin, unsigned op, const std::string& payload,
                         const sipws::ws::masking_key* key = nullptr, unsigned rsv = 0) {
    std::string out;
    out.push_back(static_cast<char>((fin ? 0x80 : 0) | (rsv << 4) | op));
    const unsigned char mbit = key ? 0x80 : 0;
    const std::size_t n = payload.size();
    if (n < 126) {
        out.push_back(static_cast<char>(mbit | n));
    } else if (n <= 0xFFFF) {
        out.push_back(static_cast<char>(mbit | 126));
        out.push_back(static_cast<char>(n >> 8));
        out.push_back(static_cast<char>(n & 0xFF));
    } else {
        out.push_back(static_cast<char>(mbit | 127));
        for (int s = 56; s >= 0; s -= 8) out.push_back(static_cast<char>((n >> s) & 0xFF));
    }
    std::string body = payload;
    if (key) {
        out.append(reinterpret_cast<const char*>(key->data()), 4);
        for (std::size_t i = 0; i < n; ++i)
            body[i] = static_cast<char>(static_cast<unsigned char>(body[i]) ^ (*key)[i % 4]);
    }
    return out + body;
}

inline const sipws::ws::masking_key test_key{0x37, 0xfa, 0x21, 0x3d};

/// A client-to-server frame (masked with test_key).
inline std::string cframe(bool fin, unsigned op, const std::string& payload, unsigned rsv = 0) {
    return frame(fin, op, payload, &test_key, rsv);
}

struct recorded {
    sipws::ws::event_type type;
    sipws::ws::message_type message;
    std::string payload;
    std::uint16_t code;
    std::error_code error;
};

/// Feeds \p bytes in pieces of \p chunk octets (0: all at once), records every
/// event. Stops after an error event.
inline std::vector<recorded> feed(sipws::ws::engine& e, std::string bytes, std::size_t chunk = 0) {
    std::vector<recorded> out;
    if (chunk == 0) chunk = bytes.size() ? bytes.size() : 1;
    std::size_t pos = 0;
    while (pos < bytes.size()) {
        std::string piece = bytes.substr(pos, chunk);
        pos += piece.size();
        std::size_t at = 0;
        for (;;) {
            auto ev = e.consume(piece.data() + at, piece.size() - at);
            at += ev.consumed;
            if (ev.type == sipws::ws::event_type::none) break;
            out.push_back({ev.type, ev.message, std::string(ev.payload), ev.code, ev.error});
            if (ev.type == sipws::ws::event_type::error) return out;
            if (at == piece.size()) {
                // An event may end exactly at the end of the piece; poll once
                // more so a zero-octet call is exercised too.
                auto again = e.consume(piece.data() + at, 0);
                REQUIRE(again.type == sipws::ws::event_type::none);
                break;
            }
        }
    }
    return out;
}

/// Parses frames written by an engine (for checking its output).
struct parsed_frame {
    bool fin;
    unsigned rsv;
    unsigned op;
    bool masked;
    std::string payload; // unmasked
};

inline std::vector<parsed_frame> parse_frames(std::string_view bytes) {
    std::vector<parsed_frame> out;
    std::size_t i = 0;
    while (i < bytes.size()) {
        REQUIRE(bytes.size() - i >= 2);
        auto b0 = static_cast<unsigned char>(bytes[i]);
        auto b1 = static_cast<unsigned char>(bytes[i + 1]);
        i += 2;
        std::uint64_t len = b1 & 0x7F;
        if (len == 126) {
            len = (std::uint64_t(static_cast<unsigned char>(bytes[i])) << 8) |
                  static_cast<unsigned char>(bytes[i + 1]);
            i += 2;
        } else if (len == 127) {
            len = 0;
            for (int k = 0; k < 8; ++k) len = (len << 8) | static_cast<unsigned char>(bytes[i + k]);
            i += 8;
        }
        parsed_frame f{(b0 & 0x80) != 0, (b0 >> 4) & 7u, b0 & 0x0Fu, (b1 & 0x80) != 0, {}};
        unsigned char key[4] = {0, 0, 0, 0};
        if (f.masked) {
            for (int k = 0; k < 4; ++k) key[k] = static_cast<unsigned char>(bytes[i + k]);
            i += 4;
        }
        REQUIRE(bytes.size() - i >= len);
        f.payload = std::string(bytes.substr(i, static_cast<std::size_t>(len)));
        for (std::size_t k = 0; k < f.payload.size(); ++k)
            f.payload[k] = static_cast<char>(static_cast<unsigned char>(f.payload[k]) ^ key[k % 4]);
        i += static_cast<std::size_t>(len);
        out.push_back(std::move(f));
    }
    return out;
}

inline std::string take_output(sipws::ws::engine& e) {
    std::string out(e.pending_output());
    e.pop_output(out.size());
    return out;
}

} // namespace sipws::test::ws

#endif
