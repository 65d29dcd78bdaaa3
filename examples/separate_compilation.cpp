// Distributed under the Boost Software License, Version 1.0.
// The code the echo programs share, compiled once (docs/compile-time.md):
// Asio (ASIO_SEPARATE_COMPILATION) and the transport for the default Config
// (SIPWS_SEPARATE_COMPILATION). Their main.cpp files only declare it.
#include <sipws/src.hpp>

#include <asio/impl/src.hpp>
#include <asio/ssl/impl/src.hpp>
