#include "ui/window/main_window.h"

#include <QAction>
#include <QCloseEvent>
#include <QDockWidget>
#include <QMenu>
#include <QMimeData>
#include <QPlainTextEdit>
#include <QStatusBar>
#include <QToolBar>

#include "core/trace/scenario_file.h"
#include "ui/engine/session_runner.h"
#include "ui/engine/trace_model.h"
#include "ui/evict/evict_view.h"
#include "ui/generate/generate_view.h"
#include "ui/generate/heatmap_widget.h"
#include "ui/memory/memory_view.h"
#include "ui/quant/quant_view.h"
#include "ui/window/left_docks.h"
#include "ui/window/lesson_dock.h"
#include "ui/window/presenter_controls.h"
#include "ui/window/recent_files.h"
#include "ui/window/scenario_panel.h"
#include "ui/window/status_facts.h"
#include "ui/window/transport.h"
#include "ui/window/view_tabs.h"

namespace kvscope {

MainWindow::MainWindow(QWidget* parent) : QMainWindow(parent) {
    setObjectName(QStringLiteral("KVScopeMainWindow"));
    setAcceptDrops(true);
    m_trace = new TraceModel(this);
    m_runner = new SessionRunner(m_trace, this);
    m_scenario = new ScenarioPanel;
    m_views = new ViewTabs(m_trace);
    setCentralWidget(m_views);
    m_transport = new Transport(m_trace, m_runner, this);
    m_presenter = new PresenterControls(this);

    buildMenus();
    buildToolBars();
    buildDocks();
    buildLessons();
    m_status = new StatusFacts(m_trace, statusBar());
    connectEngine();
    m_views->installExports();
    resize(1280, 800);  // until restoreSettings() finds a remembered geometry
    restoreSettings();
    loadModel(m_scenario->modelReference());
}

MainWindow::~MainWindow() {
    // Children are destroyed after this destructor: stop them calling back into members that
    // are gone by then (the lesson dock reports its visibility while it is being hidden).
    if (m_lesson_dock) disconnect(m_lesson_dock, nullptr, this, nullptr);
}

LessonPlayer* MainWindow::lessonPlayer() const {
    return m_lesson_dock->player();
}

void MainWindow::buildToolBars() {
    for (QToolBar* bar : {m_transport->transportBar(), m_transport->timelineBar()}) {
        addToolBar(bar);
        m_view_menu->addAction(bar->toggleViewAction());
    }
}

void MainWindow::buildDocks() {
    m_left_docks = new LeftDocks(this, m_trace, m_scenario);
    for (QDockWidget* widget : m_left_docks->docks())
        m_view_menu->addAction(widget->toggleViewAction());
    connect(m_views, &QTabWidget::currentChanged, this, &MainWindow::updateDocks);
}

void MainWindow::updateDocks() {
    // The left docks drive the Generate view; the other views have their own inputs and need
    // the width, so the docks step aside while another tab is up, or a lesson drives the window.
    const bool generate = m_views->currentWidget() == m_views->generate();
    const bool lesson = m_lesson_dock && !m_lesson_dock->isHidden();
    m_left_docks->setShown(generate && !lesson);
}

void MainWindow::connectEngine() {
    connect(m_trace, &TraceModel::modelChanged, this, [this] {
        m_scenario->showModel(m_trace->reference());
        // The calculator follows the model on screen (until the user picks a preset there).
        if (m_trace->config().n_layers > 0)
            m_views->memory()->setModelConfig(m_trace->config(), m_trace->reference());
        // The comparison's model.
        m_views->quant()->setModel(m_trace->config(), m_trace->reference());
        m_views->evict()->setModel(m_trace->config(), m_trace->reference());
        // A budget in bytes buys a model's own number of tokens: a session opened before the
        // model was known is opened again with them.
        m_scenario->setModel(m_trace->config(), m_trace->maxContext());
        m_scenario->setActivationsApply(m_trace->trace().model_info.activation_scheme_applies);
        if (!m_runner->isReplay() && m_scenario->evictionBudgetBytes() > 0 &&
            m_scenario->sessionOptions().mode == CacheMode::Cached &&
            m_scenario->settingsError().isEmpty() &&
            m_scenario->sessionOptions().eviction != m_trace->trace().scenario.eviction)
            m_runner->configure(m_scenario->sessionOptions());
        setWindowTitle(tr("KVScope \u2014 %1").arg(m_trace->reference()));
    });
    connect(m_runner, &SessionRunner::failed, this, &MainWindow::showError);
    connect(m_runner, &SessionRunner::succeeded, this, &MainWindow::clearError);
    connect(m_runner, &SessionRunner::loaded, this, [this](const QString& reference) {
        if (!reference.startsWith(QStringLiteral("builtin:"))) m_recent->remember(reference);
    });
    // Prefill and Run to end take the scenario's prompt and length; the rest is the transport's.
    connect(m_transport->prefillAction(), &QAction::triggered, this, &MainWindow::prefill);
    connect(m_transport->runToEndAction(), &QAction::triggered, this, &MainWindow::runToEnd);

    QuantView* quant = m_views->quant();
    EvictView* evict = m_views->evict();
    connect(m_scenario->promptEdit(), &QPlainTextEdit::textChanged, this, [this, quant, evict] {
        quant->setPrompt(m_scenario->prompt());
        evict->setPrompt(m_scenario->prompt());
    });
    quant->setPrompt(m_scenario->prompt());
    evict->setPrompt(m_scenario->prompt());
    connect(m_scenario, &ScenarioPanel::modelChosen, this, &MainWindow::loadModel);
    connect(m_scenario, &ScenarioPanel::openFileRequested, this, &MainWindow::openFileDialog);
    connect(m_scenario, &ScenarioPanel::settingsChanged, this, [this] {
        if (const QString error = m_scenario->settingsError(); !error.isEmpty()) {
            showError(tr("Bounded cache not applied: %1").arg(error));
            return;
        }
        m_runner->configure(m_scenario->sessionOptions());
    });
    m_runner->setThreads(m_scenario->threads());
    connect(m_scenario, &ScenarioPanel::threadsChanged, this, [this](int n) {
        m_runner->setThreads(n);
        m_runner->configure(m_scenario->sessionOptions());
    });
    connect(m_scenario, &ScenarioPanel::measureOtherModeChanged, m_runner,
            &SessionRunner::setMeasureOtherMode);
    connect(m_recent, &RecentFiles::changed, m_scenario, &ScenarioPanel::setRecentFiles);
    connect(m_recent, &RecentFiles::chosen, this, &MainWindow::loadModel);
}

void MainWindow::loadModel(const QString& reference) {
    if (reference.trimmed().isEmpty()) {
        showError(tr("No model given: pick a built-in model or open a file"));
        return;
    }
    if (isScenarioFileName(reference.toStdString())) {
        openScenarioFile(reference);
        return;
    }
    if (reference.endsWith(QStringLiteral(".json"), Qt::CaseInsensitive)) {
        openTraceFile(reference);
        return;
    }
    if (const QString error = m_scenario->settingsError(); !error.isEmpty()) {
        showError(tr("Bounded cache: %1").arg(error));
        return;
    }
    m_runner->load(reference, m_scenario->sessionOptions());
}

void MainWindow::setPrompt(const QString& text) {
    m_scenario->setPrompt(text);
}

void MainWindow::prefill() {
    if (!m_runner->hasModel()) {
        showError(tr("No model is loaded: pick one in the Scenario panel"));
        return;
    }
    if (m_scenario->prompt().trimmed().isEmpty()) {
        showError(tr("The prompt is empty: type a few words in the Scenario panel, then Prefill"));
        return;
    }
    m_runner->prefill(m_scenario->prompt());
    m_views->generate()->heatmap()->setFocus();
}

void MainWindow::step() {
    m_runner->step();
}

void MainWindow::stepBack() {
    m_runner->stepBack();
}

void MainWindow::runToEnd() {
    m_runner->runToEnd(m_scenario->maxNewTokens());
}

void MainWindow::reset() {
    m_runner->reset();
}

bool MainWindow::waitUntilIdle(int timeout_ms) {
    return m_runner->waitUntilIdle(timeout_ms);
}

QString MainWindow::lastError() const {
    return m_status->lastError();
}

void MainWindow::showError(const QString& message) {
    m_status->showError(message);
}

void MainWindow::clearError() {
    m_status->clearError();
}

void MainWindow::closeEvent(QCloseEvent* event) {
    m_runner->cancel();
    saveSettings();
    event->accept();
}

void MainWindow::dragEnterEvent(QDragEnterEvent* event) {
    const QList<QUrl> urls = event->mimeData()->urls();
    if (urls.size() == 1 && urls.front().isLocalFile()) event->acceptProposedAction();
}

void MainWindow::dropEvent(QDropEvent* event) {
    if (openDropped(*event->mimeData())) event->acceptProposedAction();
}

bool MainWindow::openDropped(const QMimeData& data) {
    const QList<QUrl> urls = data.urls();
    if (urls.size() != 1 || !urls.front().isLocalFile()) {
        showError(
            tr("Drop one model file (GGUF or llama2.c) or scenario (.kvscope.json) on "
               "the window"));
        return false;
    }
    loadModel(urls.front().toLocalFile());
    return true;
}

}  // namespace kvscope
