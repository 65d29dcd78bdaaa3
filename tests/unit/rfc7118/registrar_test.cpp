#include <sipws/rfc7118/registrar.hpp>
#include <sipws/sip/parser.hpp>

#include "support/test.hpp"

#include <string>

using namespace sipws;
using namespace sipws::rfc7118;
using namespace std::chrono_literals;

namespace {
const std::string instance = "urn:uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6";

struct reg_request {
    std::string call_id = "aiuy7k9njasd";
    unsigned cseq = 1;
    std::string contact = "<sip:alice@df7jal23ls0d.invalid;transport=ws>;reg-id=1;+sip.instance=\"<" +
                          instance + ">\"";
    std::string supported = "path, outbound, gruu";
    std::string extra;
    std::string vias = "Via: SIP/2.0/WSS df7jal23ls0d.invalid;branch=z9hG4bKasudf\r\n";

    std::string text() const {
        return "REGISTER sip:example.com SIP/2.0\r\n" + vias +
               "From: sip:alice@example.com;tag=65bnmj.34asd\r\n"
               "To: sip:alice@example.com\r\n"
               "Call-ID: " + call_id + "\r\n"
               "CSeq: " + std::to_string(cseq) + " REGISTER\r\n"
               "Max-Forwards: 70\r\n" +
               (supported.empty() ? "" : "Supported: " + supported + "\r\n") +
               (contact.empty() ? "" : "Contact: " + contact + "\r\n") + extra + "\r\n";
    }
};

struct fixture {
    memory_binding_store store;
    registrar reg{store, {}, temp_gruu_codec(temp_gruu_codec::key::generate(1))};
    binding_clock::time_point t0 = binding_clock::time_point{} + 1000h;

    register_outcome run(const reg_request& rq, transport::flow_id flow, binding_clock::time_point now) {
        std::string raw = rq.text();
        auto r = sip::parse(raw);
        REQUIRE(r);
        return reg.handle(*r, flow, now);
    }
};

std::string param_of(const std::string& headers, const std::string& name) {
    std::size_t p = headers.find(";" + name + "=\"");
    if (p == std::string::npos) return {};
    p += name.size() + 3;
    return headers.substr(p, headers.find('"', p) - p);
}
} // namespace

TEST_CASE("registrar: an Outbound REGISTER over a flow binds (AOR, instance, reg-id) to the flow",
          "[rfc7118][registrar][OB5626-6-c][OB5626-6-d][E1-F3-j][E1-F4-c][WS7118-B-a]") {
    fixture f;
    auto out = f.run({}, 7, f.t0);
    INFO(out.headers);
    REQUIRE(out.status == 200);
    CHECK(out.aor == "sip:alice@example.com");
    REQUIRE(out.changes.size() == 1);
    CHECK(out.changes[0].event == binding_event::added);
    CHECK(out.outbound);
    CHECK(out.headers.find("Require: outbound\r\n") != std::string::npos);
    CHECK(out.headers.find("Contact: <sip:alice@df7jal23ls0d.invalid;transport=ws>;reg-id=1;+sip.instance=") == 0);
    CHECK(out.headers.find(";expires=3600") != std::string::npos);

    auto live = f.store.lookup("sip:alice@example.com", f.t0);
    REQUIRE(live.size() == 1);
    CHECK(live[0].flow == 7);
    CHECK(live[0].instance == instance);
    CHECK(live[0].reg_id == 1);
    CHECK(f.store.aors(f.t0) == std::vector<std::string>{"sip:alice@example.com"});

    // The registrar's 200 is conformant (E1-F4-g): no gruu in Supported/Require.
    std::string raw = reg_request{}.text();
    auto r = sip::parse(raw);
    std::string resp = out.response(*r, "12isjljn8");
    CHECK(resp.rfind("SIP/2.0 200 OK\r\n", 0) == 0);
    CHECK(resp.find("To: sip:alice@example.com;tag=12isjljn8\r\n") != std::string::npos);
    CHECK(resp.find("Supported:") == std::string::npos);
}

TEST_CASE("registrar: the same instance and reg-id replaces the old flow; another reg-id adds one",
          "[rfc7118][registrar][OB5626-6-c][OB5626-4.5-a][OB5626-6-d]") {
    fixture f;
    REQUIRE(f.run({}, 7, f.t0).status == 200);
    reg_request again;
    again.cseq = 2;
    auto out = f.run(again, 9, f.t0 + 10s); // a new flow (reconnection)
    REQUIRE(out.status == 200);
    REQUIRE(out.changes.size() == 1);
    CHECK(out.changes[0].event == binding_event::replaced);
    REQUIRE(out.changes[0].previous);
    CHECK(out.changes[0].previous->flow == 7);
    auto live = f.store.lookup("sip:alice@example.com", f.t0 + 10s);
    REQUIRE(live.size() == 1);
    CHECK(live[0].flow == 9);

    reg_request refresh;
    refresh.cseq = 3;
    CHECK(f.run(refresh, 9, f.t0 + 20s).changes.at(0).event == binding_event::refreshed);

    reg_request second;
    second.call_id = "other";
    second.contact = "<sip:alice@zz.invalid;transport=ws>;reg-id=2;+sip.instance=\"<" + instance + ">\"";
    CHECK(f.run(second, 11, f.t0 + 30s).changes.at(0).event == binding_event::added);
    live = f.store.lookup("sip:alice@example.com", f.t0 + 30s);
    REQUIRE(live.size() == 2);
    CHECK(live[0].flow == 11); // most recently refreshed first
}

TEST_CASE("registrar: expiry, Expires header, min/max, removal and Contact: *",
          "[rfc7118][registrar][OB5626-6-c][GR5627-5.1-a]") {
    fixture f;
    reg_request rq;
    rq.extra = "Expires: 120\r\n";
    REQUIRE(f.run(rq, 7, f.t0).status == 200);
    CHECK(f.store.lookup("sip:alice@example.com", f.t0 + 119s).size() == 1);
    CHECK(f.store.lookup("sip:alice@example.com", f.t0 + 120s).empty());
    CHECK(f.store.purge(f.t0 + 121s).size() == 1);
    CHECK(f.store.size() == 0);

    reg_request brief;
    brief.extra = "Expires: 10\r\n";
    auto out = f.run(brief, 7, f.t0);
    CHECK(out.status == 423);
    CHECK(out.headers == "Min-Expires: 60\r\n");
    CHECK(f.store.size() == 0);

    reg_request longer;
    longer.contact += ";expires=999999";
    REQUIRE(f.run(longer, 7, f.t0).status == 200);
    CHECK(f.store.lookup("sip:alice@example.com", f.t0)[0].seconds_left(f.t0) == 86400);

    reg_request bye;
    bye.cseq = 2;
    bye.contact += ";expires=0";
    out = f.run(bye, 7, f.t0 + 1s);
    REQUIRE(out.status == 200);
    CHECK(out.changes.at(0).event == binding_event::removed);
    CHECK(f.store.size() == 0);

    REQUIRE(f.run(reg_request{}, 7, f.t0 + 2s).status == 200);
    reg_request star;
    star.cseq = 5;
    star.contact = "*";
    CHECK(f.run(star, 7, f.t0 + 3s).status == 400); // needs Expires: 0
    star.extra = "Expires: 0\r\n";
    out = f.run(star, 7, f.t0 + 3s);
    CHECK(out.status == 200);
    CHECK(out.changes.size() == 1);
    CHECK(f.store.size() == 0);
    CHECK(out.headers.find("Contact:") == std::string::npos);
}

TEST_CASE("registrar: a binding dies with its flow, for every AOR",
          "[rfc7118][registrar][OB5626-7-b]") {
    fixture f;
    REQUIRE(f.run({}, 7, f.t0).status == 200);
    reg_request bob;
    bob.contact = "<sip:bob@b.invalid;transport=ws>";
    std::string raw = bob.text();
    // same flow, other AOR
    std::size_t p = 0;
    while ((p = raw.find("alice", p)) != std::string::npos) raw.replace(p, 5, "bob");
    auto r = sip::parse(raw);
    REQUIRE(r);
    REQUIRE(f.reg.handle(*r, 7, f.t0).status == 200);
    REQUIRE(f.run(reg_request{}, 7, f.t0).status == 500); // same Call-ID and CSeq: out of order
    CHECK(f.store.size() == 2);
    CHECK(f.store.remove_flow(8).empty());
    CHECK(f.store.remove_flow(7).size() == 2);
    CHECK(f.store.size() == 0);
}

TEST_CASE("registrar: Outbound rules for reg-id (439, ignored reg-id, several Contacts)",
          "[rfc7118][registrar][OB5626-6-a][OB5626-6-b]") {
    fixture f;
    // Not the first hop and no Path with ob: 439 when the UA asked for outbound.
    reg_request far;
    far.vias = "Via: SIP/2.0/UDP edge.example.com;branch=z9hG4bK2\r\n"
               "Via: SIP/2.0/WSS df7jal23ls0d.invalid;branch=z9hG4bKasudf\r\n";
    CHECK(f.run(far, 7, f.t0).status == 439);
    far.supported = "path, gruu";
    auto out = f.run(far, 7, f.t0);
    REQUIRE(out.status == 200);
    CHECK_FALSE(out.outbound);
    CHECK(f.store.lookup("sip:alice@example.com", f.t0).at(0).reg_id == 0);
    CHECK(out.headers.find("Require: outbound") == std::string::npos);

    // Behind an edge whose Path has ob: Outbound applies, the Path is kept and echoed.
    fixture g;
    reg_request edge = far;
    edge.supported = "path, outbound";
    edge.extra = "Path: <sip:TOKEN@edge.example.com;lr;ob>\r\n";
    out = g.run(edge, 0, g.t0);
    REQUIRE(out.status == 200);
    CHECK(out.outbound);
    CHECK(out.headers.find("Path: <sip:TOKEN@edge.example.com;lr;ob>\r\n") != std::string::npos);
    auto b = g.store.lookup("sip:alice@example.com", g.t0).at(0);
    CHECK(b.path == std::vector<std::string>{"<sip:TOKEN@edge.example.com;lr;ob>"});
    CHECK(b.flow == 0);

    // reg-id without +sip.instance is ignored.
    fixture h;
    reg_request noinst;
    noinst.contact = "<sip:alice@x.invalid;transport=ws>;reg-id=1";
    out = h.run(noinst, 7, h.t0);
    REQUIRE(out.status == 200);
    CHECK(h.store.lookup("sip:alice@example.com", h.t0).at(0).reg_id == 0);

    // Two Contacts with non-zero expiry, one with reg-id: 400.
    reg_request two;
    two.contact += ", <sip:alice@y.invalid;transport=ws>";
    CHECK(h.run(two, 7, h.t0).status == 400);
}

TEST_CASE("registrar: Path without Supported: path is refused with 420",
          "[rfc7118][registrar][PA3327-5.3-a]") {
    fixture f;
    reg_request rq;
    rq.supported = "outbound";
    rq.extra = "Path: <sip:edge.example.com;lr>\r\n";
    auto out = f.run(rq, 7, f.t0);
    CHECK(out.status == 420);
    CHECK(out.headers == "Unsupported: path\r\n");
}

TEST_CASE("registrar: GRUUs minted for instances and resolved back to the binding",
          "[rfc7118][registrar][gruu][GR5627-5.1-b][GR5627-5.2-a][GR5627-6.1-a][GR5627-5.4-a][E1-F4-d]") {
    fixture f;
    auto out = f.run({}, 7, f.t0);
    REQUIRE(out.status == 200);
    std::string pub = param_of(out.headers, "pub-gruu");
    std::string temp = param_of(out.headers, "temp-gruu");
    CHECK(pub == "sip:alice@example.com;gr=" + instance);
    REQUIRE(is_gruu(temp));
    CHECK(temp.find("alice") == std::string::npos);
    CHECK(temp.find("@example.com;gr") != std::string::npos);

    auto t = f.reg.resolve_gruu(pub, f.t0);
    CHECK(t.k == gruu_target::kind::found);
    REQUIRE(t.bindings.size() == 1);
    CHECK(t.bindings[0].flow == 7);
    t = f.reg.resolve_gruu(temp, f.t0);
    CHECK(t.k == gruu_target::kind::found);
    CHECK(t.aor == "sip:alice@example.com");
    CHECK(f.reg.resolve_gruu("sip:alice@example.com", f.t0).k == gruu_target::kind::not_gruu);

    // A client that sends its own GRUU params has them ignored.
    reg_request spoof;
    spoof.cseq = 2;
    spoof.contact += ";pub-gruu=\"sip:mallory@example.com;gr=x\"";
    out = f.run(spoof, 7, f.t0 + 1s);
    CHECK(out.headers.find("mallory") == std::string::npos);

    // No GRUUs without Supported: gruu.
    reg_request plain;
    plain.cseq = 3;
    plain.supported = "outbound, path";
    out = f.run(plain, 7, f.t0 + 2s);
    CHECK(out.headers.find("gruu") == std::string::npos);
}

TEST_CASE("registrar: whose GRUU a dialog Contact is, for the originating proxy",
          "[rfc7118][registrar][gruu][GR5627-6.2-a]") {
    fixture f;
    auto out = f.run({}, 7, f.t0);
    REQUIRE(out.status == 200);
    const std::string pub = param_of(out.headers, "pub-gruu");
    const std::string temp = param_of(out.headers, "temp-gruu");
    const std::string me = "sip:alice@example.com";
    CHECK(f.reg.contact_gruu_owner(pub, me) == contact_gruu::own);
    CHECK(f.reg.contact_gruu_owner(pub + ";ob", me) == contact_gruu::own);
    CHECK(f.reg.contact_gruu_owner(temp, me) == contact_gruu::own);
    CHECK(f.reg.contact_gruu_owner(temp + ";ob", me) == contact_gruu::own);
    // Somebody else using alice's GRUUs (or alice one of bob's): 403.
    CHECK(f.reg.contact_gruu_owner(pub, "sip:bob@example.com") == contact_gruu::foreign);
    CHECK(f.reg.contact_gruu_owner(temp, "sip:bob@example.com") == contact_gruu::foreign);
    CHECK(f.reg.contact_gruu_owner("sip:bob@example.com;gr=" + instance, me) == contact_gruu::foreign);
    // Not a GRUU at all, or a forged temporary one.
    CHECK(f.reg.contact_gruu_owner("sip:alice@df7jal23ls0d.invalid;transport=ws;ob", me) == contact_gruu::not_gruu);
    std::string forged = temp;
    forged[5] = forged[5] == 'A' ? 'B' : 'A';
    CHECK(f.reg.contact_gruu_owner(forged, me) == contact_gruu::unknown);
    // A registrar without temporary GRUUs knows none.
    memory_binding_store other;
    registrar plain(other);
    CHECK(plain.contact_gruu_owner(temp, me) == contact_gruu::unknown);
    CHECK(plain.contact_gruu_owner(pub, me) == contact_gruu::own);
}

TEST_CASE("registrar: temporary GRUUs die with a new Call-ID or the binding; public ones give 480",
          "[rfc7118][registrar][gruu][GR5627-5.1-c][GR5627-5.3-a][GR5627-5.1-d]") {
    fixture f;
    auto out = f.run({}, 7, f.t0);
    std::string temp1 = param_of(out.headers, "temp-gruu");
    reg_request refresh;
    refresh.cseq = 2;
    std::string temp2 = param_of(f.run(refresh, 7, f.t0 + 1s).headers, "temp-gruu");
    CHECK(temp1 != temp2); // a new one per REGISTER
    CHECK(f.reg.resolve_gruu(temp1, f.t0 + 1s).k == gruu_target::kind::found);

    reg_request newcall;
    newcall.call_id = "a-new-call-id";
    f.run(newcall, 7, f.t0 + 2s);
    CHECK(f.reg.resolve_gruu(temp1, f.t0 + 2s).k == gruu_target::kind::unknown);
    CHECK(f.reg.resolve_gruu(temp2, f.t0 + 2s).k == gruu_target::kind::unknown);

    // Forged / altered temporary GRUU: unknown (404).
    std::string altered = temp2;
    altered[5] = altered[5] == 'A' ? 'B' : 'A';
    CHECK(f.reg.resolve_gruu(altered, f.t0 + 2s).k == gruu_target::kind::unknown);

    f.store.remove_flow(7);
    CHECK(f.reg.resolve_gruu("sip:alice@example.com;gr=" + instance, f.t0 + 3s).k ==
          gruu_target::kind::unavailable);
}

TEST_CASE("registrar: an instance may not register its AOR or a GRUU of it as Contact",
          "[rfc7118][registrar][gruu][GR5627-5.1-a][GR5627-4.1-b]") {
    fixture f;
    reg_request rq;
    rq.contact = "<sip:alice@example.com>;+sip.instance=\"<" + instance + ">\"";
    CHECK(f.run(rq, 7, f.t0).status == 403);
    rq.contact = "<sip:alice@example.com;gr=" + instance + ">;+sip.instance=\"<" + instance + ">\"";
    CHECK(f.run(rq, 7, f.t0).status == 403);
    rq.contact = "<tel:+15551234>;+sip.instance=\"<" + instance + ">\"";
    CHECK(f.run(rq, 7, f.t0).status == 403);
    CHECK(f.store.size() == 0);
}

namespace {
// A user-supplied store: the registrar works through the interface only.
class counting_store final : public binding_store {
public:
    memory_binding_store inner;
    int puts = 0;
    binding_change put(binding b) override {
        ++puts;
        return inner.put(std::move(b));
    }
    std::optional<binding> remove(const binding& b) override { return inner.remove(b); }
    std::vector<binding> remove_aor(std::string_view a) override { return inner.remove_aor(a); }
    std::vector<binding> remove_flow(transport::flow_id fl) override { return inner.remove_flow(fl); }
    std::vector<binding> purge(binding_clock::time_point n) override { return inner.purge(n); }
    std::vector<binding> lookup(std::string_view a, binding_clock::time_point n) const override {
        return inner.lookup(a, n);
    }
    std::optional<binding> find(const binding& p) const override { return inner.find(p); }
    std::vector<std::string> aors(binding_clock::time_point n) const override { return inner.aors(n); }
    std::size_t size() const override { return inner.size(); }
};
} // namespace

TEST_CASE("registrar: a user's own binding store substitutes the in-memory one",
          "[rfc7118][registrar][binding-store]") {
    counting_store s;
    registrar reg(s);
    std::string raw = reg_request{}.text();
    auto r = sip::parse(raw);
    REQUIRE(r);
    auto out = reg.handle(*r, 3, binding_clock::now());
    CHECK(out.status == 200);
    CHECK(s.puts == 1);
    // No temp-gruu codec: only the public GRUU.
    CHECK(out.headers.find("pub-gruu") != std::string::npos);
    CHECK(out.headers.find("temp-gruu") == std::string::npos);
}

TEST_CASE("aor: canonical form of SIP URIs", "[rfc7118][aor]") {
    CHECK(aor_of(std::string_view("sip:alice@EXAMPLE.com;transport=ws")) == "sip:alice@example.com");
    CHECK(aor_of(std::string_view("sip:al%69ce@example.com:5070;gr=x")) == "sip:alice@example.com:5070");
    CHECK(aor_of(std::string_view("sips:bob@[::1]")) == "sips:bob@[::1]");
    CHECK_FALSE(aor_of(std::string_view("tel:+1555")));
    CHECK_FALSE(aor_of(std::string_view("sip:")));
    CHECK(aor_domain("sip:alice@example.com:5070") == "example.com");
    CHECK(aor_domain("sip:bob@[::1]:5") == "[::1]");
}

TEST_CASE("registrar: Flow-Timer for Outbound clients on a direct flow, and how long to wait for them",
          "[rfc7118][registrar][OB5626-5.4-b]") {
    memory_binding_store store;
    registrar_options o;
    o.flow_timer = 25s;
    registrar reg{store, o, temp_gruu_codec(temp_gruu_codec::key::generate(1))};
    const auto t0 = binding_clock::time_point{} + 1000h;
    auto run = [&](const reg_request& rq, transport::flow_id flow) {
        std::string raw = rq.text();
        auto r = sip::parse(raw);
        REQUIRE(r);
        return reg.handle(*r, flow, t0);
    };
    auto out = run({}, 7);
    REQUIRE(out.status == 200);
    CHECK(out.headers.find("Require: outbound\r\nFlow-Timer: 25\r\n") != std::string::npos);
    REQUIRE(out.flow_timer);
    CHECK(*out.flow_timer == 25s);

    // Not without Outbound (no reg-id), nor behind an edge proxy (it holds the flow).
    reg_request plain;
    plain.call_id = "p1";
    plain.contact = "<sip:alice@df7jal23ls0d.invalid;transport=ws>";
    out = run(plain, 8);
    REQUIRE(out.status == 200);
    CHECK(out.headers.find("Flow-Timer") == std::string::npos);
    CHECK_FALSE(out.flow_timer);
    reg_request behind_edge;
    behind_edge.call_id = "e1";
    behind_edge.vias = "Via: SIP/2.0/UDP edge.example.com;branch=z9hG4bKe1\r\n" + behind_edge.vias;
    behind_edge.extra = "Path: <sip:tok@edge.example.com;lr;ob>\r\n";
    out = run(behind_edge, 0);
    REQUIRE(out.status == 200);
    CHECK(out.headers.find("Require: outbound") != std::string::npos);
    CHECK(out.headers.find("Flow-Timer") == std::string::npos);

    // The server waits longer than N: half of N more, at least 2 s more.
    CHECK(flow_timeout(25s) == 37500ms);
    CHECK(flow_timeout(120s) == 180s);
    CHECK(flow_timeout(1s) == 3s);
}

TEST_CASE("registrar: a Path vector is kept and echoed in its order, comma-separated or not",
          "[rfc7118][registrar][PA3327-4-a][PA3327-5.3-a]") {
    fixture f;
    reg_request rq;
    rq.vias = "Via: SIP/2.0/UDP p2.example.com;branch=z9hG4bKp2\r\n"
              "Via: SIP/2.0/UDP p1.example.com;branch=z9hG4bKp1\r\n" + rq.vias;
    rq.supported = "path";
    rq.contact = "<sip:alice@df7jal23ls0d.invalid;transport=ws>";
    rq.extra = "Path: <sip:p2.example.com;lr>, <sip:tok@p1.example.com;lr>\r\n"
               "Path: <sip:edge.example.com;lr;transport=tcp>\r\n";
    auto out = f.run(rq, 0, f.t0);
    REQUIRE(out.status == 200);
    auto b = f.store.lookup("sip:alice@example.com", f.t0).at(0);
    CHECK(b.path == std::vector<std::string>{"<sip:p2.example.com;lr>", "<sip:tok@p1.example.com;lr>",
                                             "<sip:edge.example.com;lr;transport=tcp>"});
    const std::size_t first = out.headers.find("Path: <sip:p2.example.com;lr>\r\n");
    const std::size_t second = out.headers.find("Path: <sip:tok@p1.example.com;lr>\r\n");
    const std::size_t third = out.headers.find("Path: <sip:edge.example.com;lr;transport=tcp>\r\n");
    REQUIRE(first != std::string::npos);
    REQUIRE(second != std::string::npos);
    REQUIRE(third != std::string::npos);
    CHECK(first < second);
    CHECK(second < third);
}
