// Fuzzes a server engine with permessage-deflate on, fed frames whose
// payloads are arbitrary (mostly not DEFLATE). The first octet picks the
// chunk size, the message limit and the context rule; the rest is records
// [flags][length][payload] turned into masked frames: flags bit 0 FIN,
// bit 1 RSV1, bits 2-3 the opcode (continuation, text, binary, ping).
// Oracles: no crash, leak or out-of-bounds access; a message never exceeds
// the limit; a text message is UTF-8; nothing follows an error. With bit 7
// of the first octet, the payloads also go through a compress / inflate
// round trip between a client and a server engine, which must agree.
#include <sipws/ws/deflate.hpp>

#include <cstdint>
#include <cstdlib>
#include <string>

namespace {
void check(bool ok) {
    if (!ok) std::abort();
}

std::string masked_frame(unsigned flags, const std::string& payload) {
    static const unsigned op_of[4] = {0x0, 0x1, 0x2, 0x9};
    std::string out;
    out.push_back(static_cast<char>(((flags & 1) ? 0x80 : 0) | ((flags & 2) ? 0x40 : 0) |
                                    op_of[(flags >> 2) & 3]));
    out.push_back(static_cast<char>(0x80 | payload.size())); // records are < 126 octets
    const unsigned char key[4] = {0x12, 0x34, 0x56, 0x78};
    out.append(reinterpret_cast<const char*>(key), 4);
    for (std::size_t i = 0; i < payload.size(); ++i)
        out.push_back(static_cast<char>(static_cast<unsigned char>(payload[i]) ^ key[i % 4]));
    return out;
}
} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 1) return 0;
    using namespace sipws::ws;
    const std::uint8_t cfg = data[0];
    static const std::size_t chunks[] = {1, 3, 64, 100000};
    const std::size_t chunk = chunks[cfg & 3];
    engine_options eo;
    eo.max_message_size = (cfg & 4) ? 64 : 4096;
    deflate_agreement a;
    a.client_no_context_takeover = (cfg & 8) != 0;
    a.client_max_window_bits = 8 + ((cfg >> 4) & 7);

    std::string wire;
    std::string plain; // all record payloads, for the round trip
    std::size_t i = 1;
    while (i + 2 <= size) {
        const unsigned flags = data[i];
        const std::size_t n = data[i + 1] % 126;
        i += 2;
        const std::size_t take = n < size - i ? n : size - i;
        const std::string payload(reinterpret_cast<const char*>(data + i), take);
        i += take;
        wire += masked_frame(flags, payload);
        plain += payload;
    }

    engine server(role::server, eo);
    enable_permessage_deflate(server, a);
    bool failed = false;
    for (std::size_t pos = 0; pos < wire.size() && !failed; pos += chunk) {
        std::string piece = wire.substr(pos, chunk);
        std::size_t at = 0;
        for (;;) {
            event ev = server.consume(&piece[at], piece.size() - at);
            check(ev.consumed <= piece.size() - at);
            at += ev.consumed;
            if (ev.type == event_type::none) break;
            check(!failed);
            if (ev.type == event_type::message) {
                check(ev.payload.size() <= eo.max_message_size);
                if (ev.message == message_type::text) check(is_valid_utf8(ev.payload));
            }
            if (ev.type == event_type::error) {
                failed = true;
                check(ev.code == 1002 || ev.code == 1007 || ev.code == 1009);
                break;
            }
        }
    }

    if (cfg & 0x80) {
        deflate_agreement both;
        both.client_max_window_bits = 9 + ((cfg >> 4) & 3);
        both.client_no_context_takeover = (cfg & 8) != 0;
        permessage_deflate_options o;
        o.min_size = 0;
        engine client(role::client);
        engine receiver(role::server);
        enable_permessage_deflate(client, both, o);
        enable_permessage_deflate(receiver, both, o);
        for (int round = 0; round < 2; ++round) {
            std::string frames;
            check(!client.encode_message(message_type::binary, plain, frames));
            event ev = receiver.consume(&frames[0], frames.size());
            check(ev.type == event_type::message);
            check(ev.payload == plain);
        }
    }
    return 0;
}
