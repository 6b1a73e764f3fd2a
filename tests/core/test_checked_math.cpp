#include <catch2/catch.hpp>
#include <limits>

#include "core/util/checked_math.h"
#include "core/util/error.h"

using namespace kvscope;

TEST_CASE("Checked size arithmetic reports overflow instead of wrapping", "[util]") {
    constexpr std::int64_t kMax = std::numeric_limits<std::int64_t>::max();
    REQUIRE(checkedMul(3'000'000'000, 3, "x") == 9'000'000'000);
    REQUIRE(checkedAdd(kMax - 1, 1, "x") == kMax);
    REQUIRE_THROWS_WITH(checkedMul(kMax / 2 + 1, 2, "KV bytes"),
                        "KV bytes overflows 64 bits (multiplication)");
    REQUIRE_THROWS_WITH(checkedAdd(kMax, 1, "total"), "total overflows 64 bits (addition)");
    REQUIRE_THROWS_AS(checkedMul(-1, 2, "negative"), InputError);
}

TEST_CASE("checkedFloor and checkedRound range-check before converting", "[checked_math]") {
    CHECK(checkedFloor(2.9L, "x") == 2);
    CHECK(checkedFloor(-2.1L, "x") == -3);
    CHECK(checkedRound(2.5L, "x") == 3);
    CHECK(checkedRound(-2.5L, "x") == -3);
    // 2^63 - 1 is exact in long double; 2^63 is not an int64.
    CHECK(checkedFloor(9223372036854775807.0L, "x") == INT64_MAX);
    CHECK(checkedFloor(-9223372036854775808.0L, "x") == INT64_MIN);
    CHECK_THROWS_WITH(checkedFloor(9223372036854775808.0L, "usable GPU bytes"),
                      "usable GPU bytes is outside the 64-bit integer range");
    CHECK_THROWS_AS(checkedRound(std::numeric_limits<long double>::infinity(), "x"), InputError);
    CHECK_THROWS_AS(checkedRound(std::numeric_limits<long double>::quiet_NaN(), "x"), InputError);
}
