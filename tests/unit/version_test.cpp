#include <sipws/version.hpp>

#include "support/test.hpp"

#include <string>

TEST_CASE("version: numbers and string agree", "[version]") {
    constexpr auto v = sipws::version();
    STATIC_REQUIRE(v.major == SIPWS_VERSION_MAJOR);
    std::string expected = std::to_string(v.major) + "." + std::to_string(v.minor) + "." +
                           std::to_string(v.patch);
    CHECK(expected == v.string);
    CHECK(SIPWS_VERSION == v.major * 10000 + v.minor * 100 + v.patch);
}
