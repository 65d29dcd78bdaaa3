// Distributed under the Boost Software License, Version 1.0.
#ifndef SIPWS_WS_DETAIL_HTTP_HEAD_HPP
#define SIPWS_WS_DETAIL_HTTP_HEAD_HPP

// Internal: collecting an HTTP/1.1 head from pieces (bounded) and splitting it
// into start line and field lines. Strict RFC 9112 syntax: CRLF line ends, no
// obsolete line folding, no white space before the colon, no control octets.

#include <sipws/ws/error.hpp>
#include <sipws/ws/http_fields.hpp>

#include <cstddef>
#include <string>
#include <string_view>
#include <system_error>

namespace sipws::ws::detail {

/// Accumulates input up to and including the empty line that ends an HTTP head.
class head_reader {
public:
    explicit head_reader(std::size_t limit) : limit_(limit) {}

    /// Takes octets from [data, data + size) until the head is complete.
    /// Returns the octets taken; octets after the head are left to the caller.
    std::size_t feed(const char* data, std::size_t size, std::error_code& ec) {
        ec.clear();
        if (complete_) return 0;
        const std::size_t old = buf_.size();
        const std::size_t room = limit_ - old;
        const std::size_t take = size < room ? size : room;
        buf_.append(data, take);
        std::size_t from = old >= 3 ? old - 3 : 0;
        std::size_t at = buf_.find("\r\n\r\n", from);
        if (at != std::string::npos) {
            buf_.resize(at + 4);
            complete_ = true;
            return at + 4 - old;
        }
        if (buf_.size() >= limit_) ec = error::handshake_too_large;
        return take;
    }
    bool complete() const noexcept { return complete_; }
    const std::string& head() const noexcept { return buf_; }

private:
    std::size_t limit_;
    std::string buf_;
    bool complete_ = false;
};

inline bool is_field_value_octet(unsigned char c) noexcept {
    return c == '\t' || (c >= 0x20 && c != 0x7F);
}

/// Splits a complete head (ending in CRLF CRLF) into its start line and fields.
inline std::error_code parse_head(std::string_view head, std::string_view& start_line,
                                  http_fields& fields, std::size_t max_fields) {
    fields.clear();
    std::size_t pos = 0;
    bool first = true;
    for (;;) {
        std::size_t eol = head.find("\r\n", pos);
        if (eol == std::string_view::npos) return error::http_syntax;
        std::string_view line = head.substr(pos, eol - pos);
        pos = eol + 2;
        for (char c : line)
            if (c == '\r' || c == '\n' || c == '\0') return error::http_syntax;
        if (first) {
            if (line.empty()) return error::http_syntax;
            start_line = line;
            first = false;
            continue;
        }
        if (line.empty()) break;
        if (line.front() == ' ' || line.front() == '\t') return error::http_syntax; // obs-fold
        std::size_t colon = line.find(':');
        if (colon == std::string_view::npos) return error::http_syntax;
        std::string_view name = line.substr(0, colon);
        if (!is_token(name)) return error::http_syntax;
        std::string_view value = trim_ows(line.substr(colon + 1));
        for (char c : value)
            if (!is_field_value_octet(static_cast<unsigned char>(c))) return error::http_syntax;
        if (fields.size() >= max_fields) return error::handshake_too_large;
        fields.add(name, value);
    }
    return pos == head.size() ? std::error_code{} : std::error_code(error::http_syntax);
}

/// Parses "HTTP/d.d"; returns false when malformed.
inline bool parse_http_version(std::string_view v, int& major, int& minor) noexcept {
    if (v.size() != 8 || v.substr(0, 5) != "HTTP/" || v[6] != '.') return false;
    if (v[5] < '0' || v[5] > '9' || v[7] < '0' || v[7] > '9') return false;
    major = v[5] - '0';
    minor = v[7] - '0';
    return true;
}

/// RFC 6455 section 9.1 extension list: 1#( token *( ";" token [ "=" (token / quoted-string) ] ) ).
inline bool is_valid_extension_list(std::string_view list) {
    std::size_t i = 0;
    const std::size_t n = list.size();
    auto skip_ows = [&] {
        while (i < n && (list[i] == ' ' || list[i] == '\t')) ++i;
    };
    auto token = [&] {
        std::size_t s = i;
        while (i < n && is_tchar(list[i])) ++i;
        return i > s;
    };
    bool any = false;
    for (;;) {
        skip_ows();
        if (i < n && list[i] == ',') { // empty list element
            ++i;
            continue;
        }
        if (i == n) return any;
        if (!token()) return false;
        any = true;
        skip_ows();
        while (i < n && list[i] == ';') {
            ++i;
            skip_ows();
            if (!token()) return false;
            skip_ows();
            if (i < n && list[i] == '=') {
                ++i;
                skip_ows();
                if (i < n && list[i] == '"') {
                    ++i;
                    std::size_t s = i;
                    while (i < n && list[i] != '"') {
                        if (list[i] == '\\') ++i; // quoted-pair
                        ++i;
                    }
                    if (i >= n) return false;
                    // The unquoted value must still be a token (RFC 6455 9.1).
                    if (!is_token(list.substr(s, i - s))) return false;
                    ++i;
                } else if (!token()) {
                    return false;
                }
                skip_ows();
            }
        }
        if (i == n) return true;
        if (list[i] != ',') return false;
        ++i;
    }
}

} // namespace sipws::ws::detail

#endif
