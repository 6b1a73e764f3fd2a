#include "ui/main_window.h"

#include <QAction>
#include <QComboBox>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QSpinBox>
#include <QStatusBar>
#include <QStyle>
#include <QToolBar>
#include <QVBoxLayout>
#include <exception>

#include "core/model/model_source.h"
#include "core/util/error.h"
#include "ui/attention_matrix.h"
#include "ui/heatmap_widget.h"
#include "ui/model_summary.h"
#include "ui/session_status.h"
#include "ui/token_chips.h"
#include "ui/token_strip.h"
#include "ui/top_k_view.h"

namespace kvscope {
namespace {

/// "Step: feed the next token (Right)": the shortcut is named in every tooltip.
void describe(QAction* action, const QString& what) {
    action->setToolTip(
        QStringLiteral("%1 (%2)").arg(what, action->shortcut().toString(QKeySequence::NativeText)));
}

QLabel* legendEntry(TokenRole role, const QString& text) {
    const ChipColors colors = chipColors(role);
    auto* label = new QLabel(
        QStringLiteral("<span style='color:%1'>\u25A0</span> %2").arg(colors.border.name(), text));
    label->setTextFormat(Qt::RichText);
    return label;
}

}  // namespace

MainWindow::MainWindow(QWidget* parent) : QMainWindow(parent) {
    buildActions();
    buildToolBar();
    buildCentralArea();
    buildStatusBar();
    loadModel(m_model_box->currentText());
}

MainWindow::~MainWindow() = default;

void MainWindow::buildActions() {
    m_prefill = new QAction(style()->standardIcon(QStyle::SP_MediaPlay), tr("Prefill"), this);
    m_prefill->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_Return));
    describe(m_prefill, tr("Prefill: run the whole prompt through the model in one pass"));
    connect(m_prefill, &QAction::triggered, this, [this] { prefill(); });

    m_step = new QAction(style()->standardIcon(QStyle::SP_MediaSkipForward), tr("Step"), this);
    m_step->setShortcut(QKeySequence(Qt::Key_Right));
    describe(m_step, tr("Step: feed the sampled token and sample the next one"));
    connect(m_step, &QAction::triggered, this, [this] { step(); });

    m_reset = new QAction(style()->standardIcon(QStyle::SP_MediaSkipBackward), tr("Reset"), this);
    m_reset->setShortcut(QKeySequence(Qt::Key_Home));
    describe(m_reset, tr("Reset: empty the KV cache and start over"));
    connect(m_reset, &QAction::triggered, this, [this] { reset(); });
}

void MainWindow::buildToolBar() {
    QToolBar* bar = addToolBar(tr("Session"));
    bar->setMovable(false);
    bar->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    bar->setIconSize(QSize(20, 20));

    m_model_box = new QComboBox;
    for (const std::string& name : builtinModelNames())
        m_model_box->addItem(QString::fromStdString(name));
    m_model_box->setToolTip(tr("The model to run; changing it resets the session"));
    connect(m_model_box, &QComboBox::currentTextChanged, this,
            [this](const QString& reference) { loadModel(reference); });

    m_prompt = new QLineEdit;
    m_prompt->setPlaceholderText(tr("Type a prompt, then Prefill"));
    m_prompt->setClearButtonEnabled(true);
    m_prompt->setMinimumWidth(420);
    connect(m_prompt, &QLineEdit::returnPressed, this, [this] { prefill(); });

    bar->addWidget(new QLabel(tr("  Model ")));
    bar->addWidget(m_model_box);
    bar->addWidget(new QLabel(tr("   Prompt ")));
    bar->addWidget(m_prompt);
    bar->addSeparator();
    bar->addAction(m_prefill);
    bar->addAction(m_step);
    bar->addAction(m_reset);
}

void MainWindow::buildCentralArea() {
    m_token_strip = new TokenStrip;
    auto* legend = new QVBoxLayout;
    legend->setSpacing(2);
    legend->addWidget(legendEntry(TokenRole::Special, tr("special")));
    legend->addWidget(legendEntry(TokenRole::Prompt, tr("prompt")));
    legend->addWidget(legendEntry(TokenRole::Generated, tr("generated")));
    legend->addWidget(legendEntry(TokenRole::Pending, tr("next: sampled, not yet fed")));
    auto* space_note = new QLabel(tr("\u2581 stands for a space"));
    space_note->setStyleSheet(QStringLiteral("color: #6e7580"));
    legend->addWidget(space_note);
    legend->addStretch();

    m_tokens_box = new QGroupBox;
    auto* tokens_layout = new QHBoxLayout(m_tokens_box);
    tokens_layout->addWidget(m_token_strip, 1);
    tokens_layout->addSpacing(12);
    tokens_layout->addLayout(legend);

    m_heatmap = new HeatmapWidget;
    m_heatmap->setFocusPolicy(Qt::StrongFocus);  // so Right / Home work after a prefill
    m_heatmap->setPlaceholder(tr("Type a prompt and press Prefill (%1)")
                                  .arg(m_prefill->shortcut().toString(QKeySequence::NativeText)));

    auto* lower = new QHBoxLayout;
    lower->addWidget(m_heatmap, 1);
    lower->addWidget(buildSidePanel());

    auto* central = new QWidget;
    auto* layout = new QVBoxLayout(central);
    layout->setContentsMargins(12, 8, 12, 4);
    layout->addWidget(m_tokens_box);
    layout->addLayout(lower, 1);
    setCentralWidget(central);
}

QWidget* MainWindow::buildSidePanel() {
    m_layer_box = new QSpinBox;
    m_head_box = new QSpinBox;
    m_head_note = new QLabel;
    m_head_note->setWordWrap(true);
    for (QSpinBox* box : {m_layer_box, m_head_box}) {
        connect(box, &QSpinBox::valueChanged, this, [this] {
            refreshHeatmap();
            refreshModelFacts();
        });
    }
    auto* head = new QGroupBox(tr("Attention head"));
    auto* head_form = new QFormLayout(head);
    head_form->addRow(tr("Layer"), m_layer_box);
    head_form->addRow(tr("Head"), m_head_box);
    head_form->addRow(m_head_note);

    m_top_k = new TopKView;
    auto* next = new QGroupBox(tr("Next token: most probable"));
    auto* next_layout = new QVBoxLayout(next);
    next_layout->addWidget(m_top_k);

    m_model_facts = new QLabel;
    m_model_facts->setTextFormat(Qt::RichText);
    m_model_facts->setWordWrap(true);
    auto* model = new QGroupBox(tr("Model"));
    auto* model_layout = new QVBoxLayout(model);
    model_layout->addWidget(m_model_facts);

    auto* panel = new QWidget;
    panel->setFixedWidth(330);
    auto* layout = new QVBoxLayout(panel);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(head);
    layout->addWidget(next);
    layout->addWidget(model);
    layout->addStretch();
    return panel;
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

bool MainWindow::loadModel(const QString& reference) {
    try {
        std::shared_ptr<const Model> model = kvscope::loadModel(reference.toStdString());
        auto session = std::make_unique<Session>(model, SessionOptions{});
        m_model = std::move(model);
        m_session = std::move(session);
    } catch (const std::exception& e) {
        showError(QString::fromUtf8(e.what()));
        return false;
    }
    if (m_model_box->currentText() != reference) {
        const QSignalBlocker block(m_model_box);
        if (m_model_box->findText(reference) < 0) m_model_box->addItem(reference);  // a file
        m_model_box->setCurrentText(reference);
    }
    const ModelConfig& config = m_model->config;
    m_layer_box->setRange(0, int(config.n_layers) - 1);
    m_head_box->setRange(0, int(config.n_heads) - 1);
    setWindowTitle(tr("KVScope \u2014 %1").arg(reference));
    clearError();
    refresh();
    return true;
}

QString MainWindow::modelReference() const {
    return m_model_box->currentText();
}

void MainWindow::setPrompt(const QString& text) {
    m_prompt->setText(text);
}

// The Session runs on the GUI thread: the demo models step in well under a frame. The GUI issue
// moves it to a worker thread before real models (and long prefills) arrive.
bool MainWindow::prefill() {
    if (!m_session) return false;
    try {
        m_session->reset();
        std::vector<TokenId> tokens{m_model->tokenizer->bos()};
        const std::vector<TokenId> prompt =
            m_model->tokenizer->encode(m_prompt->text().toStdString());
        tokens.insert(tokens.end(), prompt.begin(), prompt.end());
        m_session->prefill(tokens);
    } catch (const std::exception& e) {
        m_session->reset();
        showError(tr("Prefill failed: %1").arg(QString::fromUtf8(e.what())));
        refresh();
        return false;
    }
    clearError();
    refresh();
    m_heatmap->setFocus();
    return true;
}

bool MainWindow::step() {
    if (!m_session || !m_session->canStep()) return false;
    try {
        m_session->step();
    } catch (const std::exception& e) {
        showError(tr("Step failed: %1").arg(QString::fromUtf8(e.what())));
        return false;
    }
    clearError();
    refresh();
    return true;
}

void MainWindow::reset() {
    if (m_session) m_session->reset();
    clearError();
    refresh();
}

void MainWindow::showHead(int layer, int head) {
    m_layer_box->setValue(layer);
    m_head_box->setValue(head);
}

void MainWindow::refresh() {
    refreshTokens();
    refreshHeatmap();
    refreshTopK();
    refreshModelFacts();
    refreshStatus();
    refreshActions();
}

QString MainWindow::tokenLabel(TokenId id) const {
    return QString::fromStdString(m_model->tokenizer->label(id));
}

void MainWindow::refreshTokens() {
    m_token_strip->setTokens(tokenChips(*m_session));
    const std::vector<StepRecord>& records = m_session->records();
    const int n_generated =
        m_token_strip->count(TokenRole::Generated) + m_token_strip->count(TokenRole::Pending);
    m_tokens_box->setTitle(records.empty()
                               ? tr("Tokens")
                               : tr("Tokens \u00b7 %1 positions in the cache \u00b7 %2 generated")
                                     .arg(m_session->position())
                                     .arg(n_generated));
}

void MainWindow::refreshHeatmap() {
    if (!m_session) return;
    const int layer = m_layer_box->value();
    const int head = m_head_box->value();
    QStringList labels;
    for (TokenId id : m_session->tokens())
        labels << tokenLabel(id);
    m_heatmap->setMatrix(assembleAttention(m_session->records(), layer, head), labels);
    m_heatmap->setTitle(tr("Attention weights \u00b7 layer %1 \u00b7 head %2 \u00b7 %3 \u00d7 %3")
                            .arg(layer)
                            .arg(head)
                            .arg(m_heatmap->rowCount()));
}

void MainWindow::refreshTopK() {
    std::vector<Candidate> candidates;
    const std::vector<StepRecord>& records = m_session->records();
    if (!records.empty()) {
        for (const TokenProb& option : records.back().top_k) {
            candidates.push_back({tokenLabel(option.id), double(option.prob),
                                  option.id == records.back().next_token});
        }
    }
    m_top_k->setCandidates(std::move(candidates));
}

void MainWindow::refreshModelFacts() {
    if (!m_model) return;
    m_head_note->setText(kvHeadNote(m_model->config, m_head_box->value()));
    m_model_facts->setText(modelSummaryHtml(m_model->config));
}

void MainWindow::refreshStatus() {
    const SessionStatus status = describeSession(*m_session);
    m_position_label->setText(status.position);
    m_kv_label->setText(status.kv_cache);
    m_step_label->setText(status.last_step);
    m_backend_label->setText(status.backend);
}

void MainWindow::refreshActions() {
    m_prefill->setEnabled(m_session != nullptr);
    m_step->setEnabled(m_session && m_session->canStep());
    m_reset->setEnabled(m_session && m_session->canUndo());
}

void MainWindow::showError(const QString& message) {
    m_last_error = message;
    m_error_label->setStyleSheet(QStringLiteral("color: #b3261e; font-weight: bold"));
    m_error_label->setText(message);
}

// With no error to show, the left of the status bar reminds the class of the keys.
void MainWindow::clearError() {
    m_last_error.clear();
    m_error_label->setStyleSheet(QStringLiteral("color: #6e7580"));
    m_error_label->setText(tr("%1 step \u00b7 %2 reset \u00b7 hover a cell for its weight")
                               .arg(m_step->shortcut().toString(QKeySequence::NativeText),
                                    m_reset->shortcut().toString(QKeySequence::NativeText)));
}

}  // namespace kvscope
