#pragma once
// Exporting a chart or the heatmap: PNG at 1x-4x (the widget rendered into an image of size *
// scale, not an enlarged grab), SVG and one-page PDF (vector, through QWidget::render), the image
// on the clipboard, the numbers the chart plots as CSV, and (where a view has one) its result as
// JSON. Every file is rendered into memory
// first and written with writeFileAtomically(): a failed export leaves no file and says why.
//
// ExportTarget is what every exportable thing is, or is adapted to (ui/export_targets.h builds
// them; ui/export_menu.h puts them on a right-click menu and under File > Export).
#include <QByteArray>
#include <QImage>
#include <QPointer>
#include <QString>
#include <QWidget>
#include <functional>
#include <optional>

namespace kvscope {

struct ExportTarget {
    QString name;              // "heatmap", "cache-growth": file name stem and kvscope-cli --what
    QString title;             // "Attention heatmap": menus, SVG/PDF document title
    QPointer<QWidget> widget;  // what is rendered, at its current size
    /// The numbers the chart plots as CSV: a header row naming columns (and units), then rows.
    std::function<QString()> csv;
    /// The view's result as JSON (the Eviction view: evict-eval --json's object); empty where the
    /// target has none, or the function returns "" while there is no result yet.
    std::function<QString()> json = {};
};

enum class ExportFormat { Png, Svg, Pdf, Csv, Json };

/// "png" / "svg" / "pdf" / "csv" / "json" (any case); nullopt otherwise.
std::optional<ExportFormat> parseExportFormat(const QString& text);
/// "png", ... (the file suffix).
QString exportSuffix(ExportFormat format);

inline constexpr int kMaxExportScale = 4;

/// The widget drawn into a (size * scale)-pixel image at device pixel ratio `scale`, over the
/// window colour. Null image when the widget is missing or has no size.
QImage renderWidgetImage(QWidget* widget, int scale);

/// The file content of `target` in `format`: PNG/SVG/PDF bytes, or the CSV or JSON text in UTF-8.
/// On failure returns nullopt and sets `error` (no widget, no size, scale out of 1..4, no CSV or
/// JSON, no result yet).
std::optional<QByteArray> exportBytes(const ExportTarget& target, ExportFormat format, int scale,
                                      QString* error);

/// Writes `target` to `path` atomically. Returns "" on success, else a message naming the path
/// and the reason; on failure `path` is left as it was (absent or the old file).
QString exportToFile(const ExportTarget& target, ExportFormat format, const QString& path,
                     int scale = 1);

/// Puts the target's image (at `scale`) on the clipboard. Returns "" or why not.
QString copyImageToClipboard(const ExportTarget& target, int scale = 2);

}  // namespace kvscope
