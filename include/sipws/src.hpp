// Distributed under the Boost Software License, Version 1.0.
#ifndef SIPWS_SRC_HPP
#define SIPWS_SRC_HPP

/// \file
/// Separate compilation of the transport (docs/compile-time.md). Define
/// SIPWS_SEPARATE_COMPILATION for every file of the program and include this
/// header in exactly one of them: it compiles the connection, listener and
/// connector code for the default Config (ws and wss) once, and the other
/// files only declare it. Programs using their own Config are not affected
/// (their transport code is compiled where it is used, as without the
/// macro). Like Asio's <asio/impl/src.hpp>, with which it combines
/// (ASIO_SEPARATE_COMPILATION; that header is not included here).

#ifndef SIPWS_SEPARATE_COMPILATION
#error "<sipws/src.hpp> is for programs built with SIPWS_SEPARATE_COMPILATION"
#endif

#include <sipws/transport/connector.hpp>
#include <sipws/transport/listener.hpp>
#include <sipws/transport/tls.hpp>

namespace sipws::transport {
SIPWS_DETAIL_CONNECTION_INSTANCE(, asio::ip::tcp::socket)
SIPWS_DETAIL_CONNECTION_INSTANCE(, tls_stream)
SIPWS_DETAIL_LISTENER_INSTANCE(, asio::ip::tcp::socket)
SIPWS_DETAIL_LISTENER_INSTANCE(, tls_stream)
SIPWS_DETAIL_CONNECTOR_INSTANCE()
} // namespace sipws::transport

#endif
