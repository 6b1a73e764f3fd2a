// Context menus and File > Export for registered ExportTargets (see export_menu.h).
#include "ui/export/export_menu.h"

#include <QDir>
#include <QFileDialog>
#include <QMainWindow>
#include <QMenu>
#include <QMessageBox>
#include <QStatusBar>
#include <QWidget>
#include <algorithm>

namespace kvscope {

namespace {

/// Holds a target as a child of its widget: found by findChildren(), deleted with the widget.
class ExportHook : public QObject {
    Q_OBJECT
public:
    ExportHook(ExportTarget target, QWidget* widget)
        : QObject(widget), m_target(std::move(target)), m_order(s_next_order++) {
        setObjectName(QStringLiteral("kvscope_export_hook"));
    }
    const ExportTarget& target() const { return m_target; }
    /// Registration order: menus list targets in the order the views installed them.
    quint64 order() const { return m_order; }

private:
    ExportTarget m_target;
    quint64 m_order;
    static inline quint64 s_next_order = 0;
};

void showStatus(QWidget* widget, const QString& message) {
    if (auto* window = qobject_cast<QMainWindow*>(widget ? widget->window() : nullptr))
        window->statusBar()->showMessage(message, 8000);
}

void report(const ExportTarget& target, const QString& error, const QString& done) {
    if (!error.isEmpty()) {
        // The message quotes a path the user chose and the OS's reason: shown as plain text.
        QMessageBox box(QMessageBox::Warning, QObject::tr("Export failed"), error, QMessageBox::Ok,
                        target.widget ? target.widget->window() : nullptr);
        box.setTextFormat(Qt::PlainText);
        box.exec();
    } else {
        showStatus(target.widget, done);
    }
}

void addExportActions(QMenu* menu, const ExportTarget& target) {
    QMenu* png = menu->addMenu(QObject::tr("Export PNG"));
    const QSize size = target.widget ? target.widget->size() : QSize();
    for (int scale = 1; scale <= kMaxExportScale; ++scale) {
        png->addAction(QObject::tr("%1x (%2 \u00d7 %3 pixels)\u2026")
                           .arg(scale)
                           .arg(size.width() * scale)
                           .arg(size.height() * scale),
                       [target, scale] { exportWithDialog(target, ExportFormat::Png, scale); });
    }
    menu->addAction(QObject::tr("Export SVG\u2026"),
                    [target] { exportWithDialog(target, ExportFormat::Svg); });
    menu->addAction(QObject::tr("Export PDF\u2026"),
                    [target] { exportWithDialog(target, ExportFormat::Pdf); });
    QAction* csv = menu->addAction(QObject::tr("Export data as CSV\u2026"),
                                   [target] { exportWithDialog(target, ExportFormat::Csv); });
    csv->setEnabled(bool(target.csv));
    if (target.json)
        menu->addAction(QObject::tr("Export result as JSON\u2026"),
                        [target] { exportWithDialog(target, ExportFormat::Json); });
    menu->addSeparator();
    menu->addAction(QObject::tr("Copy image"), [target] {
        report(target, copyImageToClipboard(target),
               QObject::tr("Copied %1 to the clipboard").arg(target.title));
    });
}

}  // namespace

void installExport(const ExportTarget& target) {
    QWidget* widget = target.widget;
    Q_ASSERT(widget);
    if (!widget) return;
    new ExportHook(target, widget);
    widget->setContextMenuPolicy(Qt::CustomContextMenu);
    QObject::connect(widget, &QWidget::customContextMenuRequested, widget,
                     [target, widget](const QPoint& pos) {
                         QMenu* menu = exportMenuFor(target, widget);
                         menu->setAttribute(Qt::WA_DeleteOnClose);
                         menu->popup(widget->mapToGlobal(pos));
                     });
}

QList<ExportTarget> exportTargetsUnder(const QWidget* root, bool visible_only) {
    QList<ExportTarget> targets;
    if (!root) return targets;
    QList<ExportHook*> hooks = root->findChildren<ExportHook*>(
        QStringLiteral("kvscope_export_hook"), Qt::FindChildrenRecursively);
    std::sort(hooks.begin(), hooks.end(),
              [](const ExportHook* a, const ExportHook* b) { return a->order() < b->order(); });
    for (const ExportHook* hook : hooks) {
        const ExportTarget& target = hook->target();
        if (!target.widget) continue;
        if (visible_only && !target.widget->isVisibleTo(root->window())) continue;
        targets << target;
    }
    return targets;
}

ExportTarget findExportTarget(const QWidget* root, const QString& name) {
    for (const ExportTarget& target : exportTargetsUnder(root, false))
        if (target.name == name) return target;
    return {};
}

QMenu* exportMenuFor(const ExportTarget& target, QWidget* parent) {
    auto* menu = new QMenu(target.title, parent);
    addExportActions(menu, target);
    return menu;
}

void fillExportMenu(QMenu* menu, const QWidget* root) {
    menu->clear();
    const QList<ExportTarget> targets = exportTargetsUnder(root, true);
    for (const ExportTarget& target : targets)
        addExportActions(menu->addMenu(target.title), target);
    if (targets.isEmpty())
        menu->addAction(QObject::tr("Nothing to export here"))->setEnabled(false);
}

void exportWithDialog(const ExportTarget& target, ExportFormat format, int scale) {
    const QString suffix = exportSuffix(format);
    const QString suggested = QDir::home().filePath(
        scale > 1 ? QStringLiteral("%1@%2x.%3").arg(target.name).arg(scale).arg(suffix)
                  : QStringLiteral("%1.%2").arg(target.name, suffix));
    const QString path = QFileDialog::getSaveFileName(
        target.widget ? target.widget->window() : nullptr,
        QObject::tr("Export %1 as %2").arg(target.title, suffix.toUpper()), suggested,
        QObject::tr("%1 files (*.%2)").arg(suffix.toUpper(), suffix));
    if (path.isEmpty()) return;
    report(target, exportToFile(target, format, path, scale),
           QObject::tr("Exported %1 to %2").arg(target.title, path));
}

}  // namespace kvscope

#include "export_menu.moc"
