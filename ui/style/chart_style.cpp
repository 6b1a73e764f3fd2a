#include "ui/style/chart_style.h"

#include <QFont>
#include <algorithm>

#include "ui/style/colormap.h"

namespace kvscope {

double chartLineWidth(const QFont& font) {
    return std::max(1.5, 2.0 * font.pointSizeF() / 11.0);
}

QColor seriesColor(int i, int n) {
    const double t = n <= 1 ? 0.35 : 0.05 + 0.8 * double(i) / double(n - 1);
    return QColor::fromRgb(Colormap::viridis().color(t));
}

}  // namespace kvscope
