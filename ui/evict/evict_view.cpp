#include "ui/evict/evict_view.h"

#include <QGroupBox>
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

EvictView::EvictView(QWidget* parent) : EvictView(new EvictControls, new EvictEvalThread, parent) {}

EvictView::EvictView(EvictControls* controls, EvictEvalThread* thread, QWidget* parent)
    : ComparisonView(controls, thread, parent), m_controls(controls), m_thread(thread) {
    m_bytes = new QLabel;
    m_bytes->setTextFormat(Qt::RichText);
    m_bytes->setWordWrap(true);
    m_bytes->setAlignment(Qt::AlignTop | Qt::AlignLeft);
    m_kl_chart = new QuantStepChart;
    m_kl_chart->setShortTitles(tr("Next token vs full"), tr("step"));
    m_bytes_chart = new EvictBytesChart;
    m_texts = new QuantTexts;
    m_texts->setReferenceLabel(tr("full cache"));

    auto* left = new QWidget;
    auto* left_layout = new QVBoxLayout(left);
    left_layout->setContentsMargins(0, 0, 0, 0);
    left_layout->addWidget(titledGroup(tr("Bounded cache vs full"), m_controls));
    left_layout->addWidget(titledGroup(tr("KV bytes after the run"), m_bytes), 1);

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
    arrange(left, split);

    // A policy's defaults that show what eviction does on a short text.
    EvictionSpec start;
    start.policy = EvictionPolicy::Streaming;
    start.budget = 16;
    start.sinks = 4;
    m_controls->eviction()->setSpec(start, 0);
    render();
}

void EvictView::modelChanged() {
    m_controls->eviction()->setModel(config(), config().max_context);
}

void EvictView::prepareRun() {
    EvictRequest request;
    request.reference = reference();
    request.prompt = m_controls->prompt();
    request.steps = m_controls->steps();
    request.layout = m_controls->layout();
    request.spec = m_controls->eviction()->spec(KvCacheSpec{});
    if (!request.spec.bounded())
        throw InputError("Policy: choose a bounded policy to compare with the full cache");
    if (1 + request.steps > config().max_context)  // the worker checks again with the prompt
        throw InputError("Steps: " + std::to_string(request.steps) +
                         " steps after BOS exceed the context of " +
                         std::to_string(config().max_context));
    m_request = request;
}

void EvictView::startRun() {
    m_thread->start(m_request);
}

QString EvictView::takeResult() {
    std::shared_ptr<const EvictRun> run = m_thread->lastRun();
    if (!run) return {};
    m_run = std::move(run);
    return tr("done: %1 vs full").arg(QString::fromStdString(m_run->request.spec.label()));
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
        summary()->setText(
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
    summary()->setText(
        tr("<b>%1</b> vs the full cache on %2, %3 positions (%4 in the prompt): KV held <b>%5</b> "
           "vs %6 \u00b7 top-1 agreement <b>%7</b> (%8 misses) \u00b7 next-token KL mean %9 "
           "\u00b7 perplexity %10 \u2192 %11 (%12) \u00b7 %13")
            .arg(label.toHtmlEscaped(),
                 comparisonModelName(m_run->request.reference).toHtmlEscaped())
            .arg(r.tokens.size())
            .arg(m_run->prompt_tokens)
            .arg(bytesText(row.logical_bytes), bytesText(ref.logical_bytes),
                 percentText(row.top1_agreement))
            .arg(n_misses)
            .arg(QString::number(row.logits_kl_mean, 'g', 3),
                 QString::number(ref.perplexity, 'f', 3), QString::number(row.perplexity, 'f', 3),
                 signedNumberText(row.perplexity_delta, 4), divergence));

    const auto saved = [](std::int64_t part, std::int64_t whole) {
        return whole > 0 ? percentText(1.0 - double(part) / double(whole)) : QStringLiteral("-");
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
           "<tr><td>entries</td>%8%9<td></td></tr><tr><td>holes</td>%10%11<td></td></tr></table>"
           "<p>Held (logical): entries x bytes per entry, summed over the layers. Allocated "
           "(physical): what the layout reserves, %12. Entries: what the fullest layer holds (a "
           "sliding-window layer holds at most its window). Holes: entries evicted from paged "
           "blocks that stay allocated while they hold other entries, summed over the layers.</p>")
            .arg(label.toHtmlEscaped(), cell(bytesText(ref.logical_bytes)),
                 cell(bytesText(row.logical_bytes), true),
                 cell(saved(row.logical_bytes, ref.logical_bytes)),
                 cell(bytesText(ref.physical_bytes)), cell(bytesText(row.physical_bytes), true),
                 cell(saved(row.physical_bytes, ref.physical_bytes)),
                 cell(QString::number(ref.held_tokens)))
            .arg(cell(QString::number(row.held_tokens), true), cell(QString::number(ref.holes)),
                 cell(QString::number(row.holes), true),
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
        tr("Next token vs the full cache: top-1 agrees %1").arg(percentText(row.top1_agreement)),
        tr("step (0 = after the prompt)"),
        {StepLine{tr("KL(full\u2016bounded), nats"), row.step_logits_kl, 0, categoryColor(0),
                  tr("KL")}},
        std::move(misses));
    m_bytes_chart->setData(m_run->bytes, label);

    QString prompt;
    for (std::int64_t i = 1; i < m_run->prompt_tokens; ++i)  // BOS is not part of the text
        prompt += comparisonTokenText(m_run->tokens, r.tokens[std::size_t(i)]);
    QStringList reference_text, policy_text;
    for (TokenId id : ref.free_tokens)
        reference_text << comparisonTokenText(m_run->tokens, id);
    for (TokenId id : row.free_tokens)
        policy_text << comparisonTokenText(m_run->tokens, id);
    m_texts->setTexts(prompt, reference_text, policy_text, label, row.first_divergence);
}

}  // namespace kvscope
