#include <sipws/ws/accept_key.hpp>

#include "support/test.hpp"

#include <set>

TEST_CASE("accept: RFC 6455 and RFC 7118 handshake vector", "[ws][WS7118-4.1-g][E0-a-2]") {
    CHECK(sipws::ws::compute_accept("dGhlIHNhbXBsZSBub25jZQ==") == "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
}

TEST_CASE("key: valid keys decode to exactly 16 octets", "[ws][WS6455-4.2.1-a][WS6455-4.1-e]") {
    CHECK(sipws::ws::is_valid_key("dGhlIHNhbXBsZSBub25jZQ=="));
    CHECK(sipws::ws::is_valid_key("AQIDBAUGBwgJCgsMDQ4PEA=="));       // erratum 3150
    CHECK_FALSE(sipws::ws::is_valid_key("AQIDBAUGBwgJCgsMDQ4PEC==")); // pad bits set
    CHECK_FALSE(sipws::ws::is_valid_key("dGhlIHNhbXBsZSBub25jZQ"));   // unpadded
    CHECK_FALSE(sipws::ws::is_valid_key("Zm9vYmFy"));                 // 6 octets
    CHECK_FALSE(sipws::ws::is_valid_key("dGhlIHNhbXBsZSBub25jZWVl")); // 18 octets
    CHECK_FALSE(sipws::ws::is_valid_key(""));
}

TEST_CASE("key: generated keys are valid and fresh", "[ws][WS6455-4.1-e]") {
    std::set<std::string> keys;
    for (int i = 0; i < 100; ++i) {
        auto k = sipws::ws::generate_key();
        CHECK(sipws::ws::is_valid_key(k));
        CHECK(keys.insert(k).second);
    }
}
