#include <catch2/catch.hpp>
#include <limits>

#include "core/util/number_text.h"

using namespace kvscope;

TEST_CASE("numbers in messages are the shortest round-trip decimal", "[util]") {
    CHECK(numberText(1e300) == "1e+300");
    CHECK(numberText(0.9) == "0.9");
    CHECK(numberText(1e-9) == "1e-09");
    CHECK(numberText(double(1e-5f)) == "9.999999747378752e-06");  // the float, exactly
    CHECK(numberText(-2.5) == "-2.5");
    CHECK(numberText(std::numeric_limits<double>::quiet_NaN()) == "nan");
    CHECK(numberText(-std::numeric_limits<double>::infinity()) == "-inf");
}
