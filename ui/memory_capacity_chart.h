#pragma once
// Stacked bars of what one GPU holds for each attention variant (weights, KV cache, layout
// overhead: perGpuSegments) against horizontal lines at the GPU's capacity and its usable part.
#include <QChartView>
#include <QString>
#include <cstdint>
#include <vector>

#include "core/memory/memory_study.h"

QT_BEGIN_NAMESPACE
class QBarCategoryAxis;
class QBarSet;
class QCategoryAxis;
class QLineSeries;
class QStackedBarSeries;
QT_END_NAMESPACE

namespace kvscope {

/// One bar: a variant's per-GPU segments, or none (it has no estimate).
struct CapacityBar {
    QString label;                        // under the bar: "as-is", "MQA"
    QString tooltip;                      // on hover: the full variant label
    std::vector<MemorySegment> segments;  // empty: no estimate
};

class MemoryCapacityChart : public QChartView {
    Q_OBJECT
public:
    explicit MemoryCapacityChart(QWidget* parent = nullptr);

    /// gpu_bytes 0: no GPU, no lines. The legend names the lines "GPU" and "usable"; their bytes
    /// are the chart's tooltip (the title should name the GPU and its size).
    void setBars(const QString& title, const std::vector<CapacityBar>& bars, std::int64_t gpu_bytes,
                 std::int64_t usable_bytes);
    void clearBars(const QString& title);

    QStackedBarSeries* bars() const { return m_bars; }
    /// The GPU's capacity (y = bytes), null without a GPU.
    QLineSeries* capacityLine() const { return m_capacity; }
    QLineSeries* usableLine() const { return m_usable; }

protected:
    void changeEvent(QEvent* event) override;

private:
    void applyTheme();
    void showTooltip(bool state, int index, QBarSet* set);

    QBarCategoryAxis* m_x = nullptr;
    QCategoryAxis* m_y = nullptr;
    QStackedBarSeries* m_bars = nullptr;
    QLineSeries* m_capacity = nullptr;
    QLineSeries* m_usable = nullptr;
    std::vector<CapacityBar> m_shown;
};

}  // namespace kvscope
