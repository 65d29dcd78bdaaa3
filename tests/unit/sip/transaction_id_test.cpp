// Server transaction identification (RFC 3261 17.2.3).
#include <sipws/sip/parser.hpp>
#include <sipws/sip/transaction_id.hpp>

#include "support/test.hpp"

#include <string>

namespace sip = sipws::sip;

namespace {

std::string request(const std::string& method, const std::string& via, const std::string& cseq_method,
                    const std::string& to_tag = "", const std::string& uri = "sip:bob@example.com") {
    return method + " " + uri + " SIP/2.0\r\nVia: " + via +
           "\r\nMax-Forwards: 70\r\nFrom: <sip:alice@example.com>;tag=a1\r\nTo: <sip:bob@example.com>" +
           (to_tag.empty() ? "" : ";tag=" + to_tag) + "\r\nCall-ID: c-1@h\r\nCSeq: 7 " + cseq_method +
           "\r\nContent-Length: 0\r\n\r\n";
}

std::string id_of(const std::string& text) {
    auto m = sip::parse(text, sip::parse_options::lenient());
    REQUIRE(m);
    std::error_code ec;
    std::string id = sip::server_transaction_id(*m, ec);
    REQUIRE_FALSE(ec);
    REQUIRE_FALSE(id.empty());
    return id;
}

} // namespace

TEST_CASE("transaction id: branch, sent-by and method; ACK and CANCEL of an INVITE",
          "[sip][transaction][SIP3261-17-a]") {
    const std::string via = "SIP/2.0/WSS df7jal23ls0d.invalid;branch=z9hG4bKasudf;rport";
    const std::string invite = id_of(request("INVITE", via, "INVITE"));
    // A retransmission, with another letter case in branch and host, and the
    // default port written out (WSS: 443): the same transaction.
    CHECK(id_of(request("INVITE", "SIP/2.0/WSS DF7jal23ls0d.INVALID:443;branch=z9hG4bKASUDF", "INVITE")) == invite);
    // The ACK to a non-2xx final response belongs to it.
    CHECK(id_of(request("ACK", via, "ACK", "t9")) == invite);
    // Another branch, another sent-by or another method: another transaction.
    CHECK(id_of(request("INVITE", "SIP/2.0/WSS df7jal23ls0d.invalid;branch=z9hG4bKother", "INVITE")) != invite);
    CHECK(id_of(request("INVITE", "SIP/2.0/WSS x.invalid;branch=z9hG4bKasudf", "INVITE")) != invite);
    CHECK(id_of(request("INVITE", "SIP/2.0/WSS df7jal23ls0d.invalid:444;branch=z9hG4bKasudf", "INVITE")) != invite);
    // A CANCEL is a transaction of its own that names the INVITE's.
    const std::string cancel_text = request("CANCEL", via, "CANCEL");
    const std::string cancel = id_of(cancel_text);
    CHECK(cancel != invite);
    std::error_code ec;
    auto c = sip::parse(cancel_text);
    REQUIRE(c);
    CHECK(sip::cancelled_transaction_id(*c, ec) == invite);
    CHECK_FALSE(ec);
    // Non-INVITE methods match by method too.
    CHECK(id_of(request("MESSAGE", via, "MESSAGE")) != id_of(request("OPTIONS", via, "OPTIONS")));
}

TEST_CASE("transaction id: RFC 2543 requests without the magic cookie", "[sip][transaction][SIP3261-17-a]") {
    const std::string via = "SIP/2.0/UDP old.example.com:5060;branch=1234";
    const std::string invite = id_of(request("INVITE", via, "INVITE"));
    CHECK(id_of(request("INVITE", via, "INVITE")) == invite);
    // The ACK carries the To tag of the server's response: still the INVITE's.
    CHECK(id_of(request("ACK", via, "ACK", "srv-tag")) == invite);
    // Another Request-URI, or another top Via: another transaction.
    CHECK(id_of(request("INVITE", via, "INVITE", "", "sip:carol@example.com")) != invite);
    CHECK(id_of(request("INVITE", "SIP/2.0/UDP old.example.com:5060;branch=5678", "INVITE")) != invite);
    // A branch that is only the cookie is no RFC 3261 branch either.
    CHECK(id_of(request("INVITE", "SIP/2.0/UDP old.example.com;branch=z9hG4bK", "INVITE")).rfind("2543 ", 0) == 0);
    // Outside INVITE the To tag counts.
    CHECK(id_of(request("BYE", via, "BYE", "t1")) != id_of(request("BYE", via, "BYE", "t2")));
}

TEST_CASE("transaction id: responses and requests without a usable Via have none", "[sip][transaction]") {
    std::error_code ec;
    const std::string rsp = "SIP/2.0 200 OK\r\nVia: SIP/2.0/WS h.invalid;branch=z9hG4bK1\r\n"
                            "From: <sip:a@b>;tag=1\r\nTo: <sip:a@b>;tag=2\r\nCall-ID: x\r\nCSeq: 1 MESSAGE\r\n\r\n";
    auto r = sip::parse(rsp);
    REQUIRE(r);
    CHECK(sip::server_transaction_id(*r, ec).empty());
    CHECK(ec);
    const std::string no_via = "MESSAGE sip:b@c SIP/2.0\r\nFrom: <sip:a@b>;tag=1\r\nTo: <sip:a@b>\r\n"
                               "Call-ID: x\r\nCSeq: 1 MESSAGE\r\n\r\n";
    auto m = sip::parse(no_via, sip::parse_options::lenient());
    REQUIRE(m.msg.is_request());
    CHECK(sip::server_transaction_id(m.msg, ec).empty());
    CHECK(ec);
}
