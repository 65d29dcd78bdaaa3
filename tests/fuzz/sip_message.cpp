// Fuzz target: sip::parse() in strict and lenient modes, typed views on what
// parses, and the builder: what the builder writes must parse again with the
// same start line, Call-ID and Via count.
#include <sipws/sip.hpp>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

namespace sip = sipws::sip;

static void check(bool ok) {
    if (!ok) std::abort();
}

// The typed values parse() kept while validating are those the accessors
// would parse from the header rows.
static void check_kept(const sip::message& m) {
    std::error_code e1, e2;
    sip::via v = m.top_via(e1);
    std::string_view top = m.values(sip::header_id::via).front();
    sip::via w = top.empty() ? sip::via{} : sip::parse_via(top, e2);
    check(!top.empty() || e1 == sip::errc::missing_header);
    if (!top.empty()) check(e1 == e2 && v.raw == w.raw && v.branch == w.branch && v.host == w.host && v.port == w.port && v.parameters.str() == w.parameters.str());
    const sip::header_id ids[] = {sip::header_id::from, sip::header_id::to};
    for (sip::header_id id : ids) {
        auto f = m.find(id);
        if (!f) continue;
        sip::name_addr a = id == sip::header_id::from ? m.from(e1) : m.to(e1);
        sip::name_addr b = sip::parse_name_addr(f->value, e2);
        check(e1 == e2 && a.raw == b.raw && a.uri_text == b.uri_text && a.uri.host == b.uri.host && a.parameters.str() == b.parameters.str());
    }
    std::string_view first = m.values(sip::header_id::contact).front();
    if (!first.empty()) {
        sip::name_addr a = m.contact(e1);
        sip::name_addr b = sip::parse_name_addr(first, e2, {false, true});
        check(e1 == e2 && a.raw == b.raw && a.star == b.star && a.uri_text == b.uri_text && a.parameters.str() == b.parameters.str());
    }
    if (auto c = m.find(sip::header_id::cseq)) {
        sip::cseq a = m.cseq(e1), b = sip::parse_cseq(c->value, e2);
        check(e1 == e2 && a.number == b.number && a.method == b.method);
    }
}

static void touch(const sip::message& m) {
    check_kept(m);
    std::error_code ec;
    std::size_t n = 0;
    for (std::string_view v : m.values(sip::header_id::via)) n += sip::parse_via(v, ec).branch.size();
    for (const sip::name_addr& c : m.contacts()) n += c.instance_id().size() + static_cast<std::size_t>(c.expires() > 0);
    for (const sip::name_addr& r : m.record_routes()) n += r.uri.lr();
    n += m.from(ec).tag().size() + m.to(ec).tag().size() + m.cseq(ec).number + m.call_id().size();
    for (std::size_t i = 0; i < m.header_count(); ++i) {
        sip::header_field h = m.header(i);
        check(h.value.data() >= m.head().data() && h.value.data() + h.value.size() <= m.head().data() + m.head().size());
    }
    check(m.body().data() + m.body().size() <= m.data().data() + m.data().size() + m.surplus());
    (void)n;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view in(reinterpret_cast<const char*>(data), size);
    for (int mode = 0; mode < 2; ++mode) {
        sip::parse_options opt = mode ? sip::parse_options::lenient() : sip::parse_options{};
        auto r = sip::parse<64>(in, opt);
        if (!r) {
            check(r.error.offset <= size || r.error.code == sip::errc::message_too_large);
            check(!r.error.what.empty());
            if (auto resp = sip::make_error_response(*r, r.error)) {
                // rows are copied as the client sent them, so only the framing is checked
                sip::parse_options o = sip::parse_options::lenient();
                o.validate_headers = false;
                auto p = sip::parse(*resp, o);
                check(p.ok() && p->is_response());
            }
            continue;
        }
        touch(*r);
        std::string out = sip::message_builder(*r).update_content_length().str();
        auto again = sip::parse<128>(out, sip::parse_options::lenient());
        check(again.ok());
        check(again->start_line() == r->start_line());
        check(again->call_id() == r->call_id());
        check(again->values(sip::header_id::via).size() == r->values(sip::header_id::via).size());
        check(again->body() == r->body());
        if (r->is_request() && r->has(sip::header_id::via)) {
            std::string fwd = sip::message_builder(*r)
                                  .push_via("SIP/2.0/WSS proxy.invalid;branch=z9hG4bKfuzz")
                                  .set_via_param("received", "192.0.2.1")
                                  .prepend_record_route("<sip:proxy.invalid;lr>")
                                  .remove_top_route()
                                  .set_max_forwards(69)
                                  .str();
            auto f = sip::parse<128>(fwd, sip::parse_options::lenient());
            check(f.ok());
            check(f->values(sip::header_id::via).size() == r->values(sip::header_id::via).size() + 1);
            check(f->top_via().has_value() && f->top_via()->received == "192.0.2.1");
            std::string resp = sip::make_response(*r, 200);
            check(sip::parse(resp, sip::parse_options::lenient()).ok());
        }
    }
    return 0;
}
