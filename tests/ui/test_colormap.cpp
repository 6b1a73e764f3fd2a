#include <catch2/catch.hpp>

#include <cmath>
#include <limits>
#include <set>

#include "ui/style/colormap.h"

using namespace kvscope;

namespace {

// WCAG relative luminance of an sRGB colour.
double luminance(QRgb rgb) {
    auto linear = [](int channel) {
        const double c = channel / 255.0;
        return c <= 0.04045 ? c / 12.92 : std::pow((c + 0.055) / 1.055, 2.4);
    };
    return 0.2126 * linear(qRed(rgb)) + 0.7152 * linear(qGreen(rgb)) + 0.0722 * linear(qBlue(rgb));
}

}  // namespace

TEST_CASE("viridis runs from dark purple to yellow", "[ui][colormap]") {
    const Colormap& map = Colormap::viridis();
    CHECK(map.table().front() == qRgb(68, 1, 84));
    CHECK(map.table().back() == qRgb(253, 231, 37));
    CHECK(map.color(0.0) == map.table().front());
    CHECK(map.color(1.0) == map.table().back());
}

TEST_CASE("viridis luminance never decreases", "[ui][colormap]") {
    const auto& table = Colormap::viridis().table();
    for (std::size_t i = 1; i < table.size(); ++i) {
        INFO("entry " << i);
        CHECK(luminance(table[i]) >= luminance(table[i - 1]));
    }
    CHECK(luminance(table.back()) > 10 * luminance(table.front()));
}

TEST_CASE("viridis has 256 distinct steps and clamps what is outside [0, 1]", "[ui][colormap]") {
    const Colormap& map = Colormap::viridis();
    const std::set<QRgb> distinct(map.table().begin(), map.table().end());
    CHECK(distinct.size() > 240);
    CHECK(map.color(-0.5) == map.table().front());
    CHECK(map.color(7.0) == map.table().back());
    CHECK(map.color(std::numeric_limits<double>::quiet_NaN()) == map.table().front());
    CHECK(map.color(0.5) == map.table()[128]);
}
