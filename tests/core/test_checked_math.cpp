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
