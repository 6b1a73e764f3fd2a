#include "ui/style/colormap.h"

#include <algorithm>
#include <cmath>

namespace kvscope {
namespace {

// Nine evenly spaced samples of viridis (t = 0, 1/8, ..., 1). Their luminance rises steadily,
// so straight lines between them keep the map readable in greyscale and for colour-blind eyes.
constexpr std::array<QRgb, 9> kControlPoints = {
    qRgb(68, 1, 84),    qRgb(71, 45, 123),  qRgb(59, 82, 139),
    qRgb(44, 114, 142), qRgb(33, 145, 140), qRgb(40, 174, 128),
    qRgb(94, 201, 98),  qRgb(173, 220, 48), qRgb(253, 231, 37),
};

int mix(int a, int b, double f) {
    return int(std::lround(a + (b - a) * f));
}

std::array<QRgb, Colormap::kSize> interpolate(const std::array<QRgb, 9>& points) {
    const int n_segments = int(points.size()) - 1;
    std::array<QRgb, Colormap::kSize> table{};
    for (int i = 0; i < Colormap::kSize; ++i) {
        const double x = double(i) / (Colormap::kSize - 1) * n_segments;  // [0, n_segments]
        const int segment = std::min(int(x), n_segments - 1);
        const double f = x - segment;
        const QRgb a = points[std::size_t(segment)];
        const QRgb b = points[std::size_t(segment) + 1];
        table[std::size_t(i)] = qRgb(mix(qRed(a), qRed(b), f), mix(qGreen(a), qGreen(b), f),
                                     mix(qBlue(a), qBlue(b), f));
    }
    return table;
}

}  // namespace

const Colormap& Colormap::viridis() {
    static const Colormap map(interpolate(kControlPoints));
    return map;
}

QRgb Colormap::color(double t) const {
    if (!(t > 0.0)) return m_table.front();  // also catches NaN
    if (t >= 1.0) return m_table.back();
    return m_table[std::size_t(std::lround(t * (kSize - 1)))];
}

}  // namespace kvscope
