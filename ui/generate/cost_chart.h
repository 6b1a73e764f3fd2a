#pragma once
// Qt Charts view of what caching saves: cached vs recompute per step or summed over the steps,
// as measured wall time or as analytic FLOPs. Per step, cached decode stays flat while recompute
// grows with the sequence; summed, one is a line and the other a parabola.
#include <QChartView>

#include "ui/generate/cost_data.h"

QT_BEGIN_NAMESPACE
class QCategoryAxis;
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
    void showEvent(QShowEvent* event) override;

private:
    void rebuild();

    /// The y axis's steps for the plot's height now (tickStepsFor).
    int yTickSteps() const;
    /// Re-ticks the y axis, in place, where the plot's height now calls for other steps.
    void fitTicks();
    void applyYTicks();

    CostData m_data;
    Measure m_measure = Measure::TimeCumulative;
    QCategoryAxis* m_y = nullptr;
    double m_y_max = 0;  // in ms or FLOPs, as the series
    int m_y_steps = 8;   // the steps the y labels are laid out for
    QLineSeries* m_cached = nullptr;
    QLineSeries* m_recompute = nullptr;
};

}  // namespace kvscope
