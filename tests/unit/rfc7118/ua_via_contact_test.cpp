#include <sipws/rfc7118/instance_id_file.hpp>
#include <sipws/rfc7118/ua_contact.hpp>
#include <sipws/rfc7118/ua_request.hpp>
#include <sipws/rfc7118/ua_via.hpp>
#include <sipws/sip/parser.hpp>

#include "support/test.hpp"

#include <unistd.h>

#include <fstream>
#include <string>

using namespace sipws::rfc7118;
namespace sip = sipws::sip;

namespace {
const std::string instance = "urn:uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6";

std::string response_with_via(const std::string& via) {
    return "SIP/2.0 200 OK\r\nVia: " + via +
           "\r\nFrom: <sip:alice@example.com>;tag=1\r\nTo: <sip:alice@example.com>;tag=2\r\n"
           "Call-ID: c1\r\nCSeq: 1 REGISTER\r\nContent-Length: 0\r\n\r\n";
}
} // namespace

TEST_CASE("ua via: WS and WSS transport, .invalid sent-by, fresh branch, rport",
          "[rfc7118][ua][WS7118-5.1-a][WS7118-B.1-a][SIP3261-8.1.1.7-a][NAT3581-3-a]") {
    const std::string host = make_invalid_host();
    const std::string b1 = make_branch(), b2 = make_branch();
    CHECK(b1 != b2);
    for (bool secure : {false, true}) {
        std::string v = make_ua_via(secure, host, b1);
        std::error_code ec;
        sip::via parsed = sip::parse_via(v, ec);
        REQUIRE_FALSE(ec);
        CHECK(parsed.transport == (secure ? "WSS" : "WS"));
        CHECK(parsed.host == host);
        CHECK(is_invalid_host(parsed.host));
        CHECK_FALSE(parsed.has_port);
        CHECK(parsed.branch == b1);
        CHECK(parsed.has_magic_cookie());
        CHECK(parsed.has_rport);
        CHECK_FALSE(parsed.rport_has_value); // must be valueless
        CHECK(parsed.received.empty());
    }
    std::error_code ec;
    const std::string plain = make_ua_via(false, host, b1, false);
    CHECK_FALSE(sip::parse_via(plain, ec).has_rport);
}

TEST_CASE("ua via: responses without received are accepted, foreign ones dropped",
          "[rfc7118][ua][WS7118-5.3-b][SIP3261-18.1.2-a][E1-F4-a]") {
    const std::string host = "df7jal23ls0d.invalid";
    const std::string ok_text = response_with_via("SIP/2.0/WSS df7jal23ls0d.invalid;branch=z9hG4bKasudf");
    auto ok = sip::parse(ok_text);
    REQUIRE(ok);
    CHECK(check_response_via(*ok, host) == response_via_check::ok);
    CHECK(accept_response_via(*ok, "DF7JAL23LS0D.invalid")); // host case-insensitive

    const std::string rec_text = response_with_via(
        "SIP/2.0/WS df7jal23ls0d.invalid;branch=z9hG4bKa;rport=5000;received=192.0.2.1");
    auto rec = sip::parse(rec_text);
    REQUIRE(rec);
    CHECK(accept_response_via(*rec, host));

    const std::string other_text = response_with_via("SIP/2.0/WS other.invalid;branch=z9hG4bKa");
    auto other = sip::parse(other_text);
    REQUIRE(other);
    CHECK(check_response_via(*other, host) == response_via_check::foreign_sent_by);

    const std::string two_text = response_with_via(
        "SIP/2.0/WS df7jal23ls0d.invalid;branch=z9hG4bKa, SIP/2.0/UDP 192.0.2.1;branch=z9hG4bKb");
    auto two = sip::parse(two_text);
    REQUIRE(two);
    CHECK(check_response_via(*two, host) == response_via_check::several_vias);

    const std::string udp_text = response_with_via("SIP/2.0/UDP df7jal23ls0d.invalid;branch=z9hG4bKa");
    auto udp = sip::parse(udp_text);
    REQUIRE(udp);
    CHECK(check_response_via(*udp, host) == response_via_check::not_websocket);
}

TEST_CASE("ua contact: transport=ws, ob, +sip.instance, reg-id, expires",
          "[rfc7118][ua][WS7118-5.2-a][WS7118-5.2-b][OB5626-4.1-c][OB5626-4.2.1-b][OB5626-4.3-c]"
          "[GR5627-4.1-b][E1-F3-e][E1-F3-f]") {
    ua_contact c = make_ua_contact("alice", true, instance, 1);
    CHECK(is_invalid_host(c.host));
    CHECK(contact_uri(c) == "sip:alice@" + c.host + ";transport=ws;ob");
    c.emit_wss = true;
    CHECK(contact_uri(c) == "sip:alice@" + c.host + ";transport=wss;ob");
    c.emit_wss = false;

    const std::string v = contact_value(c, 600);
    std::error_code ec;
    sip::name_addr na = sip::parse_name_addr(v, ec);
    REQUIRE_FALSE(ec);
    CHECK(na.bracketed);
    CHECK(na.uri.is_ws_transport());
    CHECK(na.uri.ob());
    CHECK(na.uri.host == c.host);
    CHECK(na.instance_id() == instance);
    CHECK(na.param("+sip.instance") == "\"<" + instance + ">\"");
    CHECK(na.reg_id() == 1);
    CHECK(na.expires() == 600);
    CHECK_FALSE(na.has_param("pub-gruu"));
    CHECK_FALSE(na.has_param("temp-gruu"));
    CHECK(na.uri_text != "sip:alice@example.com"); // not the AOR
    CHECK(is_our_contact(na, c));

    // Same instance, other reg-id: another flow of the same UA.
    const std::string other_text =
        "<sip:alice@x.invalid;transport=ws>;+sip.instance=\"<" + instance + ">\";reg-id=2";
    sip::name_addr other = sip::parse_name_addr(other_text, ec);
    REQUIRE_FALSE(ec);
    CHECK_FALSE(is_our_contact(other, c));
    // URN comparison ignores the case of the hex digits.
    ua_contact upper = c;
    upper.instance_id = "urn:uuid:F81D4FAE-7DEC-11D0-A765-00A0C91E6BF6";
    CHECK(is_our_contact(na, upper));

    c.reg_id = 0;
    CHECK(contact_value(c).find("reg-id") == std::string::npos);
    c.reg_id = 0x80000000u;
    CHECK_THROWS_AS(contact_value(c), std::invalid_argument);
    c.reg_id = 1;
    c.instance_id = "urn:bad\"id";
    CHECK_THROWS_AS(contact_value(c), std::invalid_argument);
}

TEST_CASE("ua contact: REGISTER Supported lists path, outbound and gruu",
          "[rfc7118][ua][OB5626-4.2.1-a][GR5627-4.1-a][PA3327-5.1-a]") {
    std::string reg = "REGISTER sip:example.com SIP/2.0\r\nVia: SIP/2.0/WS h.invalid;branch=z9hG4bKx\r\n"
                      "From: <sip:a@example.com>;tag=1\r\nTo: <sip:a@example.com>\r\nCall-ID: c\r\n"
                      "CSeq: 1 REGISTER\r\nSupported: " +
                      std::string(ua_register_supported) + "\r\nContent-Length: 0\r\n\r\n";
    auto m = sip::parse(reg);
    REQUIRE(m);
    for (const char* tag : {"path", "outbound", "gruu"})
        CHECK(m->has_option_tag(sip::header_id::supported, tag));
}

TEST_CASE("ua request: the wire form parses and carries every field",
          "[rfc7118][ua][WS7118-5-f][SIP3261-8.1.1.7-a][OB5626-4.3-a]") {
    request_spec s = make_out_of_dialog_spec("MESSAGE", "sip:bob@example.com",
                                             "sip:alice@example.com", "Alice \"A\"");
    s.via = make_ua_via(false, "h.invalid", make_branch());
    s.content_type = "text/plain";
    s.body = "h\xc3\xa9llo";
    const std::string text = make_request(s);
    auto m = sip::parse(text);
    REQUIRE(m);
    CHECK(m->method() == "MESSAGE");
    CHECK(m->request_uri() == "sip:bob@example.com");
    CHECK(m->max_forwards() == 70u);
    CHECK(m->from()->tag() == s.from_tag);
    CHECK(m->from()->display_name_text() == "Alice \"A\"");
    CHECK_FALSE(m->to()->has_tag());
    CHECK(m->call_id() == s.call_id);
    CHECK(m->cseq()->number == 1u);
    CHECK(m->cseq()->method == "MESSAGE");
    CHECK(m->content_length() == s.body.size());
    CHECK(m->body() == s.body);
    // Supported: outbound on requests other than REGISTER too (OB5626-4.3-a).
    CHECK(m->has_option_tag(sip::header_id::supported, "outbound"));
    CHECK(m->has_option_tag(sip::header_id::supported, "gruu"));
    CHECK(m->values(sip::header_id::supported).size() == 3);
    CHECK_FALSE(m->has(sip::header_id::contact));
    // Two specs never share From tag or Call-ID.
    request_spec t = make_out_of_dialog_spec("OPTIONS", "sip:example.com", "sip:alice@example.com");
    CHECK(t.from_tag != s.from_tag);
    CHECK(t.call_id != s.call_id);
}

TEST_CASE("instance-id file: created once, then read back unchanged",
          "[rfc7118][ua][OB5626-4.1-a][OB5626-4.1-b][WS7118-B.1-c]") {
    char dir_template[] = "/tmp/sipws-instance-XXXXXX";
    REQUIRE(::mkdtemp(dir_template) != nullptr);
    const std::string dir = dir_template;
    const std::string path = dir + "/instance-id";
    std::error_code ec;
    std::string first = load_or_create_instance_id(path, ec);
    REQUIRE_FALSE(ec);
    CHECK(is_uuid_urn(first));
    std::string again = load_or_create_instance_id(path, ec);
    REQUIRE_FALSE(ec);
    CHECK(again == first);

    // A file the user wrote by hand, with a trailing CRLF, is used as is.
    const std::string own = dir + "/own";
    std::ofstream(own) << "urn:uuid:00000000-0000-4000-8000-000000000001\r\n";
    CHECK(load_or_create_instance_id(own, ec) == "urn:uuid:00000000-0000-4000-8000-000000000001");
    CHECK_FALSE(ec);

    // Garbage is an error and is never overwritten.
    const std::string bad = dir + "/bad";
    std::ofstream(bad) << "not a urn\n";
    CHECK(load_or_create_instance_id(bad, ec).empty());
    CHECK(ec == std::errc::invalid_argument);
    std::ifstream in(bad);
    std::string line;
    std::getline(in, line);
    CHECK(line == "not a urn");

    // A directory that does not exist: the errno.
    CHECK(load_or_create_instance_id(dir + "/missing/instance-id", ec).empty());
    CHECK(ec == std::errc::no_such_file_or_directory);
    CHECK(load_or_create_instance_id("", ec).empty());
    CHECK(ec == std::errc::invalid_argument);

    ::unlink(path.c_str());
    ::unlink(own.c_str());
    ::unlink(bad.c_str());
    ::rmdir(dir.c_str());
}
