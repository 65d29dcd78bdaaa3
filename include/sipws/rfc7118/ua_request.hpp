// Distributed under the Boost Software License, Version 1.0.
#ifndef SIPWS_RFC7118_UA_REQUEST_HPP
#define SIPWS_RFC7118_UA_REQUEST_HPP

/// \file
/// The wire form of a request that a SIP WebSocket client originates
/// (RFC 3261 section 8.1.1): request line, Via, Max-Forwards, From, To,
/// Call-ID, CSeq, then Contact, the extra header rows, Content-Type and an
/// accurate Content-Length (WS7118-5-f). REGISTER, MESSAGE and OPTIONS are
/// built with it.

#include <sipws/rfc7118/identifiers.hpp>
#include <sipws/rfc7118/ua_contact.hpp>

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sipws::rfc7118 {

struct request_spec {
    std::string method;      ///< e.g. "MESSAGE"
    std::string request_uri; ///< e.g. "sip:bob@example.com"
    std::string via;         ///< the Via value (make_ua_via())
    std::string from;        ///< name-addr without tag, e.g. "<sip:alice@example.com>"
    std::string from_tag;    ///< always set for a UAC (RFC 3261 8.1.1.3)
    std::string to;          ///< name-addr without tag
    std::string to_tag;      ///< only inside a dialog
    std::string call_id;
    std::uint32_t cseq = 1;
    unsigned max_forwards = 70;
    std::string contact;     ///< Contact value; empty: none
    /// More rows, name and value each (Supported, Expires, User-Agent,
    /// Authorization...), written in this order.
    std::vector<std::pair<std::string, std::string>> headers;
    std::string content_type; ///< empty: no body type
    std::string body;
};

/// The request text of \p s.
inline std::string make_request(const request_spec& s) {
    std::string out;
    out.reserve(512 + s.body.size());
    auto row = [&out](std::string_view name, std::string_view value) {
        out += name;
        out += ": ";
        out += value;
        out += "\r\n";
    };
    out += s.method;
    out += ' ';
    out += s.request_uri;
    out += " SIP/2.0\r\n";
    row("Via", s.via);
    row("Max-Forwards", std::to_string(s.max_forwards));
    out += "From: ";
    out += s.from;
    if (!s.from_tag.empty()) {
        out += ";tag=";
        out += s.from_tag;
    }
    out += "\r\nTo: ";
    out += s.to;
    if (!s.to_tag.empty()) {
        out += ";tag=";
        out += s.to_tag;
    }
    out += "\r\n";
    row("Call-ID", s.call_id);
    out += "CSeq: ";
    out += std::to_string(s.cseq);
    out += ' ';
    out += s.method;
    out += "\r\n";
    if (!s.contact.empty()) row("Contact", s.contact);
    for (const auto& h : s.headers) row(h.first, h.second);
    if (!s.content_type.empty()) row("Content-Type", s.content_type);
    row("Content-Length", std::to_string(s.body.size()));
    out += "\r\n";
    out += s.body;
    return out;
}

/// `<uri>` or `"Display" <uri>` for From / To (the display name is quoted
/// with `"` and `\` escaped).
inline std::string make_name_addr(std::string_view uri, std::string_view display_name = {}) {
    std::string out;
    if (!display_name.empty()) {
        out += '"';
        for (char c : display_name) {
            if (c == '"' || c == '\\') out += '\\';
            if (c == '\r' || c == '\n') c = ' ';
            out += c;
        }
        out += "\" ";
    }
    out += '<';
    out += uri;
    out += '>';
    return out;
}

/// A request outside any dialog from \p from_aor to \p target (Request-URI
/// and To): fresh From tag and Call-ID, CSeq 1, `Supported:
/// ua_request_supported` (OB5626-4.3-a); the Via is set when it is sent
/// (client_request). \p contact may be empty (MESSAGE needs none).
inline request_spec make_out_of_dialog_spec(std::string method, std::string_view target,
                                            std::string_view from_aor,
                                            std::string_view display_name = {},
                                            std::string contact = {}) {
    request_spec s;
    s.method = std::move(method);
    s.request_uri = std::string(target);
    s.from = make_name_addr(from_aor, display_name);
    s.from_tag = make_tag();
    s.to = make_name_addr(target);
    s.call_id = make_call_id();
    s.cseq = 1;
    s.contact = std::move(contact);
    s.headers.emplace_back("Supported", std::string(ua_request_supported));
    return s;
}

} // namespace sipws::rfc7118

#endif
