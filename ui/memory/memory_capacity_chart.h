#pragma once
// Stacked bars of what one GPU holds for each attention variant (weights, KV cache, layout
// overhead: perGpuSegments) against horizontal lines at the GPU's capacity and its usable part.
// Bars too small to see against the GPU (a demo model: KiB against 80 GB) are shown fitted to
// the data instead, the lines left out and the GPU named in a note under the title.
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
    /// are the chart's tooltip (the title should name the GPU and its size). When the tallest bar
    /// is below kFitFraction of the GPU, the y axis fits the bars and the lines are not drawn
    /// (capacityLine() still holds them): fittedToData().
    void setBars(const QString& title, const std::vector<CapacityBar>& bars, std::int64_t gpu_bytes,
                 std::int64_t usable_bytes);
    void clearBars(const QString& title);

    QStackedBarSeries* bars() const { return m_bars; }
    /// The GPU's capacity (y = bytes), null without a GPU.
    QLineSeries* capacityLine() const { return m_capacity; }
    QLineSeries* usableLine() const { return m_usable; }
    /// True when the bars are drawn at their own scale, without the GPU's lines.
    bool fittedToData() const { return m_fitted; }
    /// The note under the title while fitted (empty otherwise).
    QString fitNote() const { return m_fit_note; }

    /// Below this share of the GPU, bars are fitted to the data: 1% of a bar's height is about
    /// 2 px, less than its border.
    static constexpr double kFitFraction = 0.01;

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
    bool m_fitted = false;
    QString m_fit_note;
    QString m_fit_tip;  // the note in full: which bar, its bytes, the GPU's
};

}  // namespace kvscope
