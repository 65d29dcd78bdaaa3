#include <sipws/sip/parser.hpp>

#include "support/sip_values.hpp"
#include "support/test.hpp"

#include <atomic>
#include <cstdlib>
#include <new>
#include <string>

using namespace sipws::sip;

namespace {

/// The parser's verdict on \p wire, for checks that need no view of it
/// (parse() refuses temporary strings).
parse_error verdict(const std::string& wire, const parse_options& o = {}) { return parse(wire, o).error; }

// Counting global allocator: proves parse() allocates nothing.
std::atomic<long> g_allocations{0};

std::string crlf(std::string s) {
    std::string out;
    for (char c : s) {
        if (c == '\n') out += "\r\n";
        else out += c;
    }
    return out;
}

const std::string register_msg = crlf("REGISTER sip:proxy.example.com SIP/2.0\n"
                                      "Via: SIP/2.0/WSS df7jal23ls0d.invalid;branch=z9hG4bKasudf\n"
                                      "From: sip:alice@example.com;tag=65bnmj.34asd\n"
                                      "To: sip:alice@example.com\n"
                                      "Call-ID: aiuy7k9njasd\n"
                                      "CSeq: 1 REGISTER\n"
                                      "Max-Forwards: 70\n"
                                      "\n");

} // namespace

// Every replaceable (unaligned) allocation function is replaced, so that
// memory from any form of new is released by the matching delete.
void* operator new(std::size_t n) {
    ++g_allocations;
    if (void* p = std::malloc(n ? n : 1)) return p;
    throw std::bad_alloc();
}
void* operator new[](std::size_t n) { return operator new(n); }
void* operator new(std::size_t n, const std::nothrow_t&) noexcept {
    ++g_allocations;
    return std::malloc(n ? n : 1);
}
void* operator new[](std::size_t n, const std::nothrow_t& t) noexcept { return operator new(n, t); }
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }
void operator delete(void* p, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete[](void* p, const std::nothrow_t&) noexcept { std::free(p); }

TEST_CASE("parse: zero heap allocations while parsing", "[sip][parser][alloc]") {
    std::string m = crlf("INVITE sip:bob@example.com SIP/2.0\n"
                         "Via: SIP/2.0/WSS a.invalid;branch=z9hG4bK1;rport, SIP/2.0/UDP [2001:db8::1]:5060;received=2001:db8::2\n"
                         "v: SIP/2.0/TCP b.example.com\n"
                         "f: \"Alice \\\"A\\\"\" <sip:alice@example.com>;tag=1\n"
                         "t: <sip:bob@example.com>\n"
                         "i: x@y\n"
                         "CSeq: 1 INVITE\n"
                         "Max-Forwards: 70\n"
                         "m: <sip:a@b;transport=ws>;+sip.instance=\"<urn:uuid:1>\";reg-id=1, *\n"
                         "Route: <sip:p1;lr>,\n  <sip:p2;lr>\n"
                         "X-Custom: whatever\n"
                         "l: 4\n"
                         "\n"
                         "abcdEXTRA");
    basic_message<32> msg;
    long before = g_allocations.load();
    parse_error e = parse(m, msg);
    auto r = parse<64>(m);
    long after = g_allocations.load();
    CHECK(after == before);
    INFO(e.what);
    CHECK_FALSE(e);
    CHECK(r.ok());
    CHECK(msg.body() == "abcd");
    CHECK(msg.surplus() == 5);
    // the counter does count: a std::string of 100 octets allocates
    long b2 = g_allocations.load();
    std::string big(100, 'x');
    CHECK(g_allocations.load() > b2);
}

TEST_CASE("parse: request line, version, method", "[sip][parser][SIP3261-7.1-a][SIP3261-7.1-c][SIP3261-7.1-d]") {
    auto r = parse(register_msg);
    REQUIRE(r.ok());
    CHECK(r->is_request());
    CHECK(r->method() == "REGISTER");
    CHECK(r->request_uri() == "sip:proxy.example.com");
    CHECK(r->version() == "SIP/2.0");
    CHECK(r->status_code() == 0);
    CHECK(r->header_count() == 6);

    std::string lower = register_msg;
    lower.replace(lower.find("SIP/2.0\r\n"), 7, "sip/2.0");
    CHECK(parse(lower).ok()); // version compared case-insensitively

    std::string v3 = register_msg;
    v3.replace(v3.find("SIP/2.0\r\n"), 7, "SIP/7.0");
    auto r3 = parse(v3);
    CHECK(r3.error.code == errc::version_not_supported);

    std::string unknown = register_msg;
    unknown.replace(0, 8, "NEWMETHOD");
    std::string cseq_fixed = unknown;
    cseq_fixed.replace(cseq_fixed.find("1 REGISTER"), 10, "1 NEWMETHOD");
    CHECK(parse(cseq_fixed).ok());
    CHECK(parse(unknown).error.code == errc::cseq_method_mismatch);

    auto lc = register_msg;
    lc.replace(0, 8, "register");
    CHECK(parse(lc).error.code == errc::cseq_method_mismatch); // methods are case-sensitive
}

TEST_CASE("parse: request line spacing strict and lenient", "[sip][parser][SIP3261-7.1-a][TT4475-b]") {
    std::string two = register_msg;
    two.replace(8, 1, "  ");
    auto r = parse(two);
    CHECK(r.error.code == errc::bad_start_line);
    CHECK(r.error.offset == 9);
    CHECK(parse(two, parse_options::lenient()).ok());

    std::string trailing = register_msg;
    trailing.insert(trailing.find("\r\n"), "  ");
    CHECK(parse(trailing).error.code == errc::bad_start_line);
    CHECK(parse(trailing, parse_options::lenient()).ok());

    std::string lws = register_msg;
    lws.replace(0, lws.find("\r\n"), "REGISTER sip:proxy.example.com; lr SIP/2.0");
    CHECK(parse(lws).error.code == errc::bad_request_uri);

    // white space inside the Request-URI is reported where it is, before the version
    for (std::string line : {"REGISTER sip:proxy.example.com; lr SIP/2.0", "REGISTER sip:proxy.example.com; lr SIP/3.0",
                             "REGISTER sip:a\tb sip/2.0", "REGISTER sip:a SIP/2.0 SIP/2.0"}) {
        INFO(line);
        std::string w = register_msg;
        w.replace(0, w.find("\r\n"), line);
        parse_error e = parse(w).error;
        CHECK(e.code == errc::bad_request_uri);
        CHECK(e.offset == line.find_first_of(" \t", 9));
    }
    for (std::string line : {"REGISTER sip:a@b SIP/2.1", "REGISTER sip:a@b SIP/2.0.", "REGISTER sip:a@b xSIP/2.0"}) {
        INFO(line);
        std::string w = register_msg;
        w.replace(0, w.find("\r\n"), line);
        parse_error e = parse(w).error;
        CHECK((e.code == errc::bad_version || e.code == errc::version_not_supported));
        CHECK(e.offset == 17);
    }
    std::string lower = register_msg;
    lower.replace(0, lower.find("\r\n"), "REGISTER sip:a@b sIp/2.0");
    CHECK(parse(lower).ok());
}

TEST_CASE("parse: Request-URI forms", "[sip][parser][SIP3261-7.1-b]") {
    for (std::string u : {"sip:bob@example.com", "sips:bob@example.com:5061", "tel:+1-201-555-0123",
                          "urn:service:sos", "mailto:a@b.example", "sip:[2001:db8::1]:5060;transport=ws"}) {
        std::string m = crlf("OPTIONS " + u + " SIP/2.0\nVia: SIP/2.0/WS h.invalid;branch=z9hG4bK1\nFrom: <sip:a@b>;tag=1\nTo: <sip:c@d>\nCall-ID: 1\nCSeq: 1 OPTIONS\n\n");
        INFO(u);
        auto r = parse(m);
        CHECK(r.ok());
        CHECK(r->request_uri() == u);
    }
    for (std::string u : {"<sip:bob@example.com>", "sip:bob@example.com?Route=%3Csip:x%3E", "sip:", "bob"}) {
        std::string m = crlf("OPTIONS " + u + " SIP/2.0\nVia: SIP/2.0/WS h.invalid\nFrom: <sip:a@b>;tag=1\nTo: <sip:c@d>\nCall-ID: 1\nCSeq: 1 OPTIONS\n\n");
        INFO(u);
        CHECK(parse(m).error.code == errc::bad_request_uri);
    }
}

TEST_CASE("parse: status line", "[sip][parser][SIP3261-7.2-a]") {
    std::string base = "\r\nVia: SIP/2.0/WSS h.invalid;branch=z9hG4bK1\r\nFrom: <sip:a@b>;tag=1\r\nTo: <sip:a@b>;tag=2\r\nCall-ID: c\r\nCSeq: 1 INVITE\r\n\r\n";
    std::string m1 = "SIP/2.0 180 Ringing" + base, m2 = "SIP/2.0 200 " + base;
    auto r = parse(m1);
    REQUIRE(r.ok());
    CHECK(r->is_response());
    CHECK(r->status_code() == 180);
    CHECK(r->reason_phrase() == "Ringing");
    auto e = parse(m2);
    REQUIRE(e.ok());
    CHECK(e->reason_phrase().empty());
    CHECK(!verdict("SIP/2.0 200 Ça marche" + base)); // UTF-8 reason
    CHECK(verdict("SIP/2.0 200" + base).code == errc::bad_start_line);
    CHECK(verdict("SIP/2.0 099 Low" + base).code == errc::bad_status_code);
    CHECK(verdict("SIP/2.0 700 High" + base).code == errc::bad_status_code);
    CHECK(verdict("SIP/2.0 4294967301 big" + base).code == errc::bad_status_code);
    CHECK(verdict("SIP/2.0 20 short" + base).code == errc::bad_status_code);
    CHECK(verdict("SIP/3.0 200 OK" + base).code == errc::version_not_supported);
    CHECK(verdict("SIP/2.0 200 O\x01K" + base).code == errc::bad_start_line);
}

TEST_CASE("parse: line endings strict and lenient", "[sip][parser][SIP3261-7-a]") {
    std::string lf = "REGISTER sip:p SIP/2.0\nVia: SIP/2.0/WS h.invalid\nFrom: <sip:a@b>;tag=1\nTo: <sip:a@b>\nCall-ID: c\nCSeq: 1 REGISTER\n\n";
    auto r = parse(lf);
    CHECK(r.error.code == errc::bad_line_ending);
    CHECK(r.error.offset == lf.find('\n'));
    parse_options o;
    o.allow_bare_lf = true;
    auto l = parse(lf, o);
    REQUIRE(l.ok());
    CHECK(l->call_id() == "c");
    CHECK(l->header_count() == 5);

    std::string cr = register_msg;
    cr.replace(cr.find("\r\nFrom"), 2, "\r");
    CHECK(parse(cr).error.code == errc::bad_line_ending);

    std::string no_empty = register_msg.substr(0, register_msg.size() - 2);
    CHECK(parse(no_empty).error.code == errc::missing_empty_line);
    CHECK(parse(no_empty).error.offset == no_empty.size());
    CHECK(parse("").error.code == errc::empty_message);
    CHECK(parse("REGISTER sip:p SIP/2.0").error.code == errc::missing_empty_line);
    std::string nul = register_msg;
    nul[nul.find("aiuy")] = '\0';
    CHECK(parse(nul).error.code == errc::bad_header_value);
}

TEST_CASE("parse: header names are case-insensitive and compact forms map to their ids", "[sip][parser][SIP3261-7.3-a][SIP3261-7.3-b]") {
    struct row { const char* name; header_id id; };
    const row rows[] = {
        {"i", header_id::call_id}, {"m", header_id::contact}, {"e", header_id::content_encoding},
        {"l", header_id::content_length}, {"c", header_id::content_type}, {"f", header_id::from},
        {"s", header_id::subject}, {"k", header_id::supported}, {"t", header_id::to},
        {"v", header_id::via}, {"a", header_id::accept_contact}, {"j", header_id::reject_contact},
        {"d", header_id::request_disposition}, {"o", header_id::event}, {"u", header_id::allow_events},
        {"r", header_id::refer_to}, {"b", header_id::referred_by}, {"x", header_id::session_expires},
        {"y", header_id::identity}, {"CALL-ID", header_id::call_id}, {"call-id", header_id::call_id},
        {"cSeQ", header_id::cseq}, {"WWW-AUTHENTICATE", header_id::www_authenticate},
        {"record-ROUTE", header_id::record_route}, {"V", header_id::via}, {"I", header_id::call_id},
        {"X-Unknown", header_id::unknown}, {"q", header_id::unknown}};
    for (const row& r : rows) {
        INFO(r.name);
        CHECK(lookup_header(r.name) == r.id);
        if (r.id != header_id::unknown) CHECK(canonical_name(r.id).size() > 1);
    }
    CHECK(info(header_id::via).compact == 'v');
    CHECK(info(header_id::via).is_list);
    CHECK_FALSE(info(header_id::www_authenticate).is_list);

    std::string m = crlf("INVITE sip:b@example.com SIP/2.0\n"
                         "v: SIP/2.0/WS a.invalid;branch=z9hG4bK1\n"
                         "VIA: SIP/2.0/WS b.invalid;branch=z9hG4bK2\n"
                         "f: <sip:a@example.com>;tag=1\n"
                         "T: <sip:b@example.com>\n"
                         "i: abc@host\n"
                         "CSEQ: 5 INVITE\n"
                         "X-Thing : one, two\n"
                         "\n");
    auto r = parse(m);
    REQUIRE(r.ok());
    CHECK(r->values(header_id::via).size() == 2);
    CHECK(r->call_id() == "abc@host");
    CHECK(r->find("x-thing")->value == "one, two");
    CHECK(r->find("Call-ID")->name == "i");
    CHECK(r->find("i")->value == "abc@host");
    CHECK(r->values("X-THING").size() == 1);
    CHECK(r->values("X-THING", true).size() == 2);
    CHECK_FALSE(r->find("X-Other"));
}

TEST_CASE("parse: every long header name is found in any case, near misses are not", "[sip][parser][SIP3261-7.3-a]") {
    for (std::size_t i = 1; i < static_cast<std::size_t>(header_id::count_); ++i) {
        header_id id = static_cast<header_id>(i);
        std::string name(canonical_name(id));
        INFO(name);
        std::string lower, upper;
        for (char c : name) {
            lower += static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c);
            upper += static_cast<char>(c >= 'a' && c <= 'z' ? c - 32 : c);
        }
        CHECK(lookup_header(name) == id);
        CHECK(lookup_header(lower) == id);
        CHECK(lookup_header(upper) == id);
        // one octet changed, one added, one removed: another name or none
        for (std::size_t k = 0; k < name.size(); ++k) {
            std::string other = name;
            other[k] = other[k] == 'q' ? 'z' : 'q';
            CHECK(lookup_header(other) != id);
        }
        CHECK(lookup_header(name + "s") != id);
        CHECK(lookup_header(name.substr(1)) != id);
    }
    // same length, first and last octet
    CHECK(lookup_header("Reply-To") == header_id::reply_to);
    CHECK(lookup_header("Refer-To") == header_id::refer_to);
    CHECK(lookup_header("Repla-To") == header_id::unknown);
}

TEST_CASE("parse: header rows whatever the distance to the colon and the end of the input", "[sip][parser][SIP3261-7.3-a]") {
    const std::string head = "OPTIONS sip:b@example.com SIP/2.0\r\n";
    const std::string name40 = "X-A-Header-Name-Of-Forty-Octets-For-Test";
    REQUIRE(name40.size() == 40);
    // as the last row, then with more rows after it
    for (const std::string& tail : {std::string("\r\n\r\n"), std::string("\r\nSubject: s\r\n\r\n")}) {
        std::string wire = head + "P-Preferred-Identity   : <sip:a@example.com>" + tail;
        parse_options o;
        o.require_mandatory_headers = false;
        auto r = parse(wire, o);
        REQUIRE(r.ok());
        CHECK(r->header(0).id == header_id::p_preferred_identity);
        CHECK(r->header(0).name == "P-Preferred-Identity");
        CHECK(r->header(0).value == "<sip:a@example.com>");

        std::string longer = head + name40 + ":v" + tail;
        auto r2 = parse(longer, o);
        REQUIRE(r2.ok());
        CHECK(r2->header(0).id == header_id::unknown);
        CHECK(r2->header(0).name == name40);
        CHECK(r2->header(0).value == "v");

        std::string short_row = head + "i:x" + tail;
        auto r3 = parse(short_row, o);
        REQUIRE(r3.ok());
        CHECK(r3->header(0).id == header_id::call_id);
        CHECK(r3->header(0).value == "x");
    }
    // the errors and their offsets, the defect near the name and far from it
    const std::size_t row = head.size();
    parse_error e = verdict(head + "Via x: y\r\n\r\n");
    CHECK(e.code == errc::bad_header_name);
    CHECK(e.offset == row + 4);
    e = verdict(head + "Via\x01: y\r\n\r\n");
    CHECK(e.code == errc::bad_header_name);
    CHECK(e.offset == row + 3);
    e = verdict(head + name40 + " x: y\r\n\r\n");
    CHECK(e.code == errc::bad_header_name);
    CHECK(e.offset == row + 41);
    e = verdict(head + ": y\r\n\r\n");
    CHECK(e.code == errc::bad_header_name);
    CHECK(e.offset == row);
    e = verdict(head + "To: a\x01b\r\n\r\n");
    CHECK(e.code == errc::bad_header_value);
    CHECK(e.offset == row + 5);
    e = verdict(head + "To: a\r\n");
    CHECK(e.code == errc::missing_empty_line);
    CHECK(e.offset == row + 7);
}

TEST_CASE("parse: HCOLON, folding and LWS", "[sip][parser][SIP3261-7.3-a]") {
    std::string m = crlf("OPTIONS sip:b@example.com SIP/2.0\n"
                         "Via \t:  SIP/2.0/WS a.invalid\n"
                         "  ;branch=z9hG4bK1\n"
                         "From:\n <sip:a@example.com>;tag=1\n"
                         "To: <sip:b@example.com>  \n"
                         "Call-ID: id\n"
                         "CSeq: 5\n\t OPTIONS\n"
                         "Subject:\n"
                         "\n");
    auto r = parse(m);
    REQUIRE(r.ok());
    auto via = r->top_via();
    REQUIRE(via);
    CHECK(via->branch == "z9hG4bK1");
    CHECK(r->find(header_id::via)->folded);
    CHECK(r->from()->uri_text == "sip:a@example.com");
    CHECK(r->find(header_id::from)->value == "<sip:a@example.com>;tag=1");
    CHECK(r->find(header_id::to)->value == "<sip:b@example.com>");
    CHECK(r->cseq()->number == 5);
    CHECK(r->cseq()->method == "OPTIONS");
    CHECK(r->find(header_id::subject)->value.empty());

    std::string cont_first = crlf("OPTIONS sip:b SIP/2.0\n folded\n\n");
    CHECK(parse(cont_first).error.code == errc::bad_header_name);
    CHECK(verdict(crlf("OPTIONS sip:b SIP/2.0\nNo colon\n\n")).code == errc::bad_header_name);
    CHECK(verdict(crlf("OPTIONS sip:b SIP/2.0\nBad@Name: x\n\n")).code == errc::bad_header_name);
}

TEST_CASE("parse: Kamailio's Via with two spaces after the transport", "[sip][parser][SIP3261-20.42-a]") {
    std::string m = crlf("SIP/2.0 200 OK\n"
                         "Via: SIP/2.0/WS  127.0.0.1:8080;branch=z9hG4bK1;rport=5060;received=127.0.0.1\n"
                         "From: <sip:a@example.com>;tag=1\nTo: <sip:b@example.com>;tag=2\nCall-ID: x\nCSeq: 1 OPTIONS\n"
                         "Content-Length: 0\n\n");
    auto r = parse(m);
    REQUIRE(r.ok());
    auto v = r->top_via();
    REQUIRE(v);
    CHECK(v->is_ws());
    CHECK(v->host == "127.0.0.1");
    CHECK(v->host_type == host_kind::ipv4);
    CHECK(v->port == 8080);
    CHECK(v->rport == 5060);
}

TEST_CASE("parse: Content-Length optional and checked", "[sip][parser][WS7118-5-c][WS7118-5-d][SIP3261-18.3-a][SIP3261-20.14-a]") {
    std::string head = register_msg.substr(0, register_msg.size() - 2);
    SECTION("absent: body to the end") {
        std::string wire = head + "\r\nhello"; // the view needs its bytes alive
        auto r = parse(wire);
        REQUIRE(r.ok());
        CHECK(r->body() == "hello");
        CHECK_FALSE(r->has_content_length());
    }
    SECTION("exact") {
        std::string wire1 = head + "Content-Length: 5\r\n\r\nhello";
        auto r = parse(wire1);
        REQUIRE(r.ok());
        CHECK(r->body() == "hello");
        CHECK(r->content_length() == 5);
        CHECK(r->surplus() == 0);
    }
    SECTION("surplus discarded, never parsed as another message") {
        std::string extra = "INVITE sip:x SIP/2.0\r\n\r\n";
        std::string wire2 = head + "l: 2\r\n\r\nhello" + extra;
        auto r = parse(wire2);
        REQUIRE(r.ok());
        CHECK(r->body() == "he");
        CHECK(r->surplus() == 3 + extra.size());
        CHECK(r->data().size() == head.size() + 8 + 2);
    }
    SECTION("short body") {
        std::string m = head + "Content-Length: 50\r\n\r\nhello";
        auto r = parse(m);
        CHECK(r.error.code == errc::body_too_short);
        CHECK(r.error.offset == m.size());
        CHECK(r->call_id() == "aiuy7k9njasd"); // still indexed for a 400
    }
    SECTION("malformed values") {
        for (std::string v : {"-1", "abc", "1 2", "99999999999999999999999", "4294967296", "+3", ""}) {
            INFO(v);
            CHECK(verdict(head + "Content-Length: " + v + "\r\n\r\n").code == errc::bad_content_length);
        }
    }
    SECTION("repeated: equal accepted, conflicting rejected") {
        CHECK(!verdict(head + "Content-Length: 0\r\nl: 0\r\n\r\n"));
        std::string wire3 = head + "Content-Length: 0\r\nl: 1\r\n\r\nx";
        auto r = parse(wire3);
        CHECK(r.error.code == errc::bad_content_length);
        CHECK(r.error.what == "conflicting Content-Length values");
    }
}

TEST_CASE("parse: limits are enforced", "[sip][parser][limits]") {
    parse_options o;
    o.max_message_size = 100;
    CHECK(parse(register_msg, o).error.code == errc::message_too_large);
    o = {};
    o.max_headers = 3;
    auto r = parse(register_msg, o);
    CHECK(r.error.code == errc::too_many_headers);
    CHECK(r.error.offset == register_msg.find("Call-ID"));
    basic_message<4> small;
    CHECK(parse(register_msg, small).code == errc::too_many_headers);
    o = {};
    o.max_line_length = 40;
    CHECK(parse(register_msg, o).error.code == errc::line_too_long);
    std::string longhdr = register_msg;
    longhdr.insert(longhdr.size() - 2, "X-Long: " + std::string(10000, 'a') + "\r\n");
    CHECK(parse(longhdr).error.code == errc::line_too_long);
}

TEST_CASE("parse: mandatory headers", "[sip][parser][SIP3261-8.2-b]") {
    std::string m = register_msg;
    m.erase(m.find("Call-ID"), std::string("Call-ID: aiuy7k9njasd\r\n").size());
    auto r = parse(m);
    CHECK(r.error.code == errc::missing_header);
    CHECK(r.error.what == "missing Call-ID");
    parse_options o;
    o.require_mandatory_headers = false;
    CHECK(parse(m, o).ok());
    std::string twice = register_msg;
    twice.insert(twice.size() - 2, "To: <sip:x@y>\r\n");
    CHECK(parse(twice).error.code == errc::duplicate_header);
}

TEST_CASE("parse: validation of the essential headers", "[sip][parser][SIP3261-7.3-d][TT4475-b]") {
    auto with = [](std::string line) {
        return crlf("OPTIONS sip:b@example.com SIP/2.0\n"
                    "Via: SIP/2.0/WS a.invalid;branch=z9hG4bK1\n"
                    "From: <sip:a@example.com>;tag=1\n"
                    "To: <sip:b@example.com>\n"
                    "Call-ID: id\n"
                    "CSeq: 1 OPTIONS\n" + line + "\n\n");
    };
    CHECK(verdict(with("Max-Forwards: 300")).code == errc::bad_max_forwards);
    CHECK(verdict(with("Contact: <sip:a@b>;expires=1;expires=2")).code == errc::duplicate_parameter);
    CHECK(verdict(with("Via: SIP/2.0/WS h;branch=1;BRANCH=2")).code == errc::duplicate_parameter);
    CHECK(verdict(with("Route: sip:p;lr")).code == errc::bad_name_addr);
    CHECK(verdict(with("Record-Route: <sip:p;lr>, <sip:q;lr>,")).code == errc::bad_name_addr);
    CHECK(!verdict(with("Record-Route: <sip:p;lr>, <sip:q;lr>,"), parse_options::lenient()));
    CHECK(verdict(with("Contact: \"unterminated <sip:a@b>")).code == errc::bad_name_addr);
    CHECK(!verdict(with("Contact: *")));
    CHECK(!verdict(with("Date: not a date"))); // not interpreted
    auto r = verdict(with("Contact: <sip:a@b>, <sip:c@d;lr;lr>"));
    CHECK(r.code == errc::duplicate_parameter);
    CHECK(r.what == "malformed Contact");
    parse_options o;
    o.validate_headers = false;
    CHECK(!verdict(with("Max-Forwards: 300"), o));
}

TEST_CASE("parse: hostile inputs never crash and scale linearly", "[sip][parser][robustness]") {
    // many commas / quotes / angle brackets in one value
    std::string bomb = register_msg;
    bomb.insert(bomb.size() - 2, "Route: " + std::string(7000, ',') + "\r\n");
    CHECK_FALSE(parse(bomb).ok());
    std::string quotes = register_msg;
    quotes.insert(quotes.size() - 2, "Contact: " + std::string(7000, '"') + "\r\n");
    CHECK_FALSE(parse(quotes).ok());
    std::string params = register_msg;
    std::string p;
    for (int i = 0; i < 1000; ++i) p += ";p" + std::to_string(i);
    params.insert(params.size() - 2, "Contact: <sip:a@b>" + p + "\r\n");
    CHECK(parse(params).error.code == errc::too_many_parameters);
    // every prefix of a valid message is rejected or accepted, never read past
    for (std::size_t n = 0; n < register_msg.size(); ++n) {
        std::string prefix = register_msg.substr(0, n);
        CHECK_FALSE(parse(prefix).ok());
    }
}

TEST_CASE("parse: a request line with a method and nothing else is refused in both modes",
          "[sip][parser][SIP3261-7.1-a]") {
    const std::string wire = "H \r\n\r\n";
    CHECK(parse(wire).error.code == errc::bad_start_line);
    CHECK(parse(wire, parse_options::lenient()).error.code == errc::bad_start_line);
    const std::string spaces = "INVITE   \r\n\r\n";
    CHECK_FALSE(parse(spaces, parse_options::lenient()).ok());
}

namespace {
template <class T> void check_same(const T& a, const T& b) {
    CHECK(sipws::test::describe(a) == sipws::test::describe(b));
}
} // namespace

TEST_CASE("parse: typed values kept by validation equal those parsed on access", "[sip][parser][SIP3261-7.3-c]") {
    std::string m = crlf("INVITE sip:bob@example.com SIP/2.0\n"
                         "Via: , SIP/2.0/WSS a.invalid;branch=z9hG4bK1;rport, SIP/2.0/UDP 192.0.2.1:5060\n"
                         "Via: SIP/2.0/TCP b.example.com;branch=z9hG4bK2\n"
                         "f: \"Alice\" <sip:alice@example.com;transport=ws>;tag=1\n"
                         "t: sip:bob@example.com\n"
                         "i: x@y\n"
                         "CSeq: 7 INVITE\n"
                         "Contact: ,\n"
                         "m: <sip:a@b;ob>;expires=60, *\n"
                         "Contact: <sip:c@d>\n"
                         "\n");
    parse_options strict = parse_options::lenient();
    strict.validate_headers = true;
    parse_options lazy = strict;
    lazy.validate_headers = false;
    basic_message<16> a, b;
    REQUIRE_FALSE(parse(m, a, strict));
    REQUIRE_FALSE(parse(m, b, lazy));
    std::error_code e1, e2;
    check_same(a.top_via(e1), b.top_via(e2));
    CHECK(a.top_via(e1).branch == "z9hG4bK1");
    CHECK((!e1 && !e2));
    check_same(a.from(e1), b.from(e2));
    CHECK((!e1 && !e2));
    check_same(a.to(e1), b.to(e2));
    CHECK((!e1 && !e2));
    check_same(a.contact(e1), b.contact(e2));
    CHECK((!e1 && !e2));
    CHECK(a.contact(e1).uri_text == "sip:a@b;ob");
    CHECK(a.cseq(e1).number == b.cseq(e2).number);
    CHECK(a.cseq(e1).method == "INVITE");

    // the kept values are read without allocating
    long before = g_allocations.load();
    std::size_t touch = a.top_via(e1).branch.size() + a.from(e1).tag().size() +
                        a.to(e1).uri_text.size() + a.contact(e1).uri_text.size() + a.cseq(e1).number;
    CHECK(g_allocations.load() == before);
    CHECK(touch > 0);

    // a copy keeps them, pointing into the same buffer
    basic_message<16> c = a;
    CHECK(c.from(e1).tag() == "1");

    // parsing another message into the same object forgets them
    std::string other = crlf("SIP/2.0 200 OK\n"
                             "Via: SIP/2.0/UDP z.example.com;branch=z9hG4bK9\n"
                             "From: <sip:x@example.com>;tag=9\n"
                             "To: <sip:y@example.com>\n"
                             "Call-ID: q\n"
                             "CSeq: 1 BYE\n"
                             "\n");
    REQUIRE_FALSE(parse(other, a, lazy));
    CHECK(a.top_via(e1).host == "z.example.com");
    CHECK(a.from(e1).tag() == "9");
    a.contact(e1);
    CHECK(e1 == errc::missing_header);
}

TEST_CASE("parse: typed values of a message that fails validation", "[sip][parser]") {
    // From is checked (and kept) before the malformed To fails the parse
    std::string m = crlf("OPTIONS sip:bob@example.com SIP/2.0\n"
                         "Via: SIP/2.0/UDP a.example.com;branch=z9hG4bK1\n"
                         "From: <sip:alice@example.com>;tag=1\n"
                         "To: <sip:bob@example.com\n"
                         "Call-ID: x\n"
                         "CSeq: 1 OPTIONS\n"
                         "\n");
    basic_message<16> msg;
    parse_error e = parse(m, msg);
    CHECK(e.code == errc::bad_name_addr);
    std::error_code ec;
    CHECK(msg.from(ec).tag() == "1");
    CHECK_FALSE(ec);
    msg.to(ec);
    CHECK(ec == errc::bad_name_addr);
    CHECK(msg.cseq(ec).number == 1);
}
