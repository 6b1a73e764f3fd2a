#include "ui/evict/evict_view.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QSplitter>
#include <QVBoxLayout>
#include <algorithm>
#include <sstream>

#include "core/eval/evict_eval_json.h"
#include "core/util/error.h"
#include "ui/evict/evict_bytes_chart.h"
#include "ui/evict/evict_controls.h"
#include "ui/quant/quant_step_chart.h"
#include "ui/quant/quant_texts.h"
#include "ui/style/chart_style.h"
#include "ui/style/format_bytes.h"
#include "ui/widgets/eviction_controls.h"
#include "ui/widgets/view_parts.h"

namespace kvscope {

namespace {

QString percent(double fraction) {
    return QStringLiteral("%1%").arg(100.0 * fraction, 0, 'f', 1);
}

QString signedNumber(double value, int decimals) {
    return (value >= 0 ? QStringLiteral("+") : QString()) + QString::number(value, 'f', decimals);
}

/// "builtin:demo", or a file's name without its folder.
QString modelName(const QString& reference) {
    return reference.startsWith(QStringLiteral("builtin:")) ? reference
                                                            : QFileInfo(reference).fileName();
}

}  // namespace

EvictView::EvictView(QWidget* parent) : QWidget(parent) {
    m_controls = new EvictControls;
    m_bytes = new QLabel;
    m_bytes->setTextFormat(Qt::RichText);
    m_bytes->setWordWrap(true);
    m_bytes->setAlignment(Qt::AlignTop | Qt::AlignLeft);
    m_summary = new QLabel;
    m_summary->setWordWrap(true);
    m_summary->setTextFormat(Qt::RichText);
    m_summary->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_kl_chart = new QuantStepChart;
    m_kl_chart->setShortTitles(tr("Next token vs full"), tr("step"));
    m_bytes_chart = new EvictBytesChart;
    m_texts = new QuantTexts;
    m_texts->setReferenceLabel(tr("full cache"));
    m_thread = new EvictEvalThread(this);

    auto* left = new QWidget;
    auto* left_layout = new QVBoxLayout(left);
    left_layout->setContentsMargins(0, 0, 0, 0);
    left_layout->addWidget(titledGroup(tr("Bounded cache vs full"), m_controls));
    left_layout->addWidget(titledGroup(tr("KV bytes after the run"), m_bytes), 1);
    left->setFixedWidth(330);

    auto* charts = new QSplitter(Qt::Vertical);
    charts->addWidget(m_kl_chart);
    charts->addWidget(m_bytes_chart);
    charts->setChildrenCollapsible(false);
    auto* split = new QSplitter(Qt::Horizontal);
    split->addWidget(charts);
    split->addWidget(titledGroup(tr("Free generation"), m_texts));
    split->setStretchFactor(0, 3);
    split->setStretchFactor(1, 2);
    split->setSizes({540, 360});  // the charts' legends need the width more than the texts
    split->setChildrenCollapsible(false);
    auto* right = new QWidget;
    auto* right_layout = new QVBoxLayout(right);
    right_layout->setContentsMargins(0, 0, 0, 0);
    right_layout->addWidget(m_summary);
    right_layout->addWidget(split, 1);

    auto* layout = new QHBoxLayout(this);
    layout->setContentsMargins(6, 6, 6, 6);
    layout->addWidget(left);
    layout->addWidget(right, 1);

    connect(m_controls, &EvictControls::runRequested, this, &EvictView::run);
    connect(m_controls, &EvictControls::cancelRequested, this, &EvictView::cancel);
    connect(m_thread, &EvictEvalThread::progress, this, &EvictView::onProgress);
    connect(m_thread, &QThread::finished, this, &EvictView::onFinished);
    // A policy's defaults that show what eviction does on a short text.
    EvictionSpec start;
    start.policy = EvictionPolicy::Streaming;
    start.budget = 16;
    start.sinks = 4;
    m_controls->eviction()->setSpec(start, 0);
    render();
}

EvictView::~EvictView() {
    m_thread->cancel();
    m_thread->wait();
}

void EvictView::setModel(const ModelConfig& config, const QString& reference) {
    m_config = config;
    m_reference = reference;
    m_controls->eviction()->setModel(config, config.max_context);
}

void EvictView::setPrompt(const QString& text) {
    m_controls->setPrompt(text);
}

bool EvictView::isRunning() const {
    return m_thread->isRunning();
}

void EvictView::run() {
    if (isRunning()) {
        showError(tr("A comparison is already running: wait for it or press Cancel"));
        return;
    }
    if (m_reference.isEmpty() || m_config.n_layers <= 0) {
        showError(tr("No model is loaded: pick one in the Generate view's Scenario panel"));
        return;
    }
    EvictRequest request;
    request.reference = m_reference;
    request.prompt = m_controls->prompt();
    request.steps = m_controls->steps();
    request.layout = m_controls->layout();
    try {
        request.spec = m_controls->eviction()->spec(KvCacheSpec{});
        if (!request.spec.bounded())
            throw InputError("Policy: choose a bounded policy to compare with the full cache");
        if (1 + request.steps > m_config.max_context)  // the worker checks again with the prompt
            throw InputError("Steps: " + std::to_string(request.steps) +
                             " steps after BOS exceed the context of " +
                             std::to_string(m_config.max_context));
    } catch (const InputError& e) {
        showError(QString::fromUtf8(e.what()));
        return;
    }
    m_error.clear();
    m_controls->showMessage(QString(), false);
    m_controls->showRunning(0, 3, tr("starting"));
    m_pending = true;
    m_thread->start(request);
}

void EvictView::cancel() {
    m_thread->cancel();
}

bool EvictView::waitUntilIdle(int timeout_ms) {
    QElapsedTimer clock;
    clock.start();
    while (m_pending && clock.elapsed() < timeout_ms)
        QCoreApplication::processEvents(QEventLoop::AllEvents | QEventLoop::WaitForMoreEvents, 20);
    return !m_pending;
}

void EvictView::onProgress(int done, int total, const QString& what) {
    if (isRunning()) m_controls->showRunning(done, total, what);
}

void EvictView::onFinished() {
    m_thread->wait();  // finished() comes just before the thread ends: let it end
    m_pending = false;
    m_controls->showIdle();
    if (std::shared_ptr<const EvictRun> run = m_thread->lastRun()) {
        m_controls->showIdle(
            tr("done: %1 vs full").arg(QString::fromStdString(run->request.spec.label())), true);
        m_run = std::move(run);
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

void EvictView::showError(const QString& message) {
    m_error = message;
    m_controls->showMessage(message, true);
}

QString EvictView::tokenText(TokenId id) const {
    const auto it = m_run->tokens.find(id);
    if (it == m_run->tokens.end()) return QStringLiteral("#%1").arg(id);
    return QString::fromStdString(it->second.special ? it->second.label : it->second.text);
}

QString EvictView::resultJson() const {
    if (!m_run) return {};
    const EvictRequest& request = m_run->request;
    const std::string source = "the Eviction view's prompt (" +
                               std::to_string(m_run->prompt_tokens) + " tokens with BOS) + " +
                               std::to_string(request.steps) + " full-cache greedy tokens";
    std::ostringstream out;
    writeEvictEvalJson(evictEvalSetup(m_run->config.name, source, request.layout,
                                      request.block_size, KvCacheSpec{}),
                       m_run->result, out);
    return QString::fromStdString(out.str());
}

void EvictView::render() {
    if (!m_run) {
        m_summary->setText(
            tr("Choose a policy and a budget, then <b>Run vs full cache</b>: both caches are fed "
               "the same tokens (the prompt and the full cache's greedy continuation) and "
               "compared step by step."));
        m_bytes->setText(tr("Run a comparison to see the bytes each cache holds."));
        m_kl_chart->clear(tr("Next-token distribution vs the full cache"));
        m_bytes_chart->clear();
        m_texts->clear();
        return;
    }
    const EvictEvalResult& r = m_run->result;
    const EvictEvalRow& ref = r.reference;
    const EvictEvalRow& row = r.rows.front();
    const QString label = QString::fromStdString(row.label);
    const std::int64_t n_misses =
        std::count(row.step_top1_match.begin(), row.step_top1_match.end(), false);
    const QString divergence =
        row.first_divergence == 0
            ? tr("same free text for %1 steps").arg(row.free_tokens.size())
            : tr("free text diverges at step <b>%1</b>").arg(row.first_divergence);
    m_summary->setText(
        tr("<b>%1</b> vs the full cache on %2, %3 positions (%4 in the prompt): KV held <b>%5</b> "
           "vs %6 \u00b7 top-1 agreement <b>%7</b> (%8 misses) \u00b7 next-token KL mean %9 "
           "\u00b7 perplexity %10 \u2192 %11 (%12) \u00b7 %13")
            .arg(label.toHtmlEscaped(), modelName(m_run->request.reference).toHtmlEscaped())
            .arg(r.tokens.size())
            .arg(m_run->prompt_tokens)
            .arg(bytesText(row.logical_bytes), bytesText(ref.logical_bytes),
                 percent(row.top1_agreement))
            .arg(n_misses)
            .arg(QString::number(row.logits_kl_mean, 'g', 3),
                 QString::number(ref.perplexity, 'f', 3), QString::number(row.perplexity, 'f', 3),
                 signedNumber(row.perplexity_delta, 4), divergence));

    const auto saved = [](std::int64_t part, std::int64_t whole) {
        return whole > 0 ? percent(1.0 - double(part) / double(whole)) : QStringLiteral("-");
    };
    // Numbers never wrap inside a cell: the column is narrow beside the charts.
    const auto cell = [](const QString& text, bool bold = false) {
        return QStringLiteral("<td align=right style='white-space:nowrap'>%1%2%3</td>")
            .arg(bold ? QStringLiteral("<b>") : QString(), text,
                 bold ? QStringLiteral("</b>") : QString());
    };
    m_bytes->setText(
        tr("<p><b>%1</b> against the full cache</p>"
           "<table cellspacing=0 cellpadding=3><tr><th></th><th align=right>full</th>"
           "<th align=right>bounded</th><th align=right>saved</th></tr>"
           "<tr><td>held</td>%2%3%4</tr><tr><td>allocated</td>%5%6%7</tr>"
           "<tr><td>entries</td>%8%9<td></td></tr></table>"
           "<p>Held (logical): entries x bytes per entry, summed over the layers. Allocated "
           "(physical): what the layout reserves, %10. Entries: what layer 0 holds.</p>")
            .arg(label.toHtmlEscaped(), cell(bytesText(ref.logical_bytes)),
                 cell(bytesText(row.logical_bytes), true),
                 cell(saved(row.logical_bytes, ref.logical_bytes)),
                 cell(bytesText(ref.physical_bytes)), cell(bytesText(row.physical_bytes), true),
                 cell(saved(row.physical_bytes, ref.physical_bytes)),
                 cell(QString::number(ref.held_tokens)))
            .arg(cell(QString::number(row.held_tokens), true),
                 m_run->request.layout == CacheLayout::Paged
                     ? tr("here the paged blocks still in use")
                     : tr("here the whole context (contiguous)")));

    StepMarkers misses{tr("top-1 differs"), {}, {}, errorColor(palette())};
    for (std::size_t i = 0; i < row.step_top1_match.size(); ++i) {
        if (!row.step_top1_match[i]) {
            misses.x.push_back(double(i));
            misses.y.push_back(row.step_logits_kl[i]);
        }
    }
    m_kl_chart->setData(
        tr("Next token vs the full cache: top-1 agrees %1").arg(percent(row.top1_agreement)),
        tr("step (0 = after the prompt)"),
        {StepLine{tr("KL(full\u2016bounded), nats"), row.step_logits_kl, 0, categoryColor(0),
                  tr("KL")}},
        std::move(misses));
    m_bytes_chart->setData(m_run->bytes, label);

    QString prompt;
    for (std::int64_t i = 1; i < m_run->prompt_tokens; ++i)  // BOS is not part of the text
        prompt += tokenText(r.tokens[std::size_t(i)]);
    QStringList reference_text, policy_text;
    for (TokenId id : ref.free_tokens)
        reference_text << tokenText(id);
    for (TokenId id : row.free_tokens)
        policy_text << tokenText(id);
    m_texts->setTexts(prompt, reference_text, policy_text, label, row.first_divergence);
}

}  // namespace kvscope
