#include "ui/window/screenshot.h"

#include <QApplication>
#include <QImage>
#include <QSaveFile>
#include <QWidget>

namespace kvscope {

QString saveScreenshot(QWidget& widget, QSize size, const QString& path) {
    if (!widget.isVisible()) widget.setAttribute(Qt::WA_DontShowOnScreen, true);
    widget.resize(size);
    widget.show();
    // Let layouts settle at the new size: charts then fit their ticks and titles to the room
    // they got (a queued pass) and lay out once more. Without a running event loop, items
    // deleted later (a chart's replaced axes) are flushed here, or they would be drawn.
    for (int pass = 0; pass < 10; ++pass) {
        QApplication::processEvents();
        QApplication::sendPostedEvents(nullptr, QEvent::DeferredDelete);
    }

    // Render at one image pixel per widget pixel, whatever the screen's scale factor.
    QImage image(size, QImage::Format_RGB32);
    image.fill(widget.palette().color(QPalette::Window));
    widget.render(&image);
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly)) {
        return QStringLiteral("screenshot: cannot write '%1': %2").arg(path, file.errorString());
    }
    if (!image.save(&file, "PNG") || !file.commit()) {
        return QStringLiteral("screenshot: writing '%1' failed: %2").arg(path, file.errorString());
    }
    return {};
}

}  // namespace kvscope
