#pragma once
// The Eviction view's bytes chart: after every compared step, the K + V bytes the full cache and
// the bounded one hold (logical: entries x bytes per entry, solid) and allocate (physical: the
// contiguous reservation or the paged blocks, dashed), on one byte axis. The bounded cache's lines
// flatten once its budget is full.
#include <QChartView>
#include <vector>

#include "ui/style/format_bytes.h"

QT_BEGIN_NAMESPACE
class QLineSeries;
QT_END_NAMESPACE

namespace kvscope {

struct EvictStepBytes;

class EvictBytesChart : public QChartView {
    Q_OBJECT
public:
    explicit EvictBytesChart(QWidget* parent = nullptr);

    /// `label`: the policy's ("window b32"); x = the step (0 = after the prompt).
    void setData(const EvictStepBytes& bytes, const QString& label);
    void clear();

    /// Full held, full allocated, policy held, policy allocated (empty before setData).
    const std::vector<QLineSeries*>& lineSeries() const { return m_lines; }
    const ByteUnit& unit() const { return m_unit; }

protected:
    void changeEvent(QEvent* event) override;
    void resizeEvent(QResizeEvent* event) override;

private:
    void rebuild();
    void fitTitle();

    std::vector<std::vector<double>> m_values;  // [4][n_steps]
    QString m_label;
    std::int64_t m_last_holes = 0;  // the bounded cache's holes after the last step
    ByteUnit m_unit;
    std::vector<QLineSeries*> m_lines;
};

}  // namespace kvscope
