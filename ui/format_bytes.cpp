#include "ui/format_bytes.h"

#include <array>
#include <cmath>

namespace kvscope {
namespace {

constexpr std::array<const char*, 7> kUnits = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};

}  // namespace

QString formatBytes(std::int64_t bytes) {
    const QString sign = bytes < 0 ? QStringLiteral("-") : QString();
    // Magnitude as unsigned so that INT64_MIN has one too.
    const std::uint64_t magnitude = bytes < 0 ? 0 - std::uint64_t(bytes) : std::uint64_t(bytes);
    if (magnitude < 1024) return sign + QString::number(magnitude) + QStringLiteral(" B");

    long double value = static_cast<long double>(magnitude);
    std::size_t unit = 0;
    while (unit + 1 < kUnits.size() && std::round(value * 100) / 100 >= 1024) {
        value /= 1024;
        ++unit;
    }
    return sign + QString::number(double(value), 'f', 2) + ' ' + QLatin1String(kUnits[unit]);
}

ByteUnit byteUnitFor(double max_bytes) {
    std::size_t unit = 0;
    double scale = 1;
    while (unit + 1 < kUnits.size() && max_bytes / (scale * 1024) >= 1) {
        scale *= 1024;
        ++unit;
    }
    return {QLatin1String(kUnits[unit]), scale};
}

}  // namespace kvscope
