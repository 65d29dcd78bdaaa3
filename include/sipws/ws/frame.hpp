// Distributed under the Boost Software License, Version 1.0.
#ifndef SIPWS_WS_FRAME_HPP
#define SIPWS_WS_FRAME_HPP

/// \file
/// Frame vocabulary of RFC 6455 section 5.2: opcodes, header sizes, and the
/// header serializer the engine uses (exposed for tests and custom writers).

#include <sipws/ws/mask.hpp>

#include <cstddef>
#include <cstdint>

namespace sipws::ws {

enum class opcode : unsigned char {
    continuation = 0x0,
    text = 0x1,
    binary = 0x2,
    close = 0x8,
    ping = 0x9,
    pong = 0xA,
};

/// The two kinds of data message.
enum class message_type : unsigned char { text = 0x1, binary = 0x2 };

/// Largest frame header: 2 + 8 (64-bit length) + 4 (masking key).
inline constexpr std::size_t max_header_size = 14;
/// Largest control frame payload (WS6455-5.5-a).
inline constexpr std::size_t max_control_payload = 125;
/// Largest control frame on the wire.
inline constexpr std::size_t max_control_frame = 2 + 4 + max_control_payload;

constexpr bool is_control(opcode op) noexcept {
    return (static_cast<unsigned>(op) & 0x8) != 0;
}

constexpr bool is_known_opcode(unsigned op) noexcept {
    return op <= 0x2 || (op >= 0x8 && op <= 0xA);
}

/// Size of a header carrying \p payload_size octets, with or without a mask.
constexpr std::size_t header_size(std::uint64_t payload_size, bool masked) noexcept {
    return (payload_size < 126 ? 2 : payload_size <= 0xFFFF ? 4 : 10) + (masked ? 4 : 0);
}

/// Writes a frame header in its shortest form (WS6455-5.2-c) to \p out, which
/// holds at least header_size(payload_size, key != nullptr) octets. A null
/// \p key writes an unmasked header. Returns the number of octets written.
inline std::size_t write_frame_header(unsigned char* out, bool fin, opcode op,
                                      std::uint64_t payload_size,
                                      const masking_key* key = nullptr) noexcept {
    std::size_t n = 0;
    out[n++] = static_cast<unsigned char>((fin ? 0x80 : 0) | static_cast<unsigned>(op));
    const unsigned char mask_bit = key ? 0x80 : 0;
    if (payload_size < 126) {
        out[n++] = static_cast<unsigned char>(mask_bit | payload_size);
    } else if (payload_size <= 0xFFFF) {
        out[n++] = static_cast<unsigned char>(mask_bit | 126);
        out[n++] = static_cast<unsigned char>(payload_size >> 8);
        out[n++] = static_cast<unsigned char>(payload_size);
    } else {
        out[n++] = static_cast<unsigned char>(mask_bit | 127);
        for (int shift = 56; shift >= 0; shift -= 8)
            out[n++] = static_cast<unsigned char>(payload_size >> shift);
    }
    if (key) {
        for (unsigned char k : *key) out[n++] = k;
    }
    return n;
}

} // namespace sipws::ws

#endif
