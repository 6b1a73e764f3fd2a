#include "ui/evict/evict_bytes_chart.h"

#include <QChart>
#include <QEvent>
#include <QLegend>
#include <QLineSeries>
#include <QValueAxis>
#include <algorithm>

#include "ui/evict/evict_eval_thread.h"
#include "ui/style/chart_style.h"

namespace kvscope {

EvictBytesChart::EvictBytesChart(QWidget* parent) : QChartView(new QChart, parent) {
    prepareChartView(*this);
    setMinimumSize(240, 200);
    rebuild();
}

void EvictBytesChart::setData(const EvictStepBytes& bytes, const QString& label) {
    m_values = {bytes.full_logical, bytes.full_physical, bytes.logical, bytes.physical};
    m_last_holes = bytes.holes.empty() ? 0 : bytes.holes.back();
    m_label = label;
    rebuild();
}

void EvictBytesChart::clear() {
    m_values.clear();
    m_last_holes = 0;
    m_label.clear();
    rebuild();
}

void EvictBytesChart::rebuild() {
    QChart* c = chart();
    clearChart(*c);
    m_lines.clear();
    double y_max = 1;
    std::size_t n = 0;
    for (const std::vector<double>& line : m_values) {
        for (double v : line)
            y_max = std::max(y_max, v);
        n = std::max(n, line.size());
    }
    m_unit = byteUnitFor(y_max);
    auto* x = new QValueAxis;
    x->setTitleText(tr("step"));
    x->setRange(0, std::max(4.0, double(n) - 1));
    x->setLabelFormat(QStringLiteral("%d"));
    x->setTickCount(5);
    x->applyNiceNumbers();
    auto* y = new QValueAxis;
    y->setTitleText(QString::fromLatin1(m_unit.name.data(), qsizetype(m_unit.name.size())));
    y->setRange(0, y_max / m_unit.bytes * 1.05);
    y->setTickCount(5);
    y->applyNiceNumbers();
    y->setLabelFormat(QStringLiteral("%.4g"));
    c->addAxis(x, Qt::AlignBottom);
    c->addAxis(y, Qt::AlignLeft);

    const QFont& f = font();
    const QString names[] = {tr("full: held"), tr("full: allocated"), tr("bounded: held"),
                             m_last_holes > 0
                                 ? tr("bounded: allocated (%1 holes)").arg(m_last_holes)
                                 : tr("bounded: allocated")};
    for (std::size_t i = 0; i < m_values.size(); ++i) {
        auto* series = new QLineSeries;
        series->setName(names[i]);
        for (std::size_t s = 0; s < m_values[i].size(); ++s)
            series->append(double(s), m_values[i][s] / m_unit.bytes);
        // Full cache grey-blue, the policy amber; held solid, allocated dashed.
        series->setPen(QPen(categoryColor(i < 2 ? 0 : 1), chartLineWidth(f),
                            i % 2 == 0 ? Qt::SolidLine : Qt::DashLine));
        c->addSeries(series);
        series->attachAxis(x);
        series->attachAxis(y);
        m_lines.push_back(series);
    }
    fitTitle();
    c->legend()->setAlignment(Qt::AlignBottom);
    applyChartTheme(*c, palette(), f);
    QFont legend = f;
    legend.setPointSizeF(f.pointSizeF() * 0.85);
    c->legend()->setFont(legend);
}

// The policy's name in the title where the chart is wide enough (beside a lesson it is not).
void EvictBytesChart::fitTitle() {
    const QString full = m_values.empty() ? tr("KV bytes (run a comparison)")
                                          : tr("KV bytes: full vs %1").arg(m_label);
    const QMargins margins = chart()->margins();
    const QString title =
        fittingText(full, tr("KV bytes"), chart()->titleFont(),
                    chart()->size().width() - margins.left() - margins.right() - 8);
    if (chart()->title() != title) chart()->setTitle(title);
}

void EvictBytesChart::resizeEvent(QResizeEvent* event) {
    QChartView::resizeEvent(event);
    fitTitle();
}

void EvictBytesChart::changeEvent(QEvent* event) {
    QChartView::changeEvent(event);
    if (event->type() == QEvent::PaletteChange || event->type() == QEvent::FontChange) rebuild();
}

}  // namespace kvscope
