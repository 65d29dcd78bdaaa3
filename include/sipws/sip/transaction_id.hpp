// Distributed under the Boost Software License, Version 1.0.
#ifndef SIPWS_SIP_TRANSACTION_ID_HPP
#define SIPWS_SIP_TRANSACTION_ID_HPP

/// \file
/// Which server transaction a request belongs to (RFC 3261 17.2.3,
/// SIP3261-17-a), as a string key for a map of transactions.
///
/// - Top Via branch with the magic cookie `z9hG4bK`: the branch, the
///   sent-by (host and port, default port filled in) and the method, an ACK
///   counting as INVITE (the ACK to a non-2xx final response belongs to the
///   INVITE transaction).
/// - Otherwise (RFC 2543 peers): Request-URI, From tag, Call-ID, CSeq number
///   and method, and the whole top Via; the To tag too except for INVITE and
///   its ACK (whose To tag is the one the server's response added).
///
/// Tokens compare case-insensitively (RFC 3261 7.3.1), so the branch and the
/// host are folded to lower case; the Call-ID and the Request-URI are kept as
/// they are. A CANCEL has a transaction of its own; the INVITE it cancels is
/// cancelled_transaction_id() (RFC 3261 9.2).
///
/// \code
///   std::error_code ec;
///   std::string id = sipws::sip::server_transaction_id(req, ec);
///   if (!ec) if (auto it = transactions.find(id); it != transactions.end()) retransmit(it->second);
/// \endcode

#include <sipws/sip/message.hpp>

#include <string>
#include <string_view>
#include <system_error>

namespace sipws::sip {

namespace detail {

inline void append_lower(std::string& out, std::string_view s) {
    for (char c : s) out += ascii_lower(c);
}

inline std::string transaction_id_as(const message& req, std::string_view method, std::error_code& ec) {
    ec.clear();
    if (!req.is_request()) return ec = errc::bad_start_line, std::string();
    via v = req.top_via(ec);
    if (ec) return {};
    std::string id;
    if (v.has_magic_cookie() && v.branch.size() > magic_cookie.size()) {
        id.reserve(v.branch.size() + v.host.size() + method.size() + 16);
        id += "3261 ";
        append_lower(id, v.branch);
        id += ' ';
        append_lower(id, v.host);
        id += ':';
        id += std::to_string(v.port_or_default());
        id += ' ';
        id += method == "ACK" ? std::string_view("INVITE") : method;
        return id;
    }
    name_addr from = req.from(ec);
    if (ec) return {};
    name_addr to = req.to(ec);
    if (ec) return {};
    sip::cseq c = req.cseq(ec);
    if (ec) return {};
    const bool invite = method == "INVITE" || method == "ACK";
    id += "2543 ";
    id += req.request_uri();
    id += ' ';
    id += from.tag();
    id += ' ';
    if (!invite) id += to.tag();
    id += ' ';
    id += req.call_id();
    id += ' ';
    id += std::to_string(c.number);
    id += ' ';
    id += invite ? std::string_view("INVITE") : method;
    id += ' ';
    id += v.raw;
    return id;
}

} // namespace detail

/// The server transaction \p req belongs to; empty with \p ec set when the
/// request lacks what identifies it (a malformed top Via, From, To, CSeq).
inline std::string server_transaction_id(const message& req, std::error_code& ec) {
    return detail::transaction_id_as(req, req.method(), ec);
}

/// The INVITE transaction a CANCEL \p cancel names (same branch and sent-by,
/// or the same RFC 2543 identifiers): compare with the INVITE's
/// server_transaction_id().
inline std::string cancelled_transaction_id(const message& cancel, std::error_code& ec) {
    return detail::transaction_id_as(cancel, "INVITE", ec);
}

} // namespace sipws::sip

#endif
