#include <sipws/rfc7118/digest_server.hpp>
#include <sipws/rfc7118/ua_answer.hpp>
#include <sipws/rfc7118/ua_client_request.hpp>
#include <sipws/rfc7118/ua_gruu.hpp>
#include <sipws/rfc7118/ua_outbound.hpp>
#include <sipws/rfc7118/ua_registration.hpp>
#include <sipws/sip/parser.hpp>

#include "support/test.hpp"

#include <string>

using namespace sipws::rfc7118;
namespace sip = sipws::sip;
using namespace std::chrono_literals;

namespace {
const std::string instance = "urn:uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6";
using clock_type = client_transaction::clock;
const clock_type::time_point t0{};

registration_options make_options(bool with_password = false) {
    registration_options o;
    o.registrar_uri = "sip:example.com";
    o.aor = "sip:alice@example.com";
    o.contact = make_ua_contact("alice", true, instance, 1);
    o.expires = 600;
    o.user_agent = "sipws-test";
    if (with_password) {
        o.username = "alice";
        o.password = "secret";
    }
    return o;
}

/// The response a registrar sends to \p request: the request's Via, From,
/// To (+tag), Call-ID, CSeq, then \p extra rows.
std::string respond(const std::string& request, unsigned code, const std::string& extra = {}) {
    auto m = sip::parse(request);
    REQUIRE(m);
    sip::response_options ro;
    ro.to_tag = "reg-tag";
    ro.extra_headers = extra;
    return sip::make_response(*m, code, {}, ro);
}

/// The Contact of \p request (as sent) with `;expires=N` and more params.
std::string echo_contact(const std::string& request, const std::string& params) {
    auto m = sip::parse(request);
    REQUIRE(m);
    std::string c(m->values(sip::header_id::contact).front());
    auto e = c.find(";expires=");
    if (e != std::string::npos) c.erase(e);
    return "Contact: " + c + params + "\r\n";
}

registration::event feed(registration& r, const std::string& text, clock_type::time_point now = t0) {
    auto m = sip::parse(text);
    REQUIRE(m);
    return r.on_response(*m, now);
}
} // namespace

TEST_CASE("ua registration: REGISTER as RFC 7118 section 8.1 shows it",
          "[rfc7118][ua][registration][E1-F3-a][E1-F3-b][E1-F3-c][E1-F3-d][E1-F3-e][E1-F3-f]"
          "[OB5626-4.2.1-a][GR5627-4.1-a][WS7118-B.1-c]") {
    registration r(make_options());
    const std::string req = r.register_request(t0);
    auto m = sip::parse(req);
    REQUIRE(m);
    CHECK(m->method() == "REGISTER");
    CHECK(m->request_uri() == "sip:example.com");
    CHECK(m->cseq()->number == 1u);
    CHECK(m->values(sip::header_id::via).size() == 1u);
    auto via = m->top_via();
    REQUIRE(via);
    CHECK(via->is_wss());
    CHECK(via->host == r.options().contact.host);
    CHECK(via->has_magic_cookie());
    CHECK(m->from()->has_tag());
    CHECK_FALSE(m->to()->has_tag());
    CHECK(m->from()->uri_text == "sip:alice@example.com");
    CHECK(m->to()->uri_text == "sip:alice@example.com");
    for (const char* tag : {"path", "outbound", "gruu"})
        CHECK(m->has_option_tag(sip::header_id::supported, tag));
    REQUIRE(m->contacts().size() == 1u);
    sip::name_addr c = *m->contacts().begin();
    CHECK(c.instance_id() == instance);
    CHECK(c.reg_id() == 1);
    CHECK(c.uri.host == via->host);
    CHECK(c.uri.is_ws_transport());
    CHECK(m->expires() == 600u);
    CHECK(m->value(sip::header_id::user_agent) == "sipws-test");
    CHECK(r.state() == registration_state::registering);
}

TEST_CASE("ua registration: a 200 grants the expiry, confirms Outbound and gives GRUUs",
          "[rfc7118][ua][registration][E1-F4-c][E1-F4-d][E1-F4-f][OB5626-4.2.1-c][OB5626-4.4-a]"
          "[GR5627-4.2-a][GR5627-4.2-c][GR5627-4.1-c][OB5626-4.2.2-a]") {
    registration r(make_options());
    const std::string req = r.register_request(t0);
    const std::string pub = "sip:alice@example.com;gr=" + instance;
    const std::string temp = "sip:87ash54=3dd.98a@example.com;gr";
    auto ev = feed(r, respond(req, 200,
                              echo_contact(req, ";pub-gruu=\"" + pub + "\";temp-gruu=\"" + temp +
                                                    "\";expires=3600") +
                                  "Contact: <sip:alice@other.invalid;transport=ws>;expires=100\r\n"
                                  "Require: outbound\r\nFlow-Timer: 25\r\n"));
    REQUIRE(ev.what == registration::event::kind::registered);
    CHECK(ev.status == 200u);
    CHECK(r.registered());
    CHECK(r.granted_expires() == 3600u);
    CHECK(r.bindings() == 2u);
    CHECK(r.refresh_interval() == 3568s); // 32 s early
    CHECK(r.outbound_active());
    CHECK(r.flow_timer_seconds() == 25u);
    CHECK(r.gruus().pub() == pub);
    CHECK(r.gruus().temp() == temp);

    // The refresh keeps Call-ID, From tag, instance and reg-id; CSeq grows.
    const std::string refresh = r.register_request(t0);
    auto a = sip::parse(req);
    auto b = sip::parse(refresh);
    REQUIRE((a && b));
    CHECK(b->call_id() == a->call_id());
    CHECK(b->from()->tag() == a->from()->tag());
    CHECK(b->cseq()->number == a->cseq()->number + 1);
    CHECK(b->top_via()->branch != a->top_via()->branch);
    CHECK((*b->contacts().begin()).instance_id() == instance);
    CHECK((*b->contacts().begin()).reg_id() == 1);

    // The refresh's 200 without Require: outbound and without GRUUs.
    ev = feed(r, respond(refresh, 200, echo_contact(refresh, ";expires=60")));
    REQUIRE(ev.what == registration::event::kind::registered);
    CHECK(r.granted_expires() == 60u);
    CHECK(r.refresh_interval() == 30s); // half time under 64 s
    CHECK_FALSE(r.outbound_active());
    CHECK(r.gruus().pub().empty());
    CHECK(r.gruus().temp() == temp); // same Call-ID: still valid
}

TEST_CASE("ua registration: expiry from the Expires header, and a missing binding fails",
          "[rfc7118][ua][registration]") {
    registration r(make_options());
    std::string req = r.register_request(t0);
    auto ev = feed(r, respond(req, 200, echo_contact(req, "") + "Expires: 120\r\n"));
    REQUIRE(ev.what == registration::event::kind::registered);
    CHECK(r.granted_expires() == 120u);

    req = r.register_request(t0);
    ev = feed(r, respond(req, 200, "Contact: <sip:bob@x.invalid;transport=ws>;expires=5\r\n"));
    CHECK(ev.what == registration::event::kind::failed);
    CHECK(ev.reason.find("missing") != std::string::npos);
    CHECK(r.state() == registration_state::failed);
}

TEST_CASE("ua registration: 401 is answered once with digest credentials",
          "[rfc7118][ua][registration][auth][WS7118-7-f][DIG7616-3.4-b][DIG8760-2.6-b]") {
    digest_server server(digest_server_options("example.com"));
    auto lookup = [](const digest_credentials& c) -> std::optional<digest_secret> {
        if (c.username != "alice") return std::nullopt;
        return digest_secret{"alice", "secret", {}};
    };
    std::string challenge;
    for (auto& v : server.challenges()) challenge += "WWW-Authenticate: " + v + "\r\n";

    registration r(make_options(true));
    const std::string first = r.register_request(t0);
    auto ev = feed(r, respond(first, 401, challenge));
    REQUIRE(ev.what == registration::event::kind::send);
    auto retry = sip::parse(ev.request);
    REQUIRE(retry);
    CHECK(retry->cseq()->number == 2u);
    CHECK(retry->call_id() == sip::parse(first)->call_id());
    CHECK(retry->top_via()->branch != sip::parse(first)->top_via()->branch);
    auto auth = retry->value(sip::header_id::authorization);
    REQUIRE_FALSE(auth.empty());
    auto verdict = server.verify(auth, "REGISTER", lookup, "sip:example.com");
    CHECK(verdict.status == digest_status::ok);
    CHECK(verdict.username == "alice");

    // The response to the first attempt no longer matches.
    CHECK(feed(r, respond(first, 200, echo_contact(first, ""))).what ==
          registration::event::kind::none);
    ev = feed(r, respond(ev.request, 200, echo_contact(ev.request, ";expires=600")));
    CHECK(ev.what == registration::event::kind::registered);

    // A refresh challenged afresh (nonce forgotten) is answered again.
    const std::string refresh = r.register_request(t0);
    CHECK(sip::parse(refresh)->cseq()->number == 3u);
    ev = feed(r, respond(refresh, 401, challenge));
    CHECK(ev.what == registration::event::kind::send);
}

TEST_CASE("ua registration: a wrong password or no password fails, never loops",
          "[rfc7118][ua][registration][auth][WS7118-7-f]") {
    digest_server server(digest_server_options("example.com"));
    std::string challenge = "WWW-Authenticate: " + server.challenges().front() + "\r\n";

    registration r(make_options(true));
    std::string req = r.register_request(t0);
    auto ev = feed(r, respond(req, 401, challenge));
    REQUIRE(ev.what == registration::event::kind::send);
    ev = feed(r, respond(ev.request, 401, challenge)); // refused again, not stale
    CHECK(ev.what == registration::event::kind::failed);
    CHECK(ev.status == 401u);
    CHECK(ev.error == make_error_code(error::credentials_rejected));

    // stale=true is retried, but not forever.
    registration s(make_options(true));
    req = s.register_request(t0);
    std::string stale = "WWW-Authenticate: " + server.challenges(true).front() + "\r\n";
    int sends = 0;
    ev = feed(s, respond(req, 401, stale));
    while (ev.what == registration::event::kind::send && sends < 10) {
        ++sends;
        ev = feed(s, respond(ev.request, 401, stale));
    }
    CHECK(sends == static_cast<int>(request_authenticator::max_attempts));
    CHECK(ev.what == registration::event::kind::failed);

    registration none(make_options(false));
    req = none.register_request(t0);
    ev = feed(none, respond(req, 401, challenge));
    CHECK(ev.what == registration::event::kind::failed);
    CHECK(ev.error == make_error_code(error::credentials_rejected));

    registration forbidden(make_options(true));
    req = forbidden.register_request(t0);
    ev = feed(forbidden, respond(req, 403));
    CHECK(ev.what == registration::event::kind::failed);
    CHECK(ev.status == 403u);
    CHECK_FALSE(ev.error);
}

TEST_CASE("ua registration: 423 Interval Too Brief retries with Min-Expires",
          "[rfc7118][ua][registration]") {
    registration r(make_options());
    std::string req = r.register_request(t0);
    auto ev = feed(r, respond(req, 423, "Min-Expires: 1800\r\n"));
    REQUIRE(ev.what == registration::event::kind::send);
    auto m = sip::parse(ev.request);
    REQUIRE(m);
    CHECK(m->expires() == 1800u);
    CHECK(m->cseq()->number == 2u);
    CHECK(r.requested_expires() == 1800u);
    ev = feed(r, respond(ev.request, 200, echo_contact(ev.request, ";expires=1800")));
    CHECK(ev.what == registration::event::kind::registered);
    // The next refresh asks for the raised value and the next CSeq.
    const std::string next_text = r.register_request(t0);
    auto next = sip::parse(next_text);
    CHECK(next->expires() == 1800u);
    CHECK(next->cseq()->number == 3u);

    // A Min-Expires that is not above what we asked, or none: failure.
    registration s(make_options());
    req = s.register_request(t0);
    CHECK(feed(s, respond(req, 423, "Min-Expires: 10\r\n")).what ==
          registration::event::kind::failed);
    req = s.register_request(t0);
    CHECK(feed(s, respond(req, 423)).what == registration::event::kind::failed);
}

TEST_CASE("ua registration: unregister sends Expires 0 and drops the GRUUs",
          "[rfc7118][ua][registration][GR5627-4.4-b]") {
    registration r(make_options());
    std::string req = r.register_request(t0);
    feed(r, respond(req, 200,
                    echo_contact(req, ";pub-gruu=\"sip:alice@example.com;gr=" + instance +
                                          "\";expires=600")));
    REQUIRE(r.registered());
    REQUIRE_FALSE(r.gruus().empty());
    std::string un = r.unregister_request(t0);
    auto m = sip::parse(un);
    REQUIRE(m);
    CHECK(m->expires() == 0u);
    CHECK((*m->contacts().begin()).expires() == 0);
    CHECK(r.state() == registration_state::unregistering);
    auto ev = feed(r, respond(un, 200));
    CHECK(ev.what == registration::event::kind::unregistered);
    CHECK(r.state() == registration_state::unregistered);
    CHECK(r.gruus().empty());
}

TEST_CASE("ua registration: Contact * removes every binding, without instance or reg-id",
          "[rfc7118][ua][registration][OB5626-4.2.3-a]") {
    registration r(make_options());
    std::string un = r.unregister_all_request(t0);
    auto m = sip::parse(un);
    REQUIRE(m);
    CHECK(m->value(sip::header_id::contact) == "*");
    CHECK(m->expires() == 0u);
    CHECK(un.find("+sip.instance") == std::string::npos);
    CHECK(un.find("reg-id") == std::string::npos);
    CHECK(feed(r, respond(un, 200)).what == registration::event::kind::unregistered);
}

TEST_CASE("ua registration: no final response within Timer F is a 408",
          "[rfc7118][ua][registration][WS7118-4.1-e][WS7118-5-a]") {
    registration r(make_options());
    std::string req = r.register_request(t0);
    CHECK(r.deadline() == t0 + client_transaction::default_timeout);
    CHECK(r.on_timer(t0 + 1s).what == registration::event::kind::none);
    const std::string trying = respond(req, 100);
    auto m = sip::parse(trying);
    REQUIRE(m);
    CHECK(r.on_response(*m, t0).what == registration::event::kind::none); // provisional
    auto ev = r.on_timer(t0 + 32s);
    CHECK(ev.what == registration::event::kind::failed);
    CHECK(ev.status == 408u);
    CHECK(r.on_timer(t0 + 40s).what == registration::event::kind::none); // only once
}

TEST_CASE("ua transaction: responses match by branch and CSeq", "[rfc7118][ua][transaction]") {
    request_spec s = make_out_of_dialog_spec("MESSAGE", "sip:bob@example.com", "sip:alice@example.com");
    client_request req(s, "h.invalid", false);
    const std::string text = req.send(t0);
    const std::string ok_text = respond(text, 200);
    auto ok = sip::parse(ok_text);
    REQUIRE(ok);
    CHECK(req.transaction().matches(*ok));

    // Same branch, other method or CSeq number: not ours.
    std::string other_method = respond(text, 200);
    other_method.replace(other_method.find("CSeq: 1 MESSAGE"), 15, "CSeq: 1 OPTIONS");
    auto om = sip::parse(other_method);
    REQUIRE(om);
    CHECK_FALSE(req.transaction().matches(*om));
    std::string other_number = respond(text, 200);
    other_number.replace(other_number.find("CSeq: 1 MESSAGE"), 15, "CSeq: 7 MESSAGE");
    auto on = sip::parse(other_number);
    REQUIRE(on);
    CHECK_FALSE(req.transaction().matches(*on));
    CHECK(req.on_response(*om, t0).what == client_request::result::kind::ignored);

    const std::string trying_text = respond(text, 100);
    auto trying = sip::parse(trying_text);
    CHECK(req.on_response(*trying, t0).what == client_request::result::kind::provisional);
    auto r = req.on_response(*ok, t0);
    CHECK(r.what == client_request::result::kind::final);
    CHECK(r.status == 200u);
    CHECK(r.reason == "OK");
    // Ended: a duplicate is ignored, no timeout afterwards.
    CHECK(req.on_response(*ok, t0).what == client_request::result::kind::ignored);
    CHECK(req.on_timer(t0 + 1h).what == client_request::result::kind::ignored);
}

TEST_CASE("ua transaction: a 407 to MESSAGE is answered with Proxy-Authorization",
          "[rfc7118][ua][transaction][auth][WS7118-7-f]") {
    digest_server server(digest_server_options("example.com"));
    request_authenticator auth("alice", "secret");
    request_spec s = make_out_of_dialog_spec("MESSAGE", "sip:bob@example.com", "sip:alice@example.com");
    s.content_type = "text/plain";
    s.body = "hi";
    client_request req(s, "h.invalid", false, &auth);
    const std::string text = req.send(t0);
    const std::string challenge = respond(text, 407, "Proxy-Authenticate: " + server.challenges().front() + "\r\n");
    auto r = req.on_response(*sip::parse(challenge), t0);
    REQUIRE(r.what == client_request::result::kind::retry);
    auto m = sip::parse(r.request);
    REQUIRE(m);
    CHECK(m->cseq()->number == 2u);
    CHECK(m->body() == "hi");
    auto v = server.verify(m->value(sip::header_id::proxy_authorization), "MESSAGE",
                           [](const digest_credentials&) -> std::optional<digest_secret> {
                               return digest_secret{"alice", "secret", {}};
                           },
                           "sip:bob@example.com");
    CHECK(v.status == digest_status::ok);
    const std::string final_response = respond(r.request, 480);
    auto fin = req.on_response(*sip::parse(final_response), t0);
    CHECK(fin.what == client_request::result::kind::final);
    CHECK(fin.status == 480u);
}

TEST_CASE("ua gruu: GRUUs of our instance only; Call-ID change drops temporary ones",
          "[rfc7118][ua][gruu][GR5627-4.2-a][GR5627-4.2-b][GR5627-4.4-a][GR5627-4.4-b][E1-F4-d]"
          "[GR5627-4.2-d]") {
    // RFC 7118 8.1 F4 (instance shortened in the RFC).
    const std::string f4 =
        "SIP/2.0 200 OK\r\nVia: SIP/2.0/WSS df7jal23ls0d.invalid;branch=z9hG4bKasudf\r\n"
        "From: sip:alice@example.com;tag=65bnmj.34asd\r\nTo: sip:alice@example.com;tag=12isjljn8\r\n"
        "Call-ID: aiuy7k9njasd\r\nCSeq: 1 REGISTER\r\nSupported: outbound, gruu\r\n"
        "Contact: <sip:alice@df7jal23ls0d.invalid;transport=ws>;reg-id=1;+sip.instance=\"<urn:uuid:f81-7dec-14a06cf1>\";"
        "pub-gruu=\"sip:alice@example.com;gr=urn:uuid:f81-7dec-14a06cf1\";temp-gruu=\"sip:87ash54=3dd.98a@example.com;gr\";expires=3600\r\n\r\n";
    auto m = sip::parse(f4);
    REQUIRE(m);
    ua_gruus g = gruus_for_instance(*m, "urn:uuid:f81-7dec-14a06cf1");
    CHECK(g.pub == "sip:alice@example.com;gr=urn:uuid:f81-7dec-14a06cf1");
    CHECK(g.temp == "sip:87ash54=3dd.98a@example.com;gr");
    CHECK(gruus_for_instance(*m, instance).empty());
    CHECK_FALSE(outbound_confirmed(*m)); // E1-F4-g: no Require: outbound

    gruu_state st;
    CHECK(st.contact_uri("sip:alice@h.invalid;transport=ws;ob") == "sip:alice@h.invalid;transport=ws;ob");
    st.on_register_response(*m, "aiuy7k9njasd", "urn:uuid:f81-7dec-14a06cf1");
    CHECK(st.contact_uri("x") == g.pub);
    CHECK(st.contact_uri("x", true) == g.temp);

    // A non-2xx changes nothing.
    std::string failed = f4;
    failed.replace(0, 15, "SIP/2.0 500 Oops");
    st.on_register_response(*sip::parse(failed), "other-call-id", "urn:uuid:f81-7dec-14a06cf1");
    CHECK(st.temp() == g.temp);
    // A 2xx with another Call-ID and no temp-gruu drops the old temporary GRUU.
    std::string no_temp = f4;
    no_temp.erase(no_temp.find(";temp-gruu"), std::string(";temp-gruu=\"sip:87ash54=3dd.98a@example.com;gr\"").size());
    st.on_register_response(*sip::parse(no_temp), "other-call-id", "urn:uuid:f81-7dec-14a06cf1");
    CHECK(st.temp().empty());
    CHECK(st.pub() == g.pub);
    st.clear();
    CHECK(st.empty());

    // A value that is not a GRUU (no gr) or not quoted is ignored.
    std::string bogus = f4;
    bogus.replace(bogus.find("pub-gruu=\"sip:alice@example.com;gr=urn:uuid:f81-7dec-14a06cf1\""),
                  std::string("pub-gruu=\"sip:alice@example.com;gr=urn:uuid:f81-7dec-14a06cf1\"").size(),
                  "pub-gruu=\"sip:alice@example.com\"");
    CHECK(gruus_for_instance(*sip::parse(bogus), "urn:uuid:f81-7dec-14a06cf1").pub.empty());

    // A GRUU is opaque: used as given, with unknown parameters, transport,
    // maddr and case untouched (GR5627-4.2-d).
    const std::string odd_gruu = "sips:AlIcE%41@Example.COM:5071;transport=tcp;maddr=192.0.2.1;x-opaque=Y7;gr=urn:uuid:f81-7dec-14a06cf1";
    std::string odd = f4;
    odd.replace(odd.find("sip:alice@example.com;gr=urn:uuid:f81-7dec-14a06cf1"),
                std::string("sip:alice@example.com;gr=urn:uuid:f81-7dec-14a06cf1").size(), odd_gruu);
    gruu_state st2;
    st2.on_register_response(*sip::parse(odd), "aiuy7k9njasd", "urn:uuid:f81-7dec-14a06cf1");
    CHECK(st2.contact_uri("x") == odd_gruu);
}

TEST_CASE("ua outbound: keep-alive intervals and flow recovery delays",
          "[rfc7118][ua][outbound][OB5626-4.4-a][OB5626-4.4.1-c][OB5626-4.4.1-b][OB5626-4.5-a]") {
    CHECK(keepalive_interval(std::nullopt, 0.0) == 96000ms);
    CHECK(keepalive_interval(std::nullopt, 1.0) == 120000ms);
    CHECK(keepalive_interval(std::nullopt, 1.0, true) == 840000ms);
    CHECK(keepalive_interval(std::nullopt, 0.0, true) == 672000ms);
    CHECK(keepalive_interval(25u, 0.0) == 20000ms);
    CHECK(keepalive_interval(25u, 1.0) == 25000ms);
    CHECK(keepalive_interval(25u, 7.0) == 25000ms); // clamped
    for (int i = 0; i < 50; ++i) {
        auto d = keepalive_interval(30u);
        CHECK(d >= 24000ms);
        CHECK(d <= 30000ms);
    }
    sipws::transport::policy::no_keepalive p;
    apply_crlf_keepalive(p, 20000ms);
    CHECK(p.mode == sipws::transport::keepalive_mode::crlf);
    CHECK(p.interval == 20000ms);
    CHECK(p.pong_timeout == 10s);

    CHECK(flow_recovery_delay(0, true, 1.0) == 30s);
    CHECK(flow_recovery_delay(0, true, 0.0) == 15s);
    CHECK(flow_recovery_delay(0, false, 1.0) == 90s);
    CHECK(flow_recovery_delay(2, true, 1.0) == 120s);
    CHECK(flow_recovery_delay(30, false, 1.0) == 1800s);
    CHECK(flow_recovery_delay(30, false, 0.0) == 900s);
    flow_recovery_times fast; // configurable times (RFC 5626 4.5)
    fast.all_flows_failed = 1s;
    fast.max = 5s;
    CHECK(flow_recovery_delay(0, true, 0.0, fast) == 500ms);
    CHECK(flow_recovery_delay(0, true, 1.0, fast) == 1s);
    CHECK(flow_recovery_delay(2, true, 1.0, fast) == 4s);
    CHECK(flow_recovery_delay(3, true, 1.0, fast) == 5s);
    CHECK(flow_recovery_delay(0, false, 1.0, fast) == 5s); // 90 s base, capped by max

    const std::string ok = "SIP/2.0 200 OK\r\nVia: SIP/2.0/WS h.invalid;branch=z9hG4bKa\r\n"
                           "From: <sip:a@b>;tag=1\r\nTo: <sip:a@b>;tag=2\r\nCall-ID: c\r\n"
                           "CSeq: 1 REGISTER\r\nRequire: outbound\r\nFlow-Timer: 0\r\n\r\n";
    auto m = sip::parse(ok);
    REQUIRE(m);
    CHECK(outbound_confirmed(*m));
    CHECK_FALSE(flow_timer(*m)); // 0 is no timer
}

TEST_CASE("ua answer: MESSAGE gets 200 with a To tag, OPTIONS 200, others 405, ACK nothing",
          "[rfc7118][ua][answer][SIP3261-8.2-a]") {
    auto req = [](const std::string& method) {
        return method + " sip:alice@h.invalid;transport=ws SIP/2.0\r\n"
                        "Via: SIP/2.0/WS 127.0.0.1:5060;branch=z9hG4bKabc;rport=1;received=127.0.0.1\r\n"
                        "From: <sip:bob@example.com>;tag=b1\r\nTo: <sip:alice@example.com>\r\n"
                        "Call-ID: m1\r\nCSeq: 5 " +
               method + "\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\nhi";
    };
    const std::string message_text = req("MESSAGE");
    auto msg = sip::parse(message_text);
    REQUIRE(msg);
    CHECK(from_uri(*msg) == "sip:bob@example.com");
    auto a = answer_request(*msg);
    REQUIRE(a);
    auto rsp = sip::parse(*a);
    REQUIRE(rsp);
    CHECK(rsp->status_code() == 200u);
    CHECK(rsp->to()->has_tag());
    CHECK(rsp->top_via()->branch == "z9hG4bKabc");
    CHECK(rsp->cseq()->number == 5u);
    CHECK(rsp->cseq()->method == "MESSAGE");
    CHECK(rsp->call_id() == "m1");

    ua_answer_options o;
    o.to_tag = "fixed";
    const std::string options_request = req("OPTIONS"), invite = req("INVITE"), ack = req("ACK");
    const std::string opt_text = *answer_request(*sip::parse(options_request), o);
    auto opt = sip::parse(opt_text);
    REQUIRE(opt);
    CHECK(opt->status_code() == 200u);
    CHECK(opt->to()->tag() == "fixed");
    CHECK(opt->value(sip::header_id::allow) == "MESSAGE, OPTIONS");
    CHECK(opt->has_option_tag(sip::header_id::supported, "outbound"));

    const std::string inv_text = *answer_request(*sip::parse(invite));
    auto inv = sip::parse(inv_text);
    REQUIRE(inv);
    CHECK(inv->status_code() == 405u);
    CHECK(inv->has(sip::header_id::allow));
    CHECK_FALSE(answer_request(*sip::parse(ack)));
}

TEST_CASE("ua registration: Require: gruu only when asked for, never Proxy-Require",
          "[rfc7118][ua][registration][gruu][GR5627-4.1-d]") {
    {
        registration r(make_options());
        const std::string req = r.register_request(t0);
        auto m = sip::parse(req);
        REQUIRE(m);
        CHECK_FALSE(m->has_option_tag(sip::header_id::require, "gruu"));
        CHECK(m->has_option_tag(sip::header_id::supported, "gruu"));
        CHECK(req.find("Proxy-Require") == std::string::npos);
    }
    auto o = make_options();
    o.require_gruu = true;
    registration r(o);
    const std::string req = r.register_request(t0);
    auto m = sip::parse(req);
    REQUIRE(m);
    CHECK(m->has_option_tag(sip::header_id::require, "gruu"));
    CHECK(m->values(sip::header_id::require).size() == 1u);
    CHECK(req.find("Proxy-Require") == std::string::npos);
    // The refresh keeps it; removing every binding does not insist on GRUU.
    feed(r, respond(req, 200, echo_contact(req, ";expires=600")));
    const std::string refresh = r.register_request(t0);
    auto m2 = sip::parse(refresh);
    REQUIRE(m2);
    CHECK(m2->has_option_tag(sip::header_id::require, "gruu"));
    const std::string all = r.unregister_all_request(t0);
    auto m3 = sip::parse(all);
    REQUIRE(m3);
    CHECK_FALSE(m3->has_option_tag(sip::header_id::require, "gruu"));
}

TEST_CASE("ua registration: 439 First Hop Lacks Outbound Support is retried without Outbound",
          "[rfc7118][ua][registration][outbound][OB5626-4.2.1-d]") {
    registration r(make_options());
    const std::string first = r.register_request(t0);
    auto f = sip::parse(first);
    REQUIRE(f);
    REQUIRE(f->contacts().size() == 1u);
    CHECK((*f->contacts().begin()).reg_id() == 1);
    CHECK((*f->contacts().begin()).uri.has_param("ob"));

    auto ev = feed(r, respond(first, 439));
    REQUIRE(ev.what == registration::event::kind::send);
    CHECK(r.outbound_refused());
    auto m = sip::parse(ev.request);
    REQUIRE(m);
    // A new transaction of the same registration: same Call-ID, next CSeq, new branch.
    CHECK(m->call_id() == f->call_id());
    CHECK(m->cseq()->number == f->cseq()->number + 1);
    CHECK(m->top_via()->branch != f->top_via()->branch);
    // Without Outbound: no reg-id, no ob; the instance stays for GRUU.
    REQUIRE(m->contacts().size() == 1u);
    const sip::name_addr c = *m->contacts().begin();
    CHECK(c.reg_id() < 0);
    CHECK_FALSE(c.uri.has_param("ob"));
    CHECK(instance_ids_equal(c.instance_id(), instance));

    // The registrar takes it; Outbound is not in force, even if it said so.
    ev = feed(r, respond(ev.request, 200, echo_contact(ev.request, ";expires=600") + "Require: outbound\r\n"));
    CHECK(ev.what == registration::event::kind::registered);
    CHECK(r.granted_expires() == 600u);
    CHECK_FALSE(r.outbound_active());
    // Refreshes stay without Outbound.
    const std::string refresh = r.register_request(t0);
    auto m2 = sip::parse(refresh);
    REQUIRE(m2);
    CHECK((*m2->contacts().begin()).reg_id() < 0);

    // A second 439 (nothing left to drop) fails; so does the first one when
    // the caller asked to choose another outbound proxy instead.
    ev = feed(r, respond(refresh, 439));
    CHECK(ev.what == registration::event::kind::failed);
    CHECK(ev.status == 439u);
    auto o = make_options();
    o.on_439 = registration_options::on_439_action::fail;
    registration r2(o);
    const std::string req2 = r2.register_request(t0);
    ev = feed(r2, respond(req2, 439));
    CHECK(ev.what == registration::event::kind::failed);
    CHECK(ev.status == 439u);
    CHECK_FALSE(r2.outbound_refused());
}

TEST_CASE("ua registration: one registration per outbound proxy, each with its reg-id and Call-ID",
          "[rfc7118][ua][registration][outbound][OB5626-4.2.1-e]") {
    const auto base = make_options();
    registration a(outbound_flow_options(base, 0));
    registration b(outbound_flow_options(base, 1));
    const std::string ra = a.register_request(t0);
    const std::string rb = b.register_request(t0);
    auto ma = sip::parse(ra);
    auto mb = sip::parse(rb);
    REQUIRE(ma);
    REQUIRE(mb);
    CHECK((*ma->contacts().begin()).reg_id() == 1);
    CHECK((*mb->contacts().begin()).reg_id() == 2);
    CHECK(ma->call_id() != mb->call_id());
    CHECK(instance_ids_equal((*ma->contacts().begin()).instance_id(), (*mb->contacts().begin()).instance_id()));
    // Each registration recognises its own binding only.
    auto ev = feed(a, respond(ra, 200, echo_contact(rb, ";expires=300") + echo_contact(ra, ";expires=600")));
    CHECK(ev.what == registration::event::kind::registered);
    CHECK(a.granted_expires() == 600u);
    ev = feed(b, respond(rb, 200, echo_contact(ra, ";expires=600") + echo_contact(rb, ";expires=300")));
    CHECK(ev.what == registration::event::kind::registered);
    CHECK(b.granted_expires() == 300u);
    CHECK_THROWS_AS(outbound_flow_options(base, 0x7fffffffu), std::invalid_argument);
}

TEST_CASE("ua gruu: the display form drops gr, the wire form is used as received",
          "[rfc7118][ua][gruu][GR5627-4.5-a]") {
    CHECK(gruu_display_form("sip:alice@example.com;gr=urn:uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6") ==
          "sip:alice@example.com");
    CHECK(gruu_display_form("sip:alice@example.com;transport=ws;GR=x;lr?subject=hi") ==
          "sip:alice@example.com;transport=ws;lr?subject=hi");
    CHECK(gruu_display_form("sip:tgruu.7hs==jd7vnzga5w7fajsc7-ajd6fabz0f8g5@example.com;gr") ==
          "sip:tgruu.7hs==jd7vnzga5w7fajsc7-ajd6fabz0f8g5@example.com");
    // A user part with ';' and a parameter that only starts with "gr" stay.
    CHECK(gruu_display_form("sip:a;gr=1@example.com;grx=2") == "sip:a;gr=1@example.com;grx=2");
    CHECK(gruu_display_form("sip:bob@example.com") == "sip:bob@example.com");
    // No fix-up: the GRUU goes into the Contact of a dialog exactly as the
    // registrar wrote it, gr and all.
    gruu_state g;
    const std::string rsp_text =
        "SIP/2.0 200 OK\r\nVia: SIP/2.0/WSS x.invalid;branch=z9hG4bKa\r\nFrom: <sip:alice@example.com>;tag=1\r\n"
        "To: <sip:alice@example.com>;tag=2\r\nCall-ID: c1\r\nCSeq: 1 REGISTER\r\n"
        "Contact: <sip:alice@x.invalid;transport=ws>;+sip.instance=\"<" + instance +
        ">\";pub-gruu=\"sip:alice@example.com;GR=" + instance + ";Foo\";expires=600\r\nContent-Length: 0\r\n\r\n";
    auto rsp = sip::parse(rsp_text);
    REQUIRE(rsp);
    g.on_register_response(*rsp, "c1", instance);
    CHECK(g.contact_uri("sip:alice@x.invalid") == "sip:alice@example.com;GR=" + instance + ";Foo");
    CHECK(gruu_display_form(g.pub()) == "sip:alice@example.com;Foo");
}
