// Test-side include: the Catch2 macros whichever major version is installed.
// Test code uses only what both v2 and v3 provide under the same names.
#ifndef SIPWS_TEST_SUPPORT_TEST_HPP
#define SIPWS_TEST_SUPPORT_TEST_HPP

#if defined(SIPWS_CATCH3)
#include <catch2/catch_approx.hpp>
#include <catch2/catch_test_macros.hpp>
#include <catch2/generators/catch_generators.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>
#else
#include <catch2/catch.hpp>
#endif

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace sipws::test {

/// Where the source tree and the build tree are, for tests that read
/// committed fixtures or run the programs the build produced.
inline const char* source_dir() { return SIPWS_TEST_SOURCE_DIR; }
inline const char* binary_dir() { return SIPWS_TEST_BINARY_DIR; }

/// Bytes from a hexadecimal string with optional spaces: "81 05 48 65".
inline std::string from_hex(std::string_view hex) {
    std::string out;
    int hi = -1;
    for (char c : hex) {
        int v = (c >= '0' && c <= '9')   ? c - '0'
                : (c >= 'a' && c <= 'f') ? c - 'a' + 10
                : (c >= 'A' && c <= 'F') ? c - 'A' + 10
                                         : -1;
        if (v < 0) continue;
        if (hi < 0) {
            hi = v;
        } else {
            out.push_back(static_cast<char>(hi * 16 + v));
            hi = -1;
        }
    }
    return out;
}

} // namespace sipws::test

#endif
