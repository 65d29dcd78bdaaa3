#include <sipws/sip/parser.hpp>

#include "support/sip_values.hpp"
#include "support/test.hpp"

#include <algorithm>
#include <string>
#include <vector>

using namespace sipws::sip;

TEST_CASE("via: protocol, transport, sent-by and parameters", "[sip][via][SIP3261-20.42-a][WS7118-5.1-b][NAT3581-3-a]") {
    std::error_code ec;
    via v = parse_via("SIP/2.0/wss df7jal23ls0d.invalid;branch=z9hG4bKasudf;rport", ec);
    REQUIRE_FALSE(ec);
    CHECK(v.protocol_name == "SIP");
    CHECK(v.protocol_version == "2.0");
    CHECK(v.transport == "wss");
    CHECK(v.is_wss());
    CHECK_FALSE(v.is_ws());
    CHECK(v.host == "df7jal23ls0d.invalid");
    CHECK_FALSE(v.has_port);
    CHECK(v.port_or_default() == 443);
    CHECK(v.branch == "z9hG4bKasudf");
    CHECK(v.has_magic_cookie());
    CHECK(v.has_rport);
    CHECK_FALSE(v.rport_has_value);
    CHECK(v.received.empty());

    via w = parse_via("SIP / 2.0 / UDP [2001:db8::9]:5070 ; received=2001:db8::7 ;rport=1234;ttl=16;maddr=224.2.0.1;x-ext=\"q;v\";flag", ec);
    REQUIRE_FALSE(ec);
    CHECK(w.transport == "UDP");
    CHECK(w.host == "[2001:db8::9]");
    CHECK(w.host_type == host_kind::ipv6);
    CHECK(w.port == 5070);
    CHECK(w.sent_by == "[2001:db8::9]:5070");
    CHECK(w.received == "2001:db8::7");
    CHECK(w.rport == 1234);
    CHECK(w.ttl == 16);
    CHECK(w.maddr == "224.2.0.1");
    CHECK(w.param("x-ext") == "\"q;v\"");
    CHECK(w.has_param("flag"));
    CHECK_FALSE(w.has_magic_cookie());

    via k = parse_via("SIP/2.0/WS  127.0.0.1:8080", ec); // Kamailio
    REQUIRE_FALSE(ec);
    CHECK(k.is_ws());
    CHECK(k.port == 8080);

    for (std::string bad : {"SIP/2.0 host", "SIP/2.0/UDP", "SIP/2.0/UDP host:70000", "SIP/2.0/UDPhost",
                            "SIP/2.0/UDP host;branch", "SIP/2.0/UDP host;ttl=256", "SIP/2.0/UDP host;received=example.com",
                            "SIP/2.0/UDP host;rport=x", "SIP/2.0/UDP host junk", "SIP/2.0/UDP host;=x"}) {
        INFO(bad);
        parse_via(bad, ec);
        CHECK(ec);
    }
    parse_via("SIP/2.0/UDP host;branch=a;Branch=b", ec);
    CHECK(ec == errc::duplicate_parameter);
}

TEST_CASE("hosts: the Request-URI and Via sent-by read the same with and without room to load past them", "[sip][via][uri][SIP3261-19.1-b]") {
    // Inside a message the host scans load up to 32 octets past the host's
    // end; alone they may not: both must give the same host or error.
    std::vector<std::string> hosts = {"192.168.100.200", "1.2.3.4", "1.2.3.400", "10.0.0.1.", "example.com", "a-b", "a--b"};
    for (std::size_t n : {14, 15, 16, 17, 30, 31, 32, 33, 47})
        for (std::size_t at : {std::size_t{0}, std::size_t{14}, std::size_t{15}, std::size_t{16}, n - 1})
            for (char c : {'.', '-', '_'}) {
                std::string h(n, 'h');
                if (at < n) h[at] = c;
                hosts.push_back(h);
                if (at + 1 < n) {
                    h[at + 1] = c == '.' ? '-' : c;
                    hosts.push_back(h);
                }
            }
    for (const std::string& host : hosts)
        for (const char* user : {"", "bob@", "0123456789abcdef@"}) {
            std::string ru = "sip:" + std::string(user) + host;
            std::string sent = "SIP/2.0/WS " + host + ":5060;branch=z9hG4bK1";
            INFO(ru << " / " << sent);
            std::string wire = "OPTIONS " + ru + " SIP/2.0\r\nVia: " + sent +
                               "\r\nFrom: <sip:a@b>;tag=1\r\nTo: <sip:b@c>\r\nCall-ID: c\r\nCSeq: 1 OPTIONS\r\n\r\n";
            std::error_code ue, ve;
            uri u = parse_uri(ru, ue, {false});
            via v = parse_via(sent, ve);
            basic_message<16> m;
            parse_error e = parse(wire, m);
            if (ue) {
                CHECK(e.code == errc::bad_request_uri);
                continue;
            }
            if (ve) {
                CHECK(e.code == errc::bad_via);
                continue;
            }
            REQUIRE_FALSE(e);
            std::error_code ec;
            via top = m.top_via(ec);
            CHECK(top.host == v.host);
            CHECK(top.host_type == v.host_type);
            CHECK(top.port == 5060);
            uri r = m.request_uri_parsed(ec);
            CHECK(r.host == u.host);
            CHECK(r.user == u.user);
            CHECK(r.host_type == u.host_type);
        }
}

TEST_CASE("name-addr: display names, URI and header parameters", "[sip][name_addr][SIP3261-20.10-a]") {
    std::error_code ec;
    name_addr a = parse_name_addr("\"Alice \\\"A\\\" Smith\" <sip:alice@example.com;transport=ws>;tag=1928301774", ec);
    REQUIRE_FALSE(ec);
    CHECK(a.display_name == "\"Alice \\\"A\\\" Smith\"");
    CHECK(a.display_name_text() == "Alice \"A\" Smith");
    CHECK(a.uri_text == "sip:alice@example.com;transport=ws");
    CHECK(a.uri.transport() == "ws");
    CHECK(a.tag() == "1928301774");
    CHECK(a.bracketed);

    name_addr b = parse_name_addr("Mr. J. User <sip:j.user@example.com>", ec);
    REQUIRE_FALSE(ec);
    CHECK(b.display_name == "Mr. J. User");

    // addr-spec: the parameters belong to the header (cparam01 vs cparam02)
    name_addr c = parse_name_addr("sip:alice@example.com;tag=xyz;expires=60", ec);
    REQUIRE_FALSE(ec);
    CHECK(c.uri_text == "sip:alice@example.com");
    CHECK(c.tag() == "xyz");
    CHECK(c.expires() == 60);
    CHECK_FALSE(c.bracketed);

    name_addr d = parse_name_addr("<sip:alice@example.com;tag=xyz>", ec);
    REQUIRE_FALSE(ec);
    CHECK(d.uri.param("tag") == "xyz");
    CHECK_FALSE(d.has_tag());

    name_addr star = parse_name_addr("*", ec, {false, true});
    REQUIRE_FALSE(ec);
    CHECK(star.is_star());
    parse_name_addr("*", ec);
    CHECK(ec);

    for (std::string bad : {"\"unterminated <sip:a@b>", "<sip:a@b", "sip:a@b?Route=x", "Bell, Alexander <sip:a@b>",
                            "< sip:a@b >", "<sip:a@b>;tag=", "<sip:a@b> junk", "\"Q\" sip:a@b", ""}) {
        INFO(bad);
        parse_name_addr(bad, ec);
        CHECK(ec);
    }
    parse_name_addr("sip:a@b", ec, {true, false});
    CHECK(ec == errc::bad_name_addr);
    parse_name_addr("<sip:a@b>;tag=1;TAG=2", ec);
    CHECK(ec == errc::duplicate_parameter);
}

TEST_CASE("name-addr: <URI> holds the URI parse_uri() makes of the text between the brackets", "[sip][name_addr][SIP3261-20.10-a]") {
    // The usual <sip:...> is scanned up to its ">" in one walk, any other
    // once its ">" is found: both give what parse_uri() gives, or its error.
    const std::string uris[] = {"sip:alice@example.com", "SIP:alice@example.com", "sip:example.com", "sip:a@b:5060",
                                "sip:a@b:65536", "sip:a@b:65535", "sip:a@b:00443", "sip:a@b:000443", "sip:a@b:1x", "sip:a@b:", "sip:a@1.2.3.4:1;transport=ws;lr", "sip:a@b;x=%41;y",
                                "sip:a@b;x=%4g", "sip:a@b;lr;LR", "sip:a@[::1]:5", "sip:b?x=y", "sip:a:pw@b", "sip:a%41@b",
                                "sip:@b", "sip:a@", "sip:a@b-", "sip:a@999.1.1.1", "sips:a@b", "tel:+1234", "sip:a@b;x=\"q\"",
                                "sip:abcdefghijklmnopqrstuvwxyz0123@host.example.com",
                                "sip:h7kjh12s@proxy.example.com:443;transport=ws;lr",
                                "sip:alice@example.com;gr=urn:uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6;ob",
                                "sip:a@b;gr=urn:uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6;GR", "sip:a@b;x==1", "sip:a@b;x=1=2",
                                "sip:a@b;x=", "sip:a@b;=1", "sip:a@b;;x", "sip:a@b;x;", "sip:a@b;x_y=~z!;w=[::1]", "sip:a@b;x=a%2",
                                "sip:a@b;abcdefghijklmnop=0123456789abcdef;q", "sip:a@b;x=0123456789abcdef0123%41;y=1",
                                "sip:a@b;x=y?h=v", "sip:a@b;x=\"y\"", "sip:a@b;x=<y"};
    // users and hosts that end on either side of the 16th and 32nd octet,
    // with the labels a hostname may not have
    std::vector<std::string> all(std::begin(uris), std::end(uris));
    const std::string hosts[] = {"example.com", "a-b.c", "-a.com", "a-.com", "a..b", "a--b.c", ".a", "a.", "a.b-", "1.2.3.4",
                                 "1.2.3.400", "1.2-3.4", "x", "", "0123456789abcdefghijklmnopqrstu", "a.b.c.d.e.f.g.h.i.j.k.l.m.n.o.p"};
    for (std::size_t n : {0, 1, 14, 15, 16, 17, 26, 29, 30, 31, 32, 33})
        for (const std::string& host : hosts)
            for (const char* tail : {"", ":5060", ";lr", "!"}) {
                std::string user(n, 'u');
                if (n > 3) user[n / 2] = '-';
                all.push_back("sip:" + user + (n != 0 || host.size() % 2 ? "@" : "") + host + tail);
            }
    const std::string afters[] = {"", ";tag=1", " ;tag=abcdefghijklmnopqrstuvwxyz0123456789", ">"};
    for (const std::string& u : all)
        for (const std::string& after : afters) {
            std::string value = "<" + u + ">" + after;
            INFO(value);
            std::error_code ue, ne;
            uri want = parse_uri(u, ue);
            name_addr got = parse_name_addr(value, ne);
            // and inside a message, whose scans may load octets past the value
            std::string wire = "MESSAGE sip:b@example.com SIP/2.0\r\nVia: SIP/2.0/WS h;branch=z9hG4bK1\r\nFrom: " + value +
                               "\r\nTo: <sip:b@example.com>\r\nCall-ID: c\r\nCSeq: 1 MESSAGE\r\n\r\n";
            auto r = parse(wire);
            if (ue || after == ">") {
                if (ue == errc::duplicate_parameter)
                    CHECK(ne == errc::duplicate_parameter);
                else
                    CHECK(ne == (ue ? errc::bad_uri : errc::bad_name_addr));
                CHECK(r.error);
                continue;
            }
            REQUIRE_FALSE(ne);
            REQUIRE_FALSE(r.error);
            name_addr kept = *r.msg.from();
            for (const name_addr* a : {&got, &kept}) {
                CHECK(a->uri_text == u);
                CHECK(a->uri.raw == u);
                CHECK(a->uri.scheme == want.scheme);
                CHECK(a->uri.scheme_name == want.scheme_name);
                CHECK(a->uri.user == want.user);
                CHECK(a->uri.has_user == want.has_user);
                CHECK(a->uri.password == want.password);
                CHECK(a->uri.host == want.host);
                CHECK(a->uri.host_type == want.host_type);
                CHECK(a->uri.port == want.port);
                CHECK(a->uri.has_port == want.has_port);
                CHECK(a->uri.parameters.str() == want.parameters.str());
                CHECK(a->uri.headers == want.headers);
                CHECK(a->uri.opaque == want.opaque);
                CHECK(a->bracketed);
                CHECK(a->parameters.str() == (after.empty() ? std::string_view{} : std::string_view(after).substr(after[0] == ' ')));
            }
        }
}

TEST_CASE("name-addr: header parameters read the same alone and inside a message", "[sip][name_addr][SIP3261-20.10-a][SIP3261-7.3-d]") {
    // Inside a message the scans may load sixteen octets past the value's
    // end; alone they may not: both must give the same parameters or error.
    const std::string params[] = {"", ";tag=1", ";tag=65bnmj.34asd", ";TAG=a;tag=b", ";tag=", ";=1", ";tag==1", ";a=1=2",
                                  ";a;b;c;A", ";tag=abcdefghijklmnopqrstuvwxyz0123456789", ";abcdefghijklmnopqrstuvwxyz=1",
                                  ";+sip.instance=\"<urn:uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6>\";reg-id=1",
                                  ";q=\"a\\\"b\";r", ";q=\"open", ";q=\"\"", ";a=b\"c\"", ";a=[::1]", ";a=b:c", ";a=%41",
                                  ";a_b=c~d", ";a ;b", ";a= b", ";a;", ";;a", ";a,b", ";expires=600;expires=60",
                                  ";x=0123456789abcdef;y=0123456789abcdef0;z"};
    std::string many;
    for (int k = 0; k < 70; ++k) many += ";p" + std::to_string(k);
    std::vector<std::string> all(std::begin(params), std::end(params));
    all.push_back(many);
    for (const std::string& after : all) {
        std::string value = "<sip:alice@example.com>" + after;
        INFO(value);
        std::error_code ne;
        name_addr alone = parse_name_addr(value, ne);
        std::string wire = "MESSAGE sip:b@example.com SIP/2.0\r\nVia: SIP/2.0/WS h;branch=z9hG4bK1\r\nFrom: " + value +
                           "\r\nTo: <sip:b@example.com>\r\nCall-ID: c\r\nCSeq: 1 MESSAGE\r\n\r\n";
        basic_message<16> m;
        parse_error e = parse(wire, m);
        if (ne) {
            CHECK(e.code == (ne == errc::bad_name_addr ? errc::bad_name_addr : static_cast<errc>(ne.value())));
            continue;
        }
        REQUIRE_FALSE(e);
        std::error_code ec;
        name_addr kept = m.from(ec);
        CHECK(kept.parameters.str() == alone.parameters.str());
        CHECK(kept.parameters.str() == after);
        CHECK(kept.tag() == alone.tag());
    }
    std::error_code ec;
    std::string dup = "<sip:a@b>;tag=1;x=\"2\";TAG=3" + std::string(20, ' ');
    parse_name_addr(dup, ec);
    CHECK(ec == errc::duplicate_parameter);
    std::string quoted = "<sip:a@b>;x=\"<sip:c@d;gr>\";tag=1" + std::string(20, ' ');
    name_addr q = parse_name_addr(quoted, ec);
    REQUIRE_FALSE(ec);
    CHECK(q.param("x") == "\"<sip:c@d;gr>\"");
    CHECK(q.tag() == "1");
}

namespace {
void check_same_name_addr(const name_addr& a, const name_addr& b) {
    CHECK(sipws::test::describe(a) == sipws::test::describe(b));
}
} // namespace

TEST_CASE("name-addr: a value parsed over a kept one keeps nothing of it", "[sip][name_addr][SIP3261-20.10-a]") {
    // A message parsed into the same object reuses its kept From, To and
    // Contact: each member must come from the new value alone.
    const std::string values[] = {"\"A\" <sip:a:pw@[::1]:5060;lr?x=y>;tag=1", "<sip:b@example.com>", "*",
                                  "<sip:example.com;transport=ws>", "Bob <sip:c@192.0.2.1:5>;tag=2", "sip:d@e;ob",
                                  "<tel:+1234>;x", "<sip:%41@f:1>", "<sip:g@h", "<sips:i@j>;expires=1", "<sip:k@l>"};
    for (const std::string& first : values)
        for (const std::string& second : values) {
            INFO(first << " then " << second);
            for (name_addr_options o : {name_addr_options{}, name_addr_options{false, true}}) {
                std::error_code e1, e2, e3;
                name_addr kept, want = parse_name_addr(second, e2, o);
                detail::parse_name_addr_into(first, kept, e1, o);
                detail::parse_name_addr_into(second, kept, e3, o);
                CHECK(e3 == e2);
                check_same_name_addr(kept, want);
            }
            // and inside messages parsed into the same object
            auto wire = [](const std::string& v) {
                return "MESSAGE sip:b@example.com SIP/2.0\r\nVia: SIP/2.0/WS h;branch=z9hG4bK1\r\nFrom: " + v +
                       "\r\nTo: <sip:b@example.com>\r\nCall-ID: c\r\nCSeq: 1 MESSAGE\r\nContact: " + v + "\r\n\r\n";
            };
            std::string m1 = wire(first), m2 = wire(second);
            basic_message<16> m;
            parse(m1, m);
            if (parse(m2, m)) continue;
            std::error_code ec;
            name_addr from = m.from(ec), contact = m.contact(ec);
            std::string_view v = second;
            name_addr want_from = parse_name_addr(v, ec), want_contact = parse_name_addr(v, ec, {false, true});
            check_same_name_addr(from, want_from);
            check_same_name_addr(contact, want_contact);
        }
}

TEST_CASE("name-addr: the first element of a list parsed in the walk over the whole value", "[sip][name_addr][SIP3261-7.3-c]") {
    // parse_first_name_addr_into() gives what the first element split off
    // by next_list_element() parses to, and where the next one starts;
    // when it declines, the split is left to the caller.
    const std::string firsts[] = {"<sip:h7kjh12s@proxy.example.com:443;transport=ws;lr>", "<sip:a@b>;tag=1", "\"A, B\" <sip:a@b>",
                                  "A <sip:a@b;lr>;x=\"1,2\"", "<sip:a@b>;x=[::1]", "<sip:a@b>;x=y:z", "<sip:a@b> ;x ;y=1",
                                  "sip:a@b", "sip:a@b;x", "<tel:+1,2>", "<sip:a@b", "<sip:a@b>;x=", "*", "<sip:a@b>;x;X",
                                  "<sip:a@[::1]:5>;p=\"<,>\"", "<sip:a@b>x", "\"A\\\",\" <sip:a@b>", ""};
    const std::string seps[] = {"", ",", ", ", " ,", " , ", ",,", "\r\n ,\t"};
    const std::string seconds[] = {"", "<sip:proxy.example.com;transport=udp;lr>", "x", "<sip:c@d>, <sip:e@f>"};
    for (name_addr_options o : {name_addr_options{}, name_addr_options{true, false}, name_addr_options{false, true}})
        for (const std::string& first : firsts)
            for (const std::string& sep : seps)
                for (const std::string& second : seconds) {
                    std::string value = first + sep + second;
                    std::string_view v = detail::trim_lws(value);
                    INFO(value);
                    // inside a longer buffer, as in a message
                    std::string buf = std::string(v) + "\r\nCall-ID: c\r\nCSeq: 1 MESSAGE\r\n\r\n";
                    std::string_view in(buf.data(), v.size());
                    name_addr got;
                    std::error_code ec;
                    std::size_t comma = 0;
                    bool ok = detail::parse_first_name_addr_into(in, got, ec, comma, o, buf.data() + buf.size());
                    std::size_t pos = 0;
                    std::string_view el;
                    REQUIRE(detail::next_list_element(in, pos, el));
                    name_addr want;
                    std::error_code we;
                    bool want_ok = detail::parse_name_addr_into(el, want, we, o, buf.data() + buf.size(), true, true);
                    if (!ok) {
                        CHECK(ec);
                        check_same_name_addr(got, name_addr{});
                        continue;
                    }
                    CHECK_FALSE(ec);
                    REQUIRE(want_ok);
                    check_same_name_addr(got, want);
                    CHECK(comma == std::min(pos - 1, in.size()));
                }
    // the usual two-element Route: the first element in one walk
    std::string route = "<sip:h7kjh12s@proxy.example.com:443;transport=ws;lr>,<sip:proxy.example.com;transport=udp;lr>";
    name_addr first;
    std::error_code ec;
    std::size_t comma = 0;
    REQUIRE(detail::parse_first_name_addr_into(route, first, ec, comma, {true, false}));
    CHECK(first.uri.host == "proxy.example.com");
    CHECK(first.uri.user == "h7kjh12s");
    CHECK(comma == route.find(','));
}

TEST_CASE("name-addr: RFC 5626/5627 Contact parameters", "[sip][name_addr][GR5627-3.1-a][E1-F4-c][E1-F4-d]") {
    std::error_code ec;
    name_addr c = parse_name_addr(
        "<sip:alice@df7jal23ls0d.invalid;transport=ws>;reg-id=1;+sip.instance=\"<urn:uuid:f81-7dec-14a06cf1>\";"
        "pub-gruu=\"sip:alice@example.com;gr=urn:uuid:f81-7dec-14a06cf1\";temp-gruu=\"sip:87ash54=3dd.98a@example.com;gr\";expires=3600",
        ec, {false, true});
    REQUIRE_FALSE(ec);
    CHECK(c.reg_id() == 1);
    CHECK(c.instance_id() == "urn:uuid:f81-7dec-14a06cf1");
    CHECK(c.pub_gruu() == "sip:alice@example.com;gr=urn:uuid:f81-7dec-14a06cf1");
    CHECK(c.temp_gruu() == "sip:87ash54=3dd.98a@example.com;gr");
    CHECK(c.expires() == 3600);
    uri pub = parse_uri(c.pub_gruu(), ec);
    REQUIRE_FALSE(ec);
    CHECK(pub.is_gruu());
    CHECK(pub.param("gr") == "urn:uuid:f81-7dec-14a06cf1");
    uri tmp = parse_uri(c.temp_gruu(), ec);
    REQUIRE_FALSE(ec);
    CHECK(tmp.is_gruu());
    CHECK_FALSE(tmp.parameters.get("gr").size());
}

TEST_CASE("scalar headers: CSeq, Call-ID, Max-Forwards, Expires, Content-Type", "[sip][headers][SIP3261-20.14-a][TT4475-b]") {
    std::error_code ec;
    cseq c = parse_cseq("4711  INVITE", ec);
    REQUIRE_FALSE(ec);
    CHECK(c.number == 4711);
    CHECK(c.method == "INVITE");
    CHECK(parse_cseq("4294967295 ACK", ec).number == 4294967295u);
    CHECK_FALSE(ec);
    for (std::string bad : {"36893488147419103232 REGISTER", "-1 INVITE", "1", "INVITE", "1 IN VITE", "4294967296 ACK"}) {
        INFO(bad);
        parse_cseq(bad, ec);
        CHECK(ec == errc::bad_cseq);
    }
    CHECK(parse_call_id(" a84b4c76e66710@pc33.atlanta.com ", ec) == "a84b4c76e66710@pc33.atlanta.com");
    CHECK_FALSE(ec);
    parse_call_id("a@b@c", ec);
    CHECK(ec);
    parse_call_id("a b", ec);
    CHECK(ec);
    CHECK(parse_max_forwards("70", ec) == 70);
    parse_max_forwards("256", ec);
    CHECK(ec);
    CHECK(parse_delta_seconds("4294967295", ec) == 4294967295u);
    parse_delta_seconds("4294967296", ec);
    CHECK(ec);
    media_type m = parse_media_type("application/SDP ; charset=utf-8", ec);
    REQUIRE_FALSE(ec);
    CHECK(m.is("application", "sdp"));
    CHECK(m.parameters.get("charset") == "utf-8");
    parse_media_type("application", ec);
    CHECK(ec);
}

TEST_CASE("scalar headers: decimal numbers up to their maximum, IPv4 addresses", "[sip][headers][SIP3261-20.14-a]") {
    std::uint64_t v = 0;
    CHECK(detail::parse_uint("4294967295", 0xffffffffu, v));
    CHECK(v == 4294967295u);
    CHECK_FALSE(detail::parse_uint("4294967296", 0xffffffffu, v));
    CHECK_FALSE(detail::parse_uint("48", 1, v)); // above a one-digit maximum
    CHECK(detail::parse_uint("1", 1, v));
    CHECK(detail::parse_uint("0000000000000000255", 255, v));
    CHECK(v == 255);
    CHECK(detail::parse_uint("18446744073709551615", ~std::uint64_t{0}, v)); // 20 digits
    CHECK(v == ~std::uint64_t{0});
    CHECK_FALSE(detail::parse_uint("18446744073709551616", ~std::uint64_t{0}, v));
    CHECK_FALSE(detail::parse_uint("99999999999999999999", ~std::uint64_t{0}, v));
    CHECK_FALSE(detail::parse_uint("123456789012345678901", ~std::uint64_t{0}, v));
    CHECK_FALSE(detail::parse_uint("", 10, v));
    CHECK_FALSE(detail::parse_uint("1a", 100, v));

    for (const char* ok : {"0.0.0.0", "255.255.255.255", "198.51.100.7", "010.1.1.1"}) {
        INFO(ok);
        CHECK(detail::parse_ipv4(ok));
    }
    for (const char* bad : {"256.1.1.1", "1.2.3", "1.2.3.4.", "1..2.3", "1.2.3.4.5", "0001.1.1.1", "1.2.3.a", ""}) {
        INFO(bad);
        CHECK_FALSE(detail::parse_ipv4(bad));
    }
    std::error_code ec;
    via w = parse_via("SIP/2.0/UDP h;received=198.51.100.7", ec);
    REQUIRE_FALSE(ec);
    CHECK(w.received == "198.51.100.7");
    parse_via("SIP/2.0/UDP h;received=256.51.100.7", ec);
    CHECK(ec == errc::bad_via);
}

TEST_CASE("message: multi-value iteration across rows", "[sip][message][SIP3261-7.3-c]") {
    std::string m = "SIP/2.0 200 OK\r\n"
                    "Via: SIP/2.0/UDP a.example.com;branch=z9hG4bK1, SIP/2.0/UDP b.example.com;branch=z9hG4bK2\r\n"
                    "v: SIP/2.0/TCP c.example.com;branch=z9hG4bK3\r\n"
                    "From: <sip:a@example.com>;tag=1\r\nTo: <sip:b@example.com>;tag=2\r\nCall-ID: x\r\nCSeq: 1 INVITE\r\n"
                    "Record-Route: <sip:p1.example.com;lr>, \"Quoted, Name\" <sip:p2.example.com;lr>\r\n"
                    "Record-Route: <sip:p3.example.com;lr>;x=\"a,b\"\r\n"
                    "Contact: <sip:u@h?Subject=a,b>, <sip:v@h>\r\n"
                    "WWW-Authenticate: Digest realm=\"a\", nonce=\"b\"\r\n"
                    "WWW-Authenticate: Digest realm=\"c\", nonce=\"d\"\r\n"
                    "Supported: path, outbound\r\nk: gruu\r\n"
                    "\r\n";
    parse_options o;
    o.validate_headers = false; // the Contact URI below holds a raw comma inside <...>
    auto r = parse(m, o);
    REQUIRE(r.ok());
    std::vector<std::string> hosts;
    for (std::string_view v : r->headers(header_id::via)) {
        std::error_code ec;
        hosts.emplace_back(parse_via(v, ec).host);
    }
    CHECK(hosts == std::vector<std::string>{"a.example.com", "b.example.com", "c.example.com"});
    CHECK(r->top_via()->branch == "z9hG4bK1");
    std::vector<std::string> rr;
    for (const name_addr& na : r->record_routes()) rr.emplace_back(na.uri.host);
    CHECK(rr == std::vector<std::string>{"p1.example.com", "p2.example.com", "p3.example.com"});
    CHECK(r->contacts().size() == 2);
    CHECK(r->values(header_id::www_authenticate).size() == 2); // never joined or split
    CHECK(r->has_option_tag(header_id::supported, "GRUU"));
    CHECK(r->has_option_tag(header_id::supported, "path"));
    CHECK_FALSE(r->has_option_tag(header_id::supported, "timer"));
    CHECK(r->count(header_id::via) == 2);
    CHECK(r->values(header_id::route).empty());
}
