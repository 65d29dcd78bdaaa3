// Distributed under the Boost Software License, Version 1.0.
#ifndef SIPWS_SIPWS_HPP
#define SIPWS_SIPWS_HPP

/// \file
/// Umbrella header: everything sipws offers. Programs that need only one
/// layer should include that layer's headers instead (see README).

#include <sipws/version.hpp>

#include <sipws/crypto/base64.hpp>
#include <sipws/crypto/hash.hpp>
#include <sipws/crypto/hmac.hpp>
#include <sipws/crypto/random.hpp>

#include <sipws/ws/accept_key.hpp>
#include <sipws/ws/client_handshake.hpp>
#include <sipws/ws/close_code.hpp>
#include <sipws/ws/engine.hpp>
#include <sipws/ws/error.hpp>
#include <sipws/ws/frame.hpp>
#include <sipws/ws/http_fields.hpp>
#include <sipws/ws/mask.hpp>
#include <sipws/ws/options.hpp>
#include <sipws/ws/server_handshake.hpp>
#include <sipws/ws/url.hpp>
#include <sipws/ws/utf8.hpp>

#include <sipws/transport.hpp>

#endif
