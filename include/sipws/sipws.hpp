// Distributed under the Boost Software License, Version 1.0.
#ifndef SIPWS_SIPWS_HPP
#define SIPWS_SIPWS_HPP

/// \file
/// Umbrella header: everything sipws offers. Programs that need only one
/// layer should include that layer's headers instead (see README).


#include <sipws/version.hpp>

// helpers
#include <sipws/crypto/aes_gcm.hpp>
#include <sipws/crypto/base64.hpp>
#include <sipws/crypto/hash.hpp>
#include <sipws/crypto/hmac.hpp>
#include <sipws/crypto/random.hpp>

// layer 1: SIP message model
#include <sipws/sip.hpp>

// layer 2: WebSocket engine (no I/O)
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

// layer 3: Asio transport
#include <sipws/transport.hpp>

// layer 4: RFC 7118 semantics
#include <sipws/rfc7118/aor.hpp>
#include <sipws/rfc7118/auth_params.hpp>
#include <sipws/rfc7118/binding_store.hpp>
#include <sipws/rfc7118/digest.hpp>
#include <sipws/rfc7118/digest_client.hpp>
#include <sipws/rfc7118/digest_server.hpp>
#include <sipws/rfc7118/dns.hpp>
#include <sipws/rfc7118/dns_message.hpp>
#include <sipws/rfc7118/error.hpp>
#include <sipws/rfc7118/flow_token.hpp>
#include <sipws/rfc7118/gruu.hpp>
#include <sipws/rfc7118/identifiers.hpp>
#include <sipws/rfc7118/instance_id.hpp>
#include <sipws/rfc7118/outbound_edge.hpp>
#include <sipws/rfc7118/registrar.hpp>
#include <sipws/rfc7118/via_stamp.hpp>
#include <sipws/rfc7118/web_identity.hpp>
#include <sipws/rfc7118/instance_id_file.hpp>
// the client (user agent) side
#include <sipws/rfc7118/ua_via.hpp>
#include <sipws/rfc7118/ua_contact.hpp>
#include <sipws/rfc7118/ua_request.hpp>
#include <sipws/rfc7118/ua_transaction.hpp>
#include <sipws/rfc7118/ua_authentication.hpp>
#include <sipws/rfc7118/ua_client_request.hpp>
#include <sipws/rfc7118/ua_gruu.hpp>
#include <sipws/rfc7118/ua_outbound.hpp>
#include <sipws/rfc7118/ua_registration.hpp>
#include <sipws/rfc7118/ua_answer.hpp>
// Not included here: <sipws/rfc7118/dns_system_resolver.hpp> (POSIX
// res_nquery; link `resolv`), included on purpose by programs that use it.

#endif
