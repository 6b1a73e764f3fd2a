// Rendering an ExportTarget to PNG, SVG, PDF or CSV bytes and writing them atomically.
#include "ui/export/view_export.h"

#include <QBuffer>
#include <QClipboard>
#include <QGuiApplication>
#include <QPageSize>
#include <QPainter>
#include <QPdfWriter>
#include <QSvgGenerator>

#include "core/util/atomic_file.h"
#include "core/util/error.h"

namespace kvscope {

namespace {

/// Why `target` cannot be drawn, or "".
QString whyNotDrawable(const ExportTarget& target) {
    if (!target.widget) return QObject::tr("%1: there is nothing to draw").arg(target.title);
    if (target.widget->width() <= 0 || target.widget->height() <= 0)
        return QObject::tr("%1: the view has no size yet (show it first)").arg(target.title);
    return {};
}

QByteArray pngBytes(QWidget* widget, int scale) {
    QImage image = renderWidgetImage(widget, scale);
    image.setDevicePixelRatio(1.0);  // the file holds plain pixels
    QByteArray bytes;
    QBuffer buffer(&bytes);
    buffer.open(QIODevice::WriteOnly);
    if (!image.save(&buffer, "PNG")) return {};
    return bytes;
}

/// SVG at one user unit per widget pixel; fonts resolve at the widget's DPI so text keeps its
/// on-screen size relative to the layout.
QByteArray svgBytes(QWidget* widget, const QString& title) {
    QByteArray bytes;
    QBuffer buffer(&bytes);
    buffer.open(QIODevice::WriteOnly);
    QSvgGenerator svg;
    svg.setOutputDevice(&buffer);
    svg.setResolution(widget->logicalDpiX());
    svg.setSize(widget->size());
    svg.setViewBox(QRect(QPoint(0, 0), widget->size()));
    svg.setTitle(title);
    svg.setDescription(QObject::tr("Exported by KVScope"));
    {
        QPainter painter(&svg);
        painter.setRenderHint(QPainter::Antialiasing);
        widget->render(&painter);
    }
    return bytes;
}

/// One page exactly the widget's size: device units are widget pixels (resolution = the widget's
/// DPI), the page is that many pixels converted to points, no margins.
QByteArray pdfBytes(QWidget* widget, const QString& title) {
    QByteArray bytes;
    QBuffer buffer(&bytes);
    buffer.open(QIODevice::WriteOnly);
    const int dpi = widget->logicalDpiX();
    QPdfWriter pdf(&buffer);
    pdf.setResolution(dpi);
    pdf.setTitle(title);
    pdf.setCreator(QStringLiteral("KVScope"));
    const QSizeF points(widget->width() * 72.0 / dpi, widget->height() * 72.0 / dpi);
    pdf.setPageSize(QPageSize(points, QPageSize::Point, QString(), QPageSize::ExactMatch));
    pdf.setPageMargins(QMarginsF(0, 0, 0, 0));
    {
        QPainter painter(&pdf);
        painter.setRenderHint(QPainter::Antialiasing);
        widget->render(&painter);
    }
    return bytes;
}

}  // namespace

std::optional<ExportFormat> parseExportFormat(const QString& text) {
    const QString lower = text.toLower();
    if (lower == QLatin1String("png")) return ExportFormat::Png;
    if (lower == QLatin1String("svg")) return ExportFormat::Svg;
    if (lower == QLatin1String("pdf")) return ExportFormat::Pdf;
    if (lower == QLatin1String("csv")) return ExportFormat::Csv;
    if (lower == QLatin1String("json")) return ExportFormat::Json;
    return std::nullopt;
}

QString exportSuffix(ExportFormat format) {
    switch (format) {
        case ExportFormat::Png:
            return QStringLiteral("png");
        case ExportFormat::Svg:
            return QStringLiteral("svg");
        case ExportFormat::Pdf:
            return QStringLiteral("pdf");
        case ExportFormat::Csv:
            return QStringLiteral("csv");
        case ExportFormat::Json:
            return QStringLiteral("json");
    }
    return {};
}

QImage renderWidgetImage(QWidget* widget, int scale) {
    if (!widget || widget->width() <= 0 || widget->height() <= 0 || scale < 1) return {};
    QImage image(widget->size() * scale, QImage::Format_ARGB32_Premultiplied);
    image.setDevicePixelRatio(scale);  // the widget paints in its own pixels, Qt scales up
    image.fill(widget->palette().color(QPalette::Window));
    {
        QPainter painter(&image);
        painter.setRenderHint(QPainter::Antialiasing);
        widget->render(&painter);
    }
    return image;
}

std::optional<QByteArray> exportBytes(const ExportTarget& target, ExportFormat format, int scale,
                                      QString* error) {
    auto fail = [error](const QString& message) -> std::optional<QByteArray> {
        if (error) *error = message;
        return std::nullopt;
    };
    if (format == ExportFormat::Csv) {
        if (!target.csv) return fail(QObject::tr("%1 has no data to export").arg(target.title));
        return target.csv().toUtf8();
    }
    if (format == ExportFormat::Json) {
        if (!target.json) return fail(QObject::tr("%1 has no JSON export").arg(target.title));
        const QString text = target.json();
        if (text.isEmpty())
            return fail(QObject::tr("%1: nothing to export yet (run it first)").arg(target.title));
        return text.toUtf8();
    }
    if (const QString why = whyNotDrawable(target); !why.isEmpty()) return fail(why);
    switch (format) {
        case ExportFormat::Png: {
            if (scale < 1 || scale > kMaxExportScale)
                return fail(QObject::tr("PNG scale must be 1 to %1, got %2")
                                .arg(kMaxExportScale)
                                .arg(scale));
            QByteArray bytes = pngBytes(target.widget, scale);
            if (bytes.isEmpty())
                return fail(QObject::tr("%1: PNG encoding failed").arg(target.title));
            return bytes;
        }
        case ExportFormat::Svg:
            return svgBytes(target.widget, target.title);
        case ExportFormat::Pdf:
            return pdfBytes(target.widget, target.title);
        case ExportFormat::Csv:
        case ExportFormat::Json:
            break;
    }
    return fail(QObject::tr("unknown export format"));
}

QString exportToFile(const ExportTarget& target, ExportFormat format, const QString& path,
                     int scale) {
    if (path.isEmpty()) return QObject::tr("export: no file name given");
    try {
        QString error;
        const std::optional<QByteArray> bytes = exportBytes(target, format, scale, &error);
        if (!bytes) return QObject::tr("export to '%1' failed: %2").arg(path, error);
        writeFileAtomically(path.toStdString(),
                            std::string_view(bytes->constData(), std::size_t(bytes->size())));
    } catch (const std::exception& e) {  // the OS refused (InputError) or the data failed
        return QObject::tr("export to '%1' failed: %2").arg(path, QString::fromStdString(e.what()));
    }
    return {};
}

QString copyImageToClipboard(const ExportTarget& target, int scale) {
    if (const QString why = whyNotDrawable(target); !why.isEmpty()) return why;
    QImage image = renderWidgetImage(target.widget, scale);
    image.setDevicePixelRatio(1.0);
    QGuiApplication::clipboard()->setImage(image);
    return {};
}

}  // namespace kvscope
