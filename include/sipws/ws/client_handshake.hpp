// Distributed under the Boost Software License, Version 1.0.
#ifndef SIPWS_WS_CLIENT_HANDSHAKE_HPP
#define SIPWS_WS_CLIENT_HANDSHAKE_HPP

/// \file
/// The client side of the opening handshake (RFC 6455 section 4.1, RFC 7118
/// section 4.1), without I/O.
///
/// \code
///   sipws::ws::client_handshake_options o;
///   o.host = "proxy.example.com";              // Host (with ":port" when not default)
///   o.target = "/ws?token=abc";
///   o.origin = "https://www.example.com";
///   sipws::ws::client_handshake hs(o);         // fresh random key
///   write(hs.request());
///   std::size_t used = 0;
///   while (hs.feed(data, size, used) == handshake_status::need_more) read more;
///   if (hs.status() == handshake_status::accepted) {
///       // hs.subprotocol() == "sip"; octets after `used` are frames: hand
///       // them to engine(role::client).
///   } else {
///       // hs.error(); hs.status_code() and hs.response_fields() for 401/3xx.
///   }
/// \endcode
///
/// The 101 is validated strictly: status 101 over HTTP/1.1, `Upgrade:
/// websocket`, a `Connection` token `Upgrade`, exactly one correct
/// `Sec-WebSocket-Accept` (WS6455-4.1-j), at most one `Sec-WebSocket-Protocol`
/// naming a subprotocol we offered, required when we offered one
/// (WS7118-4.1-d, WS6455-4.1-k, WS6455-11.3-a), and no extension unless
/// client_handshake_options::deflate offered permessage-deflate, whose
/// response is then checked (PMD7692-7-c; see permessage_deflate.hpp).

#include <sipws/ws/accept_key.hpp>
#include <sipws/ws/detail/http_head.hpp>
#include <sipws/ws/error.hpp>
#include <sipws/ws/http_fields.hpp>
#include <sipws/ws/server_handshake.hpp>

#include <cstddef>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

namespace sipws::ws {

struct client_handshake_options {
    /// Host field value: host, plus ":port" when not the scheme's default.
    std::string host;
    /// Resource name: path and optional "?query".
    std::string target = "/";
    /// Origin field value (empty: not sent; browsers always send one).
    std::string origin;
    /// Subprotocols offered, in preference order (RFC 7118: "sip").
    std::vector<std::string> subprotocols{"sip"};
    /// Fail when the 101 selects no subprotocol although we offered some
    /// (WS7118-4.1-d). Only a plain RFC 6455 client would turn it off.
    bool require_subprotocol = true;
    /// More field lines, "Name: value\r\n" each (Cookie, Authorization, ...).
    std::string extra_headers;
    /// Offer permessage-deflate with these options (unset: offer nothing,
    /// the default: PMD7692-8-a).
    std::optional<permessage_deflate_options> deflate;
    /// Largest response head accepted.
    std::size_t max_head_size = 8192;
    std::size_t max_fields = 64;
};

class client_handshake {
public:
    /// Builds the request with a fresh key from OpenSSL's RNG. Throws
    /// std::invalid_argument when host, target, origin, a subprotocol or the
    /// extra lines are malformed.
    explicit client_handshake(client_handshake_options options)
        : opt_(std::move(options)), key_(generate_key()), reader_(opt_.max_head_size) {
        build_request();
    }
    client_handshake(const client_handshake&) = delete;
    client_handshake& operator=(const client_handshake&) = delete;

    /// The GET request to send (WS6455-4.1-c..h, WS7118-4.1-a).
    std::string_view request() const noexcept { return request_; }
    /// The Sec-WebSocket-Key sent.
    std::string_view key() const noexcept { return key_; }

    /// Feeds response octets. \p used: the octets of the response head; the
    /// rest (if any) are frames for the engine.
    handshake_status feed(const void* data, std::size_t size, std::size_t& used);

    handshake_status status() const noexcept { return status_; }
    std::error_code error() const noexcept { return error_; }
    /// HTTP status code of the response (0 until its head is complete).
    int status_code() const noexcept { return status_code_; }
    /// The response's fields (WWW-Authenticate, Location, Set-Cookie, ...).
    const http_fields& response_fields() const noexcept { return fields_; }
    /// The subprotocol the server selected (empty: none).
    std::string_view subprotocol() const noexcept { return subprotocol_; }
    /// What the server accepted of our permessage-deflate offer (unset: none).
    const std::optional<deflate_agreement>& agreed_deflate() const noexcept { return deflate_; }

private:
    void build_request();
    std::error_code validate();

    client_handshake_options opt_;
    std::string key_;
    std::string request_;
    detail::head_reader reader_;
    handshake_status status_ = handshake_status::need_more;
    std::error_code error_;
    int status_code_ = 0;
    http_fields fields_;
    std::string_view subprotocol_;
    std::optional<deflate_agreement> deflate_;
};

// ---- implementation -------------------------------------------------------

inline void client_handshake::build_request() {
    auto bad = [](const char* what) { throw std::invalid_argument(what); };
    auto printable = [](std::string_view s) {
        for (char c : s)
            if (static_cast<unsigned char>(c) <= 0x20 || static_cast<unsigned char>(c) >= 0x7F)
                return false;
        return !s.empty();
    };
    if (!server_handshake::valid_host(opt_.host)) bad("sipws::ws::client_handshake: invalid host");
    if (!printable(opt_.target) || opt_.target.front() != '/' ||
        opt_.target.find('#') != std::string::npos)
        bad("sipws::ws::client_handshake: invalid target");
    if (!opt_.origin.empty()) {
        for (char c : opt_.origin)
            if (!detail::is_field_value_octet(static_cast<unsigned char>(c)))
                bad("sipws::ws::client_handshake: invalid origin");
    }
    for (std::size_t i = 0; i < opt_.subprotocols.size(); ++i) {
        if (!is_token(opt_.subprotocols[i]))
            bad("sipws::ws::client_handshake: invalid subprotocol");
        for (std::size_t j = 0; j < i; ++j)
            if (opt_.subprotocols[j] == opt_.subprotocols[i])
                bad("sipws::ws::client_handshake: repeated subprotocol");
    }
    if (!server_handshake::valid_field_lines(opt_.extra_headers))
        bad("sipws::ws::client_handshake: invalid extra header lines");

    request_ = "GET ";
    request_ += opt_.target;
    request_ += " HTTP/1.1\r\nHost: ";
    request_ += opt_.host;
    request_ += "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ";
    request_ += key_;
    request_ += "\r\nSec-WebSocket-Version: 13\r\n";
    if (!opt_.origin.empty()) {
        request_ += "Origin: ";
        request_ += opt_.origin;
        request_ += "\r\n";
    }
    if (!opt_.subprotocols.empty()) {
        request_ += "Sec-WebSocket-Protocol: ";
        for (std::size_t i = 0; i < opt_.subprotocols.size(); ++i) {
            if (i) request_ += ", ";
            request_ += opt_.subprotocols[i];
        }
        request_ += "\r\n";
    }
    if (opt_.deflate) {
        request_ += "Sec-WebSocket-Extensions: ";
        request_ += deflate_offer(*opt_.deflate);
        request_ += "\r\n";
    }
    request_ += opt_.extra_headers;
    request_ += "\r\n";
}

inline handshake_status client_handshake::feed(const void* data, std::size_t size,
                                               std::size_t& used) {
    used = 0;
    if (status_ != handshake_status::need_more) return status_;
    std::error_code ec;
    used = reader_.feed(static_cast<const char*>(data), size, ec);
    if (ec) {
        error_ = ec;
        return status_ = handshake_status::failed;
    }
    if (!reader_.complete()) return status_;
    error_ = validate();
    status_ = error_ ? handshake_status::failed : handshake_status::accepted;
    return status_;
}

inline std::error_code client_handshake::validate() {
    std::string_view start;
    if (auto ec = detail::parse_head(reader_.head(), start, fields_, opt_.max_fields)) return ec;
    // Status line: HTTP-version SP 3DIGIT [SP reason-phrase].
    int major = 0, minor = 0;
    if (start.size() < 12 || start[8] != ' ' ||
        !detail::parse_http_version(start.substr(0, 8), major, minor))
        return ws::error::http_syntax;
    for (std::size_t i = 9; i < 12; ++i)
        if (start[i] < '0' || start[i] > '9') return ws::error::http_syntax;
    if (start.size() > 12 && start[12] != ' ') return ws::error::http_syntax;
    status_code_ = (start[9] - '0') * 100 + (start[10] - '0') * 10 + (start[11] - '0');
    if (status_code_ != 101) return ws::error::bad_status;
    if (major < 1 || (major == 1 && minor < 1)) return ws::error::bad_http_version;

    if (!fields_.list_has("Upgrade", "websocket")) return ws::error::no_upgrade;
    if (!fields_.list_has("Connection", "Upgrade")) return ws::error::no_connection_upgrade;
    const std::size_t accepts = fields_.count("Sec-WebSocket-Accept");
    if (accepts > 1) return ws::error::duplicate_field;
    if (accepts == 0 || fields_.get("Sec-WebSocket-Accept") != compute_accept(key_))
        return ws::error::bad_accept;

    const std::size_t protocols = fields_.count("Sec-WebSocket-Protocol");
    if (protocols > 1) return ws::error::duplicate_field;
    if (protocols == 1) {
        std::string_view p = fields_.get("Sec-WebSocket-Protocol");
        bool offered = false;
        for (const auto& mine : opt_.subprotocols)
            if (mine == p) {
                offered = true;
                subprotocol_ = mine;
            }
        if (!offered) return ws::error::unrequested_subprotocol;
    } else if (!opt_.subprotocols.empty() && opt_.require_subprotocol) {
        return ws::error::missing_subprotocol;
    }
    std::vector<std::string_view> extensions;
    for (const auto& fl : fields_.all())
        if (iequals(fl.name, "Sec-WebSocket-Extensions")) {
            if (!detail::is_valid_extension_list(fl.value)) {
                if (!detail::trim_ows(fl.value).empty()) return ws::error::bad_extension_list;
                continue;
            }
            if (!opt_.deflate) return ws::error::unrequested_extension;
            extensions.push_back(fl.value);
        }
    if (!extensions.empty()) {
        deflate_agreement a;
        if (auto ec = accept_deflate_response(extensions, *opt_.deflate, a)) return ec;
        deflate_ = a;
    }
    return {};
}

} // namespace sipws::ws

#endif
