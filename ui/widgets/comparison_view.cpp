#include "ui/widgets/comparison_view.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QLabel>
#include <QVBoxLayout>

#include "core/util/error.h"
#include "ui/engine/comparison_thread.h"
#include "ui/widgets/comparison_controls.h"

namespace kvscope {

ComparisonView::ComparisonView(ComparisonControls* controls, ComparisonThread* thread,
                               QWidget* parent)
    : QWidget(parent), m_controls(controls), m_thread(thread) {
    m_thread->setParent(this);
    m_summary = new QLabel;
    m_summary->setWordWrap(true);
    m_summary->setTextFormat(Qt::RichText);
    m_summary->setTextInteractionFlags(Qt::TextSelectableByMouse);
    connect(m_controls, &ComparisonControls::runRequested, this, &ComparisonView::run);
    connect(m_controls, &ComparisonControls::cancelRequested, this, &ComparisonView::cancel);
    connect(m_thread, &ComparisonThread::progress, this, &ComparisonView::onProgress);
    connect(m_thread, &QThread::finished, this, &ComparisonView::onFinished);
}

ComparisonView::~ComparisonView() {
    m_thread->cancel();
    m_thread->wait();
}

void ComparisonView::arrange(QWidget* inputs, QWidget* body) {
    inputs->setFixedWidth(330);
    auto* right = new QWidget;
    auto* right_layout = new QVBoxLayout(right);
    right_layout->setContentsMargins(0, 0, 0, 0);
    right_layout->addWidget(m_summary);
    right_layout->addWidget(body, 1);

    auto* layout = new QHBoxLayout(this);
    layout->setContentsMargins(6, 6, 6, 6);
    layout->addWidget(inputs);
    layout->addWidget(right, 1);
}

void ComparisonView::setModel(const ModelConfig& config, const QString& reference) {
    m_config = config;
    m_reference = reference;
    modelChanged();
}

void ComparisonView::setPrompt(const QString& text) {
    m_controls->setPrompt(text);
}

bool ComparisonView::isRunning() const {
    return m_thread->isRunning();
}

void ComparisonView::run() {
    if (isRunning()) {
        showError(tr("A comparison is already running: wait for it or press Cancel"));
        return;
    }
    if (m_reference.isEmpty() || m_config.n_layers <= 0) {
        showError(tr("No model is loaded: pick one in the Generate view's Scenario panel"));
        return;
    }
    try {
        prepareRun();
    } catch (const InputError& e) {
        showError(QString::fromUtf8(e.what()));
        return;
    }
    m_error.clear();
    m_controls->showMessage(QString(), false);
    m_controls->showRunning(0, 3, tr("starting"));
    m_pending = true;
    startRun();
}

void ComparisonView::cancel() {
    m_thread->cancel();
}

bool ComparisonView::waitUntilIdle(int timeout_ms) {
    QElapsedTimer clock;
    clock.start();
    // Until the thread has stopped and its finished() has been delivered (onFinished ran).
    while (m_pending && clock.elapsed() < timeout_ms)
        QCoreApplication::processEvents(QEventLoop::AllEvents | QEventLoop::WaitForMoreEvents, 20);
    return !m_pending;
}

void ComparisonView::onProgress(int done, int total, const QString& what) {
    if (isRunning()) m_controls->showRunning(done, total, what);
}

void ComparisonView::onFinished() {
    m_thread->wait();  // finished() comes just before the thread ends: let it end
    m_pending = false;
    m_controls->showIdle();
    if (const QString done = takeResult(); !done.isEmpty()) {
        m_controls->showIdle(done, true);
        m_error.clear();
        m_controls->showMessage(QString(), false);
        render();
    } else if (m_thread->wasCancelled()) {
        m_error.clear();
        m_controls->showMessage(tr("Cancelled; the last finished comparison stays on screen"),
                                false);
    } else {
        showError(tr("Comparison failed: %1").arg(m_thread->lastError()));
    }
    emit runFinished();
}

void ComparisonView::showError(const QString& message) {
    m_error = message;
    m_controls->showMessage(message, true);
}

QString comparisonTokenText(const std::map<TokenId, TraceToken>& tokens, TokenId id) {
    const auto it = tokens.find(id);
    if (it == tokens.end()) return QStringLiteral("#%1").arg(id);
    return QString::fromStdString(it->second.special ? it->second.label : it->second.text);
}

QString comparisonModelName(const QString& reference) {
    return reference.startsWith(QStringLiteral("builtin:")) ? reference
                                                            : QFileInfo(reference).fileName();
}

QString percentText(double fraction) {
    return QStringLiteral("%1%").arg(100.0 * fraction, 0, 'f', 1);
}

QString signedNumberText(double value, int decimals) {
    return (value >= 0 ? QStringLiteral("+") : QString()) + QString::number(value, 'f', decimals);
}

}  // namespace kvscope
