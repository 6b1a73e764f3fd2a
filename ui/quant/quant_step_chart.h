#pragma once
// A Qt Charts line chart of per-step error series for the Quantization view: one or two lines
// over the teacher-forced positions (each on its own y axis, left then right), and optional
// markers (e.g. the steps whose top-1 token differs from fp32's). Values are plotted as given.
#include <QChartView>
#include <QColor>
#include <vector>

QT_BEGIN_NAMESPACE
class QLineSeries;
class QScatterSeries;
QT_END_NAMESPACE

namespace kvscope {

/// One line: values[i] is drawn at x = first_x + i.
struct StepLine {
    QString name;  // the legend's
    std::vector<double> values;
    double first_x = 0;
    QColor color;
    QString axis;  // the y axis title (short); empty: none
};

/// Markers at (x, y) points.
struct StepMarkers {
    QString name;
    std::vector<double> x, y;
    QColor color;
};

class QuantStepChart : public QChartView {
    Q_OBJECT
public:
    explicit QuantStepChart(QWidget* parent = nullptr);

    /// Up to two lines (the second gets a right-hand axis) and markers on the first line's axis.
    void setData(const QString& title, const QString& x_title, std::vector<StepLine> lines,
                 StepMarkers markers = {});
    void clear(const QString& title);
    /// Shorter titles for a narrow chart, where the full ones would be cut to "..." (empty: keep
    /// the full one). Applied as the chart's width changes.
    void setShortTitles(const QString& title, const QString& x_title);

    /// The line series in the order given (for tests and export), and the markers (or null).
    const std::vector<QLineSeries*>& lineSeries() const { return m_lines; }
    QScatterSeries* markerSeries() const { return m_markers; }

protected:
    void changeEvent(QEvent* event) override;

private:
    void rebuild();
    /// The full or the short titles for the width the chart has now; two y axes keep their
    /// titles only where both fit beside the plot (their labels are coloured as their lines).
    void fitTexts();

    QString m_title, m_x_title;
    QString m_short_title, m_short_x_title;
    std::vector<StepLine> m_data;
    StepMarkers m_marker_data;
    std::vector<QLineSeries*> m_lines;
    QScatterSeries* m_markers = nullptr;
};

}  // namespace kvscope
