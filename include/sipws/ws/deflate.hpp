// Distributed under the Boost Software License, Version 1.0.
#ifndef SIPWS_WS_DEFLATE_HPP
#define SIPWS_WS_DEFLATE_HPP

/// \file
/// The permessage-deflate codec over zlib (RFC 7692 section 7.2): raw
/// DEFLATE, a sync flush per message with its `00 00 ff ff` tail stripped
/// (appended again before inflating), the agreed windows, and the compressor
/// or decompressor reset per message when a `*_no_context_takeover` was
/// agreed. The only sipws header that needs zlib (link ZLIB::ZLIB; the
/// sipws CMake target does and defines SIPWS_HAS_ZLIB when zlib is found).
///
/// \code
///   sipws::ws::engine eng(sipws::ws::role::server);
///   sipws::ws::enable_permessage_deflate(eng, agreement, options);
///   // consume() now inflates messages with RSV1; encode_message(type, payload, out)
///   // compresses those of options.min_size octets or more.
/// \endcode

#include <sipws/ws/engine.hpp>
#include <sipws/ws/permessage_deflate.hpp>

#include <zlib.h>

#include <cstring>
#include <memory>
#include <new>
#include <string_view>
#include <system_error>

namespace sipws::ws {

namespace detail {
/// A growable octet buffer that does not zero what it adds.
class octet_buffer {
public:
    unsigned char* data() noexcept { return p_.get(); }
    const unsigned char* data() const noexcept { return p_.get(); }
    std::size_t size() const noexcept { return size_; }
    std::size_t capacity() const noexcept { return cap_; }
    void clear(std::size_t retain) noexcept {
        size_ = 0;
        if (cap_ > retain) {
            p_.reset();
            cap_ = 0;
        }
    }
    /// Room for at least \p n more octets after size().
    unsigned char* room(std::size_t n) {
        if (cap_ - size_ < n) {
            std::size_t cap = cap_ ? cap_ : 1024;
            while (cap - size_ < n) cap *= 2;
            std::unique_ptr<unsigned char[]> fresh(new unsigned char[cap]);
            if (size_) std::memcpy(fresh.get(), p_.get(), size_);
            p_ = std::move(fresh);
            cap_ = cap;
        }
        return p_.get() + size_;
    }
    void grow(std::size_t n) noexcept { size_ += n; }
    void shrink_by(std::size_t n) noexcept { size_ -= n; }

private:
    std::unique_ptr<unsigned char[]> p_;
    std::size_t size_ = 0;
    std::size_t cap_ = 0;
};

inline constexpr unsigned char deflate_tail[4] = {0x00, 0x00, 0xff, 0xff};
} // namespace detail

/// zlib's raw inflate for one direction of a connection.
class zlib_inflater final : public message_inflater {
public:
    /// \p window_bits 8..15 (the sender's agreed window); \p reset: the
    /// sender resets its context per message. Throws std::bad_alloc.
    zlib_inflater(int window_bits, bool reset) : reset_(reset) {
        if (inflateInit2(&zs_, -window_bits) != Z_OK) throw std::bad_alloc();
    }
    ~zlib_inflater() override { inflateEnd(&zs_); }
    zlib_inflater(const zlib_inflater&) = delete;
    zlib_inflater& operator=(const zlib_inflater&) = delete;

    void begin_message(std::size_t retain) noexcept override {
        out_.clear(retain);
        // After a block with BFINAL (RFC 7692 7.2.3.4) the stream is over:
        // the next message starts a fresh one.
        if (reset_ || ended_) inflateReset(&zs_);
        ended_ = false;
    }

    std::error_code inflate(const unsigned char* in, std::size_t n, bool final,
                            std::size_t limit) override {
        if (auto ec = run(in, n, limit)) return ec;
        if (final) return run(detail::deflate_tail, sizeof detail::deflate_tail, limit);
        return {};
    }

    std::string_view output() const noexcept override {
        return {reinterpret_cast<const char*>(out_.data()), out_.size()};
    }

    void release() noexcept override { out_.clear(0); }
    /// Octets of output storage held (what release() frees).
    std::size_t capacity() const noexcept { return out_.capacity(); }

private:
    std::error_code run(const unsigned char* in, std::size_t n, std::size_t limit) {
        if (ended_) return {}; // octets after the final block are ignored
        zs_.next_in = const_cast<Bytef*>(in);
        while (n) {
            const auto step = static_cast<uInt>(n > (1u << 30) ? (1u << 30) : n);
            zs_.avail_in = step;
            do {
                // Room up to the limit, plus one octet to notice a message beyond it.
                std::size_t want = out_.size() < 4096 ? 4096 : out_.size();
                std::size_t cap = limit - (out_.size() < limit ? out_.size() : limit);
                if (cap != static_cast<std::size_t>(-1)) ++cap;
                if (want > cap) want = cap;
                if (want > (1u << 30)) want = 1u << 30;
                zs_.next_out = out_.room(want);
                zs_.avail_out = static_cast<uInt>(want);
                const int rc = ::inflate(&zs_, Z_SYNC_FLUSH);
                out_.grow(want - zs_.avail_out);
                if (out_.size() > limit) return error::message_too_big; // zip bomb
                if (rc == Z_STREAM_END) {
                    ended_ = true;
                    return {};
                }
                if (rc == Z_BUF_ERROR) break; // no progress possible: needs input
                if (rc != Z_OK) return error::bad_compressed_data;
            } while (zs_.avail_in != 0 || zs_.avail_out == 0);
            n -= step - zs_.avail_in;
            if (zs_.avail_in != 0) return error::bad_compressed_data;
        }
        return {};
    }

    z_stream zs_{};
    detail::octet_buffer out_;
    bool reset_;
    bool ended_ = false;
};

/// zlib's raw deflate for one direction of a connection.
class zlib_deflater final : public message_deflater {
public:
    /// \p window_bits 9..15; \p reset: no context takeover. Throws std::bad_alloc.
    zlib_deflater(int window_bits, bool reset, int level, int mem_level, std::size_t min_size)
        : reset_(reset), min_size_(min_size) {
        if (deflateInit2(&zs_, level, Z_DEFLATED, -window_bits, mem_level, Z_DEFAULT_STRATEGY) !=
            Z_OK)
            throw std::bad_alloc();
    }
    ~zlib_deflater() override { deflateEnd(&zs_); }
    zlib_deflater(const zlib_deflater&) = delete;
    zlib_deflater& operator=(const zlib_deflater&) = delete;

    std::size_t min_size() const noexcept override { return min_size_; }

    std::string_view deflate(const void* in, std::size_t n) override {
        out_.clear(16 * 1024);
        zs_.next_in = const_cast<Bytef*>(static_cast<const Bytef*>(in));
        std::size_t left = n;
        for (;;) {
            const auto step = static_cast<uInt>(left > (1u << 30) ? (1u << 30) : left);
            zs_.avail_in = step;
            const bool last = step == left;
            for (;;) {
                const std::size_t want = (step / 2 + 64 < 1024 ? 1024 : step / 2 + 64);
                zs_.next_out = out_.room(want);
                zs_.avail_out = static_cast<uInt>(want);
                ::deflate(&zs_, last ? Z_SYNC_FLUSH : Z_NO_FLUSH);
                out_.grow(want - zs_.avail_out);
                if (zs_.avail_out != 0) break; // all input taken and flushed
            }
            left -= step;
            if (last) break;
        }
        // The sync flush ends with an empty stored block: 00 00 ff ff (PMD7692-7.2-a).
        if (out_.size() >= 4 &&
            std::memcmp(out_.data() + out_.size() - 4, detail::deflate_tail, 4) == 0)
            out_.shrink_by(4);
        if (reset_) deflateReset(&zs_);
        return {reinterpret_cast<const char*>(out_.data()), out_.size()};
    }

private:
    z_stream zs_{};
    detail::octet_buffer out_;
    bool reset_;
    std::size_t min_size_;
};

/// The inflater for what \p r receives under \p a.
inline std::unique_ptr<message_inflater> make_inflater(const deflate_agreement& a, role r) {
    return std::make_unique<zlib_inflater>(a.receive_window_bits(r), a.receive_resets(r));
}

/// The deflater for what \p r sends under \p a, or null when the agreed
/// window is 8 bits (zlib cannot: such an endpoint sends every message
/// uncompressed, which RFC 7692 allows).
inline std::unique_ptr<message_deflater> make_deflater(const deflate_agreement& a, role r,
                                                       const permessage_deflate_options& o) {
    const int bits = a.send_window_bits(r);
    if (bits < 9) return nullptr;
    return std::make_unique<zlib_deflater>(bits, a.send_resets(r), o.level, o.mem_level,
                                           o.min_size);
}

/// Turns permessage-deflate on in \p eng (after a handshake that agreed \p a).
inline void enable_permessage_deflate(engine& eng, const deflate_agreement& a,
                                      const permessage_deflate_options& o = {}) {
    const role r = eng.is_client() ? role::client : role::server;
    eng.set_inflater(make_inflater(a, r));
    eng.set_deflater(make_deflater(a, r, o));
}

} // namespace sipws::ws

#endif
