#pragma once
// A chart of KV bytes of one sequence against its context: one line per curve (attention variants
// or KV dtypes), exact core values (bytes, tokens) in the series, IEC labels on the axes, a dashed
// line and dots at the chosen context, a tooltip with the exact bytes under the mouse.
#include <QChartView>
#include <QList>
#include <QString>
#include <cstdint>
#include <vector>

#include "core/memory/kv_curve.h"

QT_BEGIN_NAMESPACE
class QLineSeries;
class QScatterSeries;
class QCategoryAxis;
QT_END_NAMESPACE

namespace kvscope {

/// One line of the chart.
struct ContextCurve {
    QString label;    // legend text
    QString tooltip;  // what the line is, shown on hover before the numbers
    KvCurve curve;
    bool emphasised = false;  // drawn thick (the current dtype, the model as it is)
    int color = 0;            // categoryColor() index
};

class MemoryContextChart : public QChartView {
    Q_OBJECT
public:
    explicit MemoryContextChart(QWidget* parent = nullptr);

    /// Replaces the lines. The x axis runs from 0 to `x_max` tokens, `marker` is the chosen
    /// context.
    void setCurves(const QString& title, std::vector<ContextCurve> curves, std::int64_t x_max,
                   std::int64_t marker);
    /// Removes the lines and shows `title` (e.g. why there is nothing to draw).
    void clearCurves(const QString& title);

    int curveCount() const { return int(m_lines.size()); }
    /// The line of curve `index` (points: x = tokens, y = bytes, exact).
    QLineSeries* line(int index) const { return m_lines.at(index); }
    const ContextCurve& curve(int index) const { return m_curves.at(std::size_t(index)); }
    /// The dots at the chosen context (one per curve, in curve order).
    QScatterSeries* markerDots() const { return m_dots; }
    std::int64_t marker() const { return m_marker; }

protected:
    void changeEvent(QEvent* event) override;

private:
    void applyTheme();
    /// New series for `curves` (and the marker), replacing all others.
    void buildSeries(const std::vector<ContextCurve>& curves);
    void showTooltip(int index, const QPointF& point, bool state);

    QCategoryAxis* m_x = nullptr;
    QCategoryAxis* m_y = nullptr;
    QList<QLineSeries*> m_lines;
    QLineSeries* m_marker_line = nullptr;
    QScatterSeries* m_dots = nullptr;
    std::vector<ContextCurve> m_curves;
    std::int64_t m_marker = 0;
};

}  // namespace kvscope
