// RFC 4475 torture messages, committed byte for byte under tests/unit/sip/torture/.
#include <sipws/sip/parser.hpp>
#include <sipws/sip/response.hpp>

#include "support/test.hpp"

#include <cstddef>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

using namespace sipws::sip;

namespace {

std::string load(const std::string& name) {
    std::string path = std::string(sipws::test::source_dir()) + "/tests/unit/sip/torture/" + name + ".sip";
    std::ifstream f(path, std::ios::binary);
    INFO(path);
    REQUIRE(f.good());
    return std::string(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>());
}

// RFC 3629 well-formedness (no overlongs, no surrogates, <= U+10FFFF).
bool valid_utf8(std::string_view s) {
    std::size_t i = 0;
    while (i < s.size()) {
        auto c = static_cast<unsigned char>(s[i]);
        std::size_t n;
        unsigned lo = 0x80, hi = 0xbf;
        if (c < 0x80) {
            ++i;
            continue;
        } else if (c >= 0xc2 && c <= 0xdf) {
            n = 1;
        } else if (c >= 0xe0 && c <= 0xef) {
            n = 2;
            if (c == 0xe0) lo = 0xa0;
            if (c == 0xed) hi = 0x9f;
        } else if (c >= 0xf0 && c <= 0xf4) {
            n = 3;
            if (c == 0xf0) lo = 0x90;
            if (c == 0xf4) hi = 0x8f;
        } else {
            return false;
        }
        if (s.size() - i <= n) return false;
        for (std::size_t k = 1; k <= n; ++k) {
            auto d = static_cast<unsigned char>(s[i + k]);
            if (d < (k == 1 ? lo : 0x80u) || d > (k == 1 ? hi : 0xbfu)) return false;
        }
        i += n + 1;
    }
    return true;
}

const std::vector<std::string> valid_3_1_1 = {"wsinv",   "intmeth",    "esc01",   "escnull", "esc02",
                                             "lwsdisp", "longreq",    "dblreq",  "semiuri", "transports",
                                             "mpart01", "unreason",   "noreason"};
const std::vector<std::string> invalid_3_1_2 = {
    "badinv01", "clerr",   "ncl",      "scalar02", "scalarlg",   "quotbal",    "ltgtruri",
    "lwsruri",  "lwsstart", "trws",    "escruri",  "baddate",    "regbadct",   "badaspec",
    "baddn",    "badvers", "mismatch01", "mismatch02", "bigcode"};
const std::vector<std::string> semantic_3_2_to_3_4 = {
    "badbranch", "insuf",   "unkscm", "novelsc",  "unksm2",   "bext01",   "invut",   "regaut01",
    "multi01",   "mcl01",   "bcast",  "zeromf",   "cparam01", "cparam02", "regescrt", "sdp01", "inv2543"};

std::vector<via> all_vias(const message& m) {
    std::vector<via> out;
    for (std::string_view v : m.values(header_id::via)) {
        std::error_code ec;
        out.push_back(parse_via(v, ec));
        REQUIRE_FALSE(ec);
    }
    return out;
}

} // namespace

TEST_CASE("RFC 4475 3.1.1: every valid message parses", "[sip][torture][TT4475-a]") {
    for (const auto& name : valid_3_1_1) {
        INFO(name);
        std::string s = load(name);
        auto r = parse(s);
        CAPTURE(r.error.what, r.error.offset);
        CHECK(r.ok());
    }
}

TEST_CASE("RFC 4475 3.1.1.1 wsinv: short tortuous INVITE", "[sip][torture][TT4475-a]") {
    std::string s = load("wsinv");
    auto r = parse(s);
    REQUIRE(r.ok());
    CHECK(r->method() == "INVITE");
    CHECK(r->request_uri() == "sip:vivekg@chair-dnrc.example.com;unknownparam");
    auto to = r->to();
    REQUIRE(to);
    CHECK(to->uri.user == "vivekg");
    CHECK(to->uri.host == "chair-dnrc.example.com");
    CHECK(to->tag() == "1918181833n");
    auto from = r->from();
    REQUIRE(from);
    CHECK(from->display_name == "\"J Rosenberg \\\\\\\"\"");
    CHECK(from->display_name_text() == "J Rosenberg \\\"");
    CHECK(from->uri_text == "sip:jdrosen@example.com");
    CHECK(from->tag() == "98asjd8");
    CHECK(r->max_forwards() == 68u);
    CHECK(r->call_id() == "wsinv.ndaksdj@192.0.2.1");
    auto cs = r->cseq();
    REQUIRE(cs);
    CHECK(cs->number == 9u);
    CHECK(cs->method == "INVITE");
    auto vias = all_vias(*r);
    REQUIRE(vias.size() == 3);
    CHECK(vias[0].transport == "UDP");
    CHECK(vias[0].host == "192.0.2.2");
    CHECK(vias[0].branch == "390skdjuw");
    CHECK(vias[1].transport == "TCP");
    CHECK(vias[1].host == "spindle.example.com");
    CHECK(vias[1].branch == "z9hG4bK9ikj8");
    CHECK(vias[2].transport == "UDP");
    CHECK(vias[2].host == "192.168.255.111");
    CHECK(vias[2].branch == "z9hG4bK30239");
    auto top = r->top_via();
    REQUIRE(top);
    CHECK(top->branch == "390skdjuw");
    CHECK(r->has("s"));                // compact Subject, empty value
    CHECK(r->value("Subject").empty());
    CHECK(r->value("NewFangledHeader") == "newfangled value\r\n continued newfangled value");
    CHECK(r->value("UnknownHeaderWithUnusualValue") == ";;,,;;,;");
    REQUIRE(r->routes().size() == 1);
    auto route = *r->routes().begin();
    CHECK(route.uri.host == "services.example.com");
    CHECK(route.uri.lr());
    CHECK(route.uri.param("unknownwith") == "value");
    CHECK(route.uri.has_param("unknown-no-value"));
    REQUIRE(r->contacts().size() == 1);
    auto contact = *r->contacts().begin();
    CHECK(contact.display_name == "\"Quoted string \\\"\\\"\"");
    CHECK(contact.uri_text == "sip:jdrosen@example.com");
    CHECK(contact.param("newparam") == "newvalue");
    CHECK(contact.has_param("secondparam"));
    CHECK(contact.param("q") == "0.33");
    CHECK(r->body().size() == 150);
    CHECK(r->content_type().has_value());
}

TEST_CASE("RFC 4475 3.1.1.2 intmeth: wide range of valid characters", "[sip][torture][TT4475-a]") {
    std::string s = load("intmeth");
    auto r = parse(s);
    CAPTURE(r.error.what, r.error.offset);
    REQUIRE(r.ok());
    CHECK(r->method() == "!interesting-Method0123456789_*+`.%indeed'~");
    CHECK(r->request_uri() ==
          "sip:1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*:&it+has=1,weird!*pas$wo~d_too.(doesn't-it)@example.com");
    std::error_code ec;
    uri ru = r->request_uri_parsed(ec);
    REQUIRE_FALSE(ec);
    CHECK(ru.user == "1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*");
    CHECK(ru.password == "&it+has=1,weird!*pas$wo~d_too.(doesn't-it)");
    CHECK(ru.host == "example.com");
    CHECK(r->top_via()->branch == "z9hG4bK-.!%66*_+`'~");
    auto to = r->to();
    REQUIRE(to);
    // quoted-pairs of BEL, NUL and DEL inside the display name
    CHECK(to->display_name == std::string_view("\"BEL:\\\x07 NUL:\\\0 DEL:\\\x7f\"", 22));
    CHECK(to->uri.user == "1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*");
    auto from = r->from();
    REQUIRE(from);
    CHECK(from->display_name == "token1~` token2'+_ token3*%!.-");
    CHECK(from->tag() == "_token~1'+`*%!-.");
    CHECK(from->param("fromParam''~+*_!.-%") == "\"\xd1\x80\xd0\xb0\xd0\xb1\xd0\xbe\xd1\x82\xd0\xb0\xd1\x8e\xd1\x89\xd0\xb8\xd0\xb9\"");
    CHECK(r->call_id() == "intmeth.word%ZK-!.*_+'@word`~)(><:\\/\"][?}{");
    CHECK(r->cseq()->number == 139122385u);
    CHECK(r->cseq()->method == r->method());
    CHECK(r->max_forwards() == 255u);
    CHECK(r->value("extensionHeader-!.%*+_`'~") == "\xef\xbb\xbf\xe5\xa4\xa7\xe5\x81\x9c\xe9\x9b\xbb");
}

TEST_CASE("RFC 4475 3.1.1.3-5 esc01, escnull, esc02: escapes", "[sip][torture][TT4475-a]") {
    {
        std::string s = load("esc01");
        auto r = parse(s);
        REQUIRE(r.ok());
        std::error_code ec;
        uri ru = r->request_uri_parsed(ec);
        REQUIRE_FALSE(ec);
        CHECK(ru.user == "sips%3Auser%40example.com");
        CHECK(ru.host == "example.net");
        CHECK(r->to()->uri.user == "%75se%72");
        CHECK(r->from()->uri.user == "I%20have%20spaces");
        CHECK(r->call_id() == "esc01.239409asdfakjkn23onasd0-3234");
        CHECK(r->content_type().has_value()); // compact "c"
        REQUIRE(r->contacts().size() == 1);
        auto c = *r->contacts().begin();
        CHECK(c.uri.user == "cal%6Cer");
        CHECK(c.uri.has_param("%6C%72"));
        CHECK(c.uri.param("n%61me") == "v%61lue%25%34%31");
        // RFC 3261 19.1.4: escaped and unescaped forms compare equal
        std::error_code e2;
        uri plain = parse_uri("sip:caller@host5.example.net;lr;name=value%25%34%31", e2);
        REQUIRE_FALSE(e2);
        CHECK(equivalent(c.uri, plain));
        CHECK(r->body().size() == 150);
    }
    {
        std::string s = load("escnull");
        auto r = parse(s);
        REQUIRE(r.ok());
        CHECK(r->to()->uri.user == "null-%00-null");
        REQUIRE(r->contacts().size() == 2);
        auto it = r->contacts().begin();
        CHECK((*it).uri.user == "%00");
        ++it;
        CHECK((*it).uri.user == "%00%00");
        CHECK(r->has_content_length());
        CHECK(r->content_length() == 0);
    }
    {
        std::string s = load("esc02");
        auto r = parse(s);
        REQUIRE(r.ok());
        CHECK(r->method() == "RE%47IST%45R");
        CHECK(r->cseq()->method == "RE%47IST%45R");
        CHECK(r->from()->display_name == "\"%Z%45\"");
        CHECK(r->top_via()->branch == "z9hG4bK209%fzsnel234");
        // C%6Fntact is an extension header, not Contact
        CHECK(r->count(header_id::contact) == 2);
        CHECK(r->value("C%6Fntact") == "<sip:alias2@host2.example.com>");
    }
}

TEST_CASE("RFC 4475 3.1.1.6-8 lwsdisp, longreq, dblreq", "[sip][torture][TT4475-a]") {
    {
        std::string s = load("lwsdisp");
        auto r = parse(s);
        REQUIRE(r.ok());
        CHECK(r->from()->display_name == "caller");
        CHECK(r->from()->uri_text == "sip:caller@example.com");
        CHECK(r->from()->tag() == "323");
    }
    {
        std::string s = load("longreq");
        auto r = parse(s);
        REQUIRE(r.ok());
        auto vias = all_vias(*r);
        REQUIRE(vias.size() == 34);
        CHECK(vias[0].host == "sip33.example.com");
        CHECK(vias[32].host == "sip1.example.com");
        CHECK(vias[33].received == "192.0.2.5");
        CHECK(vias[33].branch.size() == 4 + 50 * 4 + 11);
        auto to = r->to();
        REQUIRE(to);
        CHECK(to->uri.port == 6000);
        CHECK(to->uri.has_param("verylonglonglonglonglonglonglonglonglonglonglonglonglonglonglonglonglonglonglonglonglonglonglonglonglongParameterNameWithNoValue"));
        auto from = r->from();
        REQUIRE(from);
        CHECK(from->tag().rfind("1298298298", 0) == 0);
        CHECK(from->tag().substr(from->tag().size() - 8) == "82982424");
        CHECK(from->has_param("unknownValuelessparamnameparamnameparamnameparamnameparamnameparamnameparamnameparamnameparamnameparamname"));
        CHECK(r->call_id().rfind("longreq.onereallyreally", 0) == 0);
        CHECK(r->call_id().substr(r->call_id().size() - 10) == "longcallid");
        CHECK(r->body().size() == 150);
    }
    {
        // two requests in one buffer: Content-Length 0 ends the REGISTER
        std::string s = load("dblreq");
        auto r = parse(s);
        REQUIRE(r.ok());
        CHECK(r->method() == "REGISTER");
        CHECK(r->call_id() == "dblreq.0ha0isndaksdj99sdfafnl3lk233412");
        CHECK(r->body().empty());
        CHECK(r->surplus() == s.size() - r->head().size());
        CHECK(s.substr(r->head().size()).rfind("INVITE sip:joe@example.com SIP/2.0\r\n", 0) == 0);
    }
}

TEST_CASE("RFC 4475 3.1.1.9-10 semiuri, transports", "[sip][torture][TT4475-a]") {
    {
        std::string s = load("semiuri");
        auto r = parse(s);
        REQUIRE(r.ok());
        std::error_code ec;
        uri ru = r->request_uri_parsed(ec);
        REQUIRE_FALSE(ec);
        CHECK(ru.user == "user;par=u%40example.net");
        CHECK(ru.host == "example.com");
        CHECK(ru.parameters.begin() == ru.parameters.end());
        CHECK(r->values("Accept", true).size() == 6);
    }
    {
        std::string s = load("transports");
        auto r = parse(s);
        REQUIRE(r.ok());
        auto vias = all_vias(*r);
        REQUIRE(vias.size() == 5);
        CHECK(vias[0].transport == "UDP");
        CHECK(vias[1].transport == "SCTP");
        CHECK(vias[2].transport == "TLS");
        CHECK(vias[3].transport == "UNKNOWN");
        CHECK(vias[4].transport == "TCP");
        CHECK(r->call_id() == "transports.kijh4akdnaqjkwendsasfdj");
    }
}

TEST_CASE("RFC 4475 3.1.1.11-13 mpart01, unreason, noreason", "[sip][torture][TT4475-a][SIP3261-7.4-a]") {
    {
        std::string s = load("mpart01");
        auto r = parse(s);
        REQUIRE(r.ok());
        CHECK(r->method() == "MESSAGE");
        CHECK(r->content_length() == 553);
        CHECK(r->body().size() == 553);
        CHECK(r->body().find('\0') != std::string_view::npos);
        CHECK(r->body().substr(r->body().size() - 22) == "--7a9cbec02ceef655--\r\n");
        CHECK(r->top_via()->has_rport);
        CHECK_FALSE(r->top_via()->rport_has_value);
    }
    {
        std::string s = load("unreason");
        auto r = parse(s);
        REQUIRE(r.ok());
        CHECK(r->status_code() == 200);
        CHECK(r->reason_phrase().rfind("= 2**3 * 5**2 \xd0\xbd\xd0\xbe ", 0) == 0);
        CHECK(r->body().size() == 154);
    }
    {
        std::string s = load("noreason");
        auto r = parse(s);
        REQUIRE(r.ok());
        CHECK(r->status_code() == 100);
        CHECK(r->reason_phrase().empty());
    }
}

TEST_CASE("RFC 4475 3.1.2: invalid messages are refused with the expected outcome",
          "[sip][torture][TT4475-b][SIP3261-8.2-b]") {
    struct expect {
        const char* name;
        errc code;
        unsigned response; // 0: silent drop
    };
    const expect cases[] = {
        {"badinv01", errc::bad_via, 400},
        {"clerr", errc::body_too_short, 400},
        {"ncl", errc::bad_content_length, 400},
        {"scalar02", errc::bad_cseq, 400},
        {"scalarlg", errc::bad_cseq, 0},
        {"quotbal", errc::bad_name_addr, 400},
        {"ltgtruri", errc::bad_request_uri, 400},
        {"lwsruri", errc::bad_request_uri, 400},
        {"lwsstart", errc::bad_start_line, 400},
        {"trws", errc::bad_start_line, 400},
        {"escruri", errc::bad_request_uri, 400},
        {"regbadct", errc::bad_name_addr, 400},
        {"badaspec", errc::bad_name_addr, 400},
        {"baddn", errc::bad_name_addr, 400},
        {"badvers", errc::version_not_supported, 505},
        {"mismatch01", errc::cseq_method_mismatch, 400},
        {"mismatch02", errc::cseq_method_mismatch, 400},
        {"bigcode", errc::bad_status_code, 0},
    };
    REQUIRE(std::size(cases) + 1 == invalid_3_1_2.size()); // + baddate
    for (const auto& c : cases) {
        INFO(c.name);
        std::string s = load(c.name);
        auto r = parse(s);
        CAPTURE(r.error.what, r.error.offset);
        REQUIRE_FALSE(r.ok());
        CHECK(r.error.code == c.code);
        CHECK(r.error.offset <= s.size());
        CHECK_FALSE(r.error.what.empty());
        auto resp = make_error_response(r.msg, r.error);
        if (c.response == 0) {
            CHECK(r->start_line().rfind("SIP/2.0 ", 0) == 0); // a response: never answered
            CHECK_FALSE(resp);
            continue;
        }
        REQUIRE(resp);
        parse_options o = parse_options::lenient();
        o.validate_headers = false; // the request's rows are copied as they were
        auto rp = parse(*resp, o);
        CAPTURE(*resp);
        REQUIRE(rp.ok());
        CHECK(rp->status_code() == c.response);
        CHECK(rp->call_id() == r->call_id());
        CHECK(rp->value(header_id::cseq) == r->value(header_id::cseq));
        CHECK(rp->count(header_id::via) == r->count(header_id::via));
    }
}

TEST_CASE("RFC 4475 3.1.2.12 baddate: a malformed Date alone is not a reason to reject",
          "[sip][torture][TT4475-b][SIP3261-7.3-f]") {
    std::string s = load("baddate");
    auto r = parse(s);
    REQUIRE(r.ok());
    CHECK(r->value("Date") == "Fri, 01 Jan 2010 16:00:00 EST");
    CHECK(r->body().size() == 150);
}

TEST_CASE("RFC 4475 3.1.2: the lenient parser never crashes on them either", "[sip][torture][TT4475-b]") {
    for (const auto& name : invalid_3_1_2) {
        INFO(name);
        std::string s = load(name);
        for (std::size_t cut : {s.size(), s.size() / 2, std::size_t{1}}) {
            auto r = parse(std::string_view(s).substr(0, cut), parse_options::lenient());
            if (!r.ok()) CHECK(r.error.offset <= cut);
            else CHECK(r->data().size() <= cut);
        }
    }
}

TEST_CASE("RFC 4475 3.2-3.4: transaction, application and compatibility cases parse",
          "[sip][torture][TT4475-c]") {
    for (const auto& name : semantic_3_2_to_3_4) {
        INFO(name);
        std::string s = load(name);
        parse_options o;
        o.require_mandatory_headers = false; // the checks the layers above make
        auto r = parse(s, o);
        CAPTURE(r.error.what, r.error.offset);
        if (name == "mcl01") {
            // two Content-Length values: the rows are all indexed, the
            // conflict is reported and answered with 400
            REQUIRE(r.error.code == errc::bad_content_length);
            CHECK(r->count(header_id::content_length) == 2);
            CHECK(r->value(header_id::content_type) == "text/plain");
            auto resp = make_error_response(r.msg, r.error);
            REQUIRE(resp);
            CHECK(resp->rfind("SIP/2.0 400 ", 0) == 0);
            continue;
        }
        CHECK(r.ok());
    }
    SECTION("what the layers above see") {
        std::string s = load("badbranch");
        auto r = parse(s);
        REQUIRE(r.ok());
        CHECK(r->top_via()->branch == "z9hG4bK");
        CHECK(r->top_via()->has_magic_cookie()); // but nothing after the cookie: a proxy cannot use it as a key

        s = load("insuf"); // 400: From, To, Call-ID, Max-Forwards missing
        auto i = parse(s);
        CHECK(i.error.code == errc::missing_header);

        s = load("multi01"); // 400: two From, To, Call-ID, CSeq
        auto m = parse(s);
        CHECK(m.error.code == errc::duplicate_header);

        s = load("unkscm"); // 416
        auto u = parse(s);
        REQUIRE(u.ok());
        std::error_code ec;
        CHECK(u->request_uri_parsed(ec).scheme == uri_scheme::other);

        s = load("novelsc");
        auto n = parse(s);
        REQUIRE(n.ok());
        CHECK(n->request_uri() == "soap.beep://192.0.2.103:3002");

        s = load("bext01"); // 420
        auto b = parse(s);
        REQUIRE(b.ok());
        CHECK(b->has_option_tag(header_id::require, "nothingSupportsThisEither"));

        s = load("zeromf"); // 483 for a proxy
        auto z = parse(s);
        REQUIRE(z.ok());
        CHECK(z->max_forwards() == 0u);

        s = load("cparam01"); // unknownparam is a Contact parameter
        auto c1 = parse(s);
        REQUIRE(c1.ok());
        CHECK((*c1->contacts().begin()).has_param("unknownparam"));
        CHECK_FALSE((*c1->contacts().begin()).uri.has_param("unknownparam"));

        s = load("cparam02"); // unknownparam is a URI parameter
        auto c2 = parse(s);
        REQUIRE(c2.ok());
        CHECK((*c2->contacts().begin()).uri.has_param("unknownparam"));

        s = load("regescrt");
        auto re = parse(s);
        REQUIRE(re.ok());
        CHECK((*re->contacts().begin()).uri.headers == "Route=%3Csip:sip.example.com%3E");

        s = load("inv2543"); // RFC 2543: no branch, no tags, no Content-Length
        auto old = parse(s);
        REQUIRE(old.ok());
        CHECK(old->top_via()->branch.empty());
        CHECK_FALSE(old->has_content_length());
        CHECK(old->body().size() == 105);
    }
}

TEST_CASE("RFC 4475: only mpart01 needs a binary WebSocket message", "[sip][torture][TT4475-d]") {
    std::vector<std::string> all = valid_3_1_1;
    all.insert(all.end(), invalid_3_1_2.begin(), invalid_3_1_2.end());
    all.insert(all.end(), semantic_3_2_to_3_4.begin(), semantic_3_2_to_3_4.end());
    REQUIRE(all.size() == 49);
    for (const auto& name : all) {
        INFO(name);
        CHECK(valid_utf8(load(name)) == (name != "mpart01"));
    }
    CHECK_FALSE(valid_utf8("\xc0\x80"));     // overlong
    CHECK_FALSE(valid_utf8("\xed\xa0\x80")); // surrogate
    CHECK(valid_utf8("\xf0\x9f\x98\x80"));
}
