// Distributed under the Boost Software License, Version 1.0.
#ifndef SIPWS_TRANSPORT_HPP
#define SIPWS_TRANSPORT_HPP

/// \file
/// The whole Asio transport: ws and wss listeners, the connector, the flow
/// registry and the policies.

#include <sipws/transport/config.hpp>
#include <sipws/transport/connection.hpp>
#include <sipws/transport/connection_base.hpp>
#include <sipws/transport/connector.hpp>
#include <sipws/transport/context.hpp>
#include <sipws/transport/error.hpp>
#include <sipws/transport/flow.hpp>
#include <sipws/transport/flow_registry.hpp>
#include <sipws/transport/limits.hpp>
#include <sipws/transport/listener.hpp>
#include <sipws/transport/tls.hpp>

#endif
