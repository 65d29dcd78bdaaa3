// Distributed under the Boost Software License, Version 1.0.
#ifndef SIPWS_TRANSPORT_HPP
#define SIPWS_TRANSPORT_HPP

/// \file
/// The whole Asio transport: ws and wss listeners, the connector, the flow
/// registry and the policies. A SIP stack plugs in with raw bytes and flow
/// ids; it never adopts a message model:
///
/// \code
///   namespace tr = sipws::transport;
///   asio::io_context io;
///   auto flows = std::make_shared<tr::flow_registry>();    // shared by ws and wss
///   auto tls = tr::make_server_tls_context("cert.pem", "key.pem");
///   tr::ws_listener<> ws(io, flows);
///   tr::wss_listener<> wss(io, tls, flows);
///   auto on_sip = [&](tr::flow_id flow, sipws::ws::message_type, std::string_view sip) {
///       stack.receive(flow, sip);                 // one SIP message per call
///   };
///   ws.on_message(on_sip);
///   wss.on_message(on_sip);
///   flows->on_flow_closed([&](tr::flow_id flow, const tr::close_info&) { stack.flow_gone(flow); });
///   ws.listen({asio::ip::make_address("::"), 80});
///   wss.listen({asio::ip::make_address("::"), 443});
///   ws.start();
///   wss.start();
///   // From any thread: answer on the flow the request came on.
///   std::error_code ec = flows->send(flow, response_bytes);  // flow_failed -> 430 / 503
///   io.run();                                      // any number of threads
/// \endcode

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
#include <sipws/transport/policy/client_certificate_auth.hpp>
#include <sipws/transport/reconnect_backoff.hpp>
#include <sipws/transport/tls.hpp>

#endif
