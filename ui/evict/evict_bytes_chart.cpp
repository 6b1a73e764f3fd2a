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
    m_label = label;
    rebuild();
}

void EvictBytesChart::clear() {
    m_values.clear();
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
    x->setTitleText(tr("step (0 = after the prompt)"));
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
    const QString names[] = {tr("full: held"), tr("full: allocated"), tr("%1: held").arg(m_label),
                             tr("%1: allocated").arg(m_label)};
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
    c->setTitle(m_values.empty() ? tr("KV bytes held (run a comparison)")
                                 : tr("KV bytes: held and allocated"));
    c->legend()->setAlignment(Qt::AlignBottom);
    applyChartTheme(*c, palette(), f);
    QFont legend = f;
    legend.setPointSizeF(f.pointSizeF() * 0.85);
    c->legend()->setFont(legend);
}

void EvictBytesChart::changeEvent(QEvent* event) {
    QChartView::changeEvent(event);
    if (event->type() == QEvent::PaletteChange || event->type() == QEvent::FontChange) rebuild();
}

}  // namespace kvscope
