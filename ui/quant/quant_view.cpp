#include "ui/quant/quant_view.h"

#include <algorithm>

#include <QCheckBox>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QSpinBox>
#include <QSplitter>
#include <QVBoxLayout>

#include "core/cache/kv_dtype.h"
#include "core/util/error.h"
#include "ui/generate/heatmap_widget.h"
#include "ui/quant/quant_bytes_table.h"
#include "ui/quant/quant_controls.h"
#include "ui/quant/quant_step_chart.h"
#include "ui/quant/quant_texts.h"
#include "ui/style/chart_style.h"
#include "ui/style/format_bytes.h"
#include "ui/widgets/view_parts.h"

namespace kvscope {

namespace {

QString fromView(std::string_view text) {
    return QString::fromUtf8(text.data(), qsizetype(text.size()));
}

/// One stored row by the formula core/memory/kv_dtype.h defines: "int8: 16 x 1 B + 2 B fp16
/// scale = 18 B".
QString rowFormula(KvDtype dtype, std::int64_t head_dim) {
    return QObject::tr("%1: %2 = <b>%3 B</b>")
        .arg(fromView(toString(dtype)), QString::fromStdString(kvRowFormula(dtype, head_dim)))
        .arg(kvRowBytes(dtype, head_dim));
}

/// Where the bytes come from: per token and KV head, K's and V's row and fp32's, and the windows.
QString rowFormulas(const KvCacheSpec& spec, std::int64_t head_dim) {
    QStringList lines{QObject::tr("Per token and KV head (head_dim %1):").arg(head_dim),
                      QObject::tr("K ") + rowFormula(spec.k_dtype, head_dim),
                      QObject::tr("V ") + rowFormula(spec.v_dtype, head_dim),
                      rowFormula(KvDtype::F32, head_dim) + QObject::tr(" (K and V each)")};
    if (spec.keyFormat().recent_window > 0 || spec.valueFormat().recent_window > 0) {
        lines << QObject::tr("the last %1 tokens ").arg(spec.recent_window) +
                     rowFormula(spec.recent_dtype, head_dim);
    }
    if (spec.k_dtype == KvDtype::KIVI2 || spec.v_dtype == KvDtype::KIVI2) {
        lines << QObject::tr("kivi2: the last %1 tokens (keys: up to %2) stay fp16")
                     .arg(spec.kivi_window)
                     .arg(spec.kivi_window + kKvGroupSize - 1);
    }
    return lines.join(QStringLiteral("<br>"));
}

}  // namespace

QuantView::QuantView(QWidget* parent) : QuantView(new QuantControls, new QuantEvalThread, parent) {}

QuantView::QuantView(QuantControls* controls, QuantEvalThread* thread, QWidget* parent)
    : ComparisonView(controls, thread, parent), m_controls(controls), m_thread(thread) {
    m_bytes = new QuantBytesTable;
    m_attention_chart = new QuantStepChart;
    m_logits_chart = new QuantStepChart;
    m_attention_chart->setShortTitles(QString(), tr("position"));
    m_logits_chart->setShortTitles(tr("Next token vs fp32"), tr("position"));
    m_heatmap = new HeatmapWidget;
    m_heatmap->setLogScale(true);  // differences are small: log colours show them down to 1e-4
    m_heatmap->setPlaceholder(tr("Run a comparison to see |A_codec \u2212 A_fp32|"));
    m_texts = new QuantTexts;

    m_layer = new QSpinBox;
    m_head = new QSpinBox;
    m_layer->setPrefix(tr("layer "));
    m_head->setPrefix(tr("head "));
    m_log = new QCheckBox(tr("Log scale"));
    m_log->setChecked(true);
    auto* head_row = new QHBoxLayout;
    head_row->setContentsMargins(0, 0, 0, 0);
    head_row->addWidget(m_layer);
    head_row->addWidget(m_head);
    head_row->addWidget(m_log);
    head_row->addStretch(1);
    auto* heat_panel = new QWidget;
    auto* heat_layout = new QVBoxLayout(heat_panel);
    heat_layout->setContentsMargins(0, 0, 0, 0);
    heat_layout->addLayout(head_row);
    heat_layout->addWidget(m_heatmap, 1);

    // Left: what to run, then the bytes it holds.
    auto* left = new QWidget;
    auto* left_layout = new QVBoxLayout(left);
    left_layout->setContentsMargins(0, 0, 0, 0);
    left_layout->addWidget(titledGroup(tr("Codec vs fp32"), m_controls));
    m_formula = new QLabel;
    m_formula->setWordWrap(true);
    m_formula->setTextFormat(Qt::RichText);
    auto* bytes_panel = new QWidget;
    auto* bytes_layout = new QVBoxLayout(bytes_panel);
    bytes_layout->setContentsMargins(0, 0, 0, 0);
    bytes_layout->addWidget(m_bytes, 1);
    bytes_layout->addWidget(m_formula);
    left_layout->addWidget(titledGroup(tr("KV bytes per layer"), bytes_panel), 1);

    // Right of it: the summary over the heatmap (middle) and, beside it, the two step charts
    // above the two texts.
    auto* column = new QSplitter(Qt::Vertical);
    column->addWidget(m_attention_chart);
    column->addWidget(m_logits_chart);
    column->addWidget(titledGroup(tr("Free generation"), m_texts));
    column->setStretchFactor(0, 1);
    column->setStretchFactor(1, 1);
    column->setStretchFactor(2, 1);
    column->setSizes({220, 220, 300});
    auto* split = new QSplitter(Qt::Horizontal);
    split->addWidget(titledGroup(tr("Attention difference"), heat_panel));
    split->addWidget(column);
    split->setStretchFactor(0, 1);
    split->setStretchFactor(1, 1);
    // About half each: beside a lesson's dock the step charts still get the ~290 px that two
    // axes and a legend need, and the heatmap what is left.
    split->setSizes({480, 440});
    arrange(left, split);

    connect(m_layer, &QSpinBox::valueChanged, this, &QuantView::renderHeatmap);
    connect(m_head, &QSpinBox::valueChanged, this, &QuantView::renderHeatmap);
    connect(m_log, &QCheckBox::toggled, m_heatmap, &HeatmapWidget::setLogScale);
    render();
}

void QuantView::prepareRun() {
    QuantRequest request;
    request.reference = reference();
    request.prompt = m_controls->prompt();
    request.spec = m_controls->spec();
    request.steps = m_controls->steps();
    checkKvCacheSpec(request.spec, "cache");
    // BOS + steps at least; the worker checks again with the prompt's tokens.
    checkQuantEvalFits(config(), request.spec, 1 + request.steps);
    m_request = request;
}

void QuantView::startRun() {
    m_thread->start(m_request);
}

QString QuantView::takeResult() {
    std::shared_ptr<const QuantRun> run = m_thread->lastRun();
    if (!run) return {};
    m_run = std::move(run);
    const LayerHead head =
        mostChangedHead(m_run->result.reference.attention, m_run->result.rows.front().attention);
    const QSignalBlocker block_layer(m_layer), block_head(m_head);
    m_layer->setRange(0, int(std::max<std::int64_t>(m_run->config.n_layers - 1, 0)));
    m_head->setRange(0, int(std::max<std::int64_t>(m_run->config.n_heads - 1, 0)));
    m_layer->setValue(int(head.layer));
    m_head->setValue(int(head.head));
    return tr("done: %1 vs fp32").arg(QString::fromStdString(m_run->request.spec.label()));
}

void QuantView::showHead(int layer, int head) {
    m_layer->setValue(layer);  // clamped by the box's range
    m_head->setValue(head);
    renderHeatmap();
}

QString QuantView::tokenLabel(TokenId id) const {
    const auto it = m_run->tokens.find(id);
    return it == m_run->tokens.end() ? QStringLiteral("#%1").arg(id)
                                     : QString::fromStdString(it->second.label);
}

void QuantView::render() {
    if (!m_run) {
        summary()->setText(
            tr("Choose a codec for K and for V, then <b>Run vs fp32</b>: both caches "
               "are fed the same tokens (the prompt and fp32's greedy continuation) "
               "and compared step by step."));
        m_bytes->clearRows();
        m_formula->clear();
        m_attention_chart->clear(tr("Attention rows vs fp32"));
        m_logits_chart->clear(tr("Next-token distribution vs fp32"));
        m_heatmap->clear();
        m_texts->clear();
        return;
    }
    const QuantEvalResult& r = m_run->result;
    const QuantEvalRow& ref = r.reference;
    const QuantEvalRow& row = r.rows.front();
    const QString label = QString::fromStdString(row.label);
    const QuantLayerBytes total = quantTotalBytes(ref, row);
    const QString divergence =
        row.first_divergence == 0
            ? tr("same free text for %1 steps").arg(row.free_tokens.size())
            : tr("free text diverges at step <b>%1</b>").arg(row.first_divergence);
    const std::int64_t n_misses =
        std::count(row.step_top1_match.begin(), row.step_top1_match.end(), false);
    const QString agreement = n_misses == 0
                                  ? QStringLiteral("<b>%1</b>").arg(percentText(row.top1_agreement))
                                  : tr("<b>%1</b> (%2 misses, %3 at fp32 near-ties)")
                                        .arg(percentText(row.top1_agreement))
                                        .arg(n_misses)
                                        .arg(n_misses - decisiveMisses(r, row));
    summary()->setText(
        tr("<b>%1</b> vs fp32 on %2, %3 positions: KV <b>%4</b> vs %5 (%6 saved, "
           "%7\u00d7 fp16) \u00b7 top-1 agreement %8 \u00b7 perplexity %9 \u2192 %10 "
           "(%11) \u00b7 %12")
            .arg(label.toHtmlEscaped(),
                 comparisonModelName(m_run->request.reference).toHtmlEscaped())
            .arg(r.tokens.size())
            .arg(bytesText(row.kv_bytes), bytesText(ref.kv_bytes), percentText(total.saved),
                 QString::number(row.ratio_to_fp16, 'f', 3), agreement,
                 QString::number(ref.perplexity, 'f', 3), QString::number(row.perplexity, 'f', 3),
                 signedNumberText(row.perplexity_delta, 4), divergence));

    m_bytes->showRows(ref, row);
    m_formula->setText(rowFormulas(row.spec, m_run->config.head_dim));

    const QPalette& p = palette();
    m_attention_chart->setData(
        tr("Attention rows vs fp32"), tr("position (mean over all heads)"),
        {StepLine{tr("L1 \u03a3|p\u2212q| (left)"), row.step_attn_l1, 0, categoryColor(0),
                  tr("L1")},
         StepLine{tr("KL, nats (right)"), row.step_attn_kl, 0, categoryColor(1), tr("KL")}});
    StepMarkers misses{tr("top-1 differs"), {}, {}, errorColor(p)};
    for (std::size_t i = 0; i < row.step_top1_match.size(); ++i) {
        if (!row.step_top1_match[i]) {
            misses.x.push_back(double(i));
            misses.y.push_back(row.step_logits_kl[i]);
        }
    }
    m_logits_chart->setData(
        tr("Next token vs fp32: top-1 agrees %1").arg(percentText(row.top1_agreement)),
        tr("position (predicting the next token)"),
        {StepLine{tr("KL(fp32\u2016codec), nats"), row.step_logits_kl, 0, categoryColor(0),
                  tr("KL")}},
        std::move(misses));
    renderHeatmap();

    QString prompt;
    for (std::int64_t i = 1; i < m_run->prompt_tokens; ++i)  // BOS is not part of the text
        prompt += comparisonTokenText(m_run->tokens, r.tokens[std::size_t(i)]);
    QStringList reference_text, spec_text;
    for (TokenId id : ref.free_tokens)
        reference_text << comparisonTokenText(m_run->tokens, id);
    for (TokenId id : row.free_tokens)
        spec_text << comparisonTokenText(m_run->tokens, id);
    m_texts->setTexts(prompt, reference_text, spec_text, label, row.first_divergence);
}

void QuantView::renderHeatmap() {
    if (!m_run) return;
    const QuantEvalResult& r = m_run->result;
    const int layer = m_layer->value();
    const int head = m_head->value();
    const Matrix diff =
        attentionDifference(r.reference.attention, r.rows.front().attention, layer, head);
    QStringList labels;
    for (TokenId id : r.tokens)
        labels << tokenLabel(id);
    m_heatmap->setMatrix(diff, labels);
    m_heatmap->setTitle(tr("|A(%1) \u2212 A(fp32)|, layer %2 head %3")
                            .arg(QString::fromStdString(r.rows.front().label))
                            .arg(layer)
                            .arg(head));
}

}  // namespace kvscope
