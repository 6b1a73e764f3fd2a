#pragma once
// Puts exports where users find them: installExport() gives a chart or the heatmap a right-click
// menu (Export PNG at 1x-4x, SVG, PDF, CSV, Copy image) and registers it so that File > Export
// (fillExportMenu) and kvscope-cli export (findExportTarget) can find it. Hooking a new chart is
// one line: installExport({"paging-blocks", tr("Paging blocks"), chart, [=] { return csv; }}).
#include <QList>
#include <QString>

#include "ui/export/view_export.h"

class QMenu;
class QWidget;

namespace kvscope {

/// Registers `target` on target.widget (which must be set) and gives it the context menu.
void installExport(const ExportTarget& target);

/// The targets registered on `root` and its descendants, in creation order; with `visible_only`
/// only those whose widget is visible now.
QList<ExportTarget> exportTargetsUnder(const QWidget* root, bool visible_only);
/// The target named `name` under `root`, or one with no widget when there is none.
ExportTarget findExportTarget(const QWidget* root, const QString& name);

/// A menu with the export actions for `target` (what the right-click shows), owned by `parent`.
QMenu* exportMenuFor(const ExportTarget& target, QWidget* parent);
/// Refills `menu` with one submenu per visible target under `root` (File > Export), or a disabled
/// "Nothing to export" entry.
void fillExportMenu(QMenu* menu, const QWidget* root);

/// Asks for a file name (suggesting NAME.SUFFIX), exports, and reports failure in a message box
/// and success in the window's status bar.
void exportWithDialog(const ExportTarget& target, ExportFormat format, int scale = 1);

}  // namespace kvscope
