// MainWindow's actions, menus and toolbars: transport (Prefill, Step back, Step, Play/Pause,
// Run to end, Stop, Reset), the timeline and speed sliders, files and presenter mode.
#include <QAction>
#include <QApplication>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QLabel>
#include <QMenu>
#include <QMenuBar>
#include <QSlider>
#include <QStyle>
#include <QToolBar>

#include "ui/engine/session_runner.h"
#include "ui/engine/trace_model.h"
#include "ui/export/export_menu.h"
#include "ui/generate/generate_view.h"
#include "ui/generate/heatmap_widget.h"
#include "ui/window/about_dialog.h"
#include "ui/window/main_window.h"
#include "ui/window/scenario_panel.h"

namespace kvscope {
namespace {

constexpr int kMaxRecentFiles = 8;

/// "Step: feed the next token (Right)": the shortcut is named in every tooltip.
QAction* makeAction(QObject* parent, QStyle::StandardPixmap icon, const QString& text,
                    const QKeySequence& shortcut, const QString& what) {
    auto* action = new QAction(QApplication::style()->standardIcon(icon), text, parent);
    action->setShortcut(shortcut);
    action->setToolTip(
        QStringLiteral("%1 (%2)").arg(what, shortcut.toString(QKeySequence::NativeText)));
    return action;
}

}  // namespace

void MainWindow::buildActions() {
    m_open = makeAction(this, QStyle::SP_DialogOpenButton, tr("&Open model or scenario\u2026"),
                        QKeySequence::Open,
                        tr("Open a GGUF or llama2.c model file, or a .kvscope.json scenario"));
    connect(m_open, &QAction::triggered, this, &MainWindow::openFileDialog);

    m_prefill = makeAction(this, QStyle::SP_MediaPlay, tr("Prefill"),
                           QKeySequence(Qt::CTRL | Qt::Key_Return),
                           tr("Prefill: run the whole prompt through the model in one pass"));
    connect(m_prefill, &QAction::triggered, this, &MainWindow::prefill);
    m_step_back =
        makeAction(this, QStyle::SP_MediaSeekBackward, tr("Back"), QKeySequence(Qt::Key_Left),
                   tr("Step back: undo the last step in the KV cache (or replay one "
                      "step earlier)"));
    connect(m_step_back, &QAction::triggered, this, &MainWindow::stepBack);
    m_step = makeAction(this, QStyle::SP_MediaSeekForward, tr("Step"), QKeySequence(Qt::Key_Right),
                        tr("Step: feed the sampled token and sample the next one"));
    connect(m_step, &QAction::triggered, this, &MainWindow::step);
    m_play = makeAction(this, QStyle::SP_MediaPlay, tr("Play"), QKeySequence(Qt::Key_Space),
                        tr("Play / Pause: step on a timer at the speed on the right"));
    m_play->setCheckable(true);
    connect(m_play, &QAction::toggled, m_runner, &SessionRunner::setPlaying);
    m_run_to_end =
        makeAction(this, QStyle::SP_MediaSkipForward, tr("Run to end"), QKeySequence(Qt::Key_End),
                   tr("Run to end: decode every remaining step"));
    connect(m_run_to_end, &QAction::triggered, this, &MainWindow::runToEnd);
    m_stop = makeAction(this, QStyle::SP_MediaStop, tr("Stop"), QKeySequence(Qt::Key_Escape),
                        tr("Stop: pause Play and stop Run to end after its current step"));
    connect(m_stop, &QAction::triggered, m_runner, &SessionRunner::cancel);
    m_reset =
        makeAction(this, QStyle::SP_MediaSkipBackward, tr("Reset"), QKeySequence(Qt::Key_Home),
                   tr("Reset: empty the KV cache and start over"));
    connect(m_reset, &QAction::triggered, this, &MainWindow::reset);

    m_larger = new QAction(tr("Presenter: &larger"), this);
    m_larger->setShortcuts({QKeySequence(Qt::CTRL | Qt::Key_Equal), QKeySequence::ZoomIn});
    connect(m_larger, &QAction::triggered, this,
            [this] { setPresenterLevel(m_theme.presenter_level + 1); });
    m_smaller = new QAction(tr("Presenter: &smaller"), this);
    m_smaller->setShortcuts({QKeySequence(Qt::CTRL | Qt::Key_Minus), QKeySequence::ZoomOut});
    connect(m_smaller, &QAction::triggered, this,
            [this] { setPresenterLevel(m_theme.presenter_level - 1); });
    m_full_screen = new QAction(tr("&Full screen"), this);
    m_full_screen->setShortcut(QKeySequence(Qt::Key_F11));
    m_full_screen->setCheckable(true);
    connect(m_full_screen, &QAction::toggled, this,
            [this](bool on) { on ? showFullScreen() : showNormal(); });
    m_dark = new QAction(tr("&Dark palette"), this);
    m_dark->setCheckable(true);
    connect(m_dark, &QAction::toggled, this, &MainWindow::setDark);
    m_frame_overlay = new QAction(tr("Show heatmap &frame time"), this);
    m_frame_overlay->setCheckable(true);
    connect(m_frame_overlay, &QAction::toggled, m_generate->heatmap(),
            &HeatmapWidget::setFrameTimeOverlay);
    for (QAction* action : {m_larger, m_smaller, m_full_screen}) {
        action->setToolTip(QStringLiteral("%1 (%2)").arg(
            action->text().remove('&'), action->shortcut().toString(QKeySequence::NativeText)));
    }
}

void MainWindow::buildMenus() {
    QMenu* file = menuBar()->addMenu(tr("&File"));
    file->addAction(m_open);
    m_recent_menu = file->addMenu(tr("Open &recent"));
    m_save_scenario =
        file->addAction(tr("&Save scenario\u2026"), this, &MainWindow::saveScenarioDialog);
    m_save_scenario->setShortcut(QKeySequence::Save);
    m_export_menu = file->addMenu(tr("&Export"));
    connect(m_export_menu, &QMenu::aboutToShow, this,
            [this] { fillExportMenu(m_export_menu, m_tabs->currentWidget()); });
    fillExportMenu(m_export_menu, m_tabs->currentWidget());
    file->addSeparator();
    QAction* quit = file->addAction(tr("&Quit"), this, &QWidget::close);
    quit->setShortcut(QKeySequence::Quit);

    QMenu* run = menuBar()->addMenu(tr("&Run"));
    for (QAction* action : {m_prefill, m_step_back, m_step, m_play, m_run_to_end, m_stop, m_reset})
        run->addAction(action);

    m_view_menu = menuBar()->addMenu(tr("&View"));
    for (QAction* action : {m_larger, m_smaller, m_full_screen, m_dark, m_frame_overlay})
        m_view_menu->addAction(action);
    m_view_menu->addSeparator();

    m_lessons_menu = menuBar()->addMenu(tr("&Lessons"));  // filled by buildLessons()
    QMenu* help = menuBar()->addMenu(tr("&Help"));
    help->addAction(tr("&About KVScope"), this, [this] { showAboutDialog(this); });
    help->addAction(tr("About &Qt"), qApp, &QApplication::aboutQt);
    rebuildRecentMenu();
}

void MainWindow::buildToolBars() {
    QToolBar* transport = addToolBar(tr("Transport"));
    transport->setObjectName(QStringLiteral("transport_toolbar"));
    transport->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    for (QAction* action : {m_prefill, m_step_back, m_step, m_play, m_run_to_end, m_stop, m_reset})
        transport->addAction(action);

    m_speed = new QSlider(Qt::Horizontal);
    m_speed->setRange(1, 40);  // quarter-steps per second: 0.25 .. 10 steps/s
    m_speed->setValue(16);
    m_speed->setFixedWidth(120);
    m_speed->setToolTip(tr("Play speed"));
    m_speed_label = new QLabel;
    auto apply_speed = [this](int value) {
        m_runner->setSpeed(value / 4.0);
        m_speed_label->setText(tr("%1 steps/s").arg(m_runner->speed(), 0, 'g', 3));
    };
    connect(m_speed, &QSlider::valueChanged, this, apply_speed);
    apply_speed(m_speed->value());
    transport->addSeparator();
    transport->addWidget(new QLabel(tr(" Speed ")));
    transport->addWidget(m_speed);
    transport->addWidget(m_speed_label);

    QToolBar* timeline = addToolBar(tr("Timeline"));
    timeline->setObjectName(QStringLiteral("timeline_toolbar"));
    m_timeline = new QSlider(Qt::Horizontal);
    m_timeline->setMinimumWidth(240);
    m_timeline->setPageStep(8);
    connect(m_timeline, &QSlider::valueChanged, m_trace, &TraceModel::setCursor);
    timeline->addWidget(new QLabel(tr(" Timeline ")));
    timeline->addWidget(m_timeline);
    for (QToolBar* bar : {transport, timeline})
        m_view_menu->addAction(bar->toggleViewAction());
}

void MainWindow::refreshActions() {
    const bool busy = m_runner->isBusy();
    const bool model = m_runner->hasModel();
    const bool playing = m_runner->isPlaying();
    m_prefill->setEnabled(model && !busy);
    m_step->setEnabled(model && !busy && m_runner->canStep());
    m_step_back->setEnabled(model && !busy && m_runner->canStepBack());
    m_run_to_end->setEnabled(model && !busy && m_runner->canStep());
    m_play->setEnabled(model && (playing || m_runner->canStep()));
    m_stop->setEnabled(busy || playing);
    m_reset->setEnabled(model && !busy && m_trace->recordCount() > 0);
    m_timeline->setEnabled(m_trace->recordCount() > 1);
    {
        const QSignalBlocker block(m_play);
        m_play->setChecked(playing);
    }
    m_play->setText(playing ? tr("Pause") : tr("Play"));
    m_play->setIcon(style()->standardIcon(playing ? QStyle::SP_MediaPause : QStyle::SP_MediaPlay));
}

void MainWindow::openFileDialog() {
    const QString path = QFileDialog::getOpenFileName(
        this, tr("Open a model, scenario or trace"), QString(),
        tr("Models, scenarios and traces (*.gguf *.bin *.json);;GGUF (*.gguf);;llama2.c "
           "checkpoints (*.bin);;KVScope scenarios (*.kvscope.json);;Traces (*.json);;All files "
           "(*)"));
    if (!path.isEmpty()) loadModel(path);
}

void MainWindow::rememberFile(const QString& path) {
    m_recent.removeAll(path);
    m_recent.prepend(path);
    while (m_recent.size() > kMaxRecentFiles)
        m_recent.removeLast();
    m_scenario->setRecentFiles(m_recent);
    rebuildRecentMenu();
}

void MainWindow::rebuildRecentMenu() {
    m_recent_menu->clear();
    for (const QString& file : m_recent)
        m_recent_menu->addAction(file, this, [this, file] { loadModel(file); });
    m_recent_menu->setEnabled(!m_recent.isEmpty());
}

void MainWindow::setPresenterLevel(int level) {
    m_theme.presenter_level = std::clamp(level, -2, 6);
    applyTheme(*qApp, m_theme);
}

void MainWindow::setDark(bool dark) {
    m_theme.dark = dark;
    applyTheme(*qApp, m_theme);
}

}  // namespace kvscope
