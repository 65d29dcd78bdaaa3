// Every field of a parsed URI, name-addr or Via as one line of text, so
// that a test compares two values whole (CHECK(describe(a) == describe(b)))
// and a failure shows both.
#ifndef SIPWS_TEST_SUPPORT_SIP_VALUES_HPP
#define SIPWS_TEST_SUPPORT_SIP_VALUES_HPP

#include <sipws/sip/name_addr.hpp>
#include <sipws/sip/uri.hpp>
#include <sipws/sip/via.hpp>

#include <string>
#include <string_view>

namespace sipws::test {

namespace detail {
class fields {
public:
    fields& operator()(std::string_view name, std::string_view value) {
        out_.append(name).append("=[").append(value).append("] ");
        return *this;
    }
    fields& operator()(std::string_view name, long long value) { return (*this)(name, std::to_string(value)); }
    std::string str() const { return out_; }

private:
    std::string out_;
};
} // namespace detail

inline std::string describe(const sip::uri& u) {
    return detail::fields{}("raw", u.raw)("scheme", static_cast<int>(u.scheme))("scheme_name", u.scheme_name)(
               "user", u.user)("password", u.password)("has_user", u.has_user)("has_password", u.has_password)(
               "host", u.host)("host_type", static_cast<int>(u.host_type))("port", u.port)("has_port", u.has_port)(
               "parameters", u.parameters.str())("headers", u.headers)("opaque", u.opaque)
        .str();
}

inline std::string describe(const sip::name_addr& a) {
    return detail::fields{}("raw", a.raw)("display_name", a.display_name)("uri_text", a.uri_text)(
               "bracketed", a.bracketed)("star", a.star)("parameters", a.parameters.str())
               .str() +
           "uri: " + describe(a.uri);
}

inline std::string describe(const sip::via& v) {
    return detail::fields{}("raw", v.raw)("protocol_name", v.protocol_name)("protocol_version", v.protocol_version)(
               "transport", v.transport)("host", v.host)("host_type", static_cast<int>(v.host_type))("port", v.port)(
               "has_port", v.has_port)("sent_by", v.sent_by)("parameters", v.parameters.str())("branch", v.branch)(
               "received", v.received)("maddr", v.maddr)("ttl", v.ttl)("has_rport", v.has_rport)(
               "rport_has_value", v.rport_has_value)("rport", v.rport)
        .str();
}

} // namespace sipws::test

#endif
