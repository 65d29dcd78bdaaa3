// The number options of the example programs (examples/common/program.hpp):
// --threads, --flow-timer and --t1 take a whole number within their limits,
// and anything else, past the limits included, is refused with the range.
#include "../../../examples/common/program.hpp"

#include "support/test.hpp"

#include <string>

using sipws_program::parse_number;
using sipws_program::parse_threads;

TEST_CASE("program options: whole numbers within their limits", "[examples]") {
    unsigned out = 7;
    CHECK(parse_number("10", 10, 10000, out, "--t1 takes milliseconds").empty());
    CHECK(out == 10);
    CHECK(parse_number("10000", 10, 10000, out, "--t1 takes milliseconds").empty());
    CHECK(out == 10000);
    CHECK(parse_threads("256", out).empty());
    CHECK(out == 256);
    for (const std::string bad : {"9", "10001", "", "-5", "+5", "5 ", "1e3", "abc", "99999999999999999999999"}) {
        INFO("'" << bad << "'");
        unsigned kept = 42;
        CHECK(parse_number(bad, 10, 10000, kept, "--t1 takes milliseconds") ==
              "--t1 takes milliseconds from 10 to 10000");
        CHECK(kept == 42);
    }
    CHECK(parse_threads("0", out) == "--threads is a number from 1 to 256");
    CHECK(parse_threads("257", out) == "--threads is a number from 1 to 256");
}
