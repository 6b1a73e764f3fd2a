#include "ui/memory/memory_context_chart.h"

#include <QCategoryAxis>
#include <QEvent>
#include <QLegend>
#include <QLegendMarker>
#include <QLineSeries>
#include <QLocale>
#include <QScatterSeries>
#include <QToolTip>
#include <algorithm>

#include "ui/style/chart_axes.h"
#include "ui/style/chart_style.h"
#include "ui/style/format_bytes.h"

namespace kvscope {

namespace {

constexpr double kThinPen = 1.6;
constexpr double kThickPen = 3.4;

QString exactBytes(std::int64_t bytes) {
    return bytesText(bytes) + QStringLiteral(" (") +
           QLocale(QLocale::English).toString(qlonglong(bytes)) + QStringLiteral(" B)");
}

void hideFromLegend(QChart& chart, QAbstractSeries* series) {
    for (QLegendMarker* marker : chart.legend()->markers(series))
        marker->setVisible(false);
}

}  // namespace

MemoryContextChart::MemoryContextChart(QWidget* parent) : QChartView(new QChart, parent) {
    prepareChartView(*this);
    m_x = new QCategoryAxis;
    m_y = new QCategoryAxis;
    m_x->setTitleText(tr("context (tokens, K = 1024)"));
    m_y->setTitleText(tr("KV cache per sequence (IEC)"));
    chart()->addAxis(m_x, Qt::AlignBottom);
    chart()->addAxis(m_y, Qt::AlignLeft);
    chart()->legend()->setAlignment(Qt::AlignBottom);
    setMinimumSize(260, 260);
    applyTheme();
}

void MemoryContextChart::clearCurves(const QString& title) {
    chart()->removeAllSeries();  // deletes them
    m_lines.clear();
    m_marker_line = nullptr;
    m_dots = nullptr;
    m_curves.clear();
    chart()->setTitle(title);
}

void MemoryContextChart::setCurves(const QString& title, std::vector<ContextCurve> curves,
                                   std::int64_t x_max, std::int64_t marker) {
    // The same lines as before (the usual case: a number changed): new points into the existing
    // series, which is much cheaper for Qt Charts than new series.
    bool same = m_dots && m_curves.size() == curves.size();
    for (std::size_t i = 0; same && i < curves.size(); ++i)
        same = m_curves[i].label == curves[i].label;
    if (!same) buildSeries(curves);
    chart()->setTitle(title);
    m_curves = std::move(curves);
    m_marker = marker;
    std::int64_t y_max = 0;
    for (const ContextCurve& c : m_curves) {
        if (!c.curve.bytes.empty()) y_max = std::max(y_max, c.curve.bytes.back());
    }
    setTokenTicks(*m_x, double(x_max));
    setByteTicks(*m_y, double(y_max));

    QList<QPointF> dots;
    for (std::size_t i = 0; i < m_curves.size(); ++i) {
        const ContextCurve& c = m_curves[i];
        QList<QPointF> points;
        points.reserve(qsizetype(c.curve.contexts.size()));
        for (std::size_t k = 0; k < c.curve.contexts.size(); ++k) {
            points.append(QPointF(double(c.curve.contexts[k]), double(c.curve.bytes[k])));
            if (c.curve.contexts[k] == marker) dots.append(points.back());
        }
        QLineSeries* line = m_lines[qsizetype(i)];
        line->replace(points);
        QPen pen(categoryColor(c.color), c.emphasised ? kThickPen : kThinPen);
        pen.setCapStyle(Qt::RoundCap);
        pen.setJoinStyle(Qt::RoundJoin);
        line->setPen(pen);
    }
    m_dots->replace(dots);
    m_marker_line->replace({QPointF(double(marker), 0), QPointF(double(marker), m_y->max())});
    applyTheme();
}

void MemoryContextChart::buildSeries(const std::vector<ContextCurve>& curves) {
    clearCurves(QString());
    for (std::size_t i = 0; i < curves.size(); ++i) {
        auto* line = new QLineSeries;
        line->setName(curves[i].label);
        chart()->addSeries(line);
        line->attachAxis(m_x);
        line->attachAxis(m_y);
        const int index = int(i);
        connect(line, &QLineSeries::hovered, this,
                [this, index](const QPointF& p, bool state) { showTooltip(index, p, state); });
        m_lines.append(line);
    }
    m_marker_line = new QLineSeries;
    m_marker_line->setName(tr("chosen context"));
    m_dots = new QScatterSeries;
    m_dots->setName(tr("at the chosen context"));
    m_dots->setMarkerSize(9);
    for (QXYSeries* series :
         {static_cast<QXYSeries*>(m_marker_line), static_cast<QXYSeries*>(m_dots)}) {
        chart()->addSeries(series);
        series->attachAxis(m_x);
        series->attachAxis(m_y);
        hideFromLegend(*chart(), series);
    }
}

void MemoryContextChart::showTooltip(int index, const QPointF& point, bool state) {
    if (!state) {
        QToolTip::hideText();
        return;
    }
    const ContextCurve& c = m_curves.at(std::size_t(index));
    // The sample nearest the mouse: an exact estimator value, not an interpolation.
    const auto& xs = c.curve.contexts;
    const auto it = std::lower_bound(xs.begin(), xs.end(), std::int64_t(point.x()));
    std::size_t k = std::size_t(it - xs.begin());
    if (k == xs.size() || (k > 0 && point.x() - double(xs[k - 1]) < double(xs[k]) - point.x())) {
        k = k > 0 ? k - 1 : 0;
    }
    if (xs.empty()) return;
    QToolTip::showText(QCursor::pos(),
                       QStringLiteral("<b>%1</b><br>%2<br>%3 tokens: %4")
                           .arg(c.label.toHtmlEscaped(), c.tooltip.toHtmlEscaped(),
                                QLocale(QLocale::English).toString(qlonglong(xs[k])),
                                exactBytes(c.curve.bytes[k])));
}

void MemoryContextChart::applyTheme() {
    applyChartTheme(*chart(), palette(), font());
    if (m_marker_line) {
        QPen pen(mixColors(palette().color(QPalette::Base), palette().color(QPalette::Text), 0.55),
                 1.2, Qt::DashLine);
        m_marker_line->setPen(pen);
    }
    if (m_dots) {
        m_dots->setColor(palette().color(QPalette::Text));
        m_dots->setBorderColor(palette().color(QPalette::Base));
    }
}

void MemoryContextChart::changeEvent(QEvent* event) {
    QChartView::changeEvent(event);
    if (event->type() == QEvent::PaletteChange || event->type() == QEvent::FontChange) applyTheme();
}

}  // namespace kvscope
