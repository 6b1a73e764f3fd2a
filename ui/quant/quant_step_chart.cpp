#include "ui/quant/quant_step_chart.h"

#include <QChart>
#include <QEvent>
#include <QLegend>
#include <QLineSeries>
#include <QScatterSeries>
#include <QValueAxis>
#include <algorithm>
#include <cmath>

#include "ui/style/chart_style.h"

namespace kvscope {

namespace {

/// The top of a y axis for `values`: the largest finite value, or 1 when none is above 0 (an
/// all-zero series, fp32 against itself, gets a plain 0..1 axis, not one of 1e-9).
double axisMax(const std::vector<double>& values) {
    double max = 0;
    for (double v : values)
        if (std::isfinite(v)) max = std::max(max, v);
    return max > 0 ? max : 1.0;
}

}  // namespace

QuantStepChart::QuantStepChart(QWidget* parent) : QChartView(new QChart, parent) {
    prepareChartView(*this);
    setMinimumSize(240, 200);
    rebuild();
    connect(chart(), &QChart::plotAreaChanged, this, &QuantStepChart::fitTexts,
            Qt::QueuedConnection);
}

void QuantStepChart::setShortTitles(const QString& title, const QString& x_title) {
    m_short_title = title;
    m_short_x_title = x_title;
    fitTexts();
}

void QuantStepChart::fitTexts() {
    QChart* c = chart();
    const QMargins margins = c->margins();
    const double width = c->size().width() - margins.left() - margins.right() - 8;
    const QString title = fittingText(m_title, m_short_title.isEmpty() ? m_title : m_short_title,
                                      c->titleFont(), width);
    if (c->title() != title) c->setTitle(title);
    const QList<QAbstractAxis*> x_axes = c->axes(Qt::Horizontal);
    if (!x_axes.isEmpty()) {
        QAbstractAxis* x = x_axes.front();
        const QString x_title =
            fittingText(m_x_title, m_short_x_title.isEmpty() ? m_x_title : m_short_x_title,
                        x->titleFont(), c->plotArea().width() - 8);
        if (x->titleText() != x_title) x->setTitleText(x_title);
    }
    // Qt Charts gives the vertical axes 40% of the width together: two titles and two columns
    // of labels like "0.0087" need about 360 px, else the labels are cut.
    constexpr double kTwoAxesWithTitles = 360;
    const QList<QAbstractAxis*> y_axes = c->axes(Qt::Vertical);
    const bool titles = y_axes.size() < 2 || c->size().width() >= kTwoAxesWithTitles;
    for (QAbstractAxis* y : y_axes) {
        if (y->isTitleVisible() != titles) y->setTitleVisible(titles);
    }
}

void QuantStepChart::setData(const QString& title, const QString& x_title,
                             std::vector<StepLine> lines, StepMarkers markers) {
    m_title = title;
    m_x_title = x_title;
    m_data = std::move(lines);
    m_marker_data = std::move(markers);
    rebuild();
}

void QuantStepChart::clear(const QString& title) {
    setData(title, QString(), {});
}

void QuantStepChart::rebuild() {
    QChart* c = chart();
    clearChart(*c);
    m_lines.clear();
    m_markers = nullptr;
    c->setTitle(m_title);
    if (m_data.empty()) {
        applyChartTheme(*c, palette(), font());
        return;
    }

    double x_max = 1;
    for (const StepLine& line : m_data)
        x_max = std::max(x_max, line.first_x + double(line.values.size()) - 1);
    auto* x = new QValueAxis;
    x->setRange(0, x_max);
    x->setLabelFormat(QStringLiteral("%d"));
    x->setTickCount(5);
    x->applyNiceNumbers();
    x->setTitleText(m_x_title);
    c->addAxis(x, Qt::AlignBottom);

    const double width = chartLineWidth(font());
    for (std::size_t i = 0; i < m_data.size() && i < 2; ++i) {
        const StepLine& line = m_data[i];
        auto* y = new QValueAxis;
        y->setRange(0, axisMax(line.values) * 1.05);
        y->setTickCount(5);
        y->setLabelFormat(QStringLiteral("%.2g"));
        y->setTitleText(line.axis);
        c->addAxis(y, i == 0 ? Qt::AlignLeft : Qt::AlignRight);
        auto* series = new QLineSeries;
        series->setName(line.name);
        for (std::size_t k = 0; k < line.values.size(); ++k) {
            if (std::isfinite(line.values[k]))
                series->append(line.first_x + double(k), line.values[k]);
        }
        series->setPen(QPen(line.color, width));
        c->addSeries(series);
        series->attachAxis(x);
        series->attachAxis(y);
        m_lines.push_back(series);
    }
    if (!m_marker_data.x.empty()) {
        auto* dots = new QScatterSeries;
        dots->setName(m_marker_data.name);
        dots->setMarkerShape(QScatterSeries::MarkerShapeCircle);
        dots->setMarkerSize(5 + 1.5 * width);
        dots->setColor(m_marker_data.color);
        dots->setBorderColor(m_marker_data.color);
        for (std::size_t k = 0; k < m_marker_data.x.size(); ++k)
            dots->append(m_marker_data.x[k], m_marker_data.y[k]);
        c->addSeries(dots);
        dots->attachAxis(x);
        dots->attachAxis(c->axes(Qt::Vertical).front());
        m_markers = dots;
    }
    c->legend()->setAlignment(Qt::AlignBottom);
    applyChartTheme(*c, palette(), font());
    QFont legend = font();
    legend.setPointSizeF(font().pointSizeF() * 0.85);
    c->legend()->setFont(legend);
    const QList<QAbstractAxis*> y_axes = c->axes(Qt::Vertical);
    if (y_axes.size() == 2) {  // which axis is whose: labels in their line's colour
        for (std::size_t i = 0; i < 2; ++i)
            y_axes[qsizetype(i)]->setLabelsBrush(m_data[i].color);
    }
    fitTexts();
}

void QuantStepChart::changeEvent(QEvent* event) {
    QChartView::changeEvent(event);
    if (event->type() == QEvent::PaletteChange || event->type() == QEvent::FontChange) rebuild();
}

}  // namespace kvscope
