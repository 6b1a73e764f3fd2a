#pragma once
// A perceptually ordered colormap for attention weights: dark purple (0) through teal to yellow
// (1), like matplotlib's viridis. The 256-entry table is interpolated from a few control colours.
#include <QColor>
#include <array>

namespace kvscope {

class Colormap {
public:
    static constexpr int kSize = 256;

    /// The viridis-like map used by every attention view.
    static const Colormap& viridis();

    /// The colour of `t` in [0, 1]; values outside are clamped, NaN maps to 0.
    QRgb color(double t) const;
    const std::array<QRgb, kSize>& table() const { return m_table; }

private:
    explicit Colormap(const std::array<QRgb, kSize>& table) : m_table(table) {}
    std::array<QRgb, kSize> m_table;
};

}  // namespace kvscope
