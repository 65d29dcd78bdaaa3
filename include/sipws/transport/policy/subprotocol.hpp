// Distributed under the Boost Software License, Version 1.0.
#ifndef SIPWS_TRANSPORT_POLICY_SUBPROTOCOL_HPP
#define SIPWS_TRANSPORT_POLICY_SUBPROTOCOL_HPP

/// \file
/// Subprotocol behaviour of both roles. A policy is an object with the
/// members of sip_subprotocol (names, when_none_offered, client_requires).

#include <sipws/ws/server_handshake.hpp>

#include <string>
#include <vector>

namespace sipws::transport::policy {

/// RFC 7118: "sip" is offered (client) and required (server refuses with
/// 400 without it, WS7118-4.1-c; client fails a 101 without it, WS7118-4.1-d).
struct sip_subprotocol {
    /// Server: spoken, most preferred first. Client: offered.
    std::vector<std::string> names{"sip"};
    /// Server: what to do when none of names is offered.
    ws::subprotocol_policy when_none_offered = ws::subprotocol_policy::required;
    /// Client: fail a 101 that selects no subprotocol.
    bool client_requires = true;
};

/// Plain RFC 6455 (test peers, conformance suites): "sip" is selected when
/// offered, connections without a subprotocol are accepted too, and a
/// client offers nothing.
struct optional_subprotocol {
    std::vector<std::string> names{"sip"};
    ws::subprotocol_policy when_none_offered = ws::subprotocol_policy::optional;
    bool client_requires = false;
};

} // namespace sipws::transport::policy

#endif
