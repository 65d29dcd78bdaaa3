// Distributed under the Boost Software License, Version 1.0.
#ifndef SIPWS_TRANSPORT_POLICY_CLIENT_CERTIFICATE_AUTH_HPP
#define SIPWS_TRANSPORT_POLICY_CLIENT_CERTIFICATE_AUTH_HPP

/// \file
/// Web-level authentication by TLS client certificate on wss (RFC 7118
/// section 7, WS7118-7-c; RFC 7118 Appendix A): the certificate the TLS
/// context verified (see require_client_certificates()) gives the flow its
/// identity. By default the identity is the first subjectAltName URI whose
/// scheme is sip or sips (RFC 5922 section 7.1 names SIP identities so); a
/// user function may map the certificate differently. A flow without a
/// verified certificate, or whose certificate names no identity, is
/// refused with 403.
///
/// \code
///   struct config : sipws::transport::default_config {
///       using web_auth_policy = sipws::transport::policy::client_certificate_auth;
///   };
///   auto tls = sipws::transport::make_server_tls_context(cert, key);
///   sipws::transport::require_client_certificates(tls, "clients-ca.pem");
/// \endcode

#include <sipws/transport/flow.hpp>
#include <sipws/transport/policy/web_auth.hpp>
#include <sipws/ws/http_fields.hpp>
#include <sipws/ws/server_handshake.hpp>

#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace sipws::transport::policy {

class client_certificate_auth {
public:
    using mapper = std::function<std::optional<std::string>(const peer_certificate&)>;

    /// Replaces the default mapping (first sip:/sips: subjectAltName URI).
    void set_mapper(mapper m) { map_ = std::move(m); }

    web_auth_result check(const ws::handshake_request&, const flow_info& flow) const {
        if (!flow.certificate.present()) return web_auth_result::refuse(403);
        std::optional<std::string> id = map_ ? map_(flow.certificate) : sip_identity(flow.certificate);
        if (!id || id->empty()) return web_auth_result::refuse(403);
        return web_auth_result::accept(std::move(*id));
    }

    /// The first subjectAltName URI of scheme sip or sips (the scheme is
    /// case-insensitive), or nullopt.
    static std::optional<std::string> sip_identity(const peer_certificate& c) {
        for (const std::string& u : c.uris) {
            std::string_view v = u;
            if ((v.size() > 4 && ws::iequals(v.substr(0, 4), "sip:")) ||
                (v.size() > 5 && ws::iequals(v.substr(0, 5), "sips:")))
                return u;
        }
        return std::nullopt;
    }

private:
    mapper map_;
};

} // namespace sipws::transport::policy

#endif
