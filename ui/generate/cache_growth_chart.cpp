#include "ui/generate/cache_growth_chart.h"

#include <QAreaSeries>
#include <QChart>
#include <QEvent>
#include <QLegendMarker>
#include <QLineSeries>
#include <QValueAxis>
#include <algorithm>

#include "ui/style/chart_style.h"

namespace kvscope {
namespace {}  // namespace

CacheGrowthChart::CacheGrowthChart(QWidget* parent) : QChartView(new QChart, parent) {
    prepareChartView(*this);
    setMinimumSize(300, 190);  // over the cost chart, beside the heatmap, at 1280x800
    rebuild();
}

void CacheGrowthChart::setData(CacheGrowthData data, int cursor_step) {
    m_data = std::move(data);
    m_cursor_step = cursor_step;
    rebuild();
}

void CacheGrowthChart::setCursorStep(int cursor_step) {
    m_cursor_step = cursor_step;
    placeMarker();
}

QLineSeries* CacheGrowthChart::layerTop(int layer) const {
    return layer >= 0 && layer < int(m_layer_tops.size()) ? m_layer_tops[std::size_t(layer)]
                                                          : nullptr;
}

QLineSeries* CacheGrowthChart::overlaySeries(int i) const {
    return i >= 0 && i < int(m_overlays.size()) ? m_overlays[std::size_t(i)] : nullptr;
}

void CacheGrowthChart::rebuild() {
    QChart* c = chart();
    clearChart(*c);
    m_layer_tops.clear();
    m_overlays.clear();

    double y_max = 1;
    for (double v : m_data.total)
        y_max = std::max(y_max, v);
    for (const auto& overlay : m_data.overlays) {
        for (double v : overlay.total)
            y_max = std::max(y_max, v);
    }
    // The allocation joins the axis unless it would squeeze what is held into the bottom third
    // (a contiguous reservation of the whole context); then its line is above the chart and the
    // legend names its figure.
    double allocated_max = 0;
    for (double v : m_data.allocated)
        allocated_max = std::max(allocated_max, v);
    m_allocated_in_range = !m_data.allocated.empty() && allocated_max <= 3 * y_max;
    if (m_allocated_in_range) y_max = std::max(y_max, allocated_max);
    m_unit = byteUnitFor(y_max);
    const double x_max = std::max(1.0, double(m_data.steps.size()) - 1);

    m_x = new QValueAxis;
    m_x->setTitleText(tr("step (0 = prefill)"));
    m_x->setRange(0, std::max(4.0, x_max));
    m_x->setLabelFormat(QStringLiteral("%d"));
    m_x->setTickCount(5);
    m_x->applyNiceNumbers();
    m_y = new QValueAxis;
    // Just the unit: the chart's title says what is held, and a short title fits along the
    // short y axis of this chart at 1280x800.
    m_y->setTitleText(QString::fromLatin1(m_unit.name.data(), qsizetype(m_unit.name.size())));
    m_y->setRange(0, y_max / m_unit.bytes);
    m_y->setTickCount(5);
    m_y->applyNiceNumbers();
    m_y->setLabelFormat(QStringLiteral("%.4g"));
    c->addAxis(m_x, Qt::AlignBottom);
    c->addAxis(m_y, Qt::AlignLeft);

    const QFont& f = font();
    const int n_layers = int(m_data.layers.size());
    QLineSeries* below = nullptr;
    std::vector<double> running(m_data.steps.size(), 0.0);
    for (int l = 0; l < n_layers; ++l) {
        auto* top = new QLineSeries;
        for (std::size_t i = 0; i < m_data.steps.size(); ++i) {
            running[i] +=
                i < m_data.layers[std::size_t(l)].size() ? m_data.layers[std::size_t(l)][i] : 0;
            top->append(m_data.steps[i], running[i] / m_unit.bytes);
        }
        auto* band = new QAreaSeries(top, below);
        band->setName(tr("layer %1").arg(l));
        QColor color = seriesColor(l, n_layers);
        band->setPen(QPen(color.darker(115), 1));
        color.setAlpha(170);
        band->setBrush(color);
        c->addSeries(band);
        band->attachAxis(m_x);
        band->attachAxis(m_y);
        for (QLegendMarker* marker : c->legend()->markers(band))
            marker->setVisible(false);  // the title names the bands; the legend keeps the lines

        m_layer_tops.push_back(top);
        below = top;
    }

    m_total = new QLineSeries;
    m_total->setName(tr("held"));
    for (std::size_t i = 0; i < m_data.steps.size(); ++i)
        m_total->append(m_data.steps[i], m_data.total[i] / m_unit.bytes);
    m_total->setPen(QPen(palette().color(QPalette::WindowText), chartLineWidth(f)));
    c->addSeries(m_total);
    m_total->attachAxis(m_x);
    m_total->attachAxis(m_y);

    m_allocated = new QLineSeries;
    const double last_allocated = m_data.allocated.empty() ? 0.0 : m_data.allocated.back();
    const std::int64_t last_holes = m_data.holes.empty() ? 0 : m_data.holes.back();
    m_allocated->setName(last_holes > 0 ? tr("allocated (%1 holes)").arg(last_holes)
                                        : tr("allocated"));
    // Above the axis its line is not drawn: the title gives the figure, the legend keeps room.
    for (std::size_t i = 0; i < m_data.steps.size() && i < m_data.allocated.size(); ++i)
        m_allocated->append(m_data.steps[i], m_data.allocated[i] / m_unit.bytes);
    m_allocated->setPen(
        QPen(palette().color(QPalette::WindowText), chartLineWidth(f) * 0.8, Qt::DashDotLine));
    c->addSeries(m_allocated);
    m_allocated->attachAxis(m_x);
    m_allocated->attachAxis(m_y);

    const QColor overlay_colors[] = {QColor(200, 60, 60), QColor(230, 140, 20)};
    for (std::size_t o = 0; o < m_data.overlays.size(); ++o) {
        auto* series = new QLineSeries;
        // Beside a fourth entry (the allocation in range) the legend keeps the short names.
        const QString& label = m_data.overlays[o].label;
        series->setName(m_allocated_in_range ? label.section(QLatin1Char(' '), 0, 0) : label);
        for (std::size_t i = 0; i < m_data.steps.size(); ++i)
            series->append(m_data.steps[i], m_data.overlays[o].total[i] / m_unit.bytes);
        series->setPen(QPen(overlay_colors[o % 2], chartLineWidth(f), Qt::DashLine));
        c->addSeries(series);
        series->attachAxis(m_x);
        series->attachAxis(m_y);
        m_overlays.push_back(series);
    }

    m_marker = new QLineSeries;
    m_marker->setName(tr("on screen"));
    m_marker->setPen(QPen(palette().color(QPalette::Highlight), chartLineWidth(f), Qt::DotLine));
    c->addSeries(m_marker);
    m_marker->attachAxis(m_x);
    m_marker->attachAxis(m_y);
    for (QLegendMarker* marker : c->legend()->markers(m_marker))
        marker->setVisible(false);
    for (QLegendMarker* marker : c->legend()->markers(m_allocated))
        marker->setVisible(m_allocated_in_range);
    placeMarker();

    c->setTitle(
        m_data.steps.empty()   ? tr("KV cache per layer (run a prefill)")
        : m_allocated_in_range ? tr("KV held, one band per layer")
        : last_holes > 0
            ? tr("KV held \u00b7 %1 allocated, %2 holes")
                  .arg(bytesText(std::int64_t(last_allocated)))
                  .arg(last_holes)
            : tr("KV held \u00b7 %1 allocated").arg(bytesText(std::int64_t(last_allocated))));
    c->legend()->setAlignment(Qt::AlignBottom);
    applyChartTheme(*c, palette(), f);
    QFont legend = f;
    legend.setPointSizeF(f.pointSizeF() * 0.85);
    c->legend()->setFont(legend);
}

void CacheGrowthChart::placeMarker() {
    if (!m_marker) return;
    m_marker->clear();
    if (m_cursor_step < 0 || m_cursor_step >= int(m_data.steps.size())) return;
    const double x = m_data.steps[std::size_t(m_cursor_step)];
    m_marker->append(x, 0);
    m_marker->append(x, m_y->max());
}

void CacheGrowthChart::changeEvent(QEvent* event) {
    QChartView::changeEvent(event);
    if (event->type() == QEvent::PaletteChange || event->type() == QEvent::FontChange) rebuild();
}

}  // namespace kvscope
