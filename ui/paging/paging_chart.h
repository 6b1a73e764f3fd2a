#pragma once
// One chart of the Paging view over simulated time, one line per allocation policy on the same
// workload: KV utilization, concurrent sequences or wasted token slots (sim::timelineSeries), and
// a vertical cursor at the step the block grid shows. The policies' colours and names are in the
// view's summary lines, so the chart has no legend of its own.
#include <QChartView>
#include <QColor>
#include <QString>
#include <vector>

#include "core/sim/sim_series.h"

QT_BEGIN_NAMESPACE
class QAbstractAxis;
class QLineSeries;
class QValueAxis;
QT_END_NAMESPACE

namespace kvscope {

struct PolicyCurve {
    QString label;
    QColor color;
    sim::Series series;
    bool emphasized = false;  // the policy on the grid: a thicker line
};

class PagingChart : public QChartView {
    Q_OBJECT
public:
    enum class Kind { Utilization, Running, Waste };

    explicit PagingChart(Kind kind, QWidget* parent = nullptr);

    /// Replaces the lines; the x axis runs from 0 to `last_step`.
    void setCurves(std::vector<PolicyCurve> curves, double last_step);
    /// Moves the cursor to `step`; a negative step hides it.
    void setCursorStep(double step);

    Kind kind() const { return m_kind; }
    int curveCount() const { return int(m_lines.size()); }
    QLineSeries* curve(int i) const { return m_lines[std::size_t(i)]; }
    QLineSeries* cursorLine() const { return m_cursor; }
    QAbstractAxis* yAxis() const { return m_y; }

protected:
    void changeEvent(QEvent* event) override;

private:
    void applyTheme();
    void placeCursor();
    /// The x ticks, the x title and the chart title for the width the plot has now: fewer
    /// ticks and short titles on a narrow chart, where Qt Charts would cut them to "...".
    void fitTexts();
    void applyXRange();

    Kind m_kind;
    QValueAxis* m_x = nullptr;
    QAbstractAxis* m_y = nullptr;
    std::vector<QLineSeries*> m_lines;
    std::vector<PolicyCurve> m_curves;
    QLineSeries* m_cursor = nullptr;
    double m_cursor_step = -1;
    double m_y_top = 1;
    double m_last_step = 1;
    int m_x_ticks = 5;
};

}  // namespace kvscope
