#include <sipws/crypto/aes_gcm.hpp>
#include <sipws/rfc7118/gruu.hpp>

#include "support/test.hpp"

#include <set>
#include <string>

using namespace sipws::rfc7118;

namespace {
std::size_t longest_common_substring(const std::string& a, const std::string& b) {
    std::size_t best = 0;
    std::vector<std::size_t> prev(b.size() + 1), cur(b.size() + 1);
    for (std::size_t i = 1; i <= a.size(); ++i) {
        for (std::size_t j = 1; j <= b.size(); ++j) {
            cur[j] = a[i - 1] == b[j - 1] ? prev[j - 1] + 1 : 0;
            if (cur[j] > best) best = cur[j];
        }
        std::swap(prev, cur);
    }
    return best;
}
std::string user_of(const std::string& uri) {
    auto colon = uri.find(':');
    return uri.substr(colon + 1, uri.find('@') - colon - 1);
}
const std::string instance = "urn:uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6";
} // namespace

TEST_CASE("aes-256-gcm: seal/open round trip and tamper detection", "[crypto][aes_gcm]") {
    auto key = sipws::crypto::random_bytes(32);
    auto iv = sipws::crypto::random_bytes(12);
    auto sealed = sipws::crypto::aes256_gcm_seal(key, iv, "aad", "hello world");
    CHECK(sealed.size() == 11 + 16);
    CHECK(sipws::crypto::aes256_gcm_open(key, iv, "aad", sealed) == std::string("hello world"));
    CHECK_FALSE(sipws::crypto::aes256_gcm_open(key, iv, "aaD", sealed));
    auto bad = sealed;
    bad[3] ^= 1;
    CHECK_FALSE(sipws::crypto::aes256_gcm_open(key, iv, "aad", bad));
    CHECK_FALSE(sipws::crypto::aes256_gcm_open(key, iv, "aad", sealed.substr(0, 10)));
    CHECK_THROWS_AS(sipws::crypto::aes256_gcm_seal("short", iv, "", "x"), std::invalid_argument);
    // NIST SP 800-38D test case 13 (AES-256, zero key and IV, empty plaintext).
    auto tag = sipws::crypto::aes256_gcm_seal(std::string(32, '\0'), std::string(12, '\0'), "", "");
    CHECK(tag == sipws::test::from_hex("530f8afbc74536b9a963b4f1c4cb738b"));
}

TEST_CASE("aes-256-gcm: the reused per-thread contexts give the same answers after a failure",
          "[crypto][aes_gcm]") {
    const std::string zero_key(32, '\0'), zero_iv(12, '\0');
    const auto c14 = sipws::test::from_hex("cea7403d4d606b6e074ec5d3baf39d18d0d1c8a799996bf0265b98b5d48ab919");
    auto key = sipws::crypto::random_bytes(32);
    auto iv = sipws::crypto::random_bytes(12);
    auto sealed = sipws::crypto::aes256_gcm_seal(key, iv, "aad", "hello world");
    for (int round = 0; round < 3; ++round) {
        // NIST SP 800-38D test case 14 (AES-256, zero key and IV, 16 zero octets),
        // between operations under another key and failed tag checks.
        CHECK(sipws::crypto::aes256_gcm_seal(zero_key, zero_iv, "", std::string(16, '\0')) == c14);
        CHECK_FALSE(sipws::crypto::aes256_gcm_open(zero_key, zero_iv, "x", c14));
        CHECK(sipws::crypto::aes256_gcm_open(zero_key, zero_iv, "", c14) == std::string(16, '\0'));
        CHECK(sipws::crypto::aes256_gcm_open(key, iv, "aad", sealed) == std::string("hello world"));
        CHECK_FALSE(sipws::crypto::aes256_gcm_open(zero_key, iv, "aad", sealed));
    }
}

TEST_CASE("gruu: public GRUU is the AOR plus gr=instance",
          "[rfc7118][gruu][GR5627-3.1-a][E1-F4-d][E1-F4-e]") {
    auto pub = make_pub_gruu("sip:alice@example.com", "urn:uuid:f81-7dec-14a06cf1");
    CHECK(pub == "sip:alice@example.com;gr=urn:uuid:f81-7dec-14a06cf1");
    CHECK(is_gruu(pub));
    CHECK(gr_param(pub) == std::string_view("urn:uuid:f81-7dec-14a06cf1"));
    CHECK_FALSE(is_gruu("sip:alice@example.com"));
    CHECK_FALSE(is_gruu("sip:alice;gr=x@example.com")); // a ';' in the user part is not a parameter
    CHECK(is_gruu("sip:87ash54=3dd.98a@example.com;gr"));
    CHECK(gr_param("sip:87ash54=3dd.98a@example.com;gr") == std::string_view());
    CHECK(is_gruu("sip:a@b;transport=ws;GR"));
    CHECK_FALSE(is_gruu("sip:a@b?gr=1"));
    CHECK(make_pub_gruu("sips:bob@example.com;transport=ws?subject=x", "urn:x-ex:a b\"") ==
          "sips:bob@example.com;transport=ws;gr=urn:x-ex:a%20b%22?subject=x");
    CHECK_THROWS_AS(make_pub_gruu(pub, instance), std::invalid_argument);
    CHECK_THROWS_AS(make_pub_gruu("sip:a@b", ""), std::invalid_argument);
}

TEST_CASE("gruu: pub-gruu / temp-gruu values are quoted strings",
          "[rfc7118][gruu][GR5627-3.1-a][E1-F4-d]") {
    CHECK(quote_gruu("sip:alice@example.com;gr=urn:uuid:f81-7dec-14a06cf1") ==
          "\"sip:alice@example.com;gr=urn:uuid:f81-7dec-14a06cf1\"");
    CHECK(unquote_gruu("\"sip:87ash54=3dd.98a@example.com;gr\"") ==
          std::string("sip:87ash54=3dd.98a@example.com;gr"));
    CHECK(unquote_gruu("\"sip:a\\\"b@c;gr\"") == std::string("sip:a\"b@c;gr"));
    CHECK(unquote_gruu(quote_gruu("sip:a\\\"@x;gr")) == std::string("sip:a\\\"@x;gr"));
    CHECK_FALSE(unquote_gruu("sip:a@b;gr"));
    CHECK_FALSE(unquote_gruu("\"sip:a@b;gr"));
    CHECK_FALSE(unquote_gruu("\"sip:a@b;gr\" trailing"));
    CHECK(quote_gruu("sip:a@b\r\n;gr").empty());
}

TEST_CASE("gruu: temporary GRUU resolves statelessly to AOR and instance",
          "[rfc7118][gruu][GR5627-5.1-d][GR5627-3.1-a]") {
    temp_gruu_codec codec(temp_gruu_codec::key::generate(1));
    auto t = codec.mint("sip:alice@example.com", instance, "aiuy7k9njasd@h", "example.com");
    CHECK(is_gruu(t));
    CHECK(gr_param(t) == std::string_view());
    CHECK(t.rfind("sip:", 0) == 0);
    CHECK(t.size() > 20);
    // Opaque: neither AOR nor instance appear.
    CHECK(t.find("alice") == std::string::npos);
    CHECK(t.find("f81d4fae") == std::string::npos);
    temp_gruu_content c;
    REQUIRE_FALSE(codec.resolve(t, c));
    CHECK(c.aor == "sip:alice@example.com");
    CHECK(c.instance == instance);
    CHECK(temp_gruu_codec::call_id_matches(c, "aiuy7k9njasd@h"));
    // A new Call-ID invalidates the earlier temporary GRUUs (GR5627-5.1-c).
    CHECK_FALSE(temp_gruu_codec::call_id_matches(c, "other-call-id@h"));
    CHECK(
        codec.mint("sip:alice@example.com", instance, "x", "example.com", true).rfind("sips:", 0) ==
        0);
    // Instance-ids come back exactly as registered, whatever their form.
    for (std::string inst :
         {"urn:uuid:F81D4FAE-7DEC-11D0-A765-00A0C91E6BF6",
          "urn:uuid:00000000-0000-0000-0000-000000000000",
          "urn:uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf", "urn:x-ex:device-1", ""}) {
        temp_gruu_content back;
        REQUIRE_FALSE(
            codec.resolve(codec.mint("sip:a@example.com", inst, "c", "example.com"), back));
        CHECK(back.instance == inst);
        CHECK(back.aor == "sip:a@example.com");
    }
    // A uuid instance is stored in 16 octets: the GRUU stays short.
    CHECK(user_of(t).size() <= 124); // 93 octets; 167 characters with the URN spelled out
}

TEST_CASE("gruu: two temporary GRUUs of one AOR are unlinkable", "[rfc7118][gruu][GR5627-5.1-d]") {
    temp_gruu_codec codec(temp_gruu_codec::key::generate(1));
    std::set<std::string> seen;
    std::string prev;
    for (int i = 0; i < 20; ++i) {
        auto u = user_of(codec.mint("sip:alice@example.com", instance, "cid", "example.com"));
        CHECK(seen.insert(u).second);
        if (!prev.empty()) {
            // Only the key id (the first character) is fixed; random overlap
            // of 64-letter strings of this length stays tiny.
            CHECK(longest_common_substring(u.substr(2), prev.substr(2)) <= 5);
        }
        prev = u;
    }
    // The length reveals only the padded size class.
    auto a = user_of(codec.mint("sip:a@example.com", instance, "cid", "example.com"));
    auto b = user_of(codec.mint("sip:alice.longer@example.com", instance, "cid", "example.com"));
    CHECK(a.size() == b.size());
}

TEST_CASE("gruu: forged, tampered and foreign temporary GRUUs are rejected",
          "[rfc7118][gruu][GR5627-5.1-d][GR5627-5.1-c]") {
    auto k1 = temp_gruu_codec::key::generate(1);
    temp_gruu_codec codec(k1);
    auto t = codec.mint("sip:alice@example.com", instance, "cid", "example.com");
    auto user = user_of(t);
    temp_gruu_content c;
    // Every single-character change fails.
    const std::string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    for (std::size_t i = 0; i < user.size(); i += 3) {
        auto altered = user;
        altered[i] = altered[i] == 'Q' ? 'R' : 'Q';
        CHECK(codec.resolve_user(altered, c));
    }
    CHECK(codec.resolve_user(user.substr(0, user.size() - 4), c));
    CHECK(codec.resolve_user("87ash54=3dd.98a", c) == error::token_malformed);
    CHECK(codec.resolve_user("", c) == error::token_malformed);
    CHECK(codec.resolve_user(std::string(100000, 'A'), c) == error::token_malformed);
    CHECK(codec.resolve("sip:alice@example.com", c) == error::token_malformed); // no gr
    // Another registrar with the same key id: forged.
    temp_gruu_codec other(temp_gruu_codec::key::generate(1));
    CHECK(codec.resolve(other.mint("sip:alice@example.com", instance, "cid", "example.com"), c) ==
          error::token_forged);
    // A random token of the right shape: forged.
    std::string fake(1, '\x01');
    fake += sipws::crypto::random_bytes(12 + 48 + 16);
    CHECK(codec.resolve_user(sipws::crypto::base64url_encode(fake), c) == error::token_forged);
    // Rotation: previous key resolves, retired key does not (stale).
    codec.rotate(temp_gruu_codec::key::generate(2));
    REQUIRE_FALSE(codec.resolve(t, c));
    codec.rotate(temp_gruu_codec::key::generate(3));
    CHECK(codec.resolve(t, c) == error::token_unknown_key);
    CHECK_THROWS_AS(temp_gruu_codec(temp_gruu_codec::key{1, "short"}), std::invalid_argument);
}
