#include "ui/window/main_window.h"

#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QDockWidget>
#include <QLabel>
#include <QMenu>
#include <QMimeData>
#include <QPlainTextEdit>
#include <QScrollArea>
#include <QSlider>
#include <QStatusBar>
#include <QTabWidget>
#include <QVBoxLayout>

#include "core/trace/scenario_file.h"
#include "ui/engine/session_runner.h"
#include "ui/engine/trace_model.h"
#include "ui/export/export_targets.h"
#include "ui/generate/generate_view.h"
#include "ui/generate/heatmap_widget.h"
#include "ui/generate/top_k_view.h"
#include "ui/memory/memory_view.h"
#include "ui/paging/paging_view.h"
#include "ui/quant/quant_view.h"
#include "ui/window/model_summary.h"
#include "ui/window/scenario_panel.h"
#include "ui/window/session_status.h"

namespace kvscope {
namespace {

QDockWidget* dock(const QString& title, const QString& name, QWidget* content) {
    auto* widget = new QDockWidget(title);
    widget->setObjectName(name);  // saveState() needs it
    widget->setWidget(content);
    widget->setFeatures(QDockWidget::DockWidgetMovable | QDockWidget::DockWidgetFloatable |
                        QDockWidget::DockWidgetClosable);
    return widget;
}

}  // namespace

MainWindow::MainWindow(QWidget* parent) : QMainWindow(parent) {
    setObjectName(QStringLiteral("KVScopeMainWindow"));
    setAcceptDrops(true);
    m_trace = new TraceModel(this);
    m_runner = new SessionRunner(m_trace, this);
    m_scenario = new ScenarioPanel;
    m_generate = new GenerateView(m_trace);

    m_tabs = new QTabWidget;
    m_tabs->setDocumentMode(true);
    m_memory = new MemoryView;
    m_tabs->addTab(m_generate, tr("Generate"));
    m_tabs->addTab(m_memory, tr("Memory"));
    m_generate->setObjectName(QStringLiteral("generate"));
    m_memory->setObjectName(QStringLiteral("memory"));
    m_quant = new QuantView;
    m_quant->setObjectName(QStringLiteral("quant"));
    m_tabs->insertTab(m_tabs->indexOf(m_memory) + 1, m_quant, tr("Quantization"));
    m_paging = new PagingView;
    m_paging->setObjectName(QStringLiteral("paging"));
    m_tabs->insertTab(m_tabs->indexOf(m_memory) + 1, m_paging, tr("Paging"));
    setCentralWidget(m_tabs);

    buildActions();
    buildMenus();
    buildToolBars();
    buildDocks();
    buildLessons();
    buildStatusBar();
    connectEngine();
    installGenerateExports(*m_generate, *m_trace);
    installMemoryExports(*m_memory);
    installPagingExports(*m_paging);
    installQuantExports(*m_quant);
    resize(1280, 800);  // until restoreSettings() finds a remembered geometry
    restoreSettings();
    clearError();
    refresh();
    loadModel(m_scenario->modelReference());
}

MainWindow::~MainWindow() {
    // Children are destroyed after this destructor: stop them calling back into members that
    // are gone by then (the lesson dock reports its visibility while it is being hidden).
    if (m_lesson_dock) disconnect(m_lesson_dock, nullptr, this, nullptr);
}

void MainWindow::buildDocks() {
    auto* scenario_scroll = new QScrollArea;
    scenario_scroll->setWidget(m_scenario);
    scenario_scroll->setWidgetResizable(true);
    scenario_scroll->setFrameShape(QFrame::NoFrame);
    scenario_scroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    QDockWidget* scenario = dock(tr("Scenario"), QStringLiteral("scenario_dock"), scenario_scroll);

    m_model_facts = new QLabel;
    m_model_facts->setTextFormat(Qt::RichText);
    m_model_facts->setWordWrap(true);
    m_model_facts->setAlignment(Qt::AlignTop | Qt::AlignLeft);
    m_model_facts->setMargin(8);
    QDockWidget* model = dock(tr("Model"), QStringLiteral("model_dock"), m_model_facts);

    m_top_k = new TopKView;
    QDockWidget* next = dock(tr("Next token: most probable"), QStringLiteral("next_dock"), m_top_k);

    // Left, top to bottom: what the model will say next, then what to run (the scenario, with
    // the model's shape behind a tab). The views get the rest of the width.
    addDockWidget(Qt::LeftDockWidgetArea, next);
    addDockWidget(Qt::LeftDockWidgetArea, scenario);
    tabifyDockWidget(scenario, model);
    scenario->raise();
    for (QDockWidget* widget : {next, scenario, model}) {
        widget->widget()->setMinimumWidth(340);
        m_view_menu->addAction(widget->toggleViewAction());
    }
    m_left_docks = {next, scenario, model};
    connect(m_tabs, &QTabWidget::currentChanged, this, &MainWindow::updateDocks);
}

void MainWindow::updateDocks() {
    // The left docks drive the Generate view; the other views have their own inputs and need
    // the width, so the docks step aside while another tab is up, or a lesson drives the window.
    const bool generate = m_tabs->currentWidget() == m_generate;
    const bool lesson = m_lesson_dock && !m_lesson_dock->isHidden();
    for (QDockWidget* widget : m_left_docks)
        widget->setVisible(generate && !lesson);
    if (generate && !lesson) m_left_docks[1]->raise();  // the scenario, in front of the model
}

void MainWindow::buildStatusBar() {
    m_position_label = new QLabel;
    m_kv_label = new QLabel;
    m_step_label = new QLabel;
    m_backend_label = new QLabel;
    m_error_label = new QLabel;
    m_error_label->setContentsMargins(8, 0, 8, 0);
    statusBar()->addWidget(m_error_label, 1);
    for (QLabel* label : {m_position_label, m_kv_label, m_step_label, m_backend_label}) {
        label->setContentsMargins(10, 0, 10, 0);
        statusBar()->addPermanentWidget(label);
    }
}

void MainWindow::connectEngine() {
    connect(m_trace, &TraceModel::modelChanged, this, [this] {
        m_scenario->showModel(m_trace->reference());
        // The calculator follows the model on screen (until the user picks a preset there).
        if (m_trace->config().n_layers > 0)
            m_memory->setModelConfig(m_trace->config(), m_trace->reference());
        m_quant->setModel(m_trace->config(), m_trace->reference());  // the comparison's model
        setWindowTitle(tr("KVScope \u2014 %1").arg(m_trace->reference()));
    });
    connect(m_trace, &TraceModel::recordsChanged, this, &MainWindow::refresh);
    connect(m_trace, &TraceModel::cursorChanged, this, &MainWindow::refresh);
    connect(m_runner, &SessionRunner::failed, this, &MainWindow::showError);
    connect(m_runner, &SessionRunner::succeeded, this, &MainWindow::clearError);
    connect(m_runner, &SessionRunner::busyChanged, this, &MainWindow::refreshActions);
    connect(m_runner, &SessionRunner::playingChanged, this, &MainWindow::refreshActions);
    connect(m_runner, &SessionRunner::loaded, this, [this](const QString& reference) {
        if (!reference.startsWith(QStringLiteral("builtin:"))) rememberFile(reference);
    });

    connect(m_scenario->promptEdit(), &QPlainTextEdit::textChanged, this,
            [this] { m_quant->setPrompt(m_scenario->prompt()); });
    m_quant->setPrompt(m_scenario->prompt());
    connect(m_scenario, &ScenarioPanel::modelChosen, this, &MainWindow::loadModel);
    connect(m_scenario, &ScenarioPanel::openFileRequested, this, &MainWindow::openFileDialog);
    connect(m_scenario, &ScenarioPanel::settingsChanged, this,
            [this] { m_runner->configure(m_scenario->sessionOptions()); });
    connect(m_scenario, &ScenarioPanel::measureOtherModeChanged, m_runner,
            &SessionRunner::setMeasureOtherMode);
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
    m_generate->heatmap()->setFocus();
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

void MainWindow::showHead(int layer, int head) {
    m_generate->showHead(layer, head);
}

bool MainWindow::showView(const QString& name) {
    for (int i = 0; i < m_tabs->count(); ++i) {
        if (m_tabs->widget(i)->objectName() == name) {
            m_tabs->setCurrentIndex(i);
            return true;
        }
    }
    return false;
}

QLabel* MainWindow::explanation() const {
    return m_generate->explanation();
}

QString MainWindow::modelReference() const {
    return m_trace->reference();
}

void MainWindow::refresh() {
    refreshTopK();
    if (m_trace->config().n_layers > 0) m_model_facts->setText(modelSummaryHtml(m_trace->config()));
    {
        const QSignalBlocker block(m_timeline);
        m_timeline->setRange(std::min(1, m_trace->recordCount()), m_trace->recordCount());
        m_timeline->setValue(m_trace->cursor());
    }
    m_timeline->setToolTip(tr("Timeline: step %1 of %2 recorded (drag to replay)")
                               .arg(std::max(0, m_trace->cursor() - 1))
                               .arg(std::max(0, m_trace->recordCount() - 1)));
    refreshStatus();
    refreshActions();
}

void MainWindow::refreshTopK() {
    std::vector<Candidate> candidates;
    if (const StepRecord* current = m_trace->current()) {
        for (const TokenProb& option : current->top_k) {
            candidates.push_back(
                {m_trace->label(option.id), double(option.prob), option.id == current->next_token});
        }
    }
    m_top_k->setCandidates(std::move(candidates));
}

void MainWindow::refreshStatus() {
    const SessionStatus status = describeSession(*m_trace);
    m_position_label->setText(status.position);
    m_kv_label->setText(status.kv_cache);
    m_step_label->setText(status.last_step);
    m_backend_label->setText(status.backend);
}

void MainWindow::showError(const QString& message) {
    m_last_error = message;
    m_error_label->setStyleSheet(QStringLiteral("color: #d03b30; font-weight: bold"));
    m_error_label->setText(message);
    m_error_label->setToolTip(message);
}

// With no error to show, the left of the status bar reminds the class of the keys.
void MainWindow::clearError() {
    m_last_error.clear();
    m_error_label->setStyleSheet(QString());
    m_error_label->setForegroundRole(QPalette::PlaceholderText);
    m_error_label->setText(tr("Right step \u00b7 Left back \u00b7 Space play \u00b7 Home reset"));
    m_error_label->setToolTip(QString());
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
