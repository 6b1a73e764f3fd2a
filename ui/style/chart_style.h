#pragma once
// Line widths and peer-series colours for the Generate view's charts (their palette and fonts come
// from chart_theme.h): lines thicken with presenter mode's larger fonts.
#include <QColor>

QT_BEGIN_NAMESPACE
class QFont;
QT_END_NAMESPACE

namespace kvscope {

/// Line width for `font`: 2 px at 11 pt, growing with presenter mode's larger fonts.
double chartLineWidth(const QFont& font);

/// The i-th of n colours for series that are peers (layers): spread along the viridis map,
/// skipping its faint yellow end.
QColor seriesColor(int i, int n);

}  // namespace kvscope
