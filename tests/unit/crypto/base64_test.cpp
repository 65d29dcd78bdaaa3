#include <sipws/crypto/base64.hpp>

#include "support/test.hpp"

using sipws::crypto::base64_decode;
using sipws::crypto::base64_encode;

TEST_CASE("base64: RFC 4648 section 10 vectors round-trip", "[base64]") {
    const std::pair<std::string_view, std::string_view> vectors[] = {
        {"", ""},         {"f", "Zg=="},        {"fo", "Zm8="},        {"foo", "Zm9v"},
        {"foob", "Zm9vYg=="}, {"fooba", "Zm9vYmE="}, {"foobar", "Zm9vYmFy"},
    };
    for (auto [plain, encoded] : vectors) {
        CHECK(base64_encode(plain) == encoded);
        auto back = base64_decode(encoded);
        REQUIRE(back);
        CHECK(*back == plain);
    }
}

TEST_CASE("base64: strict decoder refuses non-canonical text", "[base64][WS6455-4.1-e]") {
    CHECK_FALSE(base64_decode("Zg="));       // length not a multiple of 4
    CHECK_FALSE(base64_decode("Zh=="));      // pad bits not zero
    CHECK_FALSE(base64_decode("Zm9=="));     // wrong padding position
    CHECK_FALSE(base64_decode("Zm=v"));      // padding in the middle
    CHECK_FALSE(base64_decode("Zm9v\n"));    // white space
    CHECK_FALSE(base64_decode("Zm9v Zm9v")); // white space
    CHECK_FALSE(base64_decode("Zm9-"));      // base64url alphabet
    CHECK_FALSE(base64_decode("===="));
    CHECK_FALSE(base64_decode("Zg==Zg==")); // padding before the end
}

TEST_CASE("base64url: no padding, URL alphabet, strict", "[base64]") {
    std::string bytes = "\xfb\xff\xbf";
    CHECK(sipws::crypto::base64url_encode(bytes) == "-_-_");
    CHECK(sipws::crypto::base64url_encode("f") == "Zg");
    auto back = sipws::crypto::base64url_decode("-_-_");
    REQUIRE(back);
    CHECK(*back == bytes);
    CHECK_FALSE(sipws::crypto::base64url_decode("+/+/"));
    CHECK_FALSE(sipws::crypto::base64url_decode("Zg=="));
    CHECK_FALSE(sipws::crypto::base64url_decode("Z"));
    CHECK_FALSE(sipws::crypto::base64url_decode("Zh"));
}
