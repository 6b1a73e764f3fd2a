#pragma once
// Renders a widget at a fixed size into a PNG, without showing it on screen (works under
// QT_QPA_PLATFORM=offscreen). The file is written to a temporary name and renamed.
#include <QSize>
#include <QString>

class QWidget;

namespace kvscope {

/// Returns "" on success, otherwise what went wrong (naming the path).
QString saveScreenshot(QWidget& widget, QSize size, const QString& path);

}  // namespace kvscope
