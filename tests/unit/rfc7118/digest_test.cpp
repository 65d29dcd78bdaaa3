#include <sipws/rfc7118/digest.hpp>
#include <sipws/rfc7118/digest_client.hpp>
#include <sipws/rfc7118/digest_server.hpp>

#include "support/test.hpp"

#include <chrono>
#include <optional>
#include <string>
#include <vector>

using namespace sipws::rfc7118;
using sipws::crypto::hash_algorithm;
using sipws::crypto::hash_hex;

namespace {

const digest_algorithm all_algorithms[] = {
    digest_algorithm::md5,         digest_algorithm::md5_sess,   digest_algorithm::sha256,
    digest_algorithm::sha256_sess, digest_algorithm::sha512_256, digest_algorithm::sha512_256_sess};

digest_input rfc7616_input(digest_algorithm a) {
    digest_input in;
    in.algorithm = a;
    in.method = "GET";
    in.uri = "/dir/index.html";
    in.nonce = "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v";
    in.cnonce = "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ";
    in.nc = 1;
    in.qop = digest_qop::auth;
    return in;
}

// Independent formula of RFC 7616 section 3.4, written with one-shot hashes
// over the concatenated strings.
std::string reference_response(digest_algorithm a, const std::string& user,
                               const std::string& realm, const std::string& pass,
                               const digest_input& in) {
    auto h = hash_of(a);
    std::string ha1 = hash_hex(h, user + ":" + realm + ":" + pass);
    if (is_session(a))
        ha1 = hash_hex(h, ha1 + ":" + std::string(in.nonce) + ":" + std::string(in.cnonce));
    std::string a2 = std::string(in.method) + ":" + std::string(in.uri);
    if (in.qop == digest_qop::auth_int) a2 += ":" + hash_hex(h, in.body);
    char nc[9];
    std::snprintf(nc, sizeof nc, "%08x", in.nc);
    return hash_hex(h, ha1 + ":" + std::string(in.nonce) + ":" + nc + ":" + std::string(in.cnonce) +
                           ":" + std::string(to_string(in.qop)) + ":" + hash_hex(h, a2));
}

struct user_db {
    std::string user = "alice";
    std::string password = "s3cret";
    std::optional<digest_secret> operator()(const digest_credentials& c) const {
        if (c.userhash) {
            // A real store indexes H(user:realm); the single-user test maps it back.
            if (c.username != digest_userhash(c.algorithm, user, c.realm)) return std::nullopt;
        } else if (c.username != user) {
            return std::nullopt;
        }
        return digest_secret{user, password, {}};
    }
};

std::vector<std::string_view> views(const std::vector<std::string>& v) {
    return {v.begin(), v.end()};
}

} // namespace

TEST_CASE("digest: RFC 7616 section 3.9.1 test vectors",
          "[rfc7118][digest][DIG-TV-a][DIG7616-3.4-a]") {
    CHECK(digest_response("Mufasa", "http-auth@example.org", "Circle of Life",
                          rfc7616_input(digest_algorithm::md5)) ==
          "8ca523f5e9506fed4657c9700eebdbec");
    CHECK(digest_response("Mufasa", "http-auth@example.org", "Circle of Life",
                          rfc7616_input(digest_algorithm::sha256)) ==
          "753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1");
}

TEST_CASE("digest: every algorithm and qop matches the RFC 7616 formula",
          "[rfc7118][digest][DIG7616-3-a][DIG7616-3.4-a]") {
    auto a = GENERATE(digest_algorithm::md5, digest_algorithm::md5_sess, digest_algorithm::sha256,
                      digest_algorithm::sha256_sess, digest_algorithm::sha512_256,
                      digest_algorithm::sha512_256_sess);
    auto qop = GENERATE(digest_qop::auth, digest_qop::auth_int);
    CAPTURE(to_string(a), to_string(qop));
    auto in = rfc7616_input(a);
    in.qop = qop;
    in.nc = 0x1a2b;
    in.body = qop == digest_qop::auth_int ? "v=0\r\no=- 1 1 IN IP4 x\r\n" : "";
    auto r = digest_response("Mufasa", "http-auth@example.org", "Circle of Life", in);
    CHECK(r == reference_response(a, "Mufasa", "http-auth@example.org", "Circle of Life", in));
    CHECK(r.size() == (hash_of(a) == hash_algorithm::md5 ? 32u : 64u));
    // Each ingredient matters.
    auto other = in;
    other.method = "POST";
    CHECK(digest_response("Mufasa", "http-auth@example.org", "Circle of Life", other) != r);
    other = in;
    other.nc = in.nc + 1;
    CHECK(digest_response("Mufasa", "http-auth@example.org", "Circle of Life", other) != r);
    if (qop == digest_qop::auth_int) {
        other = in;
        other.body = "tampered";
        CHECK(digest_response("Mufasa", "http-auth@example.org", "Circle of Life", other) != r);
        // Empty body: H of the empty string (DIG-TV-a).
        other.body = "";
        other.algorithm = digest_algorithm::sha256;
        auto expect = reference_response(digest_algorithm::sha256, "Mufasa",
                                         "http-auth@example.org", "Circle of Life", other);
        CHECK(digest_response("Mufasa", "http-auth@example.org", "Circle of Life", other) ==
              expect);
    }
}

TEST_CASE("digest: algorithm names are case-insensitive and round-trip",
          "[rfc7118][digest][DIG7616-3-a]") {
    for (auto a : all_algorithms) {
        CHECK(parse_digest_algorithm(to_string(a)) == a);
    }
    CHECK(parse_digest_algorithm("sha-512-256-SESS") == digest_algorithm::sha512_256_sess);
    CHECK_FALSE(parse_digest_algorithm("SHA-512"));
    CHECK_FALSE(parse_digest_algorithm("SHA256"));
}

TEST_CASE("auth-params: quoted strings, tokens, case and duplicates",
          "[rfc7118][digest][DIG7616-3.4-c]") {
    std::vector<auth_scheme_params> out;
    REQUIRE_FALSE(parse_auth_header(
        "Digest REALM=\"a \\\"quoted\\\" \\\\ realm\" ,  Nonce=\"n1\",qop=\"auth,auth-int\", "
        "algorithm=SHA-256,stale=TRUE",
        out));
    REQUIRE(out.size() == 1);
    CHECK(out[0].scheme == "Digest");
    REQUIRE(out[0].params.size() == 5);
    CHECK(out[0].find("realm")->value == "a \"quoted\" \\ realm");
    CHECK(out[0].find("realm")->quoted);
    CHECK(out[0].find("nonce")->value == "n1");
    CHECK(out[0].find("algorithm")->value == "SHA-256");
    CHECK_FALSE(out[0].find("algorithm")->quoted);

    CHECK(parse_auth_header("Digest realm=\"a\", Realm=\"b\", nonce=\"x\"", out) ==
          error::duplicate_param);
    CHECK(parse_auth_header("Digest realm=\"unterminated", out) == error::malformed_auth_params);
    CHECK(parse_auth_header("Digest realm=\"a\" nonce=\"b\"", out) == error::malformed_auth_params);
    CHECK(parse_auth_header("Digest realm=, nonce=1", out) == error::malformed_auth_params);
    std::vector<digest_challenge> none;
    // `realm=` alone is a token68 by RFC 7235 syntax, which Digest never uses.
    CHECK(parse_digest_challenges("Digest realm=", none) == error::malformed_auth_params);
    CHECK(parse_auth_header("Digest realm=\"bad\x01\"", out) == error::malformed_auth_params);
    CHECK(parse_auth_header("", out) == error::malformed_auth_params);
    CHECK(parse_auth_header("Digest realm=\"a\\", out) == error::malformed_auth_params);
    // Folded header lines are white space.
    REQUIRE_FALSE(parse_auth_header("Digest realm=\"r\",\r\n nonce=\"n\"", out));
    CHECK(out[0].params.size() == 2);

    SECTION("several challenges in one value, token68 schemes kept apart") {
        REQUIRE_FALSE(parse_auth_header(
            "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==, Digest realm=\"a\", nonce=\"1\", "
            "Digest realm=\"b\", nonce=\"2\", algorithm=MD5",
            out));
        REQUIRE(out.size() == 3);
        CHECK(out[0].scheme == "Basic");
        CHECK(out[0].token68 == "QWxhZGRpbjpvcGVuIHNlc2FtZQ==");
        CHECK(out[1].find("realm")->value == "a");
        CHECK(out[2].find("realm")->value == "b");
        CHECK(out[2].find("algorithm")->value == "MD5");
    }
    SECTION("limits are enforced") {
        auth_parse_limits limits;
        limits.max_params = 2;
        CHECK(parse_auth_header("Digest a=1, b=2, c=3", out, limits) == error::too_many_params);
        limits = {};
        limits.max_value_size = 4;
        CHECK(parse_auth_header("Digest a=\"12345\"", out, limits) == error::value_too_long);
        CHECK(parse_auth_header("Digest a=12345", out, limits) == error::value_too_long);
        limits = {};
        limits.max_input_size = 10;
        CHECK(parse_auth_header("Digest realm=\"long enough\"", out, limits) ==
              error::value_too_long);
    }
}

TEST_CASE("digest: challenge parse and serialise",
          "[rfc7118][digest][DIG7616-3.4-c][DIG7616-3-a]") {
    std::vector<digest_challenge> cs;
    REQUIRE_FALSE(parse_digest_challenges(
        "Digest realm=\"http-auth@example.org\", qop=\"auth, auth-int\", algorithm=SHA-256, "
        "nonce=\"7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v\", "
        "opaque=\"FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS\", userhash=true, stale=true",
        cs));
    REQUIRE(cs.size() == 1);
    auto& c = cs[0];
    CHECK(c.realm == "http-auth@example.org");
    CHECK(c.algorithm == digest_algorithm::sha256);
    CHECK(c.qop_auth);
    CHECK(c.qop_auth_int);
    CHECK(c.userhash);
    CHECK(c.stale);
    CHECK(c.opaque == "FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS");

    auto text = to_string(c);
    CHECK(text == "Digest realm=\"http-auth@example.org\", "
                  "nonce=\"7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v\", "
                  "opaque=\"FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS\", stale=true, "
                  "algorithm=SHA-256, qop=\"auth,auth-int\", userhash=true");
    std::vector<digest_challenge> again;
    REQUIRE_FALSE(parse_digest_challenges(text, again));
    REQUIRE(again.size() == 1);
    CHECK(again[0].nonce == c.nonce);

    SECTION("absent algorithm means MD5; unknown algorithm and Basic are skipped") {
        cs.clear();
        REQUIRE_FALSE(parse_digest_challenges(
            "Digest realm=\"r\", nonce=\"1\", algorithm=SHA-3, Basic realm=\"r\", "
            "Digest realm=\"r\", nonce=\"2\"",
            cs));
        REQUIRE(cs.size() == 1);
        CHECK(cs[0].nonce == "2");
        CHECK(cs[0].algorithm == digest_algorithm::md5);
    }
    SECTION("missing realm or nonce") {
        cs.clear();
        CHECK(parse_digest_challenges("Digest realm=\"r\"", cs) == error::missing_param);
        CHECK(parse_digest_challenges("Digest nonce=\"r\"", cs) == error::missing_param);
    }
    SECTION("a value that cannot be quoted is not serialised") {
        digest_challenge bad = c;
        bad.realm = "a\r\nInjected: yes";
        CHECK(to_string(bad).empty());
    }
}

TEST_CASE("digest: credentials parse and serialise with RFC quoting",
          "[rfc7118][digest][DIG7616-3.4-b][DIG7616-3.4-c]") {
    digest_credentials c;
    c.username = "Mufasa";
    c.realm = "http-auth@example.org";
    c.nonce = "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v";
    c.uri = "/dir/index.html";
    c.algorithm = digest_algorithm::md5;
    c.has_algorithm = true;
    c.qop = digest_qop::auth;
    c.nc = 1;
    c.cnonce = "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ";
    c.response = "8ca523f5e9506fed4657c9700eebdbec";
    c.opaque = "FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS";
    c.has_opaque = true;
    auto text = to_string(c);
    CHECK(text ==
          "Digest username=\"Mufasa\", realm=\"http-auth@example.org\", "
          "nonce=\"7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v\", uri=\"/dir/index.html\", "
          "response=\"8ca523f5e9506fed4657c9700eebdbec\", algorithm=MD5, qop=auth, nc=00000001, "
          "cnonce=\"f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ\", "
          "opaque=\"FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS\"");
    digest_credentials back;
    REQUIRE_FALSE(parse_digest_credentials(text, back));
    CHECK(back.username == c.username);
    CHECK(back.nc == 1);
    CHECK(back.qop == digest_qop::auth);
    CHECK(back.cnonce == c.cnonce);
    CHECK(back.opaque == c.opaque);

    CHECK(parse_digest_credentials("Digest username=\"a\", realm=\"r\", nonce=\"n\", uri=\"u\", "
                                   "response=\"x\", qop=auth, nc=1, cnonce=\"c\"",
                                   back) == error::invalid_param_value);
    CHECK(parse_digest_credentials("Digest username=\"a\", realm=\"r\", nonce=\"n\", uri=\"u\", "
                                   "response=\"x\", qop=auth, cnonce=\"c\"",
                                   back) == error::missing_param);
    CHECK(parse_digest_credentials("Digest username=\"a\", realm=\"r\", nonce=\"n\", uri=\"u\"",
                                   back) == error::missing_param);
    CHECK(parse_digest_credentials("Digest username=\"a\", username=\"b\"", back) ==
          error::duplicate_param);
    CHECK(parse_digest_credentials("Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==", back) ==
          error::not_digest);
    CHECK(parse_digest_credentials("Digest username=\"a\", realm=\"r\", nonce=\"n\", uri=\"u\", "
                                   "response=\"x\", qop=auth-conf, nc=00000001, cnonce=\"c\"",
                                   back) == error::invalid_param_value);
}

TEST_CASE("digest: server challenges list algorithms most preferred first, always with qop",
          "[rfc7118][digest][DIG8760-2.3-a][DIG8760-2.6-c][DIG8760-3-a]") {
    digest_server server(digest_server_options("sip.example.com"));
    auto values = server.challenges();
    REQUIRE(values.size() == 3);
    std::vector<digest_challenge> cs;
    for (auto& v : values) REQUIRE_FALSE(parse_digest_challenges(v, cs));
    REQUIRE(cs.size() == 3);
    CHECK(cs[0].algorithm == digest_algorithm::sha512_256);
    CHECK(cs[1].algorithm == digest_algorithm::sha256);
    CHECK(cs[2].algorithm == digest_algorithm::md5);
    for (auto& c : cs) {
        CHECK(c.qop_auth);
        CHECK(c.nonce == cs[0].nonce);
        CHECK(c.realm == "sip.example.com");
    }
    CHECK(server.challenges()[0] != values[0]); // a fresh nonce each time
}

TEST_CASE("digest: SIP round trip for every algorithm, then replay fails",
          "[rfc7118][digest][DIG7616-3.4-a][DIG7616-3.4-b][DIG8760-2.4-a]") {
    auto a = GENERATE(digest_algorithm::md5, digest_algorithm::md5_sess, digest_algorithm::sha256,
                      digest_algorithm::sha256_sess, digest_algorithm::sha512_256,
                      digest_algorithm::sha512_256_sess);
    CAPTURE(to_string(a));
    digest_server_options so("sip.example.com");
    so.algorithms = {a};
    so.offer_auth_int = true;
    so.opaque = "opaque-value";
    digest_server server(so);
    user_db db;
    digest_client client("alice", "s3cret");
    REQUIRE_FALSE(client.on_challenge(views(server.challenges()), false));
    auto auth = client.authorize("REGISTER", "sip:sip.example.com");
    REQUIRE(auth.size() == 1);
    CHECK_FALSE(auth[0].proxy);
    auto v = server.verify(auth[0].value, "REGISTER", db, "sip:sip.example.com");
    CHECK(v.status == digest_status::ok);
    CHECK(v.username == "alice");
    CHECK(v.credentials.opaque == "opaque-value");
    CHECK(v.credentials.nc == 1);
    CHECK(v.credentials.algorithm == a);
    // The identical header again is a replay.
    CHECK(server.verify(auth[0].value, "REGISTER", db).status == digest_status::replay);
    // The next request of the client counts on.
    auto auth2 = client.authorize("REGISTER", "sip:sip.example.com");
    auto v2 = server.verify(auth2[0].value, "REGISTER", db);
    CHECK(v2.status == digest_status::ok);
    CHECK(v2.credentials.nc == 2);
    CHECK(v2.credentials.cnonce != v.credentials.cnonce);
    // Another method with the same header fails.
    auto auth3 = client.authorize("REGISTER", "sip:sip.example.com");
    CHECK(server.verify(auth3[0].value, "INVITE", db).status == digest_status::wrong_credentials);
}

TEST_CASE("digest: nc window accepts reordering and refuses replays",
          "[rfc7118][digest][DIG7616-3.4-b]") {
    digest_server server(digest_server_options("r"));
    user_db db;
    digest_client client("alice", "s3cret");
    REQUIRE_FALSE(client.on_challenge(views(server.challenges()), false));
    std::vector<std::string> headers;
    for (int i = 0; i < 80; ++i) headers.push_back(client.authorize("BYE", "sip:b@h")[0].value);
    // Out of order delivery inside the window is fine.
    CHECK(server.verify(headers[5], "BYE", db).status == digest_status::ok);
    CHECK(server.verify(headers[2], "BYE", db).status == digest_status::ok);
    CHECK(server.verify(headers[2], "BYE", db).status == digest_status::replay);
    CHECK(server.verify(headers[79], "BYE", db).status == digest_status::ok);
    // 79 - 3 >= 64: too far behind to know, refused.
    CHECK(server.verify(headers[3], "BYE", db).status == digest_status::replay);
    CHECK(server.verify(headers[70], "BYE", db).status == digest_status::ok);
    CHECK(server.verify(headers[70], "BYE", db).status == digest_status::replay);
    CHECK(server.tracked_nonces() == 1);
}

TEST_CASE("digest: wrong password, unknown user, tampered and foreign nonces",
          "[rfc7118][digest][DIG7616-3.4-a]") {
    digest_server server(digest_server_options("r"));
    user_db db;
    digest_client wrong("alice", "not-the-password");
    REQUIRE_FALSE(wrong.on_challenge(views(server.challenges()), false));
    CHECK(server.verify(wrong.authorize("INVITE", "sip:bob@r")[0].value, "INVITE", db).status ==
          digest_status::wrong_credentials);

    digest_client nobody("mallory", "s3cret");
    REQUIRE_FALSE(nobody.on_challenge(views(server.challenges()), false));
    CHECK(server.verify(nobody.authorize("INVITE", "sip:bob@r")[0].value, "INVITE", db).status ==
          digest_status::unknown_user);

    // A nonce with one character changed: recomputing the response over it
    // does not help, the server's MAC does not verify.
    auto challenge = server.challenges()[0];
    std::vector<digest_challenge> cs;
    REQUIRE_FALSE(parse_digest_challenges(challenge, cs));
    auto c = cs[0];
    c.nonce[10] = c.nonce[10] == 'A' ? 'B' : 'A';
    digest_client tamper("alice", "s3cret");
    REQUIRE_FALSE(tamper.on_challenge({to_string(c)}, false));
    CHECK(server.verify(tamper.authorize("INVITE", "sip:bob@r")[0].value, "INVITE", db).status ==
          digest_status::invalid_nonce);

    // A nonce from another server (another key) is not ours.
    digest_server other(digest_server_options("r"));
    digest_client foreign("alice", "s3cret");
    REQUIRE_FALSE(foreign.on_challenge(views(other.challenges()), false));
    auto h = foreign.authorize("INVITE", "sip:bob@r")[0].value;
    CHECK(other.verify(h, "INVITE", db).status == digest_status::ok);
    CHECK(server.verify(h, "INVITE", db).status == digest_status::invalid_nonce);

    // Malformed, realm and uri checks.
    CHECK(server.verify("Digest garbage", "INVITE", db).status == digest_status::malformed);
    digest_server other_realm(digest_server_options("elsewhere"));
    digest_client cr("alice", "s3cret");
    REQUIRE_FALSE(cr.on_challenge(views(other_realm.challenges()), false));
    auto hr = cr.authorize("INVITE", "sip:bob@r")[0].value;
    CHECK(server.verify(hr, "INVITE", db).status == digest_status::realm_mismatch);
    digest_client cu("alice", "s3cret");
    REQUIRE_FALSE(cu.on_challenge(views(server.challenges()), false));
    CHECK(server.verify(cu.authorize("INVITE", "sip:bob@r")[0].value, "INVITE", db, "sip:carol@r")
              .status == digest_status::uri_mismatch);
}

TEST_CASE("digest: expired nonce answers stale; the client retries with the same credentials",
          "[rfc7118][digest][DIG7616-3.3-a]") {
    digest_server_options so("r");
    so.nonce_lifetime = std::chrono::seconds(30);
    digest_server server(so);
    user_db db;
    auto t0 = digest_server::clock::now();
    digest_client client("alice", "s3cret");
    REQUIRE_FALSE(client.on_challenge(views(server.challenges(false, t0)), false));
    auto h = client.authorize("REGISTER", "sip:r")[0].value;
    CHECK(server.verify(h, "REGISTER", db, {}, {}, t0 + std::chrono::seconds(10)).status ==
          digest_status::ok);
    auto h2 = client.authorize("REGISTER", "sip:r")[0].value;
    auto late = t0 + std::chrono::seconds(31);
    CHECK(server.verify(h2, "REGISTER", db, {}, {}, late).status == digest_status::stale);
    // Wrong password with an expired nonce is wrong credentials, not stale.
    digest_client wrong("alice", "nope");
    REQUIRE_FALSE(wrong.on_challenge(views(server.challenges(false, t0)), false));
    CHECK(server.verify(wrong.authorize("REGISTER", "sip:r")[0].value, "REGISTER", db, {}, {}, late)
              .status == digest_status::wrong_credentials);

    // stale=true: the client takes the new nonce, nc restarts at 1.
    auto fresh = server.challenges(true, late);
    REQUIRE(fresh[0].find("stale=true") != std::string::npos);
    REQUIRE_FALSE(client.on_challenge(views(fresh), false));
    auto v =
        server.verify(client.authorize("REGISTER", "sip:r")[0].value, "REGISTER", db, {}, {}, late);
    CHECK(v.status == digest_status::ok);
    CHECK(v.credentials.nc == 1);

    // A non-stale challenge after the client answered means: refused.
    CHECK(client.on_challenge(views(server.challenges(false, late)), false) ==
          error::credentials_rejected);
}

TEST_CASE("digest: bounded replay table never re-opens a replay after eviction",
          "[rfc7118][digest][DIG7616-3.4-b]") {
    digest_server_options so("r");
    so.max_tracked_nonces = 4;
    digest_server server(so);
    user_db db;
    auto t0 = digest_server::clock::now();
    std::vector<std::string> first_use;
    for (int i = 0; i < 8; ++i) {
        digest_client c("alice", "s3cret");
        REQUIRE_FALSE(
            c.on_challenge(views(server.challenges(false, t0 + std::chrono::seconds(i))), false));
        first_use.push_back(c.authorize("MESSAGE", "sip:b@r")[0].value);
        CHECK(server.verify(first_use.back(), "MESSAGE", db, {}, {}, t0 + std::chrono::seconds(i))
                  .status == digest_status::ok);
        CHECK(server.tracked_nonces() <= 4);
    }
    // The oldest ones were evicted: replaying them is refused (as stale).
    for (int i = 0; i < 8; ++i) {
        auto s = server
                     .verify(first_use[static_cast<std::size_t>(i)], "MESSAGE", db, {}, {},
                             t0 + std::chrono::seconds(8))
                     .status;
        CHECK(s != digest_status::ok);
        CHECK((i < 4 ? s == digest_status::stale : s == digest_status::replay));
    }
}

TEST_CASE("digest: client picks the topmost supported challenge per realm",
          "[rfc7118][digest][DIG8760-2.4-a][DIG8760-2.6-a]") {
    digest_client_options co;
    co.accepted = {digest_algorithm::sha256, digest_algorithm::md5};
    digest_client client("alice", "s3cret", co);
    std::vector<std::string_view> values = {
        "Digest realm=\"a\", nonce=\"n1\", qop=\"auth\", algorithm=SHA-512-256",
        "Digest realm=\"a\", nonce=\"n1\", qop=\"auth\", algorithm=SHA-256",
        "Digest realm=\"a\", nonce=\"n1\", qop=\"auth\", algorithm=MD5",
        "Basic realm=\"b\"",
        "Digest realm=\"c\", nonce=\"n2\", qop=\"auth\", algorithm=UNKNOWN-ALG",
        "Digest realm=\"c\", nonce=\"n3\", qop=\"auth\""};
    REQUIRE_FALSE(client.on_challenge(values, true));
    auto auth = client.authorize("INVITE", "sip:bob@a");
    REQUIRE(auth.size() == 2);
    digest_credentials c0, c1;
    REQUIRE_FALSE(parse_digest_credentials(auth[0].value, c0));
    REQUIRE_FALSE(parse_digest_credentials(auth[1].value, c1));
    CHECK(auth[0].proxy);
    CHECK(c0.realm == "a");
    CHECK(c0.algorithm == digest_algorithm::sha256);
    CHECK(c1.realm == "c");
    CHECK(c1.nonce == "n3");
    CHECK(c1.algorithm == digest_algorithm::md5);
    CHECK(c0.qop == digest_qop::auth);
    CHECK(c0.cnonce.size() >= 16);
    CHECK(c0.nc == 1);

    digest_client basic_only("alice", "s3cret");
    CHECK(basic_only.on_challenge({"Basic realm=\"x\""}, false) == error::unsupported_algorithm);
    CHECK_FALSE(basic_only.has_challenge());
}

TEST_CASE("digest: userhash sends H(user:realm)", "[rfc7118][digest][DIG7616-3.4.4-a]") {
    digest_server_options so("api@example.org");
    so.userhash = true;
    so.algorithms = {digest_algorithm::sha512_256};
    digest_server server(so);
    user_db db;
    digest_client client("alice", "s3cret");
    REQUIRE_FALSE(client.on_challenge(views(server.challenges()), false));
    auto h = client.authorize("GET", "/sip")[0].value;
    digest_credentials c;
    REQUIRE_FALSE(parse_digest_credentials(h, c));
    CHECK(c.userhash);
    CHECK(c.username == hash_hex(hash_algorithm::sha512_256, "alice:api@example.org"));
    CHECK(h.find("alice") == std::string::npos);
    auto v = server.verify(h, "GET", db);
    CHECK(v.status == digest_status::ok);
    CHECK(v.username == "alice");
}

TEST_CASE("digest: WebSocket handshake 401 uses GET and the request-target",
          "[rfc7118][digest][DIG-WS-a]") {
    digest_server server(digest_server_options("ws.example.com"));
    user_db db;
    digest_client client("alice", "s3cret");
    REQUIRE_FALSE(client.on_challenge(views(server.challenges()), false));
    auto h = client.authorize("GET", "/sip?token=1")[0].value;
    CHECK(server.verify(h, "GET", db, "/sip?token=1").status == digest_status::ok);
    auto h2 = client.authorize("GET", "/sip?token=1")[0].value;
    // The same credentials do not pass as a SIP REGISTER.
    CHECK(server.verify(h2, "REGISTER", db).status == digest_status::wrong_credentials);
}

TEST_CASE("digest: a challenge without qop is answered with qop=auth",
          "[rfc7118][digest][DIG8760-2.6-c]") {
    digest_client client("alice", "s3cret");
    REQUIRE_FALSE(client.on_challenge({"Digest realm=\"r\", nonce=\"abc\""}, false));
    digest_credentials c;
    REQUIRE_FALSE(parse_digest_credentials(client.authorize("REGISTER", "sip:r")[0].value, c));
    CHECK(c.qop == digest_qop::auth);
    CHECK(c.nc == 1);
    CHECK_FALSE(c.cnonce.empty());
    digest_input in;
    in.method = "REGISTER";
    in.uri = "sip:r";
    in.nonce = "abc";
    in.cnonce = c.cnonce;
    CHECK(c.response == digest_response("alice", "r", "s3cret", in));

    digest_client_options legacy;
    legacy.rfc2069_without_qop = true;
    digest_client old("alice", "s3cret", legacy);
    REQUIRE_FALSE(old.on_challenge({"Digest realm=\"r\", nonce=\"abc\""}, false));
    REQUIRE_FALSE(parse_digest_credentials(old.authorize("REGISTER", "sip:r")[0].value, c));
    CHECK(c.qop == digest_qop::none);
    in.qop = digest_qop::none;
    CHECK(c.response == digest_response("alice", "r", "s3cret", in));
    // RFC 2069: H(HA1:nonce:HA2)
    CHECK(c.response == hash_hex(hash_algorithm::md5,
                                 hash_hex(hash_algorithm::md5, "alice:r:s3cret") +
                                     ":abc:" + hash_hex(hash_algorithm::md5, "REGISTER:sip:r")));

    // The server never accepts credentials without qop.
    digest_server server(digest_server_options("r"));
    user_db db;
    digest_client c2("alice", "s3cret", legacy);
    auto ch = server.challenges();
    std::vector<digest_challenge> parsed;
    REQUIRE_FALSE(parse_digest_challenges(ch[0], parsed));
    parsed[0].qop_auth = false;
    REQUIRE_FALSE(c2.on_challenge({to_string(parsed[0])}, false));
    CHECK(server.verify(c2.authorize("REGISTER", "sip:r")[0].value, "REGISTER", db).status ==
          digest_status::qop_missing);
}

TEST_CASE("digest: auth-int protects the body", "[rfc7118][digest][DIG7616-3.4-a]") {
    digest_server_options so("r");
    so.offer_auth_int = true;
    digest_server server(so);
    user_db db;
    digest_client_options co;
    co.prefer_auth_int = true;
    digest_client client("alice", "s3cret", co);
    REQUIRE_FALSE(client.on_challenge(views(server.challenges()), false));
    const std::string sdp = "v=0\r\no=alice 1 1 IN IP4 192.0.2.1\r\n";
    auto h = client.authorize("INVITE", "sip:bob@r", sdp)[0].value;
    CHECK(h.find("qop=auth-int") != std::string::npos);
    CHECK(server.verify(h, "INVITE", db, {}, "v=0\r\no=mallory").status ==
          digest_status::wrong_credentials);
    CHECK(server.verify(h, "INVITE", db, {}, sdp).status == digest_status::ok);
    // A server that does not offer auth-int refuses it.
    digest_server plain(digest_server_options("r"));
    digest_client c2("alice", "s3cret", co);
    std::vector<digest_challenge> cs;
    REQUIRE_FALSE(parse_digest_challenges(plain.challenges()[0], cs));
    cs[0].qop_auth_int = true;
    REQUIRE_FALSE(c2.on_challenge({to_string(cs[0])}, false));
    CHECK(plain.verify(c2.authorize("INVITE", "sip:bob@r", sdp)[0].value, "INVITE", db, {}, sdp)
              .status == digest_status::malformed);
}

TEST_CASE("digest: per-realm credentials", "[rfc7118][digest][DIG8760-2.4-a]") {
    digest_client client("default-user", "default-pass");
    client.add_credentials("proxy.example", "edge-user", "edge-pass");
    REQUIRE_FALSE(
        client.on_challenge({"Digest realm=\"proxy.example\", nonce=\"1\", qop=\"auth\"",
                             "Digest realm=\"registrar.example\", nonce=\"2\", qop=\"auth\""},
                            true));
    auto auth = client.authorize("REGISTER", "sip:registrar.example");
    REQUIRE(auth.size() == 2);
    digest_credentials a, b;
    REQUIRE_FALSE(parse_digest_credentials(auth[0].value, a));
    REQUIRE_FALSE(parse_digest_credentials(auth[1].value, b));
    CHECK(a.username == "edge-user");
    CHECK(b.username == "default-user");
    digest_input in;
    in.method = "REGISTER";
    in.uri = "sip:registrar.example";
    in.nonce = "1";
    in.cnonce = a.cnonce;
    CHECK(a.response == digest_response("edge-user", "proxy.example", "edge-pass", in));
}
