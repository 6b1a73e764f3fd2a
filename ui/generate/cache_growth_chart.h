#pragma once
// Qt Charts view of the KV cache growing: one stacked band per layer (bytes held after each step),
// two lines on top: the bytes held (logical: entries x bytes per entry) and the bytes allocated
// (physical: the contiguous reservation or the paged blocks), dashed lines for the same model as
// MHA and as MQA (from the estimator), and a vertical marker at the step on screen. A bounded
// cache flattens both at its budget. When the allocation dwarfs what is held (the contiguous
// layout reserves the whole context) the axis keeps to what is held and the legend says where
// the allocation line is.
#include <QChartView>

#include "ui/generate/cache_growth_data.h"
#include "ui/style/format_bytes.h"

QT_BEGIN_NAMESPACE
class QLineSeries;
class QValueAxis;
QT_END_NAMESPACE

namespace kvscope {

class CacheGrowthChart : public QChartView {
    Q_OBJECT
public:
    explicit CacheGrowthChart(QWidget* parent = nullptr);

    /// Plots `data`; `cursor_step` (0-based, -1 for none) gets the marker.
    void setData(CacheGrowthData data, int cursor_step);
    void setCursorStep(int cursor_step);

    const CacheGrowthData& data() const { return m_data; }
    /// The axis unit: series y values times unit().bytes are bytes.
    const ByteUnit& unit() const { return m_unit; }
    /// Upper edge of layer l's band: the cumulative sum of layers 0..l.
    QLineSeries* layerTop(int layer) const;
    QLineSeries* totalSeries() const { return m_total; }
    /// The bytes allocated (physical); its legend names the figure when it is above the axis.
    QLineSeries* allocatedSeries() const { return m_allocated; }
    /// Whether the y axis reaches the allocation line (false: it is above the chart).
    bool allocatedInRange() const { return m_allocated_in_range; }
    QLineSeries* overlaySeries(int i) const;
    QLineSeries* markerSeries() const { return m_marker; }
    QValueAxis* xAxis() const { return m_x; }
    QValueAxis* yAxis() const { return m_y; }

    /// Small: the column's splitter gives it its minimum height and the room left to the cost
    /// chart below (a chart view's own hint follows its scene, which grows with its contents).
    QSize sizeHint() const override { return {minimumWidth(), minimumHeight() / 2}; }

protected:
    void changeEvent(QEvent* event) override;

private:
    void rebuild();
    void placeMarker();

    CacheGrowthData m_data;
    ByteUnit m_unit;
    int m_cursor_step = -1;
    std::vector<QLineSeries*> m_layer_tops;  // owned by their area series
    std::vector<QLineSeries*> m_overlays;
    QLineSeries* m_total = nullptr;
    QLineSeries* m_allocated = nullptr;
    bool m_allocated_in_range = true;
    QLineSeries* m_marker = nullptr;
    QValueAxis* m_x = nullptr;
    QValueAxis* m_y = nullptr;
};

}  // namespace kvscope
