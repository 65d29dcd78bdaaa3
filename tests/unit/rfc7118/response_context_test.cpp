#include <sipws/rfc7118/response_context.hpp>
#include <sipws/sip/parser.hpp>

#include "support/test.hpp"

#include <string>
#include <vector>

using namespace sipws;
using namespace sipws::rfc7118;

namespace {

// A response as it goes upstream (the proxy's Via removed), with extra rows.
std::string resp(const std::string& status, const std::string& method = "INVITE", const std::string& extra = {}) {
    return "SIP/2.0 " + status + "\r\nVia: SIP/2.0/WS caller.invalid;branch=z9hG4bKup\r\n"
           "From: <sip:alice@sipws.test>;tag=a\r\nTo: <sip:bob@sipws.test>;tag=b\r\nCall-ID: c1\r\n"
           "CSeq: 1 " + method + "\r\n" + extra + "Content-Length: 0\r\n\r\n";
}

unsigned status_of(const std::string& text) {
    auto m = sip::parse(text);
    return m && m->is_response() ? m->status_code() : 0;
}

// Gives \p text to \p rc as a response on \p branch.
response_context::action on(response_context& rc, std::size_t branch, const std::string& text) {
    return rc.on_response(branch, status_of(text), text);
}

std::vector<std::string> rows(const std::string& text, sip::header_id id) {
    std::vector<std::string> out;
    auto m = sip::parse(text);
    REQUIRE(m);
    for (std::size_t i = 0; i < m->header_count(); ++i)
        if (m->header(i).id == id) out.emplace_back(m->header(i).value);
    return out;
}

} // namespace

TEST_CASE("response context: 1xx but 100 and the first 2xx go up at once; the rest waits for every branch",
          "[unit][rfc7118][response_context]") {
    response_context rc(false);
    const std::size_t a = *rc.add_branch(), b = *rc.add_branch();
    CHECK_FALSE(on(rc, a, resp("100 Trying", "MESSAGE")).forward);
    CHECK(on(rc, a, resp("183 Progress", "MESSAGE")).forward);
    auto first = on(rc, b, resp("202 Accepted", "MESSAGE"));
    CHECK(first.forward);
    CHECK(first.cancel.empty()); // never a CANCEL for a non-INVITE
    CHECK_FALSE(first.send_best);
    CHECK_FALSE(rc.add_branch()); // a final response went up
    // A non-INVITE: a later 2xx is not forwarded, nor is a later 1xx.
    auto late = on(rc, a, resp("200 OK", "MESSAGE"));
    CHECK_FALSE(late.forward);
    CHECK_FALSE(late.send_best);
    CHECK(rc.complete());
    CHECK(on(rc, a, resp("200 OK", "MESSAGE")).ignored); // already final
    CHECK(on(rc, 7, resp("200 OK", "MESSAGE")).ignored);  // no such branch
}

TEST_CASE("response context: every 2xx of an INVITE goes up; the first cancels the pending branches",
          "[unit][rfc7118][response_context]") {
    response_context rc(true);
    const std::size_t a = *rc.add_branch(), b = *rc.add_branch(), c = *rc.add_branch();
    CHECK(on(rc, b, resp("180 Ringing")).forward);
    auto ok = on(rc, a, resp("200 OK"));
    CHECK(ok.forward);
    CHECK(ok.cancel == std::vector<std::size_t>{b}); // b rings; c has sent nothing yet
    // c answers 180 afterwards: not forwarded (a final went up), its CANCEL may go now.
    auto ring = on(rc, c, resp("180 Ringing"));
    CHECK_FALSE(ring.forward);
    CHECK(ring.cancel_branch);
    // Another 2xx of the INVITE still goes up (16.7 step 5).
    CHECK(on(rc, c, resp("200 OK")).forward);
    auto terminated = on(rc, b, resp("487 Request Terminated"));
    CHECK_FALSE(terminated.forward);
    CHECK_FALSE(terminated.send_best); // the final response went up already
    CHECK(rc.complete());
    CHECK(rc.pending().empty());
}

TEST_CASE("response context: 6xx beats everything and cancels; else the lowest class, preferred 4xx first",
          "[unit][rfc7118][response_context][SIP3261-16.7]") {
    SECTION("486 + 603 -> 603; the 603 cancels the ringing branch") {
        response_context rc(true);
        const std::size_t a = *rc.add_branch(), b = *rc.add_branch(), c = *rc.add_branch();
        on(rc, c, resp("180 Ringing"));
        CHECK_FALSE(on(rc, a, resp("486 Busy Here")).send_best);
        auto declined = on(rc, b, resp("603 Decline"));
        CHECK_FALSE(declined.forward);
        CHECK(declined.cancel == std::vector<std::size_t>{c});
        CHECK_FALSE(rc.add_branch()); // no new branch after a 6xx
        auto last = on(rc, c, resp("487 Request Terminated"));
        CHECK(last.send_best);
        CHECK(status_of(rc.best()) == 603);
    }
    SECTION("302 beats 404; 404 + 484 -> 484; 503 alone goes up as 500") {
        response_context r3(false);
        const std::size_t n = *r3.add_branch(), m = *r3.add_branch();
        CHECK_FALSE(on(r3, n, resp("404 Not Found", "MESSAGE")).send_best);
        CHECK(on(r3, m, resp("302 Moved", "MESSAGE")).send_best);
        CHECK(status_of(r3.best()) == 302);
        CHECK_FALSE(r3.add_branch()); // the final response went up

        response_context r4(false);
        const std::size_t a = *r4.add_branch(), b = *r4.add_branch(), c = *r4.add_branch();
        on(r4, a, resp("404 Not Found", "MESSAGE"));
        on(r4, b, resp("484 Address Incomplete", "MESSAGE"));
        CHECK(on(r4, c, resp("503 Service Unavailable", "MESSAGE")).send_best);
        CHECK(status_of(r4.best()) == 484);

        response_context r5(false);
        CHECK(on(r5, *r5.add_branch(), resp("503 Service Unavailable", "MESSAGE")).send_best);
        const std::string best = r5.best();
        CHECK(best.rfind("SIP/2.0 500 Server Internal Error\r\n", 0) == 0);
        CHECK(rows(best, sip::header_id::call_id) == std::vector<std::string>{"c1"});
    }
    SECTION("equal rank: the first to come wins") {
        response_context rc(false);
        const std::size_t a = *rc.add_branch(), b = *rc.add_branch();
        on(rc, b, resp("480 Temporarily Unavailable", "MESSAGE"));
        on(rc, a, resp("486 Busy Here", "MESSAGE"));
        CHECK(status_of(rc.best()) == 480);
    }
    CHECK(response_context::rank(600) < response_context::rank(200));
    CHECK(response_context::rank(407) < response_context::rank(404));
    CHECK(response_context::rank(404) < response_context::rank(500));
}

TEST_CASE("response context: a chosen 401/407 carries every challenge of every 401 and 407, each in its order",
          "[unit][rfc7118][response_context][DIG8760-2.5-a]") {
    response_context rc(true);
    const std::size_t a = *rc.add_branch(), b = *rc.add_branch(), c = *rc.add_branch();
    const std::string wa1 = "Digest realm=\"a.example\", nonce=\"n1\", algorithm=SHA-256, qop=\"auth\"";
    const std::string wa2 = "Digest realm=\"a.example\", nonce=\"n2\", algorithm=MD5, qop=\"auth\"";
    const std::string pa1 = "Digest realm=\"b.example\", nonce=\"p1\", algorithm=SHA-256";
    on(rc, b, resp("407 Proxy Authentication Required", "INVITE", "Proxy-Authenticate: " + pa1 + "\r\n"));
    on(rc, a, resp("486 Busy Here"));
    auto last = on(rc, c, resp("401 Unauthorized", "INVITE",
                                       "WWW-Authenticate: " + wa1 + "\r\nWWW-Authenticate: " + wa2 + "\r\n"));
    REQUIRE(last.send_best);
    const std::string best = rc.best();
    INFO(best);
    CHECK(status_of(best) == 407); // the first of the preferred 4xx
    CHECK(rows(best, sip::header_id::proxy_authenticate) == std::vector<std::string>{pa1});
    CHECK(rows(best, sip::header_id::www_authenticate) == std::vector<std::string>{wa1, wa2});
    CHECK(sip::parse(best)->content_length() == 0);

    // Nothing to merge for other statuses: the response as received.
    response_context other(false);
    const std::string busy = resp("486 Busy Here", "MESSAGE");
    on(other, *other.add_branch(), busy);
    CHECK(other.best() == busy);
}

TEST_CASE("response context: an upstream CANCEL cancels ringing branches now and the others at their first 1xx",
          "[unit][rfc7118][response_context][SIP3261-16.10]") {
    response_context rc(true);
    const std::size_t a = *rc.add_branch(), b = *rc.add_branch();
    on(rc, a, resp("180 Ringing"));
    CHECK(rc.cancel() == std::vector<std::size_t>{a});
    CHECK_FALSE(rc.add_branch());
    CHECK(rc.cancel().empty()); // nothing twice
    auto ring = on(rc, b, resp("183 Session Progress"));
    CHECK(ring.cancel_branch);
    CHECK(ring.forward); // no final response went up yet
    CHECK_FALSE(on(rc, b, resp("180 Ringing")).cancel_branch);
    CHECK_FALSE(on(rc, a, resp("487 Request Terminated")).send_best);
    // A branch that never answered gets the proxy's 408 (Timer C): then all are final.
    auto timeout = on(rc, b, resp("408 Request Timeout"));
    CHECK(timeout.send_best);
    CHECK(status_of(rc.best()) == 487); // same rank: the first to come
    CHECK(rc.final_status(a) == 487);

    response_context bad(true);
    const std::string junk = "not SIP at all";
    CHECK(on(bad, *bad.add_branch(), junk).ignored);
    CHECK(bad.pending() == std::vector<std::size_t>{0});
}
