// SIP parsing throughput: sipws vs libosip2 vs sofia-sip vs a memchr line scan.
//
// Every parser parses each message of the same corpus (20 realistic messages:
// REGISTER over WSS, 401, INVITE with a ~1.5 KB SDP and many headers, 200 OK
// with Record-Routes, ACK, BYE, MESSAGE, ...) and touches the same fields:
// method or status, Request-URI, top Via branch, From tag, To, Call-ID, CSeq
// and Contact. Prints messages/s and MB/s (medians) and the ratios.

#include <sipws/sip.hpp>

#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstring>
#include <map>
#include <string>
#include <vector>

#if SIPWS_BENCH_OSIP2
#include <osipparser2/osip_parser.h>
#endif
#if SIPWS_BENCH_SOFIA
#include <sofia-sip/msg.h>
#include <sofia-sip/sip.h>
#include <sofia-sip/sip_header.h>
#endif

namespace {

std::string crlf(const std::string& s) {
    std::string out;
    for (char c : s) {
        if (c == '\n') out += "\r\n";
        else out += c;
    }
    return out;
}

std::string with_body(std::string head, const std::string& ctype, const std::string& body) {
    head += "Content-Type: " + ctype + "\nContent-Length: " + std::to_string(body.size()) + "\n\n";
    return crlf(head) + body;
}

std::string sdp(std::size_t target) {
    std::string s = crlf("v=0\n"
                         "o=alice 2890844526 2890844526 IN IP4 df7jal23ls0d.invalid\n"
                         "s=-\n"
                         "c=IN IP4 192.0.2.33\n"
                         "t=0 0\n"
                         "a=group:BUNDLE 0 1\n"
                         "a=msid-semantic: WMS stream\n"
                         "m=audio 9 UDP/TLS/RTP/SAVPF 111 63 9 0 8 13 110 126\n"
                         "c=IN IP4 0.0.0.0\n"
                         "a=rtcp:9 IN IP4 0.0.0.0\n"
                         "a=ice-ufrag:8hhY\n"
                         "a=ice-pwd:asd88fgpdd777uzjYhagZg\n"
                         "a=ice-options:trickle\n"
                         "a=fingerprint:sha-256 19:E2:1C:3B:4B:9F:81:E6:B8:5C:F4:A5:A8:D8:73:04:BB:05:2F:70:9F:04:A9:0E:05:E9:26:33:E8:70:88:A2\n"
                         "a=setup:actpass\n"
                         "a=mid:0\n"
                         "a=extmap:1 urn:ietf:params:rtp-hdrext:ssrc-audio-level\n"
                         "a=sendrecv\n"
                         "a=rtcp-mux\n"
                         "a=rtpmap:111 opus/48000/2\n"
                         "a=fmtp:111 minptime=10;useinbandfec=1\n"
                         "a=rtpmap:63 red/48000/2\n"
                         "a=rtpmap:9 G722/8000\n"
                         "a=rtpmap:0 PCMU/8000\n"
                         "a=rtpmap:8 PCMA/8000\n"
                         "a=rtpmap:13 CN/8000\n"
                         "a=rtpmap:110 telephone-event/48000\n"
                         "a=rtpmap:126 telephone-event/8000\n"
                         "a=ssrc:3735928559 cname:Zr3L9cDqE1mOQvjT\n"
                         "a=ssrc:3735928559 msid:stream track0\n"
                         "a=candidate:1 1 udp 2122260223 192.0.2.33 54400 typ host generation 0\n"
                         "a=candidate:2 1 tcp 1518280447 192.0.2.33 9 typ host tcptype active generation 0\n"
                         "a=candidate:3 1 udp 1686052607 198.51.100.7 54400 typ srflx raddr 192.0.2.33 rport 54400 generation 0\n");
    while (s.size() < target) s += "a=x-pad:" + std::string(60, 'p') + "\r\n";
    return s;
}

const char* common_register = "Via: SIP/2.0/WSS df7jal23ls0d.invalid;branch=z9hG4bKasudf;rport\n"
                              "Max-Forwards: 70\n"
                              "From: <sip:alice@example.com>;tag=65bnmj.34asd\n"
                              "To: <sip:alice@example.com>\n"
                              "Call-ID: aiuy7k9njasd@df7jal23ls0d.invalid\n";

std::vector<std::string> make_corpus() {
    std::vector<std::string> c;
    std::string contact = "Contact: <sip:alice@df7jal23ls0d.invalid;transport=ws>;reg-id=1;+sip.instance=\"<urn:uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6>\";expires=600\n";
    std::string ua = "User-Agent: JsSIP 3.10.0\n";
    std::string allow = "Allow: INVITE,ACK,CANCEL,BYE,UPDATE,MESSAGE,OPTIONS,REFER,INFO,NOTIFY\n";
    // 1 REGISTER over WSS
    c.push_back(crlf(std::string("REGISTER sip:example.com SIP/2.0\n") + common_register +
                     "CSeq: 1 REGISTER\n" + contact + "Expires: 600\n" + allow +
                     "Supported: path,outbound,gruu\n" + ua + "Content-Length: 0\n\n"));
    // 2 401
    c.push_back(crlf(std::string("SIP/2.0 401 Unauthorized\n") +
                     "Via: SIP/2.0/WSS df7jal23ls0d.invalid;branch=z9hG4bKasudf;rport=53412;received=198.51.100.7\n"
                     "From: <sip:alice@example.com>;tag=65bnmj.34asd\n"
                     "To: <sip:alice@example.com>;tag=37GkEhwl6\n"
                     "Call-ID: aiuy7k9njasd@df7jal23ls0d.invalid\n"
                     "CSeq: 1 REGISTER\n"
                     "WWW-Authenticate: Digest realm=\"example.com\", nonce=\"YmVmNzQ2ZGQ4ZjE1NzY3ZDA5MTY4NTI0\", qop=\"auth\", algorithm=SHA-256, opaque=\"5ccc069c403ebaf9f0171e9517f40e41\"\n"
                     "WWW-Authenticate: Digest realm=\"example.com\", nonce=\"YmVmNzQ2ZGQ4ZjE1NzY3ZDA5MTY4NTI0\", qop=\"auth\", algorithm=MD5\n"
                     "Server: sipws-proxy\nContent-Length: 0\n\n"));
    // 3 REGISTER with Authorization
    c.push_back(crlf(std::string("REGISTER sip:example.com SIP/2.0\n") + common_register +
                     "CSeq: 2 REGISTER\n" +
                     "Authorization: Digest algorithm=SHA-256, username=\"alice\", realm=\"example.com\", nonce=\"YmVmNzQ2ZGQ4ZjE1NzY3ZDA5MTY4NTI0\", uri=\"sip:example.com\", response=\"753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1\", opaque=\"5ccc069c403ebaf9f0171e9517f40e41\", qop=auth, cnonce=\"f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ\", nc=00000001\n" +
                     contact + "Expires: 600\n" + allow + "Supported: path,outbound,gruu\n" + ua + "Content-Length: 0\n\n"));
    // 4 200 OK to REGISTER
    c.push_back(crlf(std::string("SIP/2.0 200 OK\n") +
                     "Via: SIP/2.0/WSS df7jal23ls0d.invalid;branch=z9hG4bKasudf;rport=53412;received=198.51.100.7\n"
                     "From: <sip:alice@example.com>;tag=65bnmj.34asd\n"
                     "To: <sip:alice@example.com>;tag=37GkEhwl6\n"
                     "Call-ID: aiuy7k9njasd@df7jal23ls0d.invalid\n"
                     "CSeq: 2 REGISTER\n"
                     "Contact: <sip:alice@df7jal23ls0d.invalid;transport=ws>;reg-id=1;+sip.instance=\"<urn:uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6>\";pub-gruu=\"sip:alice@example.com;gr=urn:uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6\";temp-gruu=\"sip:87ash54=3dd.98a@example.com;gr\";expires=600\n"
                     "Require: outbound\nSupported: path,outbound,gruu\nDate: Tue, 14 May 2024 10:00:00 GMT\nServer: sipws-proxy\nContent-Length: 0\n\n"));
    std::string invite_head = "INVITE sip:bob@example.com SIP/2.0\n"
                              "Via: SIP/2.0/WSS df7jal23ls0d.invalid;branch=z9hG4bK56sdasks;rport\n"
                              "Max-Forwards: 70\n"
                              "Route: <sip:proxy.example.com:443;transport=ws;lr>\n"
                              "To: <sip:bob@example.com>\n"
                              "From: \"Alice\" <sip:alice@example.com>;tag=asdyka899\n"
                              "Call-ID: asidkj3ss8a7sdf6asdf\n"
                              "CSeq: 6138 INVITE\n"
                              "Contact: <sip:alice@example.com;gr=urn:uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6;ob>\n"
                              "Allow: INVITE,ACK,CANCEL,BYE,UPDATE,MESSAGE,OPTIONS,REFER,INFO,NOTIFY\n"
                              "Supported: path,outbound,gruu,timer,ice,replaces\n"
                              "Session-Expires: 1800;refresher=uac\n"
                              "Min-SE: 90\n"
                              "P-Asserted-Identity: \"Alice\" <sip:alice@example.com>\n"
                              "Accept: application/sdp\n"
                              "User-Agent: JsSIP 3.10.0\n"
                              "X-Call-Info: a=1;b=2\n";
    // 5 INVITE with ~1.5 KB SDP
    c.push_back(with_body(invite_head, "application/sdp", sdp(1500)));
    // 6 100 Trying
    std::string resp_via = "Via: SIP/2.0/WSS df7jal23ls0d.invalid;branch=z9hG4bK56sdasks;rport=53412;received=198.51.100.7\n";
    std::string dialog = "From: \"Alice\" <sip:alice@example.com>;tag=asdyka899\n"
                         "To: <sip:bob@example.com>;tag=bmqkjhsd\n"
                         "Call-ID: asidkj3ss8a7sdf6asdf\n";
    c.push_back(crlf("SIP/2.0 100 Trying\n" + resp_via +
                     "From: \"Alice\" <sip:alice@example.com>;tag=asdyka899\nTo: <sip:bob@example.com>\nCall-ID: asidkj3ss8a7sdf6asdf\nCSeq: 6138 INVITE\nContent-Length: 0\n\n"));
    std::string rr = "Record-Route: <sip:proxy.example.com;transport=udp;lr>\n"
                     "Record-Route: <sip:h7kjh12s@proxy.example.com:443;transport=ws;lr>\n";
    // 7 180 Ringing
    c.push_back(crlf("SIP/2.0 180 Ringing\n" + resp_via + rr + dialog +
                     "CSeq: 6138 INVITE\nContact: <sip:bob@203.0.113.22:5060;transport=udp>\nContent-Length: 0\n\n"));
    // 8 200 OK with Record-Routes and SDP
    c.push_back(with_body("SIP/2.0 200 OK\n" + resp_via + rr + dialog +
                              "CSeq: 6138 INVITE\nContact: <sip:bob@203.0.113.22:5060;transport=udp>\n"
                              "Allow: INVITE,ACK,CANCEL,BYE,OPTIONS\nSupported: timer\nSession-Expires: 1800;refresher=uac\nRequire: timer\n",
                          "application/sdp", sdp(700)));
    std::string route = "Route: <sip:h7kjh12s@proxy.example.com:443;transport=ws;lr>,<sip:proxy.example.com;transport=udp;lr>\n";
    // 9 ACK
    c.push_back(crlf("ACK sip:bob@203.0.113.22:5060;transport=udp SIP/2.0\n"
                     "Via: SIP/2.0/WSS df7jal23ls0d.invalid;branch=z9hG4bKhgqqp090;rport\n" + route +
                     "Max-Forwards: 70\n" + dialog + "CSeq: 6138 ACK\nContent-Length: 0\n\n"));
    // 10 BYE
    c.push_back(crlf("BYE sip:bob@203.0.113.22:5060;transport=udp SIP/2.0\n"
                     "Via: SIP/2.0/WSS df7jal23ls0d.invalid;branch=z9hG4bKby3aa;rport\n" + route +
                     "Max-Forwards: 70\n" + dialog + "CSeq: 6139 BYE\nReason: Q.850;cause=16;text=\"Normal call clearing\"\nUser-Agent: JsSIP 3.10.0\nContent-Length: 0\n\n"));
    // 11 200 OK to BYE
    c.push_back(crlf("SIP/2.0 200 OK\nVia: SIP/2.0/WSS df7jal23ls0d.invalid;branch=z9hG4bKby3aa;rport=53412;received=198.51.100.7\n" +
                     dialog + "CSeq: 6139 BYE\nContent-Length: 0\n\n"));
    // 12 MESSAGE
    c.push_back(with_body("MESSAGE sip:bob@example.com SIP/2.0\n"
                          "Via: SIP/2.0/WSS df7jal23ls0d.invalid;branch=z9hG4bKmsg1;rport\n"
                          "Max-Forwards: 70\nTo: <sip:bob@example.com>\nFrom: \"Alice\" <sip:alice@example.com>;tag=m1a2\n"
                          "Call-ID: msg8s7df6a5sd4f\nCSeq: 1 MESSAGE\nAllow: INVITE,ACK,CANCEL,BYE,MESSAGE\nSupported: outbound\nUser-Agent: JsSIP 3.10.0\n",
                          "text/plain;charset=utf-8", "Hello Bob, are you there? This is a short instant message."));
    // 13 202 Accepted
    c.push_back(crlf("SIP/2.0 202 Accepted\nVia: SIP/2.0/WSS df7jal23ls0d.invalid;branch=z9hG4bKmsg1;rport=53412;received=198.51.100.7\n"
                     "To: <sip:bob@example.com>;tag=z8x7\nFrom: \"Alice\" <sip:alice@example.com>;tag=m1a2\nCall-ID: msg8s7df6a5sd4f\nCSeq: 1 MESSAGE\nContent-Length: 0\n\n"));
    // 14 OPTIONS
    c.push_back(crlf("OPTIONS sip:proxy.example.com SIP/2.0\nVia: SIP/2.0/WSS df7jal23ls0d.invalid;branch=z9hG4bKopt9;rport\n"
                     "Max-Forwards: 70\nTo: <sip:proxy.example.com>\nFrom: <sip:alice@example.com>;tag=o9p8\nCall-ID: opt7a6s5d4\nCSeq: 20 OPTIONS\nAccept: application/sdp\nContent-Length: 0\n\n"));
    // 15 200 OK to OPTIONS
    c.push_back(crlf("SIP/2.0 200 OK\nVia: SIP/2.0/WSS df7jal23ls0d.invalid;branch=z9hG4bKopt9;rport=53412;received=198.51.100.7\n"
                     "To: <sip:proxy.example.com>;tag=srv1\nFrom: <sip:alice@example.com>;tag=o9p8\nCall-ID: opt7a6s5d4\nCSeq: 20 OPTIONS\n"
                     "Allow: INVITE,ACK,CANCEL,BYE,OPTIONS,MESSAGE,SUBSCRIBE,NOTIFY\nAccept: application/sdp\nSupported: path,outbound,gruu\nContent-Length: 0\n\n"));
    // 16 SUBSCRIBE
    c.push_back(crlf("SUBSCRIBE sip:bob@example.com SIP/2.0\nVia: SIP/2.0/WSS df7jal23ls0d.invalid;branch=z9hG4bKsub1;rport\n"
                     "Max-Forwards: 70\nTo: <sip:bob@example.com>\nFrom: <sip:alice@example.com>;tag=s1u2\nCall-ID: sub9d8f7g6\nCSeq: 1 SUBSCRIBE\n"
                     "Event: presence\nAccept: application/pidf+xml\nExpires: 3600\n"
                     "Contact: <sip:alice@example.com;gr=urn:uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6;ob>\nContent-Length: 0\n\n"));
    // 17 NOTIFY
    c.push_back(with_body("NOTIFY sip:alice@example.com;gr=urn:uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6;ob SIP/2.0\n"
                          "Via: SIP/2.0/WSS proxy.example.com:443;branch=z9hG4bKnot1\nVia: SIP/2.0/UDP 203.0.113.22;branch=z9hG4bKn0t1fy\n"
                          "Max-Forwards: 69\nFrom: <sip:bob@example.com>;tag=n5o6\nTo: <sip:alice@example.com>;tag=s1u2\nCall-ID: sub9d8f7g6\nCSeq: 1 NOTIFY\n"
                          "Event: presence\nSubscription-State: active;expires=3599\nContact: <sip:bob@203.0.113.22:5060;transport=udp>\n",
                          "application/pidf+xml",
                          "<?xml version=\"1.0\"?>\r\n<presence xmlns=\"urn:ietf:params:xml:ns:pidf\" entity=\"sip:bob@example.com\">\r\n<tuple id=\"t1\"><status><basic>open</basic></status></tuple>\r\n</presence>\r\n"));
    // 18 407
    c.push_back(crlf("SIP/2.0 407 Proxy Authentication Required\n" + resp_via +
                     "From: \"Alice\" <sip:alice@example.com>;tag=asdyka899\nTo: <sip:bob@example.com>;tag=p407\nCall-ID: asidkj3ss8a7sdf6asdf\nCSeq: 6137 INVITE\n"
                     "Proxy-Authenticate: Digest realm=\"example.com\", nonce=\"c60f3082ee1212b402a21831ae\", qop=\"auth\", algorithm=SHA-256\nContent-Length: 0\n\n"));
    // 19 CANCEL
    c.push_back(crlf("CANCEL sip:bob@example.com SIP/2.0\nVia: SIP/2.0/WSS df7jal23ls0d.invalid;branch=z9hG4bK56sdasks;rport\n"
                     "Max-Forwards: 70\nRoute: <sip:proxy.example.com:443;transport=ws;lr>\nTo: <sip:bob@example.com>\n"
                     "From: \"Alice\" <sip:alice@example.com>;tag=asdyka899\nCall-ID: asidkj3ss8a7sdf6asdf\nCSeq: 6138 CANCEL\nContent-Length: 0\n\n"));
    // 20 INVITE forwarded by the proxy (two Vias, Record-Routes, small SDP)
    c.push_back(with_body("INVITE sip:bob@203.0.113.22:5060 SIP/2.0\n"
                          "Via: SIP/2.0/UDP proxy.example.com;branch=z9hG4bKhjhjqw32c\n"
                          "Via: SIP/2.0/WSS df7jal23ls0d.invalid;branch=z9hG4bK56sdasks;rport=53412;received=198.51.100.7\n" + rr +
                          "Max-Forwards: 69\nTo: <sip:bob@example.com>\nFrom: \"Alice\" <sip:alice@example.com>;tag=asdyka899\n"
                          "Call-ID: asidkj3ss8a7sdf6asdf\nCSeq: 6138 INVITE\n"
                          "Contact: <sip:alice@example.com;gr=urn:uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6;ob>\nSupported: path,outbound,gruu\n",
                          "application/sdp", sdp(300)));
    return c;
}

const std::vector<std::string>& corpus() {
    static const std::vector<std::string> c = make_corpus();
    return c;
}

std::size_t corpus_bytes() {
    std::size_t n = 0;
    for (const auto& m : corpus()) n += m.size();
    return n;
}

void finish(benchmark::State& state) {
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * corpus().size()));
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * corpus_bytes()));
}

namespace sip = sipws::sip;

// Strict defaults: parse() validates every Via, From, To, Call-ID, CSeq,
// Max-Forwards, Contact, Route and Record-Route, then the fields are touched
// through the typed accessors (which return the values the validation kept).
// With validate = false the index is built and only the touched fields are
// parsed, by the accessors (lazy typed parsing).
/// One pass of BM_sipws over the corpus; false when a message fails.
bool sipws_pass(sip::message& m, const sip::parse_options& opt) {
    for (const std::string& s : corpus()) {
        sip::parse_error e = sip::parse(s, m, opt);
        if (e) return false;
        std::size_t touch = m.is_request() ? m.method().size() + m.request_uri().size() : m.status_code();
        std::error_code ec;
        sip::via v = m.top_via(ec);
        touch += v.branch.size();
        sip::name_addr f = m.from(ec);
        touch += f.tag().size();
        sip::name_addr t = m.to(ec);
        touch += t.uri_text.size();
        touch += m.call_id().size();
        sip::cseq c = m.cseq(ec);
        touch += c.number;
        sip::name_addr ct = m.contact(ec);
        touch += ct.uri_text.size();
        benchmark::DoNotOptimize(touch);
    }
    return true;
}

void run_sipws(benchmark::State& state, bool validate) {
    sip::basic_message<64> m;
    sip::parse_options opt;
    opt.validate_headers = validate;
    for (auto _ : state)
        if (!sipws_pass(m, opt)) state.SkipWithError("sipws failed to parse the corpus");
    finish(state);
}
void BM_sipws(benchmark::State& state) { run_sipws(state, true); }
void BM_sipws_lazy(benchmark::State& state) { run_sipws(state, false); }
BENCHMARK(BM_sipws);
BENCHMARK(BM_sipws_lazy);

void BM_memchr_line_scan(benchmark::State& state) {
    for (auto _ : state) {
        for (const std::string& s : corpus()) {
            const char* p = s.data();
            const char* end = p + s.size();
            std::size_t lines = 0;
            while (const void* q = std::memchr(p, '\n', static_cast<std::size_t>(end - p))) {
                ++lines;
                p = static_cast<const char*>(q) + 1;
            }
            benchmark::DoNotOptimize(lines);
        }
    }
    finish(state);
}
BENCHMARK(BM_memchr_line_scan);

#if SIPWS_BENCH_OSIP2
void BM_osip2(benchmark::State& state) {
    parser_init();
    for (auto _ : state) {
        for (const std::string& s : corpus()) {
            osip_message_t* m = nullptr;
            osip_message_init(&m);
            if (osip_message_parse(m, s.data(), s.size()) != 0) state.SkipWithError("osip2 failed");
            std::size_t touch = 0;
            if (MSG_IS_REQUEST(m)) {
                touch += std::strlen(m->sip_method);
                char* u = nullptr;
                osip_uri_to_str(m->req_uri, &u);
                touch += u ? std::strlen(u) : 0;
                osip_free(u);
            } else {
                touch += static_cast<std::size_t>(m->status_code);
            }
            osip_via_t* via = nullptr;
            osip_generic_param_t* br = nullptr;
            if (osip_message_get_via(m, 0, &via) >= 0 && via) {
                osip_via_param_get_byname(via, const_cast<char*>("branch"), &br);
                if (br && br->gvalue) touch += std::strlen(br->gvalue);
            }
            osip_generic_param_t* tag = nullptr;
            if (m->from) osip_from_get_tag(m->from, &tag);
            if (tag && tag->gvalue) touch += std::strlen(tag->gvalue);
            if (m->to && m->to->url && m->to->url->host) touch += std::strlen(m->to->url->host);
            if (m->call_id && m->call_id->number) touch += std::strlen(m->call_id->number);
            if (m->cseq && m->cseq->number) touch += std::strlen(m->cseq->number);
            osip_contact_t* ct = nullptr;
            if (osip_message_get_contact(m, 0, &ct) >= 0 && ct && ct->url && ct->url->host)
                touch += std::strlen(ct->url->host);
            benchmark::DoNotOptimize(touch);
            osip_message_free(m);
        }
    }
    finish(state);
}
BENCHMARK(BM_osip2);
#endif

#if SIPWS_BENCH_SOFIA
void BM_sofia_sip(benchmark::State& state) {
    msg_mclass_t const* mc = sip_default_mclass();
    for (auto _ : state) {
        for (const std::string& s : corpus()) {
            msg_t* msg = msg_make(mc, 0, s.data(), static_cast<ssize_t>(s.size()));
            sip_t* sip = msg ? sip_object(msg) : nullptr;
            if (!sip || sip->sip_error) state.SkipWithError("sofia-sip failed");
            std::size_t touch = 0;
            if (sip) {
                if (sip->sip_request) {
                    touch += std::strlen(sip->sip_request->rq_method_name);
                    touch += sip->sip_request->rq_url->url_host ? std::strlen(sip->sip_request->rq_url->url_host) : 0;
                } else if (sip->sip_status) {
                    touch += static_cast<std::size_t>(sip->sip_status->st_status);
                }
                if (sip->sip_via && sip->sip_via->v_branch) touch += std::strlen(sip->sip_via->v_branch);
                if (sip->sip_from && sip->sip_from->a_tag) touch += std::strlen(sip->sip_from->a_tag);
                if (sip->sip_to && sip->sip_to->a_url->url_host) touch += std::strlen(sip->sip_to->a_url->url_host);
                if (sip->sip_call_id) touch += std::strlen(sip->sip_call_id->i_id);
                if (sip->sip_cseq) touch += sip->sip_cseq->cs_seq;
                if (sip->sip_contact && sip->sip_contact->m_url->url_host)
                    touch += std::strlen(sip->sip_contact->m_url->url_host);
            }
            benchmark::DoNotOptimize(touch);
            msg_destroy(msg);
        }
    }
    finish(state);
}
BENCHMARK(BM_sofia_sip);
#endif

/// Console output plus a summary of medians and ratios.
class ratio_reporter : public benchmark::ConsoleReporter {
public:
    void ReportRuns(const std::vector<Run>& runs) override {
        ConsoleReporter::ReportRuns(runs);
        for (const Run& r : runs) {
            if (r.run_type == Run::RT_Aggregate && r.aggregate_name != "median") continue;
            auto it = r.counters.find("items_per_second");
            if (it == r.counters.end()) continue;
            std::string name = r.run_name.function_name;
            rates_[name] = it->second.value;
        }
    }
    void Finalize() override {
        ConsoleReporter::Finalize();
        double bytes_per_msg = static_cast<double>(corpus_bytes()) / static_cast<double>(corpus().size());
        std::printf("\nCorpus: %zu messages, %zu bytes\n", corpus().size(), corpus_bytes());
        for (const auto& kv : rates_)
            std::printf("%-24s %12.0f messages/s %10.1f MB/s\n", kv.first.c_str(), kv.second,
                        kv.second * bytes_per_msg / 1e6);
        auto get = [&](const char* n) {
            auto it = rates_.find(n);
            return it == rates_.end() ? 0.0 : it->second;
        };
        double lazy = get("BM_sipws_lazy");
        double us = get("BM_sipws"), floor = get("BM_memchr_line_scan");
        double peer = std::max(get("BM_osip2"), get("BM_sofia_sip"));
        if (us > 0 && floor > 0) std::printf("sipws / memchr floor:        %.1f%%  (target >= 15%%)\n", 100 * us / floor);
        if (us > 0 && get("BM_osip2") > 0) std::printf("sipws / osip2:               %.1fx\n", us / get("BM_osip2"));
        if (us > 0 && get("BM_sofia_sip") > 0) std::printf("sipws / sofia-sip:           %.1fx\n", us / get("BM_sofia_sip"));
        if (us > 0 && peer > 0) std::printf("sipws / faster peer:         %.1fx  (target >= 5x)\n", us / peer);
        if (lazy > 0 && floor > 0) std::printf("sipws_lazy / memchr floor:   %.1f%%\n", 100 * lazy / floor);
        if (lazy > 0 && peer > 0) std::printf("sipws_lazy / faster peer:    %.1fx\n", lazy / peer);
    }

private:
    std::map<std::string, double> rates_;
};

} // namespace

int main(int argc, char** argv) {
    // --rounds N: N passes of BM_sipws's work and nothing else, for
    // sip_parse_instructions.sh (callgrind)
    if (argc == 3 && std::string(argv[1]) == "--rounds") {
        sip::basic_message<64> m;
        sip::parse_options opt;
        for (long i = std::stol(argv[2]); i > 0; --i)
            if (!sipws_pass(m, opt)) return 1;
        std::printf("%zu messages per pass\n", corpus().size());
        return 0;
    }
    benchmark::Initialize(&argc, argv);
    ratio_reporter reporter;
    benchmark::RunSpecifiedBenchmarks(&reporter);
    benchmark::Shutdown();
    return 0;
}
