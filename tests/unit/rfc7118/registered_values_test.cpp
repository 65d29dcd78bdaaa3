// The values RFC 7118 section 10 registers, as the library writes and reads
// them: the WebSocket subprotocol `sip`, the Via transports `WS` and `WSS`,
// the URI transport parameter value `ws` (for ws and wss alike), and the
// NAPTR services `SIP+D2W` / `SIPS+D2W` (the D2W tests resolve them).
#include <sipws/rfc7118/ua_contact.hpp>
#include <sipws/rfc7118/ua_via.hpp>
#include <sipws/sip/parser.hpp>
#include <sipws/sip/uri.hpp>
#include <sipws/sip/via.hpp>
#include <sipws/transport/policy/subprotocol.hpp>
#include <sipws/ws/client_handshake.hpp>
#include <sipws/ws/server_handshake.hpp>

#include "support/test.hpp"

#include <string>
#include <vector>

namespace r7 = sipws::rfc7118;
namespace sip = sipws::sip;

TEST_CASE("registered values: WebSocket subprotocol sip", "[rfc7118][WS7118-10-a][WS7118-4.1-a]") {
    CHECK(sipws::ws::client_handshake_options{}.subprotocols == std::vector<std::string>{"sip"});
    CHECK(sipws::ws::server_handshake_options{}.subprotocols == std::vector<std::string>{"sip"});
    CHECK(sipws::transport::policy::sip_subprotocol{}.names == std::vector<std::string>{"sip"});
}

TEST_CASE("registered values: Via transports WS and WSS, URI transport ws",
          "[rfc7118][WS7118-10-a][WS7118-5.1-a][WS7118-5.2-a]") {
    for (bool secure : {false, true}) {
        INFO("secure " << secure);
        const std::string via = r7::make_ua_via(secure, "df7jal23ls0d.invalid", "z9hG4bK56sdasks");
        CHECK(via.rfind(secure ? "SIP/2.0/WSS " : "SIP/2.0/WS df7", 0) == 0);
        std::error_code ec;
        sip::via v = sip::parse_via(via, ec);
        REQUIRE_FALSE(ec);
        CHECK(v.transport == (secure ? "WSS" : "WS"));
        CHECK(v.is_ws() != secure);
        CHECK(v.is_wss() == secure);

        // The Contact says transport=ws for a wss connection too: `ws` is the
        // only registered URI value.
        const r7::ua_contact c =
            r7::make_ua_contact("alice", secure, "urn:uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6", 1);
        const std::string uri_text = r7::contact_uri(c);
        sip::uri u = sip::parse_uri(uri_text, ec);
        REQUIRE_FALSE(ec);
        CHECK(u.transport() == "ws");
        CHECK(u.is_ws_transport());
        CHECK(uri_text.find("wss") == std::string::npos);
    }
}
