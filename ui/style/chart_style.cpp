#include "ui/style/chart_style.h"

#include <QAbstractAxis>
#include <QChart>
#include <QChartView>
#include <QFontMetrics>
#include <QGraphicsLayout>
#include <QLegend>
#include <algorithm>
#include <array>

#include "ui/style/colormap.h"

namespace kvscope {

namespace {

QFont scaled(const QFont& font, double factor, bool bold = false) {
    QFont out = font;
    out.setPointSizeF(font.pointSizeF() * factor);
    out.setBold(bold);
    return out;
}

bool isDark(const QPalette& palette) {
    return palette.color(QPalette::Base).lightness() < 128;
}

}  // namespace

QColor categoryColor(int index) {
    // Tableau 10, then four more of Tableau 20 for longer lists (the KV dtypes).
    static constexpr std::array<QRgb, 14> kTableau10 = {
        0x4E79A7, 0xF28E2B, 0xE15759, 0x76B7B2, 0x59A14F, 0xEDC948, 0xB07AA1,
        0xFF9DA7, 0x9C755F, 0xBAB0AC, 0x499894, 0xD37295, 0xB6992D, 0x86BCB6,
    };
    return QColor::fromRgb(kTableau10[std::size_t(index) % kTableau10.size()]);
}

QColor errorColor(const QPalette& palette) {
    return isDark(palette) ? QColor(255, 120, 110) : QColor(190, 30, 30);
}

QColor goodColor(const QPalette& palette) {
    return isDark(palette) ? QColor(110, 210, 120) : QColor(30, 125, 50);
}

QColor mixColors(const QColor& from, const QColor& to, double fraction) {
    const auto mix = [&](double a, double b) { return a + (b - a) * fraction; };
    return QColor::fromRgbF(float(mix(from.redF(), to.redF())),
                            float(mix(from.greenF(), to.greenF())),
                            float(mix(from.blueF(), to.blueF())));
}

QFont axisLabelsFont(const QFont& font) {
    return scaled(font, 0.85);
}

void applyAxisTheme(QAbstractAxis& axis, const QPalette& palette, const QFont& font) {
    const QColor text = palette.color(QPalette::Text);
    const QColor base = palette.color(QPalette::Base);
    axis.setLabelsBrush(text);
    axis.setLabelsFont(axisLabelsFont(font));
    axis.setTitleBrush(text);
    axis.setTitleFont(scaled(font, 0.9));
    axis.setLinePenColor(mixColors(base, text, 0.45));
    axis.setGridLineColor(mixColors(base, text, 0.14));
    axis.setMinorGridLineColor(mixColors(base, text, 0.07));
    axis.setShadesVisible(false);
}

void applyChartTheme(QChart& chart, const QPalette& palette, const QFont& font) {
    const QColor text = palette.color(QPalette::Text);
    chart.setBackgroundBrush(palette.color(QPalette::Base));
    chart.setBackgroundPen(Qt::NoPen);
    chart.setBackgroundRoundness(0);
    chart.setPlotAreaBackgroundVisible(false);
    chart.setTitleBrush(text);
    chart.setTitleFont(scaled(font, 1.0, true));
    chart.legend()->setLabelColor(text);
    chart.legend()->setFont(scaled(font, 0.82));
    chart.legend()->setBackgroundVisible(false);
    for (QAbstractAxis* axis : chart.axes())
        applyAxisTheme(*axis, palette, font);
}

int tickStepsFor(const QChart& chart, const QFont& labels_font) {
    // Qt Charts gives each vertical-axis label the plot height / labels, less 4 px of padding
    // above and below; the text item is a little taller than the font's line.
    constexpr int kPerLabelExtra = 2 * 4 + 4;
    if (chart.plotArea().height() < 1) return 8;  // not laid out yet: as many as wanted
    const int per_label = QFontMetrics(labels_font).height() + kPerLabelExtra;
    const int labels = int(chart.plotArea().height()) / std::max(1, per_label);
    return std::clamp(labels - 1, 1, 8);
}

int xTickCountFor(double plot_width, const QFont& labels_font, const QString& widest_label,
                  int most) {
    constexpr int kGap = 16;  // between neighbouring labels, padding included
    const int per_label = QFontMetrics(labels_font).horizontalAdvance(widest_label) + kGap;
    return std::clamp(int(plot_width) / std::max(1, per_label), 2, std::max(2, most));
}

QString fittingText(const QString& full, const QString& short_text, const QFont& font,
                    double room) {
    return QFontMetrics(font).horizontalAdvance(full) <= room ? full : short_text;
}

void prepareChartView(QChartView& view) {
    view.setRenderHint(QPainter::Antialiasing);
    view.setRenderHint(QPainter::TextAntialiasing);
    view.setFrameShape(QFrame::NoFrame);
    view.chart()->setMargins(QMargins(4, 4, 18, 4));  // room for the last x label
    view.chart()->layout()->setContentsMargins(0, 0, 0, 0);
    view.chart()->setAnimationOptions(QChart::NoAnimation);
}

void clearChart(QChart& chart) {
    chart.removeAllSeries();  // deletes them
    for (QAbstractAxis* axis : chart.axes()) {
        chart.removeAxis(axis);
        delete axis;
    }
}

double chartLineWidth(const QFont& font) {
    return std::max(1.5, 2.0 * font.pointSizeF() / 11.0);
}

QColor seriesColor(int i, int n) {
    const double t = n <= 1 ? 0.35 : 0.05 + 0.8 * double(i) / double(n - 1);
    return QColor::fromRgb(Colormap::viridis().color(t));
}

}  // namespace kvscope
