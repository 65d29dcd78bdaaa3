// sipws-proxy as the originating proxy of a GRUU user (RFC 5627 section
// 6.2): a dialog-forming request whose Contact is a GRUU of the proxy's
// domain must carry one of the sender's own GRUUs; somebody else's is 403.
#include "transport_support.hpp"

#include <sipws/rfc7118/ua_registration.hpp>
#include <sipws/rfc7118/ua_request.hpp>
#include <sipws/rfc7118/ua_via.hpp>
#include <sipws/sip/parser.hpp>

#include "support/mailbox.hpp"
#include "support/proxy.hpp"
#include "support/test.hpp"

#include <future>
#include <string>

namespace tr = sipws::transport;
namespace sip = sipws::sip;
namespace r7 = sipws::rfc7118;

TEST_CASE("sipws-proxy: an INVITE whose Contact is another user's GRUU is refused with 403",
          "[interop][proxy][gruu][GR5627-6.2-a]") {
    sipws::test::sipws_proxy proxy;
    sipws::test::io_runner run(1);
    tr::connector<> c(run.io);
    sipws::test::mailbox mb;
    c.on_message(mb.handler());
    const tr::flow_id flow = sipws::test::open_flow(c, proxy.ws_url() + "/");
    REQUIRE(flow != 0);

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
