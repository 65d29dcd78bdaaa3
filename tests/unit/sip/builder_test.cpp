#include <sipws/sip/parser.hpp>
#include <sipws/sip/message_builder.hpp>
#include <sipws/sip/response.hpp>

#include "support/test.hpp"

#include <string>
#include <vector>

using namespace sipws::sip;

namespace {
std::string crlf(const std::string& s) {
    std::string out;
    for (char c : s) {
        if (c == '\n') out += "\r\n";
        else out += c;
    }
    return out;
}

// RFC 7118 8.1 F3 (Contact folded as printed)
const std::string e1_f3 = crlf("REGISTER sip:proxy.example.com SIP/2.0\n"
                               "Via: SIP/2.0/WSS df7jal23ls0d.invalid;branch=z9hG4bKasudf\n"
                               "From: sip:alice@example.com;tag=65bnmj.34asd\n"
                               "To: sip:alice@example.com\n"
                               "Call-ID: aiuy7k9njasd\n"
                               "CSeq: 1 REGISTER\n"
                               "Max-Forwards: 70\n"
                               "Supported: path, outbound, gruu\n"
                               "Contact: <sip:alice@df7jal23ls0d.invalid;transport=ws>\n"
                               "  ;reg-id=1\n"
                               "  ;+sip.instance=\"<urn:uuid:f81-7dec-14a06cf1>\"\n"
                               "\n");
// RFC 7118 8.2 F1 (Contact unwrapped, E3-b)
const std::string e2_f1 = crlf("INVITE sip:bob@example.com SIP/2.0\n"
                               "Via: SIP/2.0/WSS df7jal23ls0d.invalid;branch=z9hG4bK56sdasks\n"
                               "From: sip:alice@example.com;tag=asdyka899\n"
                               "To: sip:bob@example.com\n"
                               "Call-ID: asidkj3ss\n"
                               "CSeq: 1 INVITE\n"
                               "Max-Forwards: 70\n"
                               "Supported: path, outbound, gruu\n"
                               "Route: <sip:proxy.example.com:443;transport=ws;lr>\n"
                               "Contact: <sip:alice@example.com;gr=urn:uuid:f81-7dec-14a06cf1;ob>\n"
                               "Content-Type: application/sdp\n"
                               "\n");
const std::string e2_f4 = crlf("SIP/2.0 200 OK\n"
                               "Via: SIP/2.0/UDP proxy.example.com;branch=z9hG4bKhjhjqw32c\n"
                               "  ;received=192.0.2.10\n"
                               "Via: SIP/2.0/WSS df7jal23ls0d.invalid;branch=z9hG4bK56sdasks\n"
                               "Record-Route: <sip:proxy.example.com;transport=udp;lr>,\n"
                               "  <sip:h7kjh12s@proxy.example.com:443;transport=ws;lr>\n"
                               "From: sip:alice@example.com;tag=asdyka899\n"
                               "To: sip:bob@example.com;tag=bmqkjhsd\n"
                               "Call-ID: asidkj3ss\n"
                               "CSeq: 1 INVITE\n"
                               "Contact: <sip:bob@203.0.113.22:5060;transport=udp>\n"
                               "Content-Type: application/sdp\n"
                               "\n");
} // namespace

TEST_CASE("E1-F3: REGISTER over WSS parses with the expected fields", "[sip][examples][E1-F3-a][E1-F3-b][E1-F3-c][E1-F3-d][E1-F3-e][E1-F3-f][E1-F3-g][E1-F3-h][E3-a][E3-b]") {
    auto r = parse(e1_f3);
    REQUIRE(r.ok());
    CHECK(r->method() == "REGISTER");
    CHECK(r->request_uri() == "sip:proxy.example.com");
    CHECK(r->cseq()->method == r->method());
    CHECK(r->values(header_id::via).size() == 1);
    auto v = r->top_via();
    REQUIRE(v);
    CHECK(v->protocol_name == "SIP");
    CHECK(v->transport == "WSS");
    CHECK(v->host == "df7jal23ls0d.invalid");
    CHECK_FALSE(v->has_port);
    CHECK(v->branch == "z9hG4bKasudf");
    CHECK_FALSE(v->has_rport);
    CHECK(v->received.empty());
    CHECK(r->from()->has_tag());
    CHECK_FALSE(r->to()->has_tag());
    CHECK(equivalent(r->to()->uri, r->from()->uri));
    CHECK(r->to()->uri_text == "sip:alice@example.com");
    CHECK(r->has_option_tag(header_id::supported, "path"));
    CHECK(r->has_option_tag(header_id::supported, "outbound"));
    CHECK(r->has_option_tag(header_id::supported, "gruu"));
    REQUIRE(r->contacts().size() == 1);
    name_addr c = *r->contacts().begin();
    CHECK(c.uri_text == "sip:alice@df7jal23ls0d.invalid;transport=ws");
    CHECK(c.uri.is_ws_transport());
    CHECK(c.param("reg-id") == "1");
    CHECK(c.param("+sip.instance") == "\"<urn:uuid:f81-7dec-14a06cf1>\"");
    CHECK(c.instance_id() == "urn:uuid:f81-7dec-14a06cf1");
    CHECK(c.uri.host == v->host);
    CHECK_FALSE(equivalent(c.uri, r->to()->uri));
    CHECK(c.pub_gruu().empty());
    CHECK(c.temp_gruu().empty());
    CHECK_FALSE(r->expires());
    CHECK(c.expires() == -1);
    CHECK_FALSE(r->has_content_length());
    CHECK(r->body().empty());
    // E3-a: re-serialise and re-parse gives the same values
    std::string again = message_builder(*r).str();
    auto r2 = parse(again);
    REQUIRE(r2.ok());
    CHECK((*r2->contacts().begin()).instance_id() == c.instance_id());
    CHECK(r2->call_id() == r->call_id());
}

TEST_CASE("E2-F1 -> F3: the proxy's edits", "[sip][builder][examples][E2-F1-a][E2-F1-b][E2-F1-c][E2-F3-a][E2-F3-b][E2-F3-c][E2-F3-d][E2-F3-e][SIP3261-16.6-a]") {
    auto r = parse(e2_f1);
    REQUIRE(r.ok());
    auto route = *r->routes().begin();
    CHECK(route.uri.host == "proxy.example.com");
    CHECK(route.uri.port == 443);
    CHECK(route.uri.is_ws_transport());
    CHECK(route.uri.lr());
    auto contact = *r->contacts().begin();
    CHECK(contact.uri.is_gruu());
    CHECK(contact.uri.ob());
    CHECK(r->max_forwards() == 70u);
    CHECK(r->content_type()->is("application", "sdp"));

    std::string out = message_builder(*r)
                          .set_request_uri("sip:bob@203.0.113.22:5060")
                          .push_via("SIP/2.0/UDP proxy.example.com;branch=z9hG4bKhjhjqw32c")
                          .remove_top_route()
                          .prepend_record_route("<sip:h7kjh12s@proxy.example.com:443;transport=ws;lr>")
                          .prepend_record_route("<sip:proxy.example.com;transport=udp;lr>")
                          .set_max_forwards(69)
                          .str();
    auto f = parse(out);
    INFO(out);
    REQUIRE(f.ok());
    CHECK(f->request_uri() == "sip:bob@203.0.113.22:5060");
    std::vector<std::string> vias(f->values(header_id::via).begin(), f->values(header_id::via).end());
    REQUIRE(vias.size() == 2);
    CHECK(vias[0] == "SIP/2.0/UDP proxy.example.com;branch=z9hG4bKhjhjqw32c");
    CHECK(vias[1] == "SIP/2.0/WSS df7jal23ls0d.invalid;branch=z9hG4bK56sdasks"); // byte for byte
    CHECK_FALSE(f->has(header_id::route));
    std::vector<std::string> rr;
    for (const name_addr& na : f->record_routes()) rr.emplace_back(na.uri_text);
    CHECK(rr == std::vector<std::string>{"sip:proxy.example.com;transport=udp;lr",
                                         "sip:h7kjh12s@proxy.example.com:443;transport=ws;lr"});
    CHECK(f->max_forwards() == 69u);
    CHECK(f->value(header_id::contact) == r->value(header_id::contact));
    CHECK(f->value(header_id::supported) == r->value(header_id::supported));
}

TEST_CASE("E2-F4 -> F5: pop the proxy's Via; folded received parses", "[sip][builder][examples][E2-F4-a][E2-F4-b][E2-F5-a][E2-F5-b]") {
    auto r = parse(e2_f4);
    REQUIRE(r.ok());
    CHECK(r->top_via()->received == "192.0.2.10");
    CHECK(r->record_routes().size() == 2);
    CHECK(r->to()->tag() == "bmqkjhsd");
    std::string out = message_builder(*r).pop_via().str();
    auto f = parse(out);
    REQUIRE(f.ok());
    CHECK(f->values(header_id::via).size() == 1);
    CHECK(f->top_via()->branch == "z9hG4bK56sdasks");
    CHECK(f->top_via()->received.empty());
    CHECK(f->value(header_id::record_route) == r->value(header_id::record_route));
}

TEST_CASE("builder: Via parameters, multi-value rows, headers, Content-Length", "[sip][builder][WS7118-5-e][NAT3581-4-a]") {
    std::string m = crlf("INVITE sip:b@example.com SIP/2.0\n"
                         "Via: SIP/2.0/WS a.invalid;branch=z9hG4bK1;rport, SIP/2.0/UDP b.example.com;branch=z9hG4bK2\n"
                         "Route: <sip:p1;lr>, <sip:p2;lr>\n"
                         "From: <sip:a@example.com>;tag=1\nTo: <sip:b@example.com>\nCall-ID: c\nCSeq: 1 INVITE\n"
                         "Content-Length: 99\n"
                         "X-Old: 1\n"
                         "\n");
    std::string full = m + "body";
    parse_options o;
    auto r = parse(full, o);
    CHECK(r.error.code == errc::body_too_short);
    std::string fixed = message_builder(*r)
                            .set_via_param("received", "198.51.100.7")
                            .set_via_param("rport", "53412")
                            .remove_top_route()
                            .remove_header("x-old")
                            .add_header("X-New", "2")
                            .update_content_length()
                            .str();
    auto f = parse(fixed);
    INFO(fixed);
    REQUIRE(f.ok());
    auto v = f->top_via();
    CHECK(v->received == "198.51.100.7");
    CHECK(v->rport == 53412);
    CHECK(v->branch == "z9hG4bK1");
    CHECK(f->values(header_id::via).size() == 2);
    CHECK(f->routes().size() == 1);
    CHECK((*f->routes().begin()).uri_text == "sip:p2;lr");
    CHECK_FALSE(f->has("X-Old"));
    CHECK(f->value(std::string_view("X-New")) == "2");
    CHECK(f->content_length() == 4);
    CHECK(f->body() == "body");

    // pop both Vias of a single row, push then modify the pushed one
    std::string two = message_builder(*f).pop_via().pop_via().push_via("SIP/2.0/WSS me.invalid;branch=z9hG4bKx")
                          .set_via_flag("rport").set_body("hello").str();
    auto t = parse(two);
    REQUIRE(t.ok());
    CHECK(t->values(header_id::via).size() == 1);
    CHECK(t->top_via()->host == "me.invalid");
    CHECK(t->top_via()->has_rport);
    CHECK(t->body() == "hello");
    CHECK(t->content_length() == 5);
}

TEST_CASE("responses: RFC 3261 8.2.6 copies and 400 naming the defect", "[sip][response][SIP3261-8.2-b][E1-F4-b]") {
    auto r = parse(e1_f3);
    REQUIRE(r.ok());
    response_options o;
    o.to_tag = "12isjljn8";
    std::string ok = make_response(*r, 200, {}, o);
    auto p = parse(ok);
    INFO(ok);
    REQUIRE(p.ok());
    CHECK(p->status_code() == 200);
    CHECK(p->reason_phrase() == "OK");
    CHECK(p->to()->tag() == "12isjljn8");
    CHECK(p->from()->tag() == "65bnmj.34asd");
    CHECK(p->call_id() == "aiuy7k9njasd");
    CHECK(p->value(header_id::cseq) == "1 REGISTER");
    CHECK(p->value(header_id::via) == r->value(header_id::via));
    CHECK(p->content_length() == 0);
    std::string trying_wire = make_response(*r, 100, {}, o); // the view needs its bytes alive
    auto trying = parse(trying_wire);
    REQUIRE(trying.ok());
    CHECK_FALSE(trying->to()->has_tag());

    std::string bad = e1_f3;
    bad.replace(bad.find("1 REGISTER"), 10, "1 INVITE");
    auto b = parse(bad);
    REQUIRE_FALSE(b.ok());
    auto resp = make_error_response(*b, b.error);
    REQUIRE(resp);
    auto rp = parse(*resp);
    REQUIRE(rp.ok());
    CHECK(rp->status_code() == 400);
    CHECK(rp->reason_phrase() == "Bad Request - CSeq method does not match the request method");
    CHECK(rp->call_id() == "aiuy7k9njasd");

    // no Call-ID: cannot answer
    std::string nocid = e1_f3;
    nocid.erase(nocid.find("Call-ID"), std::string("Call-ID: aiuy7k9njasd\r\n").size());
    auto n = parse(nocid);
    REQUIRE_FALSE(n.ok());
    CHECK_FALSE(make_error_response(*n, n.error));
    // a response is never answered
    const std::string resp_bad_wire = crlf("SIP/2.0 200 OK\nVia: SIP/2.0/WS h.invalid;branch=z9hG4bK1\nFrom: <sip:a@b>;tag=1\nTo: <sip:a@b>\nCall-ID: c\nCSeq: 1 X\nMax-Forwards: 999\n\n");
    auto resp_bad = parse(resp_bad_wire);
    REQUIRE_FALSE(resp_bad.ok());
    CHECK_FALSE(make_error_response(*resp_bad, resp_bad.error));
}
