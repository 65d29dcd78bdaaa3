// Distributed under the Boost Software License, Version 1.0.
#ifndef SIPWS_TRANSPORT_CONNECTION_BASE_HPP
#define SIPWS_TRANSPORT_CONNECTION_BASE_HPP

/// \file
/// What every connection offers whatever its stream and Config: the flow
/// identity, sending, closing. basic_connection derives from it; the flow
/// registry holds connections through it.
///
/// Sending and back-pressure: send() may be called from any thread. It
/// frames the message at once and appends it whole to the connection's
/// write queue (frames of two messages never interleave), or returns
/// error::queue_full when the queue holds limits::max_queued_bytes octets or
/// limits::max_queued_messages messages that the socket has not taken yet.
/// async_send() instead waits for room and completes once the message has
/// been written to the socket; it works with any completion token
/// (callback, asio::use_future, asio::use_awaitable), signature
/// void(std::error_code). A connection that is closing or closed refuses
/// both with error::flow_failed.

#include <sipws/transport/detail/completion.hpp>
#include <sipws/transport/error.hpp>
#include <sipws/transport/flow.hpp>
#include <sipws/transport/limits.hpp>
#include <sipws/ws/close_code.hpp>
#include <sipws/ws/compression.hpp>
#include <sipws/ws/frame.hpp>
#include <sipws/ws/mask.hpp>
#include <sipws/ws/detail/key_reservoir.hpp>
#include <sipws/ws/utf8.hpp>

#include <asio/any_io_executor.hpp>
#include <asio/async_result.hpp>

#include <cstdint>
#include <cstring>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

namespace sipws::transport {

class connection_base : public std::enable_shared_from_this<connection_base> {
public:
    virtual ~connection_base() = default;
    connection_base(const connection_base&) = delete;
    connection_base& operator=(const connection_base&) = delete;

    flow_id id() const noexcept { return info_.id; }
    /// Complete once the flow is open; do not read it before.
    const flow_info& info() const noexcept { return info_; }
    asio::any_io_executor get_executor() const noexcept { return executor_; }

    /// Sends \p payload as one WebSocket message, text or binary per the
    /// Config's framing policy. Any thread.
    std::error_code send(std::string_view payload) { return send(choose_type(payload), payload); }

    /// Sends \p payload as one message of type \p type (a text payload must
    /// be valid UTF-8: error::invalid_utf8). Any thread.
    std::error_code send(ws::message_type type, std::string_view payload) {
        if (type == ws::message_type::text && !ws::is_valid_utf8(payload.data(), payload.size()))
            return error::invalid_utf8;
        std::lock_guard<std::mutex> lk(qmu_);
        if (auto ec = admit_locked(payload.size())) return ec;
        append_message_locked(type, payload);
        return {};
    }

    /// Sends \p payload once there is room in the write queue; completes
    /// with void(std::error_code) once it is written to the socket (or the
    /// flow failed). Any thread.
    template <class CompletionToken>
    auto async_send(ws::message_type type, std::string_view payload, CompletionToken&& token) {
        return asio::async_initiate<CompletionToken, void(std::error_code)>(
            [this](auto handler, ws::message_type t, std::string_view p) {
                start_async_send(t, p,
                                 detail::completion<std::error_code>(std::move(handler), executor_));
            },
            token, type, payload);
    }
    template <class CompletionToken>
    auto async_send(std::string_view payload, CompletionToken&& token) {
        return async_send(choose_type(payload), payload, std::forward<CompletionToken>(token));
    }

    /// Starts the closing handshake with \p code and \p reason (<= 123
    /// octets of UTF-8); messages already queued are sent first. The flow
    /// ends when the peer answers or after limits::close_timeout. Any thread.
    virtual void close(std::uint16_t code = ws::close_code::normal, std::string_view reason = {}) = 0;
    /// Drops the TCP connection at once (no Close frame). Any thread.
    virtual void abort() = 0;
    /// Changes the limits of this live flow (sizes, queue bounds, timeouts).
    /// A new idle_timeout counts from the last data received, e.g. to hold an
    /// Outbound client to the Flow-Timer a registrar gave it. Any thread.
    virtual void set_limits(const limits& l) = 0;
    /// After a change to the keep-alive policy's numbers (e.g. a Flow-Timer
    /// learned from a registrar): this flow's next ping and idle deadline are
    /// computed again now, not at its next timer. Any thread.
    virtual void rearm_keepalive() = 0;

    /// Octets and messages accepted and not yet written to the socket.
    std::size_t queued_bytes() const {
        std::lock_guard<std::mutex> lk(qmu_);
        return pending_data_ + inflight_data_;
    }
    std::size_t queued_messages() const {
        std::lock_guard<std::mutex> lk(qmu_);
        return pending_msgs_ + inflight_msgs_;
    }
    /// True while data may be sent (open, no Close sent or received).
    bool is_open() const {
        std::lock_guard<std::mutex> lk(qmu_);
        return accepting_;
    }

protected:
    explicit connection_base(asio::any_io_executor ex, bool client, const limits& lim)
        : executor_(std::move(ex)), client_(client), lim_(lim) {
        info_.is_client = client;
    }

    virtual ws::message_type choose_type(std::string_view payload) const = 0;
    /// Runs flush() on the connection's strand.
    virtual void post_flush() = 0;

    // ---- write queue (qmu_ protects everything below) -------------------

    struct waiter {
        ws::message_type type;
        std::string payload;
        detail::completion<std::error_code> done;
    };

    std::error_code admit_locked(std::size_t size) const {
        if (!accepting_) return error::flow_failed;
        const std::size_t queued = pending_data_ + inflight_data_;
        const std::size_t msgs = pending_msgs_ + inflight_msgs_;
        if (size > lim_.max_queued_bytes) return error::message_too_big;
        if (!waiters_.empty() || queued + size > lim_.max_queued_bytes ||
            msgs + 1 > lim_.max_queued_messages)
            return error::queue_full;
        return {};
    }

    void start_async_send(ws::message_type type, std::string_view payload,
                          detail::completion<std::error_code> done) {
        if (type == ws::message_type::text && !ws::is_valid_utf8(payload.data(), payload.size()))
            return done(error::invalid_utf8);
        std::unique_lock<std::mutex> lk(qmu_);
        std::error_code ec = admit_locked(payload.size());
        if (ec == error::queue_full) {
            waiters_.push_back(waiter{type, std::string(payload), std::move(done)});
            return;
        }
        if (ec) {
            lk.unlock();
            return done(ec);
        }
        append_message_locked(type, payload);
        completions_.emplace_back(appended_, std::move(done));
    }

    /// Frames one message (masked when we are the client) at the end of the
    /// pending output; compressed when permessage-deflate was agreed and the
    /// message is long enough (in queue order, so the peer's window follows).
    void append_message_locked(ws::message_type type, std::string_view payload) {
        const std::size_t original_size = payload.size();
        const bool compressed = deflater_ && payload.size() >= deflater_->min_size();
        if (compressed) payload = deflater_->deflate(payload.data(), payload.size());
        const std::size_t f = lim_.fragment_size ? lim_.fragment_size : payload.size();
        const std::size_t frames = payload.empty() ? 1 : (payload.size() + f - 1) / f;
        const std::size_t start = pending_.size();
        pending_.resize(start + payload.size() + frames * ws::max_header_size);
        auto* out = reinterpret_cast<unsigned char*>(&pending_[start]);
        auto* src = reinterpret_cast<const unsigned char*>(payload.data());
        std::size_t written = 0, done = 0;
        ws::opcode op = static_cast<ws::opcode>(type);
        do {
            const std::size_t n = payload.size() - done < f ? payload.size() - done : f;
            const bool fin = done + n == payload.size();
            if (client_) {
                ws::masking_key k = ws::detail::next_masking_key();
                written += ws::write_frame_header(out + written, fin, op, n, &k);
                if (n) ws::mask_copy(out + written, src + done, n, k);
            } else {
                written += ws::write_frame_header(out + written, fin, op, n);
                if (n) std::memcpy(out + written, src + done, n);
            }
            if (compressed && done == 0) out[0] |= 0x40; // RSV1 (PMD7692-6-a)
            written += n;
            done += n;
            op = ws::opcode::continuation;
        } while (done < payload.size());
        pending_.resize(start + written);
        appended_ += written;
        pending_data_ += original_size;
        ++pending_msgs_;
        kick_locked();
    }

    /// Appends control frames (already encoded) to the pending output.
    void append_control_locked(std::string_view frames) {
        if (frames.empty()) return;
        pending_.append(frames.data(), frames.size());
        appended_ += frames.size();
        kick_locked();
    }

    void kick_locked() {
        if (!writing_) {
            writing_ = true;
            post_flush();
        }
    }

    /// Strand: takes the pending output for one write; false when empty
    /// (the writer goes idle).
    bool take_batch(std::string& out) {
        std::lock_guard<std::mutex> lk(qmu_);
        if (pending_.empty()) {
            writing_ = false;
            return false;
        }
        out.swap(pending_);
        pending_.clear();
        inflight_data_ = pending_data_;
        inflight_msgs_ = pending_msgs_;
        pending_data_ = pending_msgs_ = 0;
        batch_end_ = appended_;
        return true;
    }

    /// Strand: the batch was written; admits waiters and completes sends.
    void batch_written() {
        std::vector<detail::completion<std::error_code>> ready;
        {
            std::lock_guard<std::mutex> lk(qmu_);
            written_ = batch_end_;
            inflight_data_ = inflight_msgs_ = 0;
            std::size_t done = 0;
            while (done < completions_.size() && completions_[done].first <= written_) {
                ready.push_back(std::move(completions_[done].second));
                ++done;
            }
            completions_.erase(completions_.begin(),
                               completions_.begin() + static_cast<std::ptrdiff_t>(done));
            std::size_t admitted = 0;
            while (admitted < waiters_.size() && accepting_) {
                waiter& w = waiters_[admitted];
                const std::size_t queued = pending_data_ + inflight_data_;
                if (queued + w.payload.size() > lim_.max_queued_bytes && queued != 0) break;
                if (pending_msgs_ + 1 > lim_.max_queued_messages) break;
                append_message_locked(w.type, w.payload);
                completions_.emplace_back(appended_, std::move(w.done));
                ++admitted;
            }
            waiters_.erase(waiters_.begin(), waiters_.begin() + static_cast<std::ptrdiff_t>(admitted));
        }
        for (auto& c : ready) c(std::error_code{});
    }

    /// Stops accepting data (a Close was sent or received).
    void stop_accepting() {
        std::lock_guard<std::mutex> lk(qmu_);
        accepting_ = false;
    }
    void start_accepting() {
        std::lock_guard<std::mutex> lk(qmu_);
        accepting_ = true;
    }

    /// Strand: the flow ended; fails every pending send.
    void fail_all_sends(std::error_code ec) {
        std::vector<std::pair<std::uint64_t, detail::completion<std::error_code>>> c;
        std::vector<waiter> w;
        {
            std::lock_guard<std::mutex> lk(qmu_);
            accepting_ = false;
            c.swap(completions_);
            w.swap(waiters_);
            pending_.clear();
            pending_.shrink_to_fit();
            pending_data_ = pending_msgs_ = 0;
            inflight_data_ = inflight_msgs_ = 0;
        }
        for (auto& x : c) x.second(ec);
        for (auto& x : w) x.done(ec);
    }

    bool has_pending_output() const {
        std::lock_guard<std::mutex> lk(qmu_);
        return !pending_.empty() || writing_;
    }

    asio::any_io_executor executor_;
    bool client_;
    limits lim_;
    flow_info info_;

    mutable std::mutex qmu_;
    std::string pending_;
    std::size_t pending_data_ = 0, pending_msgs_ = 0;
    std::size_t inflight_data_ = 0, inflight_msgs_ = 0;
    std::uint64_t appended_ = 0, written_ = 0, batch_end_ = 0;
    bool writing_ = false;
    bool accepting_ = false;
    // permessage-deflate's compressor (null unless agreed), used under qmu_.
    std::unique_ptr<ws::message_deflater> deflater_;
    // Vectors, not deques: an idle connection allocates nothing here.
    std::vector<std::pair<std::uint64_t, detail::completion<std::error_code>>> completions_;
    std::vector<waiter> waiters_;
};

} // namespace sipws::transport

#endif
