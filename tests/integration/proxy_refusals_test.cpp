// What sipws-proxy refuses to proxy: a dialog-forming request whose Contact
// is somebody else's GRUU of its domain (403, RFC 5627 section 6.2), and the
// checks of RFC 3261 section 16.3 (483, 416, 420 with Unsupported).
#include "transport_support.hpp"

#include <sipws/rfc7118/identifiers.hpp>
#include <sipws/rfc7118/ua_registration.hpp>
#include <sipws/rfc7118/ua_request.hpp>
#include <sipws/rfc7118/ua_via.hpp>
#include <sipws/sip/parser.hpp>

#include "support/mailbox.hpp"
#include "support/proxy.hpp"
#include "support/test.hpp"

#include <future>
#include <string>
#include <utility>

namespace tr = sipws::transport;
namespace sip = sipws::sip;
namespace r7 = sipws::rfc7118;

TEST_CASE("sipws-proxy: an INVITE whose Contact is another user's GRUU is refused with 403",
          "[interop][proxy][gruu][GR5627-6.2-a]") {
    sipws::test::sipws_proxy proxy;
    sipws::test::mailbox_client ua;
    const tr::flow_id flow = ua.open(proxy.ws_url() + "/");
    REQUIRE(flow != 0);
    auto& c = ua.connector;
    auto& mb = ua.mb;

    r7::registration_options ro;
    ro.registrar_uri = "sip:sipws.test";
    ro.aor = "sip:alice@sipws.test";
    ro.contact = r7::make_ua_contact("alice", false, "urn:uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6");
    r7::registration reg(ro);
    REQUIRE_FALSE(c.registry().send(flow, reg.register_request()));
    const std::string ok = mb.next(flow);
    auto okm = sip::parse(ok);
    REQUIRE(okm);
    REQUIRE(reg.on_response(*okm).what == r7::registration::event::kind::registered);
    REQUIRE_FALSE(reg.gruus().temp().empty());

    // An INVITE from \p from to carol (not registered) with \p contact; the proxy's status.
    auto invite = [&](const std::string& from, const std::string& contact) {
        r7::request_spec s = r7::make_out_of_dialog_spec("INVITE", "sip:carol@sipws.test", from, {},
                                                         "<" + contact + ">");
        s.via = r7::make_ua_via(false, ro.contact.host, r7::make_branch());
        REQUIRE_FALSE(c.registry().send(flow, r7::make_request(s)));
        const std::string answer = mb.next(flow);
        INFO("answer:\n" << answer << "\nproxy:\n" << proxy.output());
        auto m = sip::parse(answer);
        REQUIRE(m);
        return m->status_code();
    };
    // Her own GRUUs pass the check (carol is not registered: 480).
    CHECK(invite("sip:alice@sipws.test", reg.gruus().pub() + ";ob") == 480);
    CHECK(invite("sip:alice@sipws.test", reg.gruus().temp() + ";ob") == 480);
    CHECK(invite("sip:alice@sipws.test", r7::contact_uri(ro.contact)) == 480);
    // Her GRUUs in somebody else's request, or another user's GRUU in hers: 403.
    CHECK(invite("sip:mallory@sipws.test", reg.gruus().temp() + ";ob") == 403);
    CHECK(invite("sip:mallory@sipws.test", reg.gruus().pub()) == 403);
    CHECK(invite("sip:alice@sipws.test", "sip:bob@sipws.test;gr=urn:uuid:8c3ea789-af7d-4cca-9f71-6841e054801f;ob") == 403);
}

TEST_CASE("sipws-proxy: Max-Forwards 0 (483) - a Request-URI scheme it does not route (416) - an unknown "
          "Proxy-Require (420 with Unsupported)",
          "[interop][proxy][SIP3261-16.3-a]") {
    sipws::test::sipws_proxy proxy;
    sipws::test::mailbox_client ua;
    const tr::flow_id flow = ua.open(proxy.ws_url() + "/");
    REQUIRE(flow != 0);
    auto& c = ua.connector;
    auto& mb = ua.mb;
    const std::string host = r7::make_invalid_host();
    auto message = [&](const std::string& ruri, const std::string& extra, unsigned max_forwards = 70) {
        r7::request_spec s = r7::make_out_of_dialog_spec("MESSAGE", ruri, "sip:alice@sipws.test");
        s.via = r7::make_ua_via(false, host, r7::make_branch());
        s.max_forwards = max_forwards;
        s.headers = {{"X-Test", "1"}};
        std::string text = r7::make_request(s);
        text.insert(text.find("X-Test"), extra);
        REQUIRE_FALSE(c.registry().send(flow, text));
        const std::string answer = mb.next(flow);
        INFO("answer:\n" << answer << "\nproxy:\n" << proxy.output());
        auto m = sip::parse(answer);
        REQUIRE(m);
        return std::make_pair(m->status_code(), std::string(m->value(sip::header_id::unsupported)));
    };
    CHECK(message("sip:carol@sipws.test", "").first == 480); // passes the checks; nobody bound
    CHECK(message("sip:carol@sipws.test", "Proxy-Require: outbound, gruu\r\n").first == 480);
    CHECK(message("sip:carol@sipws.test", "", 0).first == 483);
    CHECK(message("tel:+15551234567", "").first == 416);
    CHECK(message("mailto:carol@sipws.test", "").first == 416);
    auto r = message("sip:carol@sipws.test", "Proxy-Require: gruu, x-frob\r\n");
    CHECK(r.first == 420);
    CHECK(r.second == "x-frob");
}
