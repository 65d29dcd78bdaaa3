// Distributed under the Boost Software License, Version 1.0.
#ifndef SIPWS_WS_ENGINE_HPP
#define SIPWS_WS_ENGINE_HPP

/// \file
/// The RFC 6455 frame engine of one connection, without I/O.
///
/// How an I/O layer drives it (after the opening handshake, see
/// server_handshake.hpp / client_handshake.hpp):
///
/// \code
///   sipws::ws::engine eng(sipws::ws::role::server, options);
///   // Reading: hand the engine what the socket produced, in any chunking.
///   for (;;) {
///       sipws::ws::event ev = eng.consume(buf.data() + begin, end - begin);
///       begin += ev.consumed;
///       switch (ev.type) {
///       case event_type::none: break;                  // all input used; read more
///       case event_type::message: deliver(ev.message, ev.payload); continue;
///       case event_type::ping:                         // pong already queued
///       case event_type::pong: continue;
///       case event_type::close: /* ev.code, ev.payload = reason */ break;
///       case event_type::error: log(ev.error); break;  // close ev.code queued
///       }
///       break;
///   }
///   // Writing: control frames the engine produced (pongs, close replies,
///   // the close of a failed connection) wait in pending_output().
///   queue(eng.pending_output()); eng.pop_output(eng.pending_output().size());
///   // Data messages are encoded into storage the caller owns:
///   std::vector<unsigned char> frame(eng.encoded_size(sip.size()));
///   frame.resize(eng.encode_message(message_type::text, sip.data(), sip.size(),
///                                   frame.data(), ec));
///   // After the closing handshake or a failure, eng.action() says whether
///   // TCP may be closed once the pending output has been written.
/// \endcode
///
/// Rules for the caller:
/// - consume() may unmask the input in place. An event's payload points
///   either into the input just passed or into the engine; it stays valid
///   until the next call to consume() and as long as the caller keeps those
///   input octets unchanged. consume() returns at most one event; when it
///   returns event_type::none it has used (and buffered what it needs of) all
///   the input.
/// - Control frames from pending_output() and ping()/pong()/close() may be
///   written between two data messages but never inside the frames of one:
///   write each encoded message as a whole.
/// - Once a Close has been queued (state() != open), encode_message() refuses
///   to encode; data messages already encoded but not yet started should be
///   discarded (WS6455-5.5.1-b).
/// - After an error, the engine ignores further input (WS6455-7.1.7-a).
/// - Protocol errors are events, never exceptions. The engine throws only
///   std::bad_alloc (reassembly buffer) and, in a client that must mask a
///   frame, std::runtime_error if OpenSSL's generator cannot be seeded.
///
/// Threads: an engine belongs to one connection and is used by one thread at
/// a time (the transport's strand); engines of different connections are
/// independent. Masking keys come from a per-thread reservoir.
///
/// Allocation: a single-frame message that arrives whole in one input is
/// delivered in place (no copy). Other messages are reassembled into a buffer
/// that is kept between messages up to engine_options::retained_buffer_size,
/// so steady-state traffic below that size allocates nothing.
///
/// permessage-deflate (RFC 7692), once a handshake agreed it and
/// enable_permessage_deflate() (<sipws/ws/deflate.hpp>) set a codec: RSV1 is
/// accepted on the first frame of a data message only (PMD7692-6-a); such a
/// message is inflated as it arrives, bounded by max_message_size (1009
/// beyond: a zip bomb stops there), and a text message is checked for UTF-8
/// once inflated (1007). Without a codec RSV1 fails every frame.

#include <sipws/ws/close_code.hpp>
#include <sipws/ws/compression.hpp>
#include <sipws/ws/detail/key_reservoir.hpp>
#include <sipws/ws/error.hpp>
#include <sipws/ws/frame.hpp>
#include <sipws/ws/mask.hpp>
#include <sipws/ws/options.hpp>
#include <sipws/ws/utf8.hpp>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <system_error>

namespace sipws::ws {

enum class event_type : unsigned char {
    none,    ///< no event: all input was used, more is needed
    message, ///< a whole data message (text or binary)
    ping,    ///< a Ping (the Pong is already queued unless closing)
    pong,    ///< a Pong (solicited or not; WS6455-5.5.3-a)
    close,   ///< the peer's Close (the reply is already queued if we had not closed)
    error,   ///< the connection failed; a Close with `code` is queued
};

/// What one call to engine::consume() produced.
struct event {
    event_type type = event_type::none;
    /// Input octets used by this call.
    std::size_t consumed = 0;
    /// For message: text or binary.
    message_type message = message_type::binary;
    /// message: the data; ping/pong: application data; close: the reason.
    std::string_view payload;
    /// close: code received (1005 when the Close had none); error: the close
    /// code of the failure (queued unless we had already sent a Close).
    std::uint16_t code = 0;
    /// error: what failed.
    std::error_code error;
};

enum class engine_state : unsigned char {
    open,       ///< data may flow both ways
    close_sent, ///< we sent Close first and wait for the peer's
    closed,     ///< both Close frames exchanged (or queued)
    failed,     ///< protocol error: a Close was queued, input is ignored
};

/// What the I/O layer does with the TCP connection once pending output is written.
enum class transport_action : unsigned char {
    keep_open,           ///< keep reading
    close,               ///< close TCP now (server after the closing handshake; failures)
    wait_for_peer_close, ///< client after the closing handshake: wait for the server
                         ///< to close TCP, closing it ourselves after a timeout (5.5.1-c)
};

class engine {
public:
    explicit engine(role r, const engine_options& options = {}) : role_(r), opt_(options) {}

    engine(engine&&) noexcept = default;
    engine& operator=(engine&&) noexcept = default;
    engine(const engine&) = delete;
    engine& operator=(const engine&) = delete;

    bool is_client() const noexcept { return role_ == role::client; }
    const engine_options& options() const noexcept { return opt_; }
    /// New limits apply from the next frame header on.
    void set_options(const engine_options& options) noexcept { opt_ = options; }

    /// permessage-deflate was agreed: messages with RSV1 are inflated by \p in
    /// (null: RSV1 fails the connection again).
    void set_inflater(std::unique_ptr<message_inflater> in) noexcept {
        inflater_ = std::move(in);
        rsv_mask_ = inflater_ ? 0x30 : 0x70;
    }
    /// The compressor encode_message(type, payload, out) uses (null: none).
    void set_deflater(std::unique_ptr<message_deflater> d) noexcept { deflater_ = std::move(d); }

    // ---- input -----------------------------------------------------------

    /// Parses [data, data + size), which may be any piece of the byte stream.
    /// Returns the first event found (with the octets used so far) or
    /// event_type::none having used all the input. May unmask in place.
    event consume(void* data, std::size_t size);

    // ---- output ----------------------------------------------------------

    /// Control frames queued by the engine or by ping()/pong()/close(), to be
    /// written in order. At most a few hundred octets.
    std::string_view pending_output() const noexcept {
        return {reinterpret_cast<const char*>(out_ + out_begin_), out_end_ - out_begin_};
    }
    bool has_pending_output() const noexcept { return out_end_ != out_begin_; }
    /// Drops the first \p n octets of pending_output() (they have been written or copied).
    void pop_output(std::size_t n) noexcept {
        out_begin_ += n < out_end_ - out_begin_ ? n : out_end_ - out_begin_;
        if (out_begin_ == out_end_) out_begin_ = out_end_ = 0;
    }

    /// Octets encode_message() writes for a payload of \p size octets.
    std::size_t encoded_size(std::size_t size) const noexcept;

    /// Encodes one data message into \p out (encoded_size(size) octets):
    /// fragmented per options().fragment_size, masked with a fresh key per
    /// frame when the engine is a client. Returns the octets written, or 0
    /// with \p ec set when the connection is closing or failed, or when a
    /// text payload is not UTF-8 (options().check_outgoing_utf8).
    std::size_t encode_message(message_type type, const void* payload, std::size_t size, void* out,
                               std::error_code& ec);

    /// Appends one data message to \p out, compressed (RSV1 set) when a
    /// deflater is set and the payload has at least its min_size() octets,
    /// else as encode_message() would. Errors as encode_message().
    std::error_code encode_message(message_type type, std::string_view payload, std::string& out);

    /// Scatter-gather form for one frame: writes the header to \p header
    /// (max_header_size octets) and, for a client, masks \p payload in place.
    /// The message is [header, header + result) followed by the payload.
    std::size_t encode_message_in_place(message_type type, void* payload, std::size_t size,
                                        unsigned char* header, std::error_code& ec);

    /// Queues a Ping (payload <= 125 octets).
    std::error_code ping(std::string_view data = {});
    /// Queues an unsolicited Pong (heartbeat).
    std::error_code pong(std::string_view data = {});
    /// Starts the closing handshake: queues a Close with \p code (one an
    /// endpoint may send, WS6455-7.4-a) and a UTF-8 \p reason (<= 123 octets).
    std::error_code close(std::uint16_t code = close_code::normal, std::string_view reason = {});

    // ---- state -----------------------------------------------------------

    engine_state state() const noexcept { return state_; }
    /// True when the peer's Close came before ours.
    bool peer_closed_first() const noexcept { return peer_closed_first_; }
    /// Code of the Close received: 1005 when it carried none, 1006 when none
    /// was received (WS6455-7.1.5-a).
    std::uint16_t close_code_received() const noexcept { return code_received_; }
    /// Code of the Close sent or queued (0 when none; 1005 for an empty Close).
    std::uint16_t close_code_sent() const noexcept { return code_sent_; }
    /// What to do with TCP once pending_output() has been written.
    transport_action action() const noexcept {
        if (state_ == engine_state::failed) return transport_action::close;
        if (state_ == engine_state::closed)
            return is_client() ? transport_action::wait_for_peer_close : transport_action::close;
        return transport_action::keep_open;
    }
    /// Releases the reassembly buffer (and the inflater's output, with
    /// permessage-deflate) if no message is being assembled.
    void shrink() noexcept;

private:
    enum class rx_phase : unsigned char { header, payload };

    static std::size_t full_header_size(unsigned b1) noexcept {
        const unsigned len7 = b1 & 0x7F;
        return 2 + (len7 == 126 ? 2 : len7 == 127 ? 8 : 0) + ((b1 & 0x80) ? 4 : 0);
    }
    static std::uint64_t read_length(const unsigned char* h) noexcept {
        const unsigned len7 = h[1] & 0x7F;
        if (len7 == 126) return (std::uint64_t(h[2]) << 8) | h[3];
        if (len7 < 126) return len7;
        std::uint64_t len = 0;
        for (std::size_t i = 2; i < 10; ++i) len = (len << 8) | h[i];
        return len;
    }
    error check_start(unsigned b0, unsigned b1) const noexcept;
    error check_length(unsigned b0, unsigned b1, std::uint64_t len) const noexcept;
    void start_frame(const unsigned char* h, std::uint64_t len) noexcept;
    event fail(error e, std::size_t size);
    bool unmask_and_validate(unsigned char* dst, const unsigned char* src, std::size_t n,
                             bool text) noexcept;
    event finish_control(std::size_t consumed, std::size_t size);
    bool reserve(std::size_t n);
    void release_buffer() noexcept {
        buf_.reset();
        cap_ = 0;
        len_buf_ = 0;
    }
    masking_key next_key();
    std::size_t encode_frames(opcode op, const unsigned char* src, std::size_t size,
                              unsigned char* o, bool compressed);
    bool queue_control(opcode op, const void* payload, std::size_t size, bool reserve_close_room);
    std::error_code check_can_send() const noexcept {
        if (state_ == engine_state::failed) return error::failed;
        if (state_ != engine_state::open) return error::closed;
        return {};
    }

    role role_;
    engine_options opt_;
    engine_state state_ = engine_state::open;
    bool peer_closed_first_ = false;
    std::uint16_t code_received_ = close_code::abnormal;
    std::uint16_t code_sent_ = 0;

    // Frame being parsed.
    rx_phase rx_ = rx_phase::header;
    unsigned char hdr_have_ = 0;
    bool start_checked_ = false;
    bool length_checked_ = false;
    unsigned char hdr_[max_header_size]{};
    bool fin_ = false;
    bool masked_ = false;
    opcode op_ = opcode::continuation;
    masking_key key_{};
    std::uint64_t frame_len_ = 0;
    std::uint64_t frame_done_ = 0;

    // Message being assembled.
    bool msg_active_ = false;
    bool delivered_ = false; // last event's payload lives in buf_
    message_type msg_type_ = message_type::binary;
    std::uint64_t msg_size_ = 0; // octets of the message in frames before this one
    utf8_validator utf8_;
    std::unique_ptr<unsigned char[]> buf_;
    std::size_t cap_ = 0;
    std::size_t len_buf_ = 0;

    // permessage-deflate (null unless agreed).
    std::unique_ptr<message_inflater> inflater_;
    std::unique_ptr<message_deflater> deflater_;
    unsigned char rsv_mask_ = 0x70; // reserved bits that fail a frame
    bool compressed_ = false;       // the message being received has RSV1

    // Control frame payload being received.
    unsigned char ctrl_[max_control_payload]{};

    // Queued control frames.
    unsigned char out_[4 * max_control_frame]{};
    std::size_t out_begin_ = 0;
    std::size_t out_end_ = 0;
};

// ---- implementation -------------------------------------------------------

inline masking_key engine::next_key() {
    return detail::next_masking_key();
}

inline bool engine::reserve(std::size_t n) {
    if (n <= cap_) return true;
    std::size_t cap = cap_ ? cap_ : 256;
    while (cap < n) cap = cap > (SIZE_MAX / 2) ? n : cap * 2;
    std::unique_ptr<unsigned char[]> fresh(new unsigned char[cap]);
    if (len_buf_) std::memcpy(fresh.get(), buf_.get(), len_buf_);
    buf_ = std::move(fresh);
    cap_ = cap;
    return true;
}

inline void engine::shrink() noexcept {
    if (!msg_active_ || delivered_) {
        release_buffer();
        if (inflater_) inflater_->release();
        delivered_ = false;
    }
}

inline bool engine::queue_control(opcode op, const void* payload, std::size_t size,
                                  bool reserve_close_room) {
    const bool masked = is_client();
    const std::size_t need = header_size(size, masked) + size;
    const std::size_t room = sizeof out_ - out_end_ - (reserve_close_room ? max_control_frame : 0);
    if (need > room) {
        if (out_begin_ != 0) { // compact
            std::memmove(out_, out_ + out_begin_, out_end_ - out_begin_);
            out_end_ -= out_begin_;
            out_begin_ = 0;
            return queue_control(op, payload, size, reserve_close_room);
        }
        return false;
    }
    unsigned char* p = out_ + out_end_;
    if (masked) {
        masking_key k = next_key();
        std::size_t h = write_frame_header(p, true, op, size, &k);
        if (size) mask_copy(p + h, payload, size, k);
    } else {
        std::size_t h = write_frame_header(p, true, op, size);
        if (size) std::memcpy(p + h, payload, size);
    }
    out_end_ += need;
    return true;
}

inline event engine::fail(error e, std::size_t size) {
    event ev;
    ev.type = event_type::error;
    ev.consumed = size;
    ev.error = e;
    ev.code = close_code_for(e);
    if (state_ == engine_state::open) {
        unsigned char payload[2] = {static_cast<unsigned char>(ev.code >> 8),
                                    static_cast<unsigned char>(ev.code)};
        queue_control(opcode::close, payload, 2, false);
        code_sent_ = ev.code;
    }
    state_ = engine_state::failed;
    msg_active_ = false;
    return ev;
}

inline event engine::finish_control(std::size_t consumed, std::size_t size) {
    rx_ = rx_phase::header;
    event ev;
    ev.consumed = consumed;
    const auto n = static_cast<std::size_t>(frame_len_);
    ev.payload = std::string_view(reinterpret_cast<const char*>(ctrl_), n);
    switch (op_) {
    case opcode::ping:
        ev.type = event_type::ping;
        if (state_ == engine_state::open) queue_control(opcode::pong, ctrl_, n, true);
        return ev;
    case opcode::pong:
        ev.type = event_type::pong;
        return ev;
    default:
        break;
    }
    // Close (WS6455-5.5.1-a).
    std::uint16_t code = close_code::no_status;
    if (n == 1) return fail(error::bad_close_payload, size);
    if (n >= 2) {
        code = static_cast<std::uint16_t>((ctrl_[0] << 8) | ctrl_[1]);
        if (!is_valid_close_code(code)) return fail(error::bad_close_code, size);
        if (!is_valid_utf8(ctrl_ + 2, n - 2)) return fail(error::invalid_close_reason, size);
        ev.payload.remove_prefix(2);
    }
    code_received_ = code;
    ev.type = event_type::close;
    ev.code = code;
    if (state_ == engine_state::open) {
        peer_closed_first_ = true;
        if (code == close_code::no_status) {
            queue_control(opcode::close, nullptr, 0, false);
            code_sent_ = close_code::no_status;
        } else {
            std::uint16_t reply =
                may_send_close_code(code, is_client()) ? code : close_code::normal;
            unsigned char payload[2] = {static_cast<unsigned char>(reply >> 8),
                                        static_cast<unsigned char>(reply)};
            queue_control(opcode::close, payload, 2, false);
            code_sent_ = reply;
        }
    }
    state_ = engine_state::closed;
    msg_active_ = false;
    return ev;
}

inline error engine::check_start(unsigned b0, unsigned b1) const noexcept {
    const unsigned op = b0 & 0x0F;
    // RSV1 is permessage-deflate's once agreed, and only on the first frame
    // of a data message (PMD7692-6-a).
    if ((b0 & 0x70) && ((b0 & rsv_mask_) || (op & 0x8) || op == 0)) return error::reserved_bits;
    if (!is_known_opcode(op)) return error::reserved_opcode;
    if (op & 0x8) {
        if (!(b0 & 0x80)) return error::fragmented_control;
        if ((b1 & 0x7F) > max_control_payload) return error::control_too_long;
    } else if (op == 0) {
        if (!msg_active_) return error::unexpected_continuation;
    } else if (msg_active_) {
        return error::expected_continuation;
    }
    const bool masked = (b1 & 0x80) != 0;
    if (role_ == role::server && !masked) return error::unmasked_frame;
    if (role_ == role::client && masked) return error::masked_frame;
    return error{};
}

inline error engine::check_length(unsigned b0, unsigned b1, std::uint64_t len) const noexcept {
    const unsigned len7 = b1 & 0x7F;
    // Non-minimal encodings are refused (WS6455-5.2-d): RFC 6455 5.2 says the
    // minimal number of octets MUST be used, and accepting several encodings
    // of one length only helps smuggling and fingerprinting.
    if (len7 == 126 && len < 126) return error::non_minimal_length;
    if (len7 == 127) {
        if (len >> 63) return error::bad_length;
        if (len <= 0xFFFF) return error::non_minimal_length;
    }
    if (!(b0 & 0x08)) { // data frame: limits (WS6455-10.4-a)
        if (len > opt_.max_frame_size) return error::frame_too_big;
        const std::uint64_t before = (b0 & 0x0F) == 0 ? msg_size_ : 0;
        if (len > opt_.max_message_size || before + len > opt_.max_message_size)
            return error::message_too_big;
    }
    return error{};
}

inline void engine::start_frame(const unsigned char* h, std::uint64_t len) noexcept {
    fin_ = (h[0] & 0x80) != 0;
    op_ = static_cast<opcode>(h[0] & 0x0F);
    masked_ = (h[1] & 0x80) != 0;
    if (masked_) std::memcpy(key_.data(), h + full_header_size(h[1]) - 4, 4);
    frame_len_ = len;
    frame_done_ = 0;
    if (op_ == opcode::text || op_ == opcode::binary) {
        msg_type_ = static_cast<message_type>(op_);
        compressed_ = (h[0] & 0x40) != 0;
        if (compressed_) inflater_->begin_message(opt_.retained_buffer_size);
        msg_size_ = 0;
        len_buf_ = 0;
        utf8_.reset();
        msg_active_ = true;
    }
    rx_ = rx_phase::payload;
}

/// Unmasks (when masked) [src, src + n) into dst (which may be src) and, for
/// text, feeds the UTF-8 validator; ASCII runs cost a single pass.
inline bool engine::unmask_and_validate(unsigned char* dst, const unsigned char* src, std::size_t n,
                                        bool text) noexcept {
    const auto offset = static_cast<std::size_t>(frame_done_);
    if (!masked_) {
        if (dst != src && n) std::memcpy(dst, src, n);
        return !text || utf8_.feed(dst, n);
    }
    if (!text) {
        detail::mask_run(dst, src, n, key_, offset);
        return true;
    }
    if (!utf8_.incomplete() && detail::mask_run_ascii(dst, src, n, key_, offset)) return true;
    if (utf8_.incomplete()) detail::mask_run(dst, src, n, key_, offset);
    return utf8_.feed(dst, n);
}

inline event engine::consume(void* data, std::size_t size) {
    auto* const p = static_cast<unsigned char*>(data);
    if (delivered_) {
        delivered_ = false;
        len_buf_ = 0;
        if (cap_ > opt_.retained_buffer_size) release_buffer();
    }
    event none;
    none.consumed = size;
    if (state_ == engine_state::closed || state_ == engine_state::failed) return none;

    std::size_t pos = 0;
    for (;;) {
        if (rx_ == rx_phase::header) {
            if (pos == size) return none;
            if (hdr_have_ == 0 && size - pos >= 2 && size - pos >= full_header_size(p[pos + 1])) {
                // Fast path: the whole header is in the input.
                const unsigned char* h = p + pos;
                error e = check_start(h[0], h[1]);
                if (e != error{}) return fail(e, size);
                const std::uint64_t len = read_length(h);
                e = check_length(h[0], h[1], len);
                if (e != error{}) return fail(e, size);
                pos += full_header_size(h[1]);
                start_frame(h, len);
            } else {
                // Slow path: gather the header, judging each part as soon as it
                // is there (fail fast, also on absurd lengths before the key).
                while (hdr_have_ < 2 && pos < size) hdr_[hdr_have_++] = p[pos++];
                if (hdr_have_ < 2) return none;
                if (!start_checked_) {
                    start_checked_ = true;
                    error e = check_start(hdr_[0], hdr_[1]);
                    if (e != error{}) return fail(e, size);
                }
                const std::size_t need = full_header_size(hdr_[1]);
                const std::size_t len_end = need - ((hdr_[1] & 0x80) ? 4 : 0);
                while (hdr_have_ < len_end && pos < size) hdr_[hdr_have_++] = p[pos++];
                if (hdr_have_ < len_end) return none;
                const std::uint64_t len = read_length(hdr_);
                if (!length_checked_) {
                    length_checked_ = true;
                    error e = check_length(hdr_[0], hdr_[1], len);
                    if (e != error{}) return fail(e, size);
                }
                while (hdr_have_ < need && pos < size) hdr_[hdr_have_++] = p[pos++];
                if (hdr_have_ < need) return none;
                hdr_have_ = 0;
                start_checked_ = false;
                length_checked_ = false;
                start_frame(hdr_, len);
            }
        }

        // Payload.
        const std::size_t avail = size - pos;
        const std::uint64_t left = frame_len_ - frame_done_;
        if (is_control(op_)) {
            const auto take = static_cast<std::size_t>(left < avail ? left : avail);
            const auto off = static_cast<std::size_t>(frame_done_);
            if (masked_)
                mask_copy(ctrl_ + off, p + pos, take, key_, off);
            else if (take)
                std::memcpy(ctrl_ + off, p + pos, take);
            pos += take;
            frame_done_ += take;
            if (frame_done_ < frame_len_) return none;
            return finish_control(pos, size);
        }

        const bool text = msg_type_ == message_type::text;
        if (compressed_) {
            // Inflated as it arrives, never buffered compressed (PMD7692-7.2-b).
            const auto take = static_cast<std::size_t>(left < avail ? left : avail);
            unsigned char* chunk = p + pos;
            unmask_and_validate(chunk, chunk, take, false);
            pos += take;
            frame_done_ += take;
            const bool last = fin_ && frame_done_ == frame_len_;
            if (take || last) {
                if (auto ec = inflater_->inflate(chunk, take, last, opt_.max_message_size))
                    return fail(static_cast<error>(ec.value()), size);
            }
            if (frame_done_ < frame_len_) return none;
            rx_ = rx_phase::header;
            msg_size_ += frame_len_;
            if (!fin_) continue;
            const std::string_view out = inflater_->output();
            if (text && !is_valid_utf8(out.data(), out.size()))
                return fail(error::invalid_utf8, size);
            msg_active_ = false;
            event ev;
            ev.type = event_type::message;
            ev.consumed = pos;
            ev.message = msg_type_;
            ev.payload = out;
            return ev;
        }
        if (fin_ && op_ != opcode::continuation && frame_done_ == 0 && avail >= left) {
            // Whole single-frame message in the input: deliver in place.
            const auto n = static_cast<std::size_t>(left);
            unsigned char* payload = p + pos;
            if (!unmask_and_validate(payload, payload, n, text) || (text && !utf8_.finish()))
                return fail(error::invalid_utf8, size);
            pos += n;
            rx_ = rx_phase::header;
            msg_active_ = false;
            event ev;
            ev.type = event_type::message;
            ev.consumed = pos;
            ev.message = msg_type_;
            ev.payload = std::string_view(reinterpret_cast<const char*>(payload), n);
            return ev;
        }

        const auto take = static_cast<std::size_t>(left < avail ? left : avail);
        if (take) {
            reserve(len_buf_ + take);
            unsigned char* dst = buf_.get() + len_buf_;
            if (!unmask_and_validate(dst, p + pos, take, text))
                return fail(error::invalid_utf8, size);
            len_buf_ += take;
            pos += take;
            frame_done_ += take;
        }
        if (frame_done_ < frame_len_) return none;
        rx_ = rx_phase::header;
        msg_size_ += frame_len_;
        if (!fin_) continue;
        if (text && !utf8_.finish()) return fail(error::invalid_utf8, size);
        msg_active_ = false;
        delivered_ = true;
        event ev;
        ev.type = event_type::message;
        ev.consumed = pos;
        ev.message = msg_type_;
        ev.payload = std::string_view(reinterpret_cast<const char*>(buf_.get()), len_buf_);
        return ev;
    }
}

inline std::size_t engine::encoded_size(std::size_t size) const noexcept {
    const bool masked = is_client();
    const std::size_t f = opt_.fragment_size;
    if (f == 0 || size <= f) return header_size(size, masked) + size;
    const std::size_t full = size / f;
    const std::size_t rest = size % f;
    return full * header_size(f, masked) + (rest ? header_size(rest, masked) : 0) + size;
}

inline std::size_t engine::encode_message(message_type type, const void* payload, std::size_t size,
                                          void* out, std::error_code& ec) {
    ec = check_can_send();
    if (!ec && type == message_type::text && opt_.check_outgoing_utf8 &&
        !is_valid_utf8(payload, size))
        ec = error::invalid_utf8;
    if (ec) return 0;
    return encode_frames(static_cast<opcode>(type), static_cast<const unsigned char*>(payload),
                         size, static_cast<unsigned char*>(out), false);
}

inline std::error_code engine::encode_message(message_type type, std::string_view payload,
                                              std::string& out) {
    std::error_code ec = check_can_send();
    if (!ec && type == message_type::text && opt_.check_outgoing_utf8 &&
        !is_valid_utf8(payload.data(), payload.size()))
        ec = error::invalid_utf8;
    if (ec) return ec;
    const bool compress = deflater_ && payload.size() >= deflater_->min_size();
    if (compress) payload = deflater_->deflate(payload.data(), payload.size());
    const std::size_t start = out.size();
    out.resize(start + encoded_size(payload.size()));
    const std::size_t n = encode_frames(
        static_cast<opcode>(type), reinterpret_cast<const unsigned char*>(payload.data()),
        payload.size(), reinterpret_cast<unsigned char*>(&out[start]), compress);
    out.resize(start + n);
    return {};
}

/// Frames [src, src + size) per options().fragment_size into \p o; RSV1 on
/// the first frame when \p compressed (PMD7692-6-a).
inline std::size_t engine::encode_frames(opcode op, const unsigned char* src, std::size_t size,
                                         unsigned char* o, bool compressed) {
    const std::size_t f = opt_.fragment_size ? opt_.fragment_size : size;
    std::size_t written = 0;
    std::size_t done = 0;
    do {
        const std::size_t n = size - done < f ? size - done : f;
        const bool fin = done + n == size;
        const std::size_t at = written;
        if (is_client()) {
            masking_key k = next_key();
            written += write_frame_header(o + written, fin, op, n, &k);
            if (n) mask_copy(o + written, src + done, n, k);
        } else {
            written += write_frame_header(o + written, fin, op, n);
            if (n) std::memcpy(o + written, src + done, n);
        }
        if (compressed && at == 0) o[0] |= 0x40;
        written += n;
        done += n;
        op = opcode::continuation;
    } while (done < size);
    return written;
}

inline std::size_t engine::encode_message_in_place(message_type type, void* payload,
                                                   std::size_t size, unsigned char* header,
                                                   std::error_code& ec) {
    ec = check_can_send();
    if (!ec && type == message_type::text && opt_.check_outgoing_utf8 &&
        !is_valid_utf8(payload, size))
        ec = error::invalid_utf8;
    if (ec) return 0;
    if (!is_client()) return write_frame_header(header, true, static_cast<opcode>(type), size);
    masking_key k = next_key();
    if (size) mask_in_place(payload, size, k);
    return write_frame_header(header, true, static_cast<opcode>(type), size, &k);
}

inline std::error_code engine::ping(std::string_view data) {
    if (auto ec = check_can_send()) return ec;
    if (data.size() > max_control_payload) return error::bad_argument;
    if (!queue_control(opcode::ping, data.data(), data.size(), true)) return error::bad_argument;
    return {};
}

inline std::error_code engine::pong(std::string_view data) {
    if (auto ec = check_can_send()) return ec;
    if (data.size() > max_control_payload) return error::bad_argument;
    if (!queue_control(opcode::pong, data.data(), data.size(), true)) return error::bad_argument;
    return {};
}

inline std::error_code engine::close(std::uint16_t code, std::string_view reason) {
    if (auto ec = check_can_send()) return ec;
    if (!may_send_close_code(code, is_client()) || reason.size() > max_control_payload - 2 ||
        !is_valid_utf8(reason))
        return error::bad_argument;
    unsigned char payload[max_control_payload];
    payload[0] = static_cast<unsigned char>(code >> 8);
    payload[1] = static_cast<unsigned char>(code);
    if (!reason.empty()) std::memcpy(payload + 2, reason.data(), reason.size());
    queue_control(opcode::close, payload, 2 + reason.size(), false);
    code_sent_ = code;
    state_ = engine_state::close_sent;
    return {};
}

} // namespace sipws::ws

#endif
