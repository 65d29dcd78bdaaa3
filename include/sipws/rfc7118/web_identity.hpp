// Distributed under the Boost Software License, Version 1.0.
#ifndef SIPWS_RFC7118_WEB_IDENTITY_HPP
#define SIPWS_RFC7118_WEB_IDENTITY_HPP

/// \file
/// The web identity check of RFC 7118 Appendix A.2/A.3 (WS7118-A-b/A-c): a
/// connection whose handshake was authenticated by the web-auth policy is
/// bound to one SIP identity (flow_info::identity, a SIP URI or AOR), and a
/// SIP request on it must speak for that identity: the From and To AOR of a
/// REGISTER, the From AOR of any other request. A mismatch is refused with
/// 403 and a reason phrase that says why.

#include <sipws/rfc7118/aor.hpp>
#include <sipws/sip/message.hpp>
#include <sipws/transport/policy/web_auth.hpp>

#include <string>
#include <string_view>

namespace sipws::rfc7118 {

struct web_identity_result {
    unsigned status = 0; ///< 0: allowed, else 403
    std::string reason;  ///< the reason phrase of the refusal
    explicit operator bool() const noexcept { return status == 0; }
};

/// Checks \p req against the identity the web-auth policy bound to its flow.
/// With \p required, a flow that has no web identity is refused too.
inline web_identity_result check_web_identity(const sip::message& req, transport::web_auth_verdict verdict,
                                              std::string_view identity, bool required = true) {
    web_identity_result r;
    auto refuse = [&](std::string reason) {
        r.status = 403;
        r.reason = std::move(reason);
        return r;
    };
    if (verdict != transport::web_auth_verdict::authenticated || identity.empty())
        return required ? refuse("Forbidden - no web identity on this connection") : r;
    std::optional<std::string> want = aor_of(identity);
    if (!want) { // a bare user name: compare with the user part
        want = std::string(identity);
    }
    auto same = [&](const std::optional<std::string>& aor) {
        if (!aor) return false;
        if (*aor == *want) return true;
        // identity given as a bare user name
        std::size_t colon = aor->find(':'), at = aor->find('@');
        return want->find(':') == std::string::npos && at != std::string::npos &&
               aor->substr(colon + 1, at - colon - 1) == *want;
    };
    std::error_code ec;
    sip::name_addr from = req.from(ec);
    if (ec || !same(aor_of(from))) return refuse("Forbidden - From does not match the web identity");
    if (req.method() == "REGISTER") {
        sip::name_addr to = req.to(ec);
        if (ec || !same(aor_of(to))) return refuse("Forbidden - To does not match the web identity");
    }
    return r;
}

} // namespace sipws::rfc7118

#endif
