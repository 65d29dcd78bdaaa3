// Distributed under the Boost Software License, Version 1.0.
#ifndef SIPWS_SIP_HPP
#define SIPWS_SIP_HPP

/// \file
/// The SIP message layer: parser, message view, URI, typed header views,
/// builder and responses.

#include <sipws/sip/error.hpp>
#include <sipws/sip/header_id.hpp>
#include <sipws/sip/message.hpp>
#include <sipws/sip/message_builder.hpp>
#include <sipws/sip/name_addr.hpp>
#include <sipws/sip/parameters.hpp>
#include <sipws/sip/parser.hpp>
#include <sipws/sip/response.hpp>
#include <sipws/sip/scalar_headers.hpp>
#include <sipws/sip/stream_framing.hpp>
#include <sipws/sip/transaction_id.hpp>
#include <sipws/sip/uri.hpp>
#include <sipws/sip/via.hpp>

#endif
