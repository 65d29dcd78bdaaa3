#include <sipws/crypto/hash.hpp>
#include <sipws/crypto/hmac.hpp>
#include <sipws/crypto/random.hpp>

#include "support/test.hpp"

#include <set>
#include <thread>

using sipws::crypto::hash_algorithm;
using sipws::crypto::hash_hex;

TEST_CASE("hash: known digests of 'abc' and the empty string", "[hash][DIG-TV-a]") {
    CHECK(hash_hex(hash_algorithm::md5, "abc") == "900150983cd24fb0d6963f7d28e17f72");
    CHECK(hash_hex(hash_algorithm::sha1, "abc") == "a9993e364706816aba3e25717850c26c9cd0d89d");
    CHECK(hash_hex(hash_algorithm::sha256, "abc") ==
          "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    // FIPS 180-4 SHA-512/256 has its own initial values: not a truncated SHA-512.
    CHECK(hash_hex(hash_algorithm::sha512_256, "abc") ==
          "53048e2681941ef99b2e29b76b4c7dabe4c2d0c634fc6d46e0e2f13107e7af23");
    CHECK(hash_hex(hash_algorithm::sha256, "") ==
          "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST_CASE("hash: incremental equals one-shot", "[hash]") {
    auto whole = hash_hex(hash_algorithm::sha256, "Mufasa:http-auth@example.org:Circle of Life");
    auto parts = sipws::crypto::hasher(hash_algorithm::sha256)
                     .update("Mufasa")
                     .update(":http-auth@example.org:")
                     .update("Circle of Life")
                     .finish_hex();
    CHECK(whole == parts);
}

TEST_CASE("hmac: RFC 4231 test case 2", "[hmac]") {
    auto mac = sipws::crypto::hmac_sha256("Jefe", "what do ya want for nothing?");
    std::string_view raw(reinterpret_cast<const char*>(mac.data()), mac.size());
    CHECK(sipws::crypto::to_hex(raw) ==
          "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST_CASE("hmac: constant-time comparison", "[hmac]") {
    CHECK(sipws::crypto::constant_time_equal("abcd", "abcd", 4));
    CHECK_FALSE(sipws::crypto::constant_time_equal("abcd", "abce", 4));
}

TEST_CASE("random: tokens use the safe alphabet and do not repeat", "[random]") {
    std::set<std::string> seen;
    for (int i = 0; i < 200; ++i) {
        auto t = sipws::crypto::random_token(12);
        REQUIRE(t.size() == 12);
        for (char c : t) CHECK(((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')));
        CHECK(seen.insert(t).second);
    }
}

TEST_CASE("hmac: a prepared key gives the one-shot MAC for every key length, from any thread", "[hmac]") {
    // RFC 4231 test case 2, as one piece and split in two.
    sipws::crypto::hmac_sha256_key jefe("Jefe");
    auto hex = [](const sipws::crypto::hmac_sha256_digest& d) {
        return sipws::crypto::to_hex(std::string_view(reinterpret_cast<const char*>(d.data()), d.size()));
    };
    const char* want = "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843";
    CHECK(hex(jefe.mac("what do ya want for nothing?")) == want);
    CHECK(hex(jefe.mac("what do ya ", "want for nothing?")) == want);
    // Keys shorter than, equal to and longer than the 64-octet block (hashed first).
    for (std::size_t n : {0, 1, 16, 32, 63, 64, 65, 131, 200}) {
        std::string key = sipws::crypto::random_bytes(n);
        std::string msg = sipws::crypto::random_bytes(n + 7);
        sipws::crypto::hmac_sha256_key k(key);
        CHECK(k.mac(msg) == sipws::crypto::hmac_sha256(key, msg));
        sipws::crypto::hmac_sha256_key copy = k;
        sipws::crypto::hmac_sha256_digest other{};
        std::thread t([&] { other = copy.mac(std::string_view(msg).substr(0, 3), std::string_view(msg).substr(3)); });
        t.join();
        CHECK(other == sipws::crypto::hmac_sha256(key, msg));
    }
}
