// Distributed under the Boost Software License, Version 1.0.
#ifndef SIPWS_RFC7118_AUTH_PARAMS_HPP
#define SIPWS_RFC7118_AUTH_PARAMS_HPP

/// \file
/// The auth-param lists of WWW-Authenticate, Proxy-Authenticate,
/// Authorization and Proxy-Authorization (RFC 3261 section 25.1,
/// RFC 7235 section 2.1): `scheme name=token, name="quoted \"string\"", ...`.
///
/// The parser is a pure function of the header value. Names are compared
/// case-insensitively and returned in lower case; a name that appears twice
/// in one challenge is an error (RFC 7235 section 2.1: "each parameter name
/// MUST only occur once per challenge"). Quoted-strings are unescaped
/// (quoted-pairs resolved). One header value may carry several challenges
/// (`Digest realm="a", Digest realm="b"`); credentials carry exactly one.
/// A token68 (`Basic QWxh...==`) is kept as such so that such schemes can be
/// recognised and ignored. Line folding (CRLF followed by SP/HT) counts as
/// white space. Counts and sizes are bounded by auth_parse_limits.

#include <sipws/detail/ascii.hpp>
#include <sipws/rfc7118/error.hpp>

#include <cstddef>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

namespace sipws::rfc7118 {

/// One `name=value` pair. \c name is lower case; \c value is unescaped.
struct auth_param {
    std::string name;
    std::string value;
    bool quoted = false; ///< the value was written as a quoted-string
};

/// One challenge or credentials: a scheme and its parameters (or token68).
struct auth_scheme_params {
    std::string scheme; ///< as written (compare case-insensitively)
    std::string token68;
    std::vector<auth_param> params;

    /// The parameter called \p lower_name, or nullptr.
    const auth_param* find(std::string_view lower_name) const noexcept {
        for (auto& p : params)
            if (p.name == lower_name) return &p;
        return nullptr;
    }
};

struct auth_parse_limits {
    std::size_t max_challenges = 16;    ///< schemes per header value
    std::size_t max_params = 32;        ///< parameters per scheme
    std::size_t max_value_size = 1024;  ///< octets per (unescaped) value
    std::size_t max_input_size = 16384; ///< octets of the whole header value
};

namespace detail {

constexpr bool is_token_char(char c) noexcept {
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
    switch (c) {
    case '-':
    case '.':
    case '!':
    case '%':
    case '*':
    case '_':
    case '+':
    case '`':
    case '\'':
    case '~':
        return true;
    default:
        return false;
    }
}

constexpr bool is_token68_char(char c) noexcept {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '.' || c == '_' || c == '~' || c == '+' || c == '/';
}

using sipws::detail::ascii_lower;
using sipws::detail::iequals;

constexpr bool is_token(std::string_view s) noexcept {
    if (s.empty()) return false;
    for (char c : s)
        if (!is_token_char(c)) return false;
    return true;
}

/// Skips SP, HT and folds (CRLF / LF followed by SP or HT).
inline void skip_lws(std::string_view in, std::size_t& pos) noexcept {
    while (pos < in.size()) {
        char c = in[pos];
        if (c == ' ' || c == '\t') {
            ++pos;
        } else if (c == '\r' && pos + 2 < in.size() && in[pos + 1] == '\n' &&
                   (in[pos + 2] == ' ' || in[pos + 2] == '\t')) {
            pos += 3;
        } else if (c == '\n' && pos + 1 < in.size() &&
                   (in[pos + 1] == ' ' || in[pos + 1] == '\t')) {
            pos += 2;
        } else {
            break;
        }
    }
}

inline std::string_view read_token(std::string_view in, std::size_t& pos) noexcept {
    std::size_t start = pos;
    while (pos < in.size() && is_token_char(in[pos])) ++pos;
    return in.substr(start, pos - start);
}

/// Parses a quoted-string starting at in[pos] == '"'; appends the unescaped
/// content to \p out. False on a missing closing quote, a control character,
/// or a value longer than \p max_size.
inline bool read_quoted_string(std::string_view in, std::size_t& pos, std::string& out,
                               std::size_t max_size) {
    if (pos >= in.size() || in[pos] != '"') return false;
    ++pos;
    while (pos < in.size()) {
        char c = in[pos];
        auto u = static_cast<unsigned char>(c);
        if (c == '"') {
            ++pos;
            return true;
        }
        if (c == '\\') {
            if (pos + 1 >= in.size()) return false;
            char e = in[pos + 1];
            // quoted-pair = "\" ( HTAB / SP / VCHAR / obs-text ) (RFC 7230
            // section 3.2.6; RFC 3261's wider set would let controls in).
            auto ue = static_cast<unsigned char>(e);
            if ((ue < 0x20 && e != '\t') || ue == 0x7f) return false;
            out.push_back(e);
            pos += 2;
        } else if (c == '\r' || c == '\n') {
            std::size_t fold = pos;
            skip_lws(in, fold);
            if (fold == pos) return false; // a bare CR or LF
            out.push_back(' ');
            pos = fold;
        } else if ((u < 0x20 && c != '\t') || u == 0x7f) {
            return false;
        } else {
            out.push_back(c);
            ++pos;
        }
        if (out.size() > max_size) return false;
    }
    return false;
}

/// Appends \p value as a quoted-string. False (and nothing appended) when
/// the value holds a control character other than HT (CR, LF, NUL...).
inline bool append_quoted(std::string& out, std::string_view value) {
    for (char c : value) {
        auto u = static_cast<unsigned char>(c);
        if ((u < 0x20 && c != '\t') || u == 0x7f) return false;
    }
    out.push_back('"');
    for (char c : value) {
        if (c == '"' || c == '\\') out.push_back('\\');
        out.push_back(c);
    }
    out.push_back('"');
    return true;
}

} // namespace detail

/// Parses a header value holding one or more challenges (or one set of
/// credentials) into \p out (cleared first).
inline std::error_code parse_auth_header(std::string_view in, std::vector<auth_scheme_params>& out,
                                         const auth_parse_limits& limits = {}) {
    out.clear();
    if (in.size() > limits.max_input_size) return error::value_too_long;
    std::size_t pos = 0;
    detail::skip_lws(in, pos);
    // Leading empty list elements are allowed by the #rule.
    while (pos < in.size() && in[pos] == ',') {
        ++pos;
        detail::skip_lws(in, pos);
    }
    if (pos >= in.size()) return error::malformed_auth_params;

    std::string_view pending_name; // a token read ahead that turned out to start a new scheme
    while (pos < in.size() || !pending_name.empty()) {
        std::string_view scheme = pending_name;
        pending_name = {};
        if (scheme.empty()) {
            scheme = detail::read_token(in, pos);
            if (scheme.empty()) return error::malformed_auth_params;
        }
        if (out.size() >= limits.max_challenges) return error::too_many_params;
        out.emplace_back();
        auth_scheme_params& current = out.back();
        current.scheme.assign(scheme);

        std::size_t before_ws = pos;
        detail::skip_lws(in, pos);
        if (pos < in.size() && pos == before_ws && in[pos] != ',')
            return error::malformed_auth_params;

        bool first = true;
        bool saw_comma = false;
        while (pos < in.size()) {
            if (in[pos] == ',') {
                ++pos;
                detail::skip_lws(in, pos);
                saw_comma = true;
                continue;
            }
            if (!first && !saw_comma) return error::malformed_auth_params;
            std::size_t item_start = pos;
            std::string_view name = detail::read_token(in, pos);
            if (first) {
                // token68: 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="
                std::size_t p68 = item_start;
                while (p68 < in.size() && detail::is_token68_char(in[p68])) ++p68;
                std::size_t body_end = p68;
                while (p68 < in.size() && in[p68] == '=') ++p68;
                std::size_t after = p68;
                detail::skip_lws(in, after);
                bool ends = after >= in.size() || in[after] == ',';
                bool looks_param = body_end == pos && p68 == body_end + 1 && !ends;
                if (body_end > item_start && ends && !looks_param && !saw_comma) {
                    current.token68.assign(in.substr(item_start, p68 - item_start));
                    pos = after;
                    first = false;
                    saw_comma = false;
                    continue;
                }
            }
            if (name.empty()) return error::malformed_auth_params;
            std::size_t after_name = pos;
            detail::skip_lws(in, pos);
            if (pos >= in.size() || in[pos] != '=') {
                // Not a parameter: the next scheme begins (only after a comma).
                if (!saw_comma) return error::malformed_auth_params;
                pending_name = name;
                pos = after_name;
                break;
            }
            ++pos; // '='
            detail::skip_lws(in, pos);
            if (current.params.size() >= limits.max_params) return error::too_many_params;
            auth_param param;
            param.name.reserve(name.size());
            for (char c : name) param.name.push_back(detail::ascii_lower(c));
            if (pos < in.size() && in[pos] == '"') {
                param.quoted = true;
                std::size_t qstart = pos;
                if (!detail::read_quoted_string(in, pos, param.value, limits.max_value_size)) {
                    pos = qstart;
                    // Distinguish an over-long value from a syntax error.
                    std::string probe;
                    if (detail::read_quoted_string(in, pos, probe, in.size()))
                        return error::value_too_long;
                    return error::malformed_auth_params;
                }
            } else {
                std::string_view v = detail::read_token(in, pos);
                if (v.empty()) return error::malformed_auth_params;
                if (v.size() > limits.max_value_size) return error::value_too_long;
                param.value.assign(v);
            }
            if (current.find(param.name)) return error::duplicate_param;
            current.params.push_back(std::move(param));
            detail::skip_lws(in, pos);
            first = false;
            saw_comma = false;
        }
        if (!current.token68.empty() && !current.params.empty())
            return error::malformed_auth_params;
        if (pos >= in.size() && pending_name.empty()) break;
    }
    return {};
}

} // namespace sipws::rfc7118

#endif
