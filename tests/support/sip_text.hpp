// Test-side SIP text that hand-written WebSocket SIP peers send through the
// proxy: an Outbound REGISTER, a user agent's response to a request, and
// small readers of what comes back.
#ifndef SIPWS_TEST_SUPPORT_SIP_TEXT_HPP
#define SIPWS_TEST_SUPPORT_SIP_TEXT_HPP

#include <sipws/sip/message.hpp>
#include <sipws/sip/parser.hpp>

#include <string>
#include <vector>

namespace sipws::test {

/// All values of \p id in \p m, in order.
inline std::vector<std::string> values(const sip::message& m, sip::header_id id) {
    std::vector<std::string> out;
    for (auto v : m.values(id)) out.emplace_back(v);
    return out;
}

/// The status code of \p text ("" or a request: 0).
inline unsigned status_of(const std::string& text) {
    auto m = sip::parse(text);
    return m && m->is_response() ? m->status_code() : 0;
}

/// An Outbound REGISTER of `sip:USER@DOMAIN` from a client whose Via and
/// Contact host is \p host, instance `urn:uuid:UUID`, reg-id \p reg_id,
/// with `Supported: path, outbound, gruu`.
inline std::string reg(const std::string& user, const std::string& host, const std::string& uuid, int reg_id = 1,
                       const std::string& domain = "sipws.test") {
    const std::string id = std::to_string(reg_id), sfx = reg_id == 1 ? "" : id;
    return "REGISTER sip:" + domain + " SIP/2.0\r\n"
           "Via: SIP/2.0/WS " + host + ";branch=z9hG4bK-reg-" + user + sfx + "\r\n"
           "From: <sip:" + user + "@" + domain + ">;tag=r" + user + "\r\n"
           "To: <sip:" + user + "@" + domain + ">\r\n"
           "Call-ID: reg-" + user + sfx + "\r\n"
           "CSeq: 1 REGISTER\r\n"
           "Max-Forwards: 70\r\n"
           "Supported: path, outbound, gruu\r\n"
           "Contact: <sip:" + user + "@" + host + ";transport=ws>;reg-id=" + id + ";+sip.instance=\"<urn:uuid:" + uuid + ">\"\r\n"
           "Content-Length: 0\r\n\r\n";
}

/// A response to \p req built by a UA: Vias, Record-Route, From, To (+tag),
/// Call-ID, CSeq, then \p contact and \p extra rows (each ending in CRLF).
inline std::string answer(const sip::message& req, const std::string& status, const std::string& contact,
                          const std::string& extra = {}) {
    std::string out = "SIP/2.0 " + status + "\r\n";
    for (auto v : req.values(sip::header_id::via)) out += "Via: " + std::string(v) + "\r\n";
    for (auto v : req.values(sip::header_id::record_route)) out += "Record-Route: " + std::string(v) + "\r\n";
    out += "From: " + std::string(req.value(sip::header_id::from)) + "\r\n";
    out += "To: " + std::string(req.value(sip::header_id::to)) + (req.to()->has_tag() ? "" : ";tag=bmqkjhsd") + "\r\n";
    out += "Call-ID: " + std::string(req.call_id()) + "\r\n";
    out += "CSeq: " + std::string(req.value(sip::header_id::cseq)) + "\r\n";
    if (!contact.empty()) out += "Contact: " + contact + "\r\n";
    return out + extra + "Content-Length: 0\r\n\r\n";
}

} // namespace sipws::test

#endif
