#include "ui/generate/cost_chart.h"

#include <QCategoryAxis>
#include <QChart>
#include <QEvent>
#include <QLineSeries>
#include <QTimer>
#include <QValueAxis>
#include <algorithm>
#include <cmath>

#include "ui/style/chart_axes.h"
#include "ui/style/chart_style.h"

namespace kvscope {

CostChart::CostChart(QWidget* parent) : QChartView(new QChart, parent) {
    prepareChartView(*this);
    setMinimumSize(300, 190);  // under the cache chart, beside the heatmap, at 1280x800
    rebuild();
    // Fewer y labels where the plot is short: packed tighter, Qt Charts cuts them all to "...".
    connect(chart(), &QChart::plotAreaChanged, this, &CostChart::fitTicks, Qt::QueuedConnection);
}

void CostChart::fitTicks() {
    if (!m_y || chart()->plotArea().height() < 1) return;
    const int steps = yTickSteps();
    if (steps == m_y_steps) return;
    m_y_steps = steps;
    applyYTicks();
}

void CostChart::applyYTicks() {
    const bool time = m_measure == Measure::TimePerStep || m_measure == Measure::TimeCumulative;
    if (time) {
        setMillisecondTicks(*m_y, m_y_max, m_y_steps);
    } else {
        setFlopTicks(*m_y, m_y_max, m_y_steps);
    }
}

void CostChart::showEvent(QShowEvent* event) {
    QChartView::showEvent(event);
    // Laid out while hidden, the plot may not have announced its height: check once shown.
    QTimer::singleShot(0, this, &CostChart::fitTicks);
}

int CostChart::yTickSteps() const {
    return tickStepsFor(*chart(), axisLabelsFont(font()));
}

void CostChart::setData(CostData data) {
    m_data = std::move(data);
    rebuild();
}

void CostChart::setMeasure(Measure measure) {
    m_measure = measure;
    rebuild();
}

void CostChart::rebuild() {
    QChart* c = chart();
    clearChart(*c);

    const bool time = m_measure == Measure::TimePerStep || m_measure == Measure::TimeCumulative;
    const bool summed =
        m_measure == Measure::TimeCumulative || m_measure == Measure::FlopsCumulative;
    std::vector<double> cached = time ? m_data.cached_ms : m_data.cached_flops;
    std::vector<double> recompute = time ? m_data.recompute_ms : m_data.recompute_flops;
    if (summed) {
        cached = cumulative(cached);
        recompute = cumulative(recompute);
    }
    double y_max = 0;
    for (const auto* values : {&cached, &recompute}) {
        for (double v : *values) {
            if (std::isfinite(v)) y_max = std::max(y_max, v);
        }
    }
    auto* x = new QValueAxis;
    x->setRange(0, std::max(4.0, m_data.steps.empty() ? 0.0 : m_data.steps.back()));
    x->setLabelFormat(QStringLiteral("%d"));
    x->setTickCount(5);
    x->applyNiceNumbers();
    x->setTitleText(tr("decode step"));
    // The labels carry the unit ("250 ms", "1.5 s", "500 MFLOP"); the series stay in ms / FLOP.
    auto* y = new QCategoryAxis;
    m_y = y;
    m_y_max = y_max;
    if (c->plotArea().height() >= 1) m_y_steps = yTickSteps();
    applyYTicks();
    y->setTitleText(summed ? (time ? tr("total time") : tr("total FLOPs"))
                           : (time ? tr("time per step") : tr("FLOPs per step")));
    c->addAxis(x, Qt::AlignBottom);
    c->addAxis(y, Qt::AlignLeft);

    auto line = [&](const std::vector<double>& values, const QString& name, QColor color) {
        auto* series = new QLineSeries;
        series->setName(name);
        for (std::size_t i = 0; i < values.size(); ++i) {
            if (std::isfinite(values[i])) series->append(m_data.steps[i], values[i]);
        }
        series->setPen(QPen(color, chartLineWidth(font())));
        // One step is one point, which a line alone does not draw: show it as a dot.
        series->setPointsVisible(series->count() == 1);
        c->addSeries(series);
        series->attachAxis(x);
        series->attachAxis(y);
        return series;
    };
    m_cached = line(cached, tr("cached"), QColor(33, 145, 140));
    m_recompute = line(recompute, tr("recompute"), QColor(200, 60, 60));
    c->setTitle(summed ? tr("Cost of not caching, summed") : tr("Cost of not caching, per step"));
    c->legend()->setAlignment(Qt::AlignBottom);
    applyChartTheme(*c, palette(), font());
    QFont legend = font();
    legend.setPointSizeF(font().pointSizeF() * 0.85);
    c->legend()->setFont(legend);
}

void CostChart::changeEvent(QEvent* event) {
    QChartView::changeEvent(event);
    if (event->type() == QEvent::PaletteChange || event->type() == QEvent::FontChange) rebuild();
}

}  // namespace kvscope
