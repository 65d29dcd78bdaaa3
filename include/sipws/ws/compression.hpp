// Distributed under the Boost Software License, Version 1.0.
#ifndef SIPWS_WS_COMPRESSION_HPP
#define SIPWS_WS_COMPRESSION_HPP

/// \file
/// The interface of a per-message compression codec, as the engine and the
/// transport use it once permessage-deflate (RFC 7692) is agreed. The zlib
/// implementation is in <sipws/ws/deflate.hpp>; this header needs no zlib.

#include <cstddef>
#include <string_view>
#include <system_error>

namespace sipws::ws {

/// Inflates the messages whose first frame has RSV1 (RFC 7692 section 7.2.2).
class message_inflater {
public:
    virtual ~message_inflater() = default;
    /// Starts a compressed message: drops the last output (keeping at most
    /// \p retain octets of storage) and, without context takeover, the window.
    virtual void begin_message(std::size_t retain) noexcept = 0;
    /// Inflates the next \p n octets of the message's payload, appending to
    /// output(); \p final marks its last octets (the empty stored block
    /// `00 00 ff ff` is appended to them). Output beyond \p limit octets
    /// gives error::message_too_big; corrupt data error::bad_compressed_data.
    virtual std::error_code inflate(const unsigned char* in, std::size_t n, bool final,
                                    std::size_t limit) = 0;
    /// The message inflated so far.
    virtual std::string_view output() const noexcept = 0;
    /// Frees the output's storage (engine::shrink() between messages; the
    /// last output is gone).
    virtual void release() noexcept {}
};

/// Compresses whole messages (RFC 7692 section 7.2.1).
class message_deflater {
public:
    virtual ~message_deflater() = default;
    /// Messages shorter than this are sent uncompressed.
    virtual std::size_t min_size() const noexcept = 0;
    /// The compressed payload of one message (sync flush, the trailing
    /// `00 00 ff ff` removed), valid until the next call.
    virtual std::string_view deflate(const void* in, std::size_t n) = 0;
};

} // namespace sipws::ws

#endif
