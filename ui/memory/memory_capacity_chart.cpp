#include "ui/memory/memory_capacity_chart.h"

#include <QBarCategoryAxis>
#include <QBarSet>
#include <QCategoryAxis>
#include <QCursor>
#include <QEvent>
#include <QLegend>
#include <QLineSeries>
#include <QLocale>
#include <QStackedBarSeries>
#include <QToolTip>
#include <algorithm>

#include "ui/style/chart_axes.h"
#include "ui/style/chart_style.h"
#include "ui/style/format_bytes.h"

namespace kvscope {

namespace {

/// Weights in a muted slate, KV in the series blue, overhead in orange, the recurrent state of
/// hybrid models in the third category colour (apart from the attention KV).
QColor segmentColor(std::size_t index, const QPalette& palette) {
    if (index == 0) {
        return mixColors(palette.color(QPalette::Base), palette.color(QPalette::Text), 0.42);
    }
    return categoryColor(index == 1 ? 0 : index == 2 ? 1 : 2);
}

}  // namespace

MemoryCapacityChart::MemoryCapacityChart(QWidget* parent) : QChartView(new QChart, parent) {
    prepareChartView(*this);
    m_x = new QBarCategoryAxis;
    m_y = new QCategoryAxis;
    m_y->setTitleText(tr("bytes per GPU (IEC)"));
    chart()->addAxis(m_x, Qt::AlignBottom);
    chart()->addAxis(m_y, Qt::AlignLeft);
    chart()->legend()->setAlignment(Qt::AlignBottom);
    setMinimumSize(260, 260);
    applyTheme();
}

void MemoryCapacityChart::clearBars(const QString& title) {
    chart()->removeAllSeries();
    if (m_fitted) {  // the lines were kept off the chart: not deleted with its series
        delete m_capacity;
        delete m_usable;
    }
    m_fitted = false;
    m_fit_note.clear();
    m_fit_tip.clear();
    m_bars = nullptr;
    m_capacity = nullptr;
    m_usable = nullptr;
    m_x->clear();
    chart()->setTitle(title);
}

void MemoryCapacityChart::setBars(const QString& title, const std::vector<CapacityBar>& bars,
                                  std::int64_t gpu_bytes, std::int64_t usable_bytes) {
    clearBars(title);
    m_shown = bars;
    std::vector<MemorySegment> names;  // the segment kinds, from the first bar that has them
    QStringList categories;
    double tallest = 0;
    QString tallest_label;
    for (const CapacityBar& bar : bars) {
        categories << bar.label;
        if (names.empty()) names = bar.segments;
        double sum = 0;
        for (const MemorySegment& s : bar.segments)
            sum += double(s.bytes);
        if (sum > tallest) {
            tallest = sum;
            tallest_label = bar.label;
        }
    }
    m_fitted = gpu_bytes > 0 && tallest > 0 && tallest < kFitFraction * double(gpu_bytes);
    if (m_fitted) {
        const double percent = 100.0 * tallest / double(gpu_bytes);
        const QString share = percent < 0.01 ? QStringLiteral("< 0.01")
                                             : QString::number(percent, 'f', percent < 0.1 ? 2 : 1);
        m_fit_note = tr("zoomed in: the tallest bar is %1% of it").arg(share);
        m_fit_tip =
            tr("Fitted to the data: the tallest bar (%1, %2) is %3% of the GPU's %4, "
               "so the GPU line is off the chart")
                .arg(tallest_label, bytesText(std::int64_t(tallest)), share, bytesText(gpu_bytes));
        chart()->setTitle(QStringLiteral("%1<br><span style='font-weight:normal'>%2</span>")
                              .arg(title.toHtmlEscaped(), m_fit_note.toHtmlEscaped()));
    }
    m_x->append(categories);
    setByteTicks(*m_y, std::max(tallest, m_fitted ? 0.0 : double(gpu_bytes)) * 1.04);

    m_bars = new QStackedBarSeries;
    m_bars->setBarWidth(0.6);
    for (std::size_t k = 0; k < names.size(); ++k) {
        auto* set = new QBarSet(QString::fromStdString(names[k].name));
        for (const CapacityBar& bar : bars) {
            set->append(k < bar.segments.size() ? double(bar.segments[k].bytes) : 0.0);
        }
        m_bars->append(set);
    }
    chart()->addSeries(m_bars);
    connect(m_bars, &QStackedBarSeries::hovered, this, &MemoryCapacityChart::showTooltip);
    m_bars->attachAxis(m_x);
    m_bars->attachAxis(m_y);

    if (gpu_bytes > 0) {
        const double left = -0.5;
        const double right = double(bars.size()) - 0.5;
        m_capacity = new QLineSeries;
        m_capacity->setName(tr("GPU"));
        m_capacity->append(left, double(gpu_bytes));
        m_capacity->append(right, double(gpu_bytes));
        m_usable = new QLineSeries;
        m_usable->setName(tr("usable"));
        m_usable->append(left, double(usable_bytes));
        m_usable->append(right, double(usable_bytes));
        for (QLineSeries* line : {m_capacity, m_usable}) {
            if (m_fitted) {  // kept for the numbers (export), not drawn
                line->setParent(this);
                continue;
            }
            chart()->addSeries(line);
            line->attachAxis(m_x);
            line->attachAxis(m_y);
        }
    }
    if (m_fitted) {
        setToolTip(m_fit_tip + tr(" (usable: %1)").arg(bytesText(usable_bytes)));
    } else {
        setToolTip(gpu_bytes > 0
                       ? tr("GPU %1 (solid line), usable %2 (dashed line): weights and KV "
                            "must stay under the dashed line")
                             .arg(bytesText(gpu_bytes), bytesText(usable_bytes))
                       : QString());
    }
    applyTheme();
}

void MemoryCapacityChart::showTooltip(bool state, int index, QBarSet*) {
    if (!state || index < 0 || std::size_t(index) >= m_shown.size()) {
        QToolTip::hideText();
        return;
    }
    const CapacityBar& bar = m_shown[std::size_t(index)];
    QString text = QStringLiteral("<b>%1</b>").arg(bar.tooltip.toHtmlEscaped());
    for (const MemorySegment& s : bar.segments) {
        text += QStringLiteral("<br>%1: %2 (%3 B)")
                    .arg(QString::fromStdString(s.name).toHtmlEscaped(), bytesText(s.bytes),
                         QLocale(QLocale::English).toString(qlonglong(s.bytes)));
    }
    if (bar.segments.empty()) text += tr("<br>no estimate for this variant");
    QToolTip::showText(QCursor::pos(), text);
}

void MemoryCapacityChart::applyTheme() {
    applyChartTheme(*chart(), palette(), font());
    if (m_bars) {
        const QList<QBarSet*> sets = m_bars->barSets();
        for (qsizetype k = 0; k < sets.size(); ++k) {
            sets[k]->setColor(segmentColor(std::size_t(k), palette()));
            sets[k]->setBorderColor(palette().color(QPalette::Base));
        }
    }
    const QColor red = errorColor(palette());
    if (m_capacity) m_capacity->setPen(QPen(red, 2.4));
    if (m_usable) m_usable->setPen(QPen(red, 1.6, Qt::DashLine));
}

void MemoryCapacityChart::changeEvent(QEvent* event) {
    QChartView::changeEvent(event);
    if (event->type() == QEvent::PaletteChange || event->type() == QEvent::FontChange) applyTheme();
}

}  // namespace kvscope
