// Distributed under the Boost Software License, Version 1.0.
#ifndef SIPWS_RFC7118_UA_ANSWER_HPP
#define SIPWS_RFC7118_UA_ANSWER_HPP

/// \file
/// How a SIP WebSocket client answers the requests that reach it on its
/// flow outside a dialog (the UAS side, RFC 3261 section 8.2): a MESSAGE
/// (RFC 3428) gets 200 OK with a To tag, an OPTIONS 200 OK with Allow,
/// Accept and Supported, any other method 405 with Allow; an ACK gets
/// nothing. Responses go back on the flow the request came from (RFC 3261
/// 18.2.2), never to the Via sent-by.

#include <sipws/rfc7118/identifiers.hpp>
#include <sipws/rfc7118/ua_contact.hpp>
#include <sipws/sip/response.hpp>

#include <optional>
#include <string>
#include <string_view>

namespace sipws::rfc7118 {

struct ua_answer_options {
    /// Methods this UA handles (Allow).
    std::string_view allow = "MESSAGE, OPTIONS";
    /// Bodies it accepts (Accept in the answer to OPTIONS).
    std::string_view accept = "text/plain";
    /// To tag; empty: a fresh one.
    std::string_view to_tag;
};

/// The response to \p req, or nullopt when it must not be answered (ACK,
/// or not a request).
inline std::optional<std::string> answer_request(const sip::message& req,
                                                 const ua_answer_options& o = {}) {
    if (!req.is_request() || req.method() == "ACK") return std::nullopt;
    std::string tag = o.to_tag.empty() ? make_tag() : std::string(o.to_tag);
    sip::response_options ro;
    ro.to_tag = tag;
    std::string extra;
    if (req.method() == "MESSAGE") return sip::make_response(req, 200, {}, ro);
    extra = "Allow: " + std::string(o.allow) + "\r\n";
    if (req.method() == "OPTIONS") {
        extra += "Accept: " + std::string(o.accept) + "\r\n";
        extra += "Supported: " + std::string(ua_request_supported) + "\r\n";
        ro.extra_headers = extra;
        return sip::make_response(req, 200, {}, ro);
    }
    ro.extra_headers = extra;
    return sip::make_response(req, 405, {}, ro);
}

/// The URI of the From of \p req ("" when it does not parse).
inline std::string from_uri(const sip::message& req) {
    auto f = req.from();
    return f ? std::string(f->uri_text) : std::string();
}

} // namespace sipws::rfc7118

#endif
