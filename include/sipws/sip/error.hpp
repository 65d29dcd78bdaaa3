// Distributed under the Boost Software License, Version 1.0.
#ifndef SIPWS_SIP_ERROR_HPP
#define SIPWS_SIP_ERROR_HPP

/// \file
/// Error codes of the SIP layer (`sipws::sip::errc`) and their category.

#include <string>
#include <system_error>

namespace sipws::sip {

/// What is wrong with a SIP message, a header value or a URI.
enum class errc {
    message_too_large = 1,   ///< larger than parse_options::max_message_size
    empty_message,           ///< no octets (or only CRLFs)
    bad_start_line,          ///< start line is neither a Request-Line nor a Status-Line
    bad_method,              ///< method is not a token
    bad_request_uri,         ///< Request-URI malformed (LWS, <>, headers, bad scheme...)
    bad_version,             ///< SIP-Version malformed
    version_not_supported,   ///< well-formed SIP-Version other than SIP/2.0 (answer 505)
    bad_status_code,         ///< Status-Code is not 3 digits in 100..699
    bad_reason_phrase,       ///< Reason-Phrase holds a control character
    bad_line_ending,         ///< bare CR, or bare LF in strict mode
    line_too_long,           ///< longer than parse_options::max_line_length
    too_many_headers,        ///< more header fields than the limit
    bad_header_name,         ///< field name is not a token or lacks its ":"
    bad_header_value,        ///< field value holds a control character
    missing_empty_line,      ///< the header section does not end with an empty line
    bad_content_length,      ///< not a non-negative decimal, overflows, or conflicting values
    body_too_short,          ///< fewer octets than Content-Length (request: 400, response: drop)
    missing_header,          ///< a mandatory header (Via, From, To, Call-ID, CSeq) is absent
    duplicate_header,        ///< a single-valued mandatory header appears twice
    bad_via,                 ///< Via value malformed
    bad_name_addr,           ///< From/To/Contact/Route/... value malformed
    bad_cseq,                ///< CSeq malformed or out of range
    bad_call_id,             ///< Call-ID malformed
    bad_max_forwards,        ///< Max-Forwards malformed or above 255
    bad_integer,             ///< a numeric value malformed or out of range
    bad_uri,                 ///< URI malformed
    bad_parameter,           ///< a ;parameter malformed
    duplicate_parameter,     ///< the same parameter name twice in one value (RFC 3261 7.3.1)
    too_many_parameters,     ///< more parameters in one value than sip::max_parameters
    cseq_method_mismatch,    ///< CSeq method differs from the Request-Line method
    bad_header,              ///< any other malformed header value
};

namespace detail {
class error_category_impl final : public std::error_category {
public:
    const char* name() const noexcept override { return "sipws.sip"; }
    std::string message(int ev) const override {
        switch (static_cast<errc>(ev)) {
        case errc::message_too_large: return "message too large";
        case errc::empty_message: return "empty message";
        case errc::bad_start_line: return "malformed start line";
        case errc::bad_method: return "malformed method";
        case errc::bad_request_uri: return "malformed Request-URI";
        case errc::bad_version: return "malformed SIP-Version";
        case errc::version_not_supported: return "SIP version not supported";
        case errc::bad_status_code: return "malformed status code";
        case errc::bad_reason_phrase: return "malformed reason phrase";
        case errc::bad_line_ending: return "bad line ending";
        case errc::line_too_long: return "line too long";
        case errc::too_many_headers: return "too many header fields";
        case errc::bad_header_name: return "malformed header name";
        case errc::bad_header_value: return "malformed header value";
        case errc::missing_empty_line: return "header section not terminated by an empty line";
        case errc::bad_content_length: return "malformed Content-Length";
        case errc::body_too_short: return "body shorter than Content-Length";
        case errc::missing_header: return "mandatory header missing";
        case errc::duplicate_header: return "mandatory header repeated";
        case errc::bad_via: return "malformed Via";
        case errc::bad_name_addr: return "malformed name-addr";
        case errc::bad_cseq: return "malformed CSeq";
        case errc::bad_call_id: return "malformed Call-ID";
        case errc::bad_max_forwards: return "malformed Max-Forwards";
        case errc::bad_integer: return "malformed number";
        case errc::bad_uri: return "malformed URI";
        case errc::bad_parameter: return "malformed parameter";
        case errc::duplicate_parameter: return "duplicate parameter";
        case errc::too_many_parameters: return "too many parameters";
        case errc::cseq_method_mismatch: return "CSeq method does not match the request method";
        case errc::bad_header: return "malformed header";
        }
        return "unknown sipws.sip error";
    }
};
} // namespace detail

/// The category of every sipws::sip::errc.
inline const std::error_category& error_category() noexcept {
    static const detail::error_category_impl instance;
    return instance;
}

inline std::error_code make_error_code(errc e) noexcept {
    return {static_cast<int>(e), error_category()};
}

} // namespace sipws::sip

template <>
struct std::is_error_code_enum<sipws::sip::errc> : std::true_type {};

#endif
