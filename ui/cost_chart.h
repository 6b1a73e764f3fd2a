#pragma once
// Qt Charts view of what caching saves: cached vs recompute per step or summed over the steps,
// as measured wall time or as analytic FLOPs. Per step, cached decode stays flat while recompute
// grows with the sequence; summed, one is a line and the other a parabola.
#include <QChartView>

#include "ui/cost_data.h"

QT_BEGIN_NAMESPACE
class QLineSeries;
QT_END_NAMESPACE

namespace kvscope {

class CostChart : public QChartView {
    Q_OBJECT
public:
    enum class Measure { TimePerStep, TimeCumulative, FlopsPerStep, FlopsCumulative };

    explicit CostChart(QWidget* parent = nullptr);

    void setData(CostData data);
    void setMeasure(Measure measure);
    Measure measure() const { return m_measure; }
    const CostData& data() const { return m_data; }
    QLineSeries* cachedSeries() const { return m_cached; }
    QLineSeries* recomputeSeries() const { return m_recompute; }

protected:
    void changeEvent(QEvent* event) override;

private:
    void rebuild();

    CostData m_data;
    Measure m_measure = Measure::TimeCumulative;
    QLineSeries* m_cached = nullptr;
    QLineSeries* m_recompute = nullptr;
};

}  // namespace kvscope
