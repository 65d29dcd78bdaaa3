#include <sipws/rfc7118/registrar.hpp>
#include <sipws/rfc7118/retarget.hpp>
#include <sipws/sip/parser.hpp>

#include "support/test.hpp"

#include <string>
#include <vector>

using namespace sipws;
using namespace sipws::rfc7118;
using namespace std::chrono_literals;

namespace {
const std::string alice = "urn:uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6";
const std::string carol = "urn:uuid:8c3ea789-af7d-4cca-9f71-6841e054801f";

binding make(const std::string& instance, std::uint32_t reg_id, const std::string& contact,
             std::vector<std::string> path = {}) {
    binding b;
    b.aor = "sip:alice@example.com";
    b.instance = instance;
    b.reg_id = reg_id;
    b.contact = contact;
    b.path = std::move(path);
    return b;
}

std::vector<std::string> contacts(const std::vector<binding>& bs) {
    std::vector<std::string> out;
    for (const auto& b : bs) out.push_back(b.contact);
    return out;
}

std::string retargeted(const std::string& raw, const binding& b, std::size_t own_routes, bool gruu = false) {
    auto r = sip::parse(raw);
    REQUIRE(r);
    sip::message_builder out(*r);
    retarget(out, *r, b, own_routes, gruu);
    return out.str();
}

std::vector<std::string> routes_of(const std::string& text) {
    auto m = sip::parse(text);
    REQUIRE(m);
    std::vector<std::string> out;
    for (const sip::name_addr& r : m->routes()) out.emplace_back(r.raw);
    return out;
}

std::string message_to(const std::string& ruri, const std::string& routes) {
    return "MESSAGE " + ruri + " SIP/2.0\r\n"
           "Via: SIP/2.0/UDP 203.0.113.22;branch=z9hG4bK-m1\r\n" + routes +
           "From: <sip:bob@example.com>;tag=b\r\nTo: <sip:alice@example.com>\r\n"
           "Call-ID: m1\r\nCSeq: 1 MESSAGE\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n";
}
} // namespace

TEST_CASE("target set: one target per (AOR, instance) at a time; another reg-id only after 430 or 408",
          "[rfc7118][proxy][OB5626-7-a][GR5627-6.1-b]") {
    // lookup() order: most recently refreshed first.
    std::vector<binding> bs{make(alice, 2, "sip:alice@two.invalid"), make(carol, 1, "sip:carol@c.invalid"),
                            make(alice, 1, "sip:alice@one.invalid"), make("", 0, "sip:alice@192.0.2.4"),
                            make(alice, 3, "sip:alice@three.invalid")};
    SECTION("the first flow of each instance, plus each binding without instance") {
        target_set t(bs);
        CHECK(contacts(t.initial()) ==
              std::vector<std::string>{"sip:alice@two.invalid", "sip:carol@c.invalid", "sip:alice@192.0.2.4"});
    }
    SECTION("430 Flow Failed: the next reg-id of the instance, in order, until none is left") {
        target_set t(bs);
        auto first = t.initial();
        auto next = t.after_final(first[0], 430);
        REQUIRE(next);
        CHECK(next->contact == "sip:alice@one.invalid");
        auto third = t.after_final(*next, 408); // a timeout also lets the next flow be tried
        REQUIRE(third);
        CHECK(third->contact == "sip:alice@three.invalid");
        CHECK_FALSE(t.after_final(*third, 430));
        // carol has a single flow.
        CHECK_FALSE(t.after_final(first[1], 430));
    }
    SECTION("any other final response ends the attempts for the instance") {
        for (unsigned status : {200u, 404u, 480u, 486u, 500u, 603u}) {
            target_set t(bs);
            auto first = t.initial();
            CHECK_FALSE(t.after_final(first[0], status));
            // The instance is done: no other flow of it is tried later on either.
            CHECK_FALSE(t.after_final(first[0], 430));
            // Other instances are not affected.
            CHECK_FALSE(t.after_final(first[1], 486));
        }
    }
    SECTION("a binding without an instance has no alternates") {
        target_set t(bs);
        auto first = t.initial();
        CHECK_FALSE(t.after_final(first[2], 430));
    }
    SECTION("no bindings: nothing to try") {
        target_set t({});
        CHECK(t.initial().empty());
    }
}

TEST_CASE("retarget: the stored Path is pre-loaded as Route ahead of the remaining Route values",
          "[rfc7118][proxy][PA3327-5.4-a][GR5627-6.1-a][E1-V]") {
    // A binding made by the registrar from a REGISTER relayed by an edge proxy with Path.
    memory_binding_store store;
    registrar reg(store);
    const std::string path = "<sip:TOKEN123@edge.example.com;lr;ob>";
    const std::string raw = "REGISTER sip:example.com SIP/2.0\r\n"
                            "Via: SIP/2.0/UDP edge.example.com;branch=z9hG4bK-e1\r\n"
                            "Via: SIP/2.0/WSS df7jal23ls0d.invalid;branch=z9hG4bKasudf\r\n"
                            "From: <sip:alice@example.com>;tag=1\r\nTo: <sip:alice@example.com>\r\n"
                            "Call-ID: aiuy7k9njasd\r\nCSeq: 1 REGISTER\r\nMax-Forwards: 69\r\n"
                            "Supported: path, outbound, gruu\r\nPath: " + path + "\r\n"
                            "Contact: <sip:alice@df7jal23ls0d.invalid;transport=ws>;reg-id=1;+sip.instance=\"<" + alice + ">\"\r\n"
                            "Content-Length: 0\r\n\r\n";
    auto r = sip::parse(raw);
    REQUIRE(r);
    REQUIRE(reg.handle(*r, 0, binding_clock::now()).status == 200);
    auto found = store.lookup("sip:alice@example.com", binding_clock::now());
    REQUIRE(found.size() == 1);
    const binding& b = found[0];

    // By AOR, with our own Route on top and a further one below it.
    std::string out = retargeted(message_to("sip:alice@example.com",
                                            "Route: <sip:proxy.example.com;lr>\r\nRoute: <sip:next.example.net;lr>\r\n"),
                                 b, 1);
    INFO(out);
    CHECK(out.rfind("MESSAGE sip:alice@df7jal23ls0d.invalid;transport=ws SIP/2.0\r\n", 0) == 0);
    CHECK(routes_of(out) == std::vector<std::string>{path, "<sip:next.example.net;lr>"});

    // No Route left: the Path alone; no Path and no Route: no Route header at all.
    CHECK(routes_of(retargeted(message_to("sip:alice@example.com", "Route: <sip:proxy.example.com;lr>\r\n"), b, 1)) ==
          std::vector<std::string>{path});
    binding direct = b;
    direct.path.clear();
    std::string plain = retargeted(message_to("sip:alice@example.com", "Route: <sip:proxy.example.com;lr>\r\n"), direct, 1);
    CHECK(plain.find("Route:") == std::string::npos);

    // A stored path of several values keeps its order.
    binding two = b;
    two.path = {"<sip:a.example.com;lr>", "<sip:b.example.com;lr>"};
    CHECK(routes_of(retargeted(message_to("sip:alice@example.com", ""), two, 0)) ==
          std::vector<std::string>{"<sip:a.example.com;lr>", "<sip:b.example.com;lr>"});

    // A GRUU Request-URI is replaced by the contact: gr is not carried over.
    std::string by_gruu = retargeted(message_to("sip:alice@example.com;gr=" + alice, ""), b, 0, true);
    CHECK(by_gruu.rfind("MESSAGE sip:alice@df7jal23ls0d.invalid;transport=ws SIP/2.0\r\n", 0) == 0);
    CHECK(routes_of(by_gruu) == std::vector<std::string>{path});
}

TEST_CASE("retarget: a GRUU-targeted request with Route values of others (mid-dialog) ignores the Path",
          "[rfc7118][proxy][GR5627-6.1-c]") {
    const binding b = make(alice, 1, "sip:alice@df7jal23ls0d.invalid;transport=ws", {"<sip:TOKEN@edge.example.com;lr;ob>"});
    const std::string req = message_to("sip:alice@example.com;gr=" + alice,
                                       "Route: <sip:proxy.example.com;lr>\r\nRoute: <sip:other.example.net;lr>\r\n");
    CHECK(routes_of(retargeted(req, b, 1, true)) == std::vector<std::string>{"<sip:other.example.net;lr>"});
    // Only our own Route: the Path is used.
    CHECK(routes_of(retargeted(message_to("sip:alice@example.com;gr=" + alice, "Route: <sip:proxy.example.com;lr>\r\n"),
                               b, 1, true)) == std::vector<std::string>{"<sip:TOKEN@edge.example.com;lr;ob>"});
    // Not a GRUU target: the Path goes ahead of the others (PA3327-5.4-a).
    CHECK(routes_of(retargeted(req, b, 1, false)) ==
          std::vector<std::string>{"<sip:TOKEN@edge.example.com;lr;ob>", "<sip:other.example.net;lr>"});
}

TEST_CASE("record_route_to: an initial dialog-forming request to an instance with GRUUs and a Path is record-routed",
          "[rfc7118][proxy][GR5627-6.2-b]") {
    const binding with_path = make(alice, 1, "sip:alice@df7jal23ls0d.invalid;transport=ws",
                                   {"<sip:TOKEN@edge.example.com;lr;ob>"});
    const binding no_path = make(alice, 1, "sip:alice@192.0.2.4");
    binding no_instance = with_path;
    no_instance.instance.clear();
    const std::string invite = [] {
        std::string m = message_to("sip:alice@example.com;gr=" + alice, {});
        m = "INVITE" + m.substr(m.find(' '));
        m.replace(m.find("1 MESSAGE"), 9, "1 INVITE");
        return m;
    }();
    auto req = sip::parse(invite);
    REQUIRE(req);
    REQUIRE(req->method() == "INVITE");
    CHECK(record_route_to(*req, with_path, false));
    CHECK_FALSE(record_route_to(*req, no_path, false));
    CHECK_FALSE(record_route_to(*req, no_instance, false));
    // A proxy that must stay on the path record-routes regardless.
    CHECK(record_route_to(*req, no_path, true));
    // Not dialog-forming (MESSAGE), or in a dialog (To tag): never.
    const std::string msg = message_to("sip:alice@example.com;gr=" + alice, {});
    auto m = sip::parse(msg);
    REQUIRE(m);
    CHECK_FALSE(record_route_to(*m, with_path, true));
    std::string tagged = invite;
    const std::size_t to = tagged.find("\r\nTo: ");
    REQUIRE(to != std::string::npos);
    tagged.insert(tagged.find("\r\n", to + 2), ";tag=x1");
    auto t = sip::parse(tagged);
    REQUIRE(t);
    REQUIRE(t->to()->has_tag());
    CHECK_FALSE(record_route_to(*t, with_path, true));
}
