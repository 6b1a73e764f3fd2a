#pragma once
// The house look of Qt Charts: colours from the widget's palette (so a dark palette gives dark
// charts), readable fonts, antialiasing, a qualitative series palette that reads on light and
// dark backgrounds alike, peer-series colours along viridis, and line widths that thicken with
// presenter mode's larger fonts.
#include <QColor>
#include <QFont>
#include <QPalette>

QT_BEGIN_NAMESPACE
class QChart;
class QChartView;
class QAbstractAxis;
QT_END_NAMESPACE

namespace kvscope {

/// Tableau 10 and four more of Tableau 20, cycling: distinct hues of similar weight, legible on
/// white and on near-black.
QColor categoryColor(int index);
/// Red for errors and "does not fit", green for "fits": darker on a light palette, lighter on a
/// dark one.
QColor errorColor(const QPalette& palette);
QColor goodColor(const QPalette& palette);
/// The colour `fraction` of the way from `from` to `to`.
QColor mixColors(const QColor& from, const QColor& to, double fraction);
/// The i-th of n colours for series that are peers (layers): spread along the viridis map,
/// skipping its faint yellow end.
QColor seriesColor(int i, int n);
/// Line width for `font`: 2 px at 11 pt, growing with presenter mode's larger fonts.
double chartLineWidth(const QFont& font);

/// Background, plot area, title, legend and every attached axis (labels, titles, grid, lines)
/// from `palette`, fonts from `font`. Call again when the palette changes.
void applyChartTheme(QChart& chart, const QPalette& palette, const QFont& font);
/// The font applyChartTheme gives axis labels for a widget font `font` (a little smaller).
QFont axisLabelsFont(const QFont& font);
/// One axis, as applyChartTheme does it (for axes attached later).
void applyAxisTheme(QAbstractAxis& axis, const QPalette& palette, const QFont& font);
/// Antialiasing on, the chart's margins tight, no frame.
void prepareChartView(QChartView& view);
/// Removes and deletes every series and axis of `chart`, for a rebuild (QChart::removeAxis
/// only hands an axis back, so each rebuild would otherwise keep its old axes alive).
void clearChart(QChart& chart);
/// How many steps (labels less one, 1 to 8) a y axis of `chart` labelled in `labels_font` has
/// room for along the chart's plot area: Qt Charts cuts every label to "..." when they are packed
/// tighter than one text line and its padding each.
int tickStepsFor(const QChart& chart, const QFont& labels_font);
/// How many ticks (2 to `most`) a horizontal axis `plot_width` pixels long has room for, each
/// label as wide as `widest_label` in `labels_font` and a gap between them.
int xTickCountFor(double plot_width, const QFont& labels_font, const QString& widest_label,
                  int most = 5);
/// `full` where it fits in `room` pixels in `font`, else `short_text`: for titles on a chart
/// that may be narrow (Qt Charts would cut `full` to "...").
QString fittingText(const QString& full, const QString& short_text, const QFont& font, double room);

}  // namespace kvscope
