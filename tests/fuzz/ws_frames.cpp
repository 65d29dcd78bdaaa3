// Fuzzes the frame engine. The first input octet picks the role, the chunk
// size and small limits; the rest is the byte stream. Oracles:
// - no crash, no read or write out of bounds, no leak (sanitizers);
// - every event respects the protocol (text is UTF-8, control payloads are
//   <= 125 octets, close codes are valid, errors carry 1002/1007/1009);
// - chunking does not matter: the same stream fed at once and in pieces
//   yields the same events;
// - after an error or a close the engine produces no more events;
// - pending output always parses as well-formed frames masked per role.
#include <sipws/ws/engine.hpp>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

namespace {

struct seen {
    sipws::ws::event_type type;
    sipws::ws::message_type message;
    std::string payload;
    std::uint16_t code;
    int error;
    bool operator==(const seen& o) const {
        return type == o.type && payload == o.payload && code == o.code && error == o.error &&
               (type != sipws::ws::event_type::message || message == o.message);
    }
};

void check(bool ok) {
    if (!ok) std::abort();
}

void check_output(const sipws::ws::engine& e) {
    // Output frames: FIN set, control opcodes, payload <= 125, masked iff client.
    std::string_view out = e.pending_output();
    std::size_t i = 0;
    while (i < out.size()) {
        check(out.size() - i >= 2);
        auto b0 = static_cast<unsigned char>(out[i]);
        auto b1 = static_cast<unsigned char>(out[i + 1]);
        check((b0 & 0xF0) == 0x80);
        unsigned op = b0 & 0x0F;
        check(op == 0x8 || op == 0x9 || op == 0xA);
        check(((b1 & 0x80) != 0) == e.is_client());
        std::size_t len = b1 & 0x7F;
        check(len <= 125);
        i += 2 + (e.is_client() ? 4 : 0) + len;
        check(i <= out.size());
    }
}

std::vector<seen> run(const std::uint8_t* data, std::size_t size, sipws::ws::role r,
                      std::size_t chunk, const sipws::ws::engine_options& opt) {
    using namespace sipws::ws;
    engine e(r, opt);
    std::vector<seen> events;
    std::vector<unsigned char> piece;
    bool ended = false;
    for (std::size_t pos = 0; pos < size; pos += chunk) {
        std::size_t n = size - pos < chunk ? size - pos : chunk;
        piece.assign(data + pos, data + pos + n); // the engine may unmask in place
        std::size_t at = 0;
        for (;;) {
            event ev = e.consume(piece.data() + at, n - at);
            check(ev.consumed <= n - at);
            at += ev.consumed;
            if (ev.type == event_type::none) {
                check(at == n);
                break;
            }
            check(!ended);
            switch (ev.type) {
            case event_type::message:
                check(ev.payload.size() <= opt.max_message_size);
                if (ev.message == message_type::text) check(is_valid_utf8(ev.payload));
                break;
            case event_type::ping:
            case event_type::pong:
                check(ev.payload.size() <= 125);
                break;
            case event_type::close:
                check(ev.code == close_code::no_status || is_valid_close_code(ev.code));
                check(is_valid_utf8(ev.payload));
                ended = true;
                break;
            case event_type::error:
                check(ev.code == 1002 || ev.code == 1007 || ev.code == 1009);
                check(e.state() == engine_state::failed);
                check(e.action() == transport_action::close);
                ended = true;
                break;
            case event_type::none:
                break;
            }
            check_output(e);
            events.push_back(
                {ev.type, ev.message, std::string(ev.payload), ev.code, ev.error.value()});
        }
        e.pop_output(e.pending_output().size());
    }
    return events;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 1) return 0;
    const std::uint8_t cfg = data[0];
    ++data;
    --size;
    using namespace sipws::ws;
    const role r = (cfg & 1) ? role::client : role::server;
    engine_options opt;
    if (cfg & 2) {
        opt.max_message_size = 300;
        opt.max_frame_size = 200;
        opt.retained_buffer_size = 64;
    }
    static const std::size_t chunks[] = {1, 2, 3, 7, 16, 64};
    const std::size_t chunk = chunks[(cfg >> 2) % 6];
    auto whole = run(data, size, r, size ? size : 1, opt);
    auto pieces = run(data, size, r, chunk, opt);
    // Errors may be found earlier or later only in payload-dependent ways that
    // must still agree on the events before them; with identical streams the
    // sequences must be identical.
    check(whole.size() == pieces.size());
    for (std::size_t i = 0; i < whole.size(); ++i) check(whole[i] == pieces[i]);
    return 0;
}
