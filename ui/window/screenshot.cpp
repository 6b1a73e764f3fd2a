#include "ui/window/screenshot.h"

#include <QApplication>
#include <QBuffer>
#include <QImage>
#include <QWidget>

#include "core/util/atomic_file.h"
#include "core/util/error.h"

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
    QByteArray png;
    QBuffer buffer(&png);
    buffer.open(QIODevice::WriteOnly);
    if (!image.save(&buffer, "PNG")) return QStringLiteral("screenshot: PNG encoding failed");
    try {  // the one atomic writer: a unique temporary beside the target, then a rename
        writeFileAtomically(path.toStdString(), std::string_view(png.constData(), png.size()));
    } catch (const InputError& e) {
        return QStringLiteral("screenshot: %1").arg(QString::fromUtf8(e.what()));
    }
    return {};
}

}  // namespace kvscope
