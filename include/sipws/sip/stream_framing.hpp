// Distributed under the Boost Software License, Version 1.0.
#ifndef SIPWS_SIP_STREAM_FRAMING_HPP
#define SIPWS_SIP_STREAM_FRAMING_HPP

/// \file
/// Where one SIP message ends in a byte stream (TCP or TLS, RFC 3261 section
/// 18.3): after the empty line that ends the header section and then
/// Content-Length octets, which a message on a stream must carry. CRLFs before a message are keepalives (RFC 5626
/// section 3.5.1) and are skipped. Only framing: the message found is then
/// given to parse().

#include <sipws/sip/detail/chars.hpp>
#include <sipws/sip/error.hpp>
#include <sipws/sip/scalar_headers.hpp>

#include <cstddef>
#include <string_view>
#include <system_error>

namespace sipws::sip {

/// The next message in a stream buffer.
struct stream_frame {
    std::size_t skip = 0; ///< leading CRLF octets (keepalives) to drop first
    std::size_t size = 0; ///< octets of the message after them; 0: more data needed
};

/// Finds the next complete message at the start of \p buffer. Errors (the
/// stream cannot be resynchronised: close it): errc::missing_header without
/// Content-Length, errc::bad_content_length, errc::message_too_large when
/// the message (or a header section still without its end) exceeds
/// \p max_size.
inline stream_frame next_stream_frame(std::string_view buffer, std::error_code& ec,
                                      std::size_t max_size = 65536) {
    ec.clear();
    stream_frame f;
    while (f.skip < buffer.size() && (buffer[f.skip] == '\r' || buffer[f.skip] == '\n')) ++f.skip;
    std::string_view msg = buffer.substr(f.skip);
    const std::size_t end = msg.find("\r\n\r\n");
    if (end == std::string_view::npos) {
        if (msg.size() > max_size) ec = errc::message_too_large;
        return f;
    }
    const std::string_view head = msg.substr(0, end + 2);
    bool found = false;
    std::size_t length = 0;
    for (std::size_t pos = head.find("\r\n"); pos != std::string_view::npos && pos + 2 < head.size();) {
        const std::size_t line_start = pos + 2;
        const std::size_t line_end = head.find("\r\n", line_start);
        std::string_view line = head.substr(line_start, line_end - line_start);
        pos = line_end;
        const std::size_t colon = line.find(':');
        if (colon == std::string_view::npos) continue;
        std::string_view name = detail::trim_lws(line.substr(0, colon));
        if (!detail::iequals(name, "Content-Length") && !detail::iequals(name, "l")) continue;
        std::size_t n = parse_content_length(line.substr(colon + 1), ec);
        if (ec) return f;
        if (found && n != length) {
            ec = errc::bad_content_length;
            return f;
        }
        found = true;
        length = n;
    }
    if (!found) {
        ec = errc::missing_header;
        return f;
    }
    const std::size_t total = end + 4 + length;
    if (total > max_size) {
        ec = errc::message_too_large;
        return f;
    }
    if (msg.size() >= total) f.size = total;
    return f;
}

} // namespace sipws::sip

#endif
