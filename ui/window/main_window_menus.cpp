// MainWindow's menu bar: File (open, recent files, save scenario, export, quit), Run (the
// transport), View (presenter mode, the heatmap's frame time, then the toolbars and docks),
// Lessons (filled by the lesson dock) and Help.
#include <QAction>
#include <QApplication>
#include <QFileDialog>
#include <QMenu>
#include <QMenuBar>
#include <QStyle>

#include "ui/export/export_menu.h"
#include "ui/generate/generate_view.h"
#include "ui/generate/heatmap_widget.h"
#include "ui/window/about_dialog.h"
#include "ui/window/main_window.h"
#include "ui/window/presenter_controls.h"
#include "ui/window/recent_files.h"
#include "ui/window/transport.h"
#include "ui/window/view_tabs.h"

namespace kvscope {

void MainWindow::buildMenus() {
    auto* open = new QAction(QApplication::style()->standardIcon(QStyle::SP_DialogOpenButton),
                             tr("&Open model or scenario\u2026"), this);
    open->setShortcut(QKeySequence::Open);
    open->setToolTip(QStringLiteral("%1 (%2)").arg(
        tr("Open a GGUF or llama2.c model file, or a .kvscope.json scenario"),
        open->shortcut().toString(QKeySequence::NativeText)));
    connect(open, &QAction::triggered, this, &MainWindow::openFileDialog);

    QMenu* file = menuBar()->addMenu(tr("&File"));
    file->addAction(open);
    m_recent = new RecentFiles(file->addMenu(tr("Open &recent")), this);
    QAction* save =
        file->addAction(tr("&Save scenario\u2026"), this, &MainWindow::saveScenarioDialog);
    save->setShortcut(QKeySequence::Save);
    m_export_menu = file->addMenu(tr("&Export"));
    connect(m_export_menu, &QMenu::aboutToShow, this,
            [this] { fillExportMenu(m_export_menu, m_views->currentWidget()); });
    fillExportMenu(m_export_menu, m_views->currentWidget());
    file->addSeparator();
    QAction* quit = file->addAction(tr("&Quit"), this, &QWidget::close);
    quit->setShortcut(QKeySequence::Quit);

    QMenu* run = menuBar()->addMenu(tr("&Run"));
    run->addActions(m_transport->actions());

    m_view_menu = menuBar()->addMenu(tr("&View"));
    m_view_menu->addActions(m_presenter->actions());
    QAction* frame_time = m_view_menu->addAction(tr("Show heatmap &frame time"));
    frame_time->setCheckable(true);
    connect(frame_time, &QAction::toggled, m_views->generate()->heatmap(),
            &HeatmapWidget::setFrameTimeOverlay);
    m_view_menu->addSeparator();  // the toolbars and docks follow

    m_lessons_menu = menuBar()->addMenu(tr("&Lessons"));  // filled by buildLessons()
    QMenu* help = menuBar()->addMenu(tr("&Help"));
    help->addAction(tr("&About KVScope"), this, [this] { showAboutDialog(this); });
    help->addAction(tr("About &Qt"), qApp, &QApplication::aboutQt);
}

void MainWindow::openFileDialog() {
    const QString path = QFileDialog::getOpenFileName(
        this, tr("Open a model, scenario or trace"), QString(),
        tr("Models, scenarios and traces (*.gguf *.bin *.json);;GGUF (*.gguf);;llama2.c "
           "checkpoints (*.bin);;KVScope scenarios (*.kvscope.json);;Traces (*.json);;All files "
           "(*)"));
    if (!path.isEmpty()) loadModel(path);
}

}  // namespace kvscope
