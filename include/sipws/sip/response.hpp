// Distributed under the Boost Software License, Version 1.0.
#ifndef SIPWS_SIP_RESPONSE_HPP
#define SIPWS_SIP_RESPONSE_HPP

/// \file
/// Responses built from a request (RFC 3261 8.2.6): Via rows, From, To (plus a
/// To tag), Call-ID and CSeq are copied; and the stateless 400/505 for a
/// malformed request (SIP3261-8.2-b).

#include <sipws/sip/detail/chars.hpp>
#include <sipws/sip/message.hpp>
#include <sipws/sip/message_builder.hpp>
#include <sipws/sip/parser.hpp>

#include <optional>
#include <string>
#include <string_view>

namespace sipws::sip {

struct response_options {
    /// Added to To when the request's To has no tag (not for 100 Trying).
    std::string_view to_tag;
    /// Copy Record-Route (a UAS answering a dialog-creating request, RFC 3261 12.1.1).
    bool copy_record_route = false;
    /// Extra rows, each "Name: value\r\n".
    std::string_view extra_headers;
    std::string_view content_type;
    std::string_view body;
};

/// The reason phrase RFC 3261 21 gives for \p code ("" when it has none).
inline std::string_view default_reason(unsigned code) noexcept {
    switch (code) {
    case 100: return "Trying";
    case 180: return "Ringing";
    case 181: return "Call Is Being Forwarded";
    case 182: return "Queued";
    case 183: return "Session Progress";
    case 200: return "OK";
    case 202: return "Accepted";
    case 300: return "Multiple Choices";
    case 301: return "Moved Permanently";
    case 302: return "Moved Temporarily";
    case 305: return "Use Proxy";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 407: return "Proxy Authentication Required";
    case 408: return "Request Timeout";
    case 413: return "Request Entity Too Large";
    case 415: return "Unsupported Media Type";
    case 416: return "Unsupported URI Scheme";
    case 420: return "Bad Extension";
    case 421: return "Extension Required";
    case 423: return "Interval Too Brief";
    case 430: return "Flow Failed";
    case 439: return "First Hop Lacks Outbound Support";
    case 480: return "Temporarily Unavailable";
    case 481: return "Call/Transaction Does Not Exist";
    case 482: return "Loop Detected";
    case 483: return "Too Many Hops";
    case 486: return "Busy Here";
    case 487: return "Request Terminated";
    case 488: return "Not Acceptable Here";
    case 500: return "Server Internal Error";
    case 501: return "Not Implemented";
    case 503: return "Service Unavailable";
    case 504: return "Server Time-out";
    case 505: return "Version Not Supported";
    case 513: return "Message Too Large";
    case 600: return "Busy Everywhere";
    case 603: return "Decline";
    default: return "";
    }
}

/// A response to \p req with \p code and \p reason (default_reason() when
/// empty). Content-Length is always written.
inline std::string make_response(const message& req, unsigned code, std::string_view reason = {},
                                 const response_options& opt = {}) {
    std::string out;
    out.reserve(512 + opt.body.size());
    out += "SIP/2.0 ";
    out += std::to_string(code);
    out += ' ';
    out += reason.empty() ? default_reason(code) : reason;
    out += "\r\n";
    for (std::size_t i = 0; i < req.header_count(); ++i) {
        header_field h = req.header(i);
        switch (h.id) {
        case header_id::via:
        case header_id::from:
        case header_id::call_id:
        case header_id::cseq:
            out += detail::row_text(req, i);
            break;
        case header_id::record_route:
            if (opt.copy_record_route) out += detail::row_text(req, i);
            break;
        case header_id::to: {
            std::string_view row = detail::row_text(req, i);
            std::error_code ec;
            name_addr to = parse_name_addr(h.value, ec);
            if (!opt.to_tag.empty() && code != 100 && !ec && !to.has_tag()) {
                out += h.name;
                out += ": ";
                out += h.value;
                out += ";tag=";
                out += opt.to_tag;
                out += "\r\n";
            } else {
                out += row;
            }
            break;
        }
        default: break;
        }
    }
    out += opt.extra_headers;
    if (!opt.content_type.empty()) {
        out += "Content-Type: ";
        out += opt.content_type;
        out += "\r\n";
    }
    out += "Content-Length: ";
    out += std::to_string(opt.body.size());
    out += "\r\n\r\n";
    out += opt.body;
    return out;
}

/// SIP3261-8.2-b: the response a server sends for a request that failed to
/// parse or validate: 505 for an unsupported SIP version, otherwise 400 whose
/// reason phrase names the defect. Empty when \p msg is a response or an
/// ACK, or when Via, From, To, Call-ID or CSeq is missing (or From, To,
/// Call-ID, CSeq repeated): then the message is dropped and logged; the
/// connection stays open. The rows are copied verbatim, malformed or not.
inline std::optional<std::string> make_error_response(const message& msg, const parse_error& err,
                                                      const response_options& opt = {}) {
    if (!err || msg.method().empty() || msg.is_response()) return std::nullopt;
    // The rows are copied as they are (RFC 3261 8.2.6.2), so they need not be
    // well formed (RFC 4475 3.1.2: badinv01, scalar02 are answered with 400),
    // but each must be there, once.
    if (msg.count(header_id::via) == 0 || msg.count(header_id::from) != 1 ||
        msg.count(header_id::to) != 1 || msg.count(header_id::call_id) != 1 ||
        msg.count(header_id::cseq) != 1)
        return std::nullopt;
    if (msg.call_id().empty() || detail::trim_lws(msg.value(header_id::cseq)).empty())
        return std::nullopt;
    if (msg.method() == "ACK") return std::nullopt; // never answered
    unsigned code = err.code == errc::version_not_supported ? 505 : 400;
    if (err.code == errc::message_too_large) code = 513;
    std::string reason(code == 400 ? "Bad Request - " : "");
    for (char c : err.what) reason += detail::is(c, detail::cc_ctl) ? ' ' : c;
    if (code != 400) reason = std::string(default_reason(code));
    return make_response(msg, code, reason, opt);
}

} // namespace sipws::sip

#endif
