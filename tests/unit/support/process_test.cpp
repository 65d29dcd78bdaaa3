#include "support/test.hpp"
#include "support/process.hpp"

TEST_CASE("test support: a child's output is captured and it is stopped by PID", "[support]") {
    sipws::test::process p({"sh", "-c", "echo ready; sleep 30"});
    REQUIRE(p.wait_for_output("ready"));
    CHECK(p.running());
    auto status = p.stop();
    REQUIRE(status);
    CHECK(*status == 128 + SIGTERM);
    CHECK_FALSE(p.running());
}

TEST_CASE("test support: exit status and free ports", "[support]") {
    sipws::test::process p({"sh", "-c", "echo bye; exit 3"});
    auto status = p.wait();
    REQUIRE(status);
    CHECK(*status == 3);
    CHECK(p.output().find("bye") != std::string::npos);
    CHECK(sipws::test::free_port() != 0);
    CHECK(sipws::test::free_port(true) != 0);
}
