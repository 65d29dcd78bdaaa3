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

#include <sipws/sip.hpp>

#include <sipws/ws/accept_key.hpp>

#endif
