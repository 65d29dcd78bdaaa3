// The test runner's entry point. Catch2 v3 provides its own main through
// Catch2::Catch2WithMain; with v2 it is generated here.
#ifndef SIPWS_CATCH3
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>
#endif
