#include "ui/paging/paging_chart.h"

#include <QCategoryAxis>
#include <QChart>
#include <QEvent>
#include <QLegend>
#include <QLineSeries>
#include <QValueAxis>
#include <algorithm>

#include "ui/style/chart_axes.h"
#include "ui/style/chart_style.h"

namespace kvscope {

namespace {

QString titleOf(PagingChart::Kind kind) {
    switch (kind) {
        case PagingChart::Kind::Utilization:
            return QObject::tr("KV utilization");
        case PagingChart::Kind::Running:
            return QObject::tr("Concurrent sequences");
        case PagingChart::Kind::Waste:
            return QObject::tr("Wasted slots");
    }
    return {};
}

/// What the chart is titled where the full title does not fit.
QString shortTitleOf(PagingChart::Kind kind) {
    switch (kind) {
        case PagingChart::Kind::Utilization:
            return QObject::tr("Utilization");
        case PagingChart::Kind::Running:
            return QObject::tr("Running");
        case PagingChart::Kind::Waste:
            return QObject::tr("Wasted slots");
    }
    return {};
}

}  // namespace

PagingChart::PagingChart(Kind kind, QWidget* parent)
    : QChartView(new QChart, parent), m_kind(kind) {
    prepareChartView(*this);
    chart()->legend()->setVisible(false);
    chart()->setTitle(titleOf(kind));
    m_x = new QValueAxis;
    m_x->setLabelFormat(QStringLiteral("%.0f"));
    m_x->setTitleText(tr("simulated step"));
    chart()->addAxis(m_x, Qt::AlignBottom);
    if (kind == Kind::Running) {
        auto* y = new QValueAxis;
        y->setLabelFormat(QStringLiteral("%.0f"));
        m_y = y;
    } else {
        auto* y = new QCategoryAxis;
        y->setLabelsPosition(QCategoryAxis::AxisLabelsPositionOnValue);
        if (kind == Kind::Utilization) {
            for (int p = 0; p <= 100; p += 25)
                y->append(QStringLiteral("%1%").arg(p), p / 100.0);
            y->setRange(0, 1.04);  // room above 100%, where paging runs
        }
        y->setTitleText(kind == Kind::Waste ? tr("reserved, no token") : tr("held / reserved"));
        m_y = y;
    }
    chart()->addAxis(m_y, Qt::AlignLeft);
    setMinimumSize(180, 180);  // three side by side fit beside the inputs
    setCurves({}, 1);
    connect(chart(), &QChart::plotAreaChanged, this, &PagingChart::fitTexts, Qt::QueuedConnection);
}

void PagingChart::applyXRange() {
    m_x->setRange(0, std::max(1.0, m_last_step));
    m_x->setTickCount(m_x_ticks);
    m_x->applyNiceNumbers();
}

void PagingChart::fitTexts() {
    const QRectF plot = chart()->plotArea();
    if (plot.width() < 1) return;
    const QString widest = QString::number(m_x->max(), 'f', 0);
    const int ticks = xTickCountFor(plot.width(), axisLabelsFont(font()), widest);
    if (ticks != m_x_ticks) {
        m_x_ticks = ticks;
        applyXRange();
    }
    const QString x_title =
        fittingText(tr("simulated step"), tr("step"), m_x->titleFont(), plot.width() - 8);
    if (m_x->titleText() != x_title) m_x->setTitleText(x_title);
    const QMargins margins = chart()->margins();
    const QString title =
        fittingText(titleOf(m_kind), shortTitleOf(m_kind), chart()->titleFont(),
                    chart()->size().width() - margins.left() - margins.right() - 8);
    if (chart()->title() != title) chart()->setTitle(title);
}

void PagingChart::setCurves(std::vector<PolicyCurve> curves, double last_step) {
    chart()->removeAllSeries();
    m_lines.clear();
    m_cursor = nullptr;
    m_curves = std::move(curves);
    double top = 0;
    for (const PolicyCurve& c : m_curves) {
        auto* line = new QLineSeries;
        line->setName(c.label);
        QList<QPointF> points;
        points.reserve(qsizetype(c.series.x.size()));
        for (std::size_t i = 0; i < c.series.x.size(); ++i) {
            points.append(QPointF(c.series.x[i], c.series.y[i]));
            top = std::max(top, c.series.y[i]);
        }
        line->replace(points);
        chart()->addSeries(line);
        line->attachAxis(m_x);
        line->attachAxis(m_y);
        m_lines.push_back(line);
    }
    m_last_step = last_step;
    applyXRange();
    if (m_kind == Kind::Running) {
        auto* y = static_cast<QValueAxis*>(m_y);
        y->setRange(0, std::max(4.0, top * 1.08));
        y->applyNiceNumbers();
        m_y_top = y->max();
    } else if (m_kind == Kind::Waste) {
        auto* y = static_cast<QCategoryAxis*>(m_y);
        setTokenTicks(*y, std::max(1.0, top * 1.04));
        m_y_top = y->max();
    } else {
        m_y_top = 1.04;
    }
    m_cursor = new QLineSeries;
    m_cursor->setName(tr("step shown"));
    chart()->addSeries(m_cursor);
    m_cursor->attachAxis(m_x);
    m_cursor->attachAxis(m_y);
    placeCursor();
    applyTheme();
}

void PagingChart::setCursorStep(double step) {
    m_cursor_step = step;
    placeCursor();
}

void PagingChart::placeCursor() {
    if (!m_cursor) return;
    if (m_cursor_step < 0) {
        m_cursor->clear();
        return;
    }
    m_cursor->replace(QList<QPointF>{QPointF(m_cursor_step, 0), QPointF(m_cursor_step, m_y_top)});
}

void PagingChart::applyTheme() {
    applyChartTheme(*chart(), palette(), font());
    const double width = chartLineWidth(font());
    for (std::size_t i = 0; i < m_lines.size(); ++i) {
        const PolicyCurve& c = m_curves[i];
        m_lines[i]->setPen(QPen(c.color, c.emphasized ? width * 1.6 : width));
    }
    if (m_cursor) {
        m_cursor->setPen(
            QPen(mixColors(palette().color(QPalette::Base), palette().color(QPalette::Text), 0.6),
                 1.2, Qt::DashLine));
    }
}

void PagingChart::changeEvent(QEvent* event) {
    QChartView::changeEvent(event);
    if (event->type() == QEvent::PaletteChange || event->type() == QEvent::FontChange) applyTheme();
}

}  // namespace kvscope
