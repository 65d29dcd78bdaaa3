// Distributed under the Boost Software License, Version 1.0.
#ifndef SIPWS_WS_SERVER_HANDSHAKE_HPP
#define SIPWS_WS_SERVER_HANDSHAKE_HPP

/// \file
/// The server side of the opening handshake (RFC 6455 section 4.2, RFC 7118
/// section 4.1), without I/O.
///
/// \code
///   sipws::ws::server_handshake hs;            // speaks "sip", refuses without it
///   std::size_t used = 0;
///   switch (hs.feed(data, size, used)) {       // call again with more bytes
///   case handshake_status::need_more: read more; break;
///   case handshake_status::ready:              // a valid upgrade: apply policies
///       if (!origin_allowed(hs.request().origin)) hs.refuse(403);
///       else hs.accept();
///       [[fallthrough]];
///   case handshake_status::failed:             // invalid: response already built
///       write(hs.response());                  // 101 -> engine(role::server); else close
///   }
///   // Octets after `used` belong to the WebSocket stream (hand them to the engine).
/// \endcode
///
/// Invalid requests get a precise error() and a ready-made response: 400 for
/// malformed or incomplete upgrades, 426 with `Sec-WebSocket-Version: 13` for
/// another version, 431 when the head is too large. A request that offers none
/// of the configured subprotocols is refused with 400 by default
/// (WS7118-4.1-c); subprotocol_policy::optional accepts it without a
/// subprotocol instead. Extension offers are declined, except
/// permessage-deflate when server_handshake_options::deflate is set: the
/// first offer the server can honour is accepted (RFC 7692, see
/// permessage_deflate.hpp) and accept() answers it.

#include <sipws/ws/accept_key.hpp>
#include <sipws/ws/detail/http_head.hpp>
#include <sipws/ws/error.hpp>
#include <sipws/ws/http_fields.hpp>
#include <sipws/ws/permessage_deflate.hpp>

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

namespace sipws::ws {

enum class handshake_status : unsigned char {
    need_more, ///< the head is not complete yet
    ready,     ///< server: a valid upgrade request awaits accept() or refuse()
    accepted,  ///< server: accept() built the 101; client: the 101 is valid
    failed,    ///< refused or invalid: see error(); server: send response() then close
};

/// What the server does when the client offers none of its subprotocols.
enum class subprotocol_policy : unsigned char {
    required, ///< refuse with 400 (default; RFC 7118 4.1)
    optional, ///< accept without Sec-WebSocket-Protocol (plain RFC 6455)
};

struct server_handshake_options {
    /// Subprotocols the server speaks, most preferred first.
    std::vector<std::string> subprotocols{"sip"};
    subprotocol_policy when_none_offered = subprotocol_policy::required;
    /// Largest request head accepted (431 beyond).
    std::size_t max_head_size = 16384;
    /// Largest number of field lines accepted (431 beyond).
    std::size_t max_fields = 64;
    /// Accept permessage-deflate with these options (unset: decline every
    /// extension, the default: PMD7692-8-a).
    std::optional<permessage_deflate_options> deflate;
};

/// The parsed upgrade request: views into the server_handshake that owns it.
struct handshake_request {
    std::string_view method;
    std::string_view target; ///< request-target as sent: path and query
    std::string_view path;   ///< target before '?'
    std::string_view query;  ///< target after '?' (empty when none)
    int http_major = 0;
    int http_minor = 0;
    std::string_view host;
    std::string_view origin;        ///< empty when absent
    std::string_view cookie;        ///< first Cookie line; all of them in fields
    std::string_view authorization; ///< empty when absent
    std::string_view key;           ///< Sec-WebSocket-Key
    http_fields fields;             ///< every field line, in order

    /// The Sec-WebSocket-Protocol values offered, in the client's order.
    std::vector<std::string_view> subprotocols;
    /// The Sec-WebSocket-Extensions lines.
    std::vector<std::string_view> extensions;

    bool offers_subprotocol(std::string_view name) const noexcept {
        for (auto s : subprotocols)
            if (s == name) return true;
        return false;
    }
};

class server_handshake {
public:
    explicit server_handshake(server_handshake_options options = {})
        : opt_(std::move(options)), reader_(opt_.max_head_size) {}

    // Views in request() point into this object.
    server_handshake(const server_handshake&) = delete;
    server_handshake& operator=(const server_handshake&) = delete;

    /// Feeds request octets. \p used is set to the octets that belong to the
    /// request head; the rest (if any) is WebSocket data for the engine.
    handshake_status feed(const void* data, std::size_t size, std::size_t& used);

    handshake_status status() const noexcept { return status_; }
    std::error_code error() const noexcept { return error_; }
    /// The parsed request (valid in state ready and after accept()/refuse()).
    const handshake_request& request() const noexcept { return req_; }
    /// The subprotocol accept() will select (empty: none).
    std::string_view selected_subprotocol() const noexcept { return selected_; }
    /// The permessage-deflate agreement accept() will answer with (unset:
    /// no extension, and RSV1 stays reserved).
    const std::optional<deflate_agreement>& agreed_deflate() const noexcept { return deflate_; }

    /// Policy hook for subprotocol choice: makes accept() select \p name,
    /// which must be one the client offered (WS6455-4.2.2-c), or none when
    /// \p name is empty. Returns error::bad_argument otherwise or when the
    /// state is not ready.
    std::error_code select_subprotocol(std::string_view name) {
        if (status_ != handshake_status::ready) return ws::error::bad_argument;
        if (name.empty()) {
            selected_ = {};
            return {};
        }
        for (auto offered : req_.subprotocols)
            if (offered == name) {
                selected_ = offered;
                return {};
            }
        return ws::error::bad_argument;
    }

    /// Accepts a ready request: builds the 101 (WS6455-4.2.2-d) with the
    /// selected subprotocol. \p extra_headers are complete field lines
    /// ("Name: value\r\n" ...), e.g. Set-Cookie. Returns ws::error::bad_argument
    /// (and changes nothing) when they are malformed or the state is not ready.
    std::error_code accept(std::string_view extra_headers = {});

    /// Refuses a ready request with HTTP \p status (300-599: a 3xx needs a Location line; e.g. 401
    /// with a WWW-Authenticate line in \p extra_headers, 403 for a foreign Origin).
    std::error_code refuse(int status, std::string_view extra_headers = {});

    /// The response to send (empty while need_more or ready).
    std::string_view response() const noexcept { return response_; }

    /// Reason phrase for the status codes this module uses.
    static std::string_view reason_phrase(int status) noexcept;

    /// True when \p host looks like RFC 3986 host[:port] (reg-name, IPv4 or
    /// [IPv6]); white space, '/', '@', '?', '#', ',' and controls are refused.
    static bool valid_host(std::string_view host) noexcept;

    /// True when \p lines is a sequence of "Name: value\r\n" field lines with
    /// no control octets (guards against response splitting).
    static bool valid_field_lines(std::string_view lines) noexcept;

private:
    handshake_status fail(ws::error e);
    std::error_code validate();
    void build_error_response(int status, std::string_view extra);

    server_handshake_options opt_;
    detail::head_reader reader_;
    handshake_status status_ = handshake_status::need_more;
    std::error_code error_;
    handshake_request req_;
    std::string_view selected_;
    std::string response_;
    std::optional<deflate_agreement> deflate_;
    std::string deflate_response_;
};

// ---- implementation -------------------------------------------------------

inline std::string_view server_handshake::reason_phrase(int status) noexcept {
    switch (status) {
    case 101:
        return "Switching Protocols";
    case 200:
        return "OK";
    case 400:
        return "Bad Request";
    case 401:
        return "Unauthorized";
    case 403:
        return "Forbidden";
    case 404:
        return "Not Found";
    case 405:
        return "Method Not Allowed";
    case 407:
        return "Proxy Authentication Required";
    case 426:
        return "Upgrade Required";
    case 429:
        return "Too Many Requests";
    case 431:
        return "Request Header Fields Too Large";
    case 500:
        return "Internal Server Error";
    case 503:
        return "Service Unavailable";
    case 301:
        return "Moved Permanently";
    case 302:
        return "Found";
    case 303:
        return "See Other";
    case 307:
        return "Temporary Redirect";
    case 308:
        return "Permanent Redirect";
    default:
        return status >= 500   ? "Server Error"
               : status >= 400 ? "Client Error"
               : status >= 300 ? "Redirection"
                               : "Success";
    }
}

inline bool server_handshake::valid_host(std::string_view host) noexcept {
    if (host.empty()) return false;
    for (char c : host) {
        const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                        (c >= '0' && c <= '9') || c == '-' || c == '.' || c == ':' || c == '[' ||
                        c == ']' || c == '_' || c == '~' || c == '%' || c == '!' || c == '$' ||
                        c == '&' || c == '\'' || c == '(' || c == ')' || c == '*' || c == '+' ||
                        c == ';' || c == '=';
        if (!ok) return false;
    }
    return true;
}

inline bool server_handshake::valid_field_lines(std::string_view lines) noexcept {
    while (!lines.empty()) {
        std::size_t eol = lines.find("\r\n");
        if (eol == std::string_view::npos) return false;
        std::string_view line = lines.substr(0, eol);
        std::size_t colon = line.find(':');
        if (colon == std::string_view::npos || !is_token(line.substr(0, colon))) return false;
        for (char c : line.substr(colon + 1))
            if (!detail::is_field_value_octet(static_cast<unsigned char>(c))) return false;
        lines.remove_prefix(eol + 2);
    }
    return true;
}

inline handshake_status server_handshake::fail(ws::error e) {
    error_ = e;
    status_ = handshake_status::failed;
    int status = e == ws::error::handshake_too_large ? 431 : http_status_for(e);
    build_error_response(status,
                         e == ws::error::bad_version ? "Sec-WebSocket-Version: 13\r\n" : "");
    return status_;
}

inline void server_handshake::build_error_response(int status, std::string_view extra) {
    response_ = "HTTP/1.1 ";
    response_ += std::to_string(status);
    response_ += ' ';
    response_ += reason_phrase(status);
    response_ += "\r\nConnection: close\r\nContent-Length: 0\r\n";
    response_ += extra;
    response_ += "\r\n";
}

inline handshake_status server_handshake::feed(const void* data, std::size_t size,
                                               std::size_t& used) {
    used = 0;
    if (status_ != handshake_status::need_more) return status_;
    std::error_code ec;
    used = reader_.feed(static_cast<const char*>(data), size, ec);
    if (ec) return fail(ws::error::handshake_too_large);
    if (!reader_.complete()) return status_;
    if (auto e = validate()) return fail(static_cast<ws::error>(e.value()));
    status_ = handshake_status::ready;
    return status_;
}

inline std::error_code server_handshake::validate() {
    std::string_view start;
    if (auto ec = detail::parse_head(reader_.head(), start, req_.fields, opt_.max_fields))
        return ec;
    // Request line: method SP request-target SP HTTP-version.
    std::size_t sp1 = start.find(' ');
    if (sp1 == std::string_view::npos) return ws::error::http_syntax;
    std::size_t sp2 = start.find(' ', sp1 + 1);
    if (sp2 == std::string_view::npos || start.find(' ', sp2 + 1) != std::string_view::npos)
        return ws::error::http_syntax;
    req_.method = start.substr(0, sp1);
    req_.target = start.substr(sp1 + 1, sp2 - sp1 - 1);
    if (!is_token(req_.method)) return ws::error::http_syntax;
    if (!detail::parse_http_version(start.substr(sp2 + 1), req_.http_major, req_.http_minor))
        return ws::error::http_syntax;
    // origin-form only; no fragment (WS6455-3-a).
    if (req_.target.empty() || req_.target.front() != '/') return ws::error::http_syntax;
    for (char c : req_.target)
        if (static_cast<unsigned char>(c) <= 0x20 || static_cast<unsigned char>(c) >= 0x7F ||
            c == '#')
            return ws::error::http_syntax;
    std::size_t q = req_.target.find('?');
    req_.path = req_.target.substr(0, q);
    req_.query = q == std::string_view::npos ? std::string_view{} : req_.target.substr(q + 1);

    const http_fields& f = req_.fields;
    if (req_.method != "GET") return ws::error::bad_method;
    if (req_.http_major < 1 || (req_.http_major == 1 && req_.http_minor < 1))
        return ws::error::bad_http_version;
    if (f.count("Host") != 1)
        return f.count("Host") ? ws::error::duplicate_field : ws::error::no_host;
    req_.host = f.get("Host");
    if (!valid_host(req_.host)) return ws::error::no_host;
    if (!f.list_has("Upgrade", "websocket")) return ws::error::no_upgrade;
    if (!f.list_has("Connection", "Upgrade")) return ws::error::no_connection_upgrade;
    const std::size_t versions = f.count("Sec-WebSocket-Version");
    if (versions > 1) return ws::error::duplicate_field;
    if (versions == 0 || f.get("Sec-WebSocket-Version") != "13") return ws::error::bad_version;
    const std::size_t keys = f.count("Sec-WebSocket-Key");
    if (keys > 1) return ws::error::duplicate_field;
    req_.key = f.get("Sec-WebSocket-Key");
    if (keys == 0 || !is_valid_key(req_.key)) return ws::error::bad_key;
    if (f.has("Transfer-Encoding")) return ws::error::unexpected_body;
    if (f.has("Content-Length")) {
        for (const auto& fl : f.all())
            if (iequals(fl.name, "Content-Length") && fl.value != "0")
                return ws::error::unexpected_body;
    }
    if (f.count("Origin") > 1) return ws::error::duplicate_field;
    req_.origin = f.get("Origin");
    req_.cookie = f.get("Cookie");
    req_.authorization = f.get("Authorization");

    // Offered subprotocols: unique tokens (WS6455-4.1-h).
    req_.subprotocols.clear();
    bool ok = f.for_each_element("Sec-WebSocket-Protocol", [&](std::string_view p) {
        if (!is_token(p) || req_.offers_subprotocol(p)) return false;
        req_.subprotocols.push_back(p);
        return true;
    });
    if (!ok) return ws::error::bad_subprotocol_list;
    for (const auto& fl : f.all())
        if (iequals(fl.name, "Sec-WebSocket-Protocol") && req_.subprotocols.empty())
            return ws::error::bad_subprotocol_list; // present but empty
    req_.extensions.clear();
    for (const auto& fl : f.all())
        if (iequals(fl.name, "Sec-WebSocket-Extensions")) {
            if (!detail::is_valid_extension_list(fl.value)) return ws::error::bad_extension_list;
            req_.extensions.push_back(fl.value);
        }

    deflate_.reset();
    if (opt_.deflate) deflate_ = negotiate_deflate(req_.extensions, *opt_.deflate, deflate_response_);

    selected_ = {};
    for (const auto& mine : opt_.subprotocols)
        if (req_.offers_subprotocol(mine)) {
            selected_ = mine;
            break;
        }
    if (selected_.empty() && opt_.when_none_offered == subprotocol_policy::required)
        return ws::error::no_subprotocol;
    return {};
}

inline std::error_code server_handshake::accept(std::string_view extra_headers) {
    if (status_ != handshake_status::ready || !valid_field_lines(extra_headers))
        return ws::error::bad_argument;
    response_ = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: "
                "Upgrade\r\nSec-WebSocket-Accept: ";
    response_ += compute_accept(req_.key);
    response_ += "\r\n";
    if (!selected_.empty()) {
        response_ += "Sec-WebSocket-Protocol: ";
        response_ += selected_;
        response_ += "\r\n";
    }
    if (deflate_) {
        response_ += "Sec-WebSocket-Extensions: ";
        response_ += deflate_response_;
        response_ += "\r\n";
    }
    response_ += extra_headers;
    response_ += "\r\n";
    status_ = handshake_status::accepted;
    return {};
}

inline std::error_code server_handshake::refuse(int status, std::string_view extra_headers) {
    if (status_ != handshake_status::ready || status < 300 || status > 599 ||
        !valid_field_lines(extra_headers))
        return ws::error::bad_argument;
    build_error_response(status, extra_headers);
    error_ = ws::error::refused;
    status_ = handshake_status::failed;
    return {};
}

} // namespace sipws::ws

#endif
