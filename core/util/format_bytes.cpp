#include "core/util/format_bytes.h"

#include <array>
#include <cmath>
#include <cstdio>

namespace kvscope {
namespace {

constexpr std::array<std::string_view, 7> kUnits = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};

}  // namespace

std::string formatBytes(std::int64_t bytes) {
    const std::string sign = bytes < 0 ? "-" : "";
    // Magnitude as unsigned so that INT64_MIN has one too.
    const std::uint64_t magnitude = bytes < 0 ? 0 - std::uint64_t(bytes) : std::uint64_t(bytes);
    if (magnitude < 1024) return sign + std::to_string(magnitude) + " B";

    long double value = static_cast<long double>(magnitude);
    std::size_t unit = 0;
    while (unit + 1 < kUnits.size() && std::round(value * 100) / 100 >= 1024) {
        value /= 1024;
        ++unit;
    }
    char number[32];
    std::snprintf(number, sizeof number, "%.2f", double(value));
    return sign + number + " " + std::string(kUnits[unit]);
}

ByteUnit byteUnitFor(double max_bytes) {
    std::size_t unit = 0;
    double scale = 1;
    while (unit + 1 < kUnits.size() && max_bytes / (scale * 1024) >= 1) {
        scale *= 1024;
        ++unit;
    }
    return {kUnits[unit], scale};
}

}  // namespace kvscope
