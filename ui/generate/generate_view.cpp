#include "ui/generate/generate_view.h"

#include <QCheckBox>
#include <QComboBox>
#include <QEvent>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QSpinBox>
#include <QSplitter>
#include <QStackedWidget>
#include <QVBoxLayout>

#include "core/cache/kv_dtype.h"
#include "core/trace/attention_matrix.h"
#include "ui/generate/cache_growth_chart.h"
#include "ui/generate/cost_chart.h"
#include "ui/generate/eviction_marks.h"
#include "ui/generate/head_grid_widget.h"
#include "ui/generate/heatmap_widget.h"
#include "ui/generate/step_explanation.h"
#include "ui/generate/token_chips.h"
#include "ui/generate/token_strip.h"

namespace kvscope {
namespace {

QLabel* legendEntry(TokenRole role, const QString& text) {
    const ChipColors colors = chipColors(role);
    auto* label = new QLabel(
        QStringLiteral("<span style='color:%1'>\u25A0</span> %2").arg(colors.border.name(), text));
    label->setTextFormat(Qt::RichText);
    return label;
}

/// Query heads per KV head; 1 before a model is loaded.
std::int64_t groupSize(const ModelConfig& config) {
    return config.n_kv_heads > 0 ? config.kvGroupSize() : 1;
}

}  // namespace

GenerateView::GenerateView(TraceModel* trace, QWidget* parent) : QWidget(parent), m_trace(trace) {
    auto* charts_and_attention = new QSplitter(Qt::Horizontal);
    charts_and_attention->addWidget(buildAttentionPanel());
    charts_and_attention->addWidget(buildCharts());
    charts_and_attention->setStretchFactor(0, 3);
    charts_and_attention->setStretchFactor(1, 2);
    charts_and_attention->setChildrenCollapsible(false);

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(8, 6, 8, 4);
    layout->addWidget(buildTokenBox());
    layout->addWidget(charts_and_attention, 1);

    connect(m_trace, &TraceModel::modelChanged, this, &GenerateView::onModelChanged);
    connect(m_trace, &TraceModel::recordsChanged, this, &GenerateView::onRecordsChanged);
    connect(m_trace, &TraceModel::cursorChanged, this, &GenerateView::refreshShown);
    onModelChanged();
}

QWidget* GenerateView::buildTokenBox() {
    m_token_strip = new TokenStrip;
    connect(m_token_strip, &TokenStrip::positionClicked, this, [this](int position) {
        m_heatmap->setSelectedRow(position);
        setAllHeads(false);
    });
    auto* legend = new QVBoxLayout;
    legend->setSpacing(2);
    legend->addWidget(legendEntry(TokenRole::Special, tr("special")));
    legend->addWidget(legendEntry(TokenRole::Prompt, tr("prompt")));
    legend->addWidget(legendEntry(TokenRole::Generated, tr("generated")));
    legend->addWidget(legendEntry(TokenRole::Pending, tr("next (not yet fed)")));
    // A bounded cache's marks: shown while the trace on screen has one.
    const ChipColors evicted = evictedChipColors();
    m_evicted_legend = new QLabel(
        tr("<span style='color:%1'>\u25A0</span> <s>evicted</s>").arg(evicted.border.name()));
    m_evicted_legend->setTextFormat(Qt::RichText);
    m_evicted_legend->setToolTip(
        tr("Struck through: the bounded cache no longer holds the token in the layer and KV head "
           "shown below; its heatmap column is hatched"));
    m_sink_legend = new QLabel(tr("<span style='color:%1'>%2</span> sink (always kept)")
                                   .arg(sinkColor().name(), QString(QChar(kSinkGlyph))));
    m_sink_legend->setTextFormat(Qt::RichText);
    m_sink_legend->setToolTip(
        tr("StreamingLLM's attention sinks: the first positions, never "
           "evicted"));
    legend->addWidget(m_evicted_legend);
    legend->addWidget(m_sink_legend);
    m_evicted_legend->hide();
    m_sink_legend->hide();
    auto* space_note = new QLabel(tr("\u2581 stands for a space"));
    space_note->setForegroundRole(QPalette::PlaceholderText);
    legend->addWidget(space_note);
    legend->addStretch();

    m_explanation = new QLabel;
    m_explanation->setWordWrap(true);
    m_explanation->setTextFormat(Qt::RichText);
    m_explanation->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_explanation->setAlignment(Qt::AlignTop | Qt::AlignLeft);

    auto* left = new QVBoxLayout;
    left->addWidget(m_token_strip);
    left->addWidget(m_explanation);
    m_tokens_box = new QGroupBox(tr("Tokens"));
    auto* layout = new QHBoxLayout(m_tokens_box);
    layout->addLayout(left, 1);
    layout->addSpacing(12);
    layout->addLayout(legend);
    return m_tokens_box;
}

QWidget* GenerateView::buildAttentionPanel() {
    m_layer_box = new QSpinBox;
    m_head_box = new QSpinBox;
    m_layer_box->setToolTip(tr("Layer of the head shown"));
    m_head_box->setToolTip(tr("Query head shown"));
    for (QSpinBox* box : {m_layer_box, m_head_box}) {
        connect(box, &QSpinBox::valueChanged, this, [this] {
            refreshTokens();  // the evicted tokens are the layer's (and KV head's)
            refreshHeatmap();
            m_grid->setSelected(layer(), head());
        });
    }
    m_all_heads = new QCheckBox(tr("All heads"));
    m_all_heads->setToolTip(tr("Every layer and head at once; click one to open it"));
    connect(m_all_heads, &QCheckBox::toggled, this, [this](bool on) {
        m_attention_stack->setCurrentIndex(on ? 1 : 0);
        refreshShown();
    });
    m_log_scale = new QCheckBox(tr("Log scale"));
    m_log_scale->setToolTip(
        tr("Colour log10(weight) from 1e-4 to 1: small weights become visible"));
    connect(m_log_scale, &QCheckBox::toggled, this, [this](bool on) {
        m_heatmap->setLogScale(on);
        refreshGrid();
    });

    auto* controls = new QHBoxLayout;
    controls->addWidget(new QLabel(tr("Layer")));
    controls->addWidget(m_layer_box);
    controls->addSpacing(8);
    controls->addWidget(new QLabel(tr("Head")));
    controls->addWidget(m_head_box);
    controls->addSpacing(16);
    controls->addWidget(m_all_heads);
    controls->addWidget(m_log_scale);
    controls->addStretch();

    m_heatmap = new HeatmapWidget;
    m_heatmap->setPlaceholder(tr("Type a prompt and press Prefill (Ctrl+Return)"));
    m_grid = new HeadGridWidget(&m_images);
    connect(m_grid, &HeadGridWidget::headClicked, this, [this](int l, int h) {
        showHead(l, h);
        setAllHeads(false);
    });
    m_attention_stack = new QStackedWidget;
    m_attention_stack->addWidget(m_heatmap);
    m_attention_stack->addWidget(m_grid);

    auto* panel = new QWidget;
    auto* layout = new QVBoxLayout(panel);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(controls);
    layout->addWidget(m_attention_stack, 1);
    return panel;
}

QWidget* GenerateView::buildCharts() {
    m_cache_chart = new CacheGrowthChart;
    m_cost_chart = new CostChart;
    m_cost_measure = new QComboBox;
    m_cost_measure->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    m_cost_measure->setMinimumContentsLength(12);
    // Short items that fit the narrow column; the tooltips say exactly what each one plots.
    const auto add_measure = [this](const QString& text, const QString& tip,
                                    CostChart::Measure measure) {
        m_cost_measure->addItem(text, int(measure));
        m_cost_measure->setItemData(m_cost_measure->count() - 1, tip, Qt::ToolTipRole);
    };
    add_measure(tr("Time, summed"), tr("Wall time, summed over the steps so far"),
                CostChart::Measure::TimeCumulative);
    add_measure(tr("Time per step"), tr("Wall time of each decode step"),
                CostChart::Measure::TimePerStep);
    add_measure(tr("FLOPs, summed"), tr("Floating-point operations, summed over the steps so far"),
                CostChart::Measure::FlopsCumulative);
    add_measure(tr("FLOPs per step"), tr("Floating-point operations of each decode step"),
                CostChart::Measure::FlopsPerStep);
    m_cost_measure->setToolTip(
        tr("What the cost chart plots, with and without the KV cache: wall time or FLOPs, per "
           "decode step or summed over the steps so far"));
    connect(m_cost_measure, &QComboBox::currentIndexChanged, this, [this] {
        m_cost_chart->setMeasure(CostChart::Measure(m_cost_measure->currentData().toInt()));
    });

    auto* cost = new QWidget;
    auto* cost_layout = new QVBoxLayout(cost);
    cost_layout->setContentsMargins(0, 0, 0, 0);
    auto* measure_row = new QHBoxLayout;
    measure_row->addWidget(new QLabel(tr("Show")));
    measure_row->addWidget(m_cost_measure, 1);
    cost_layout->addLayout(measure_row);
    cost_layout->addWidget(m_cost_chart, 1);

    auto* charts = new QSplitter(Qt::Vertical);
    charts->addWidget(m_cache_chart);
    charts->addWidget(cost);
    charts->setChildrenCollapsible(false);
    return charts;
}

void GenerateView::onModelChanged() {
    const ModelConfig& config = m_trace->config();
    const QSignalBlocker block_layer(m_layer_box);
    const QSignalBlocker block_head(m_head_box);
    m_layer_box->setRange(0, std::max(0, int(config.n_layers) - 1));
    m_head_box->setRange(0, std::max(0, int(config.n_heads) - 1));
    m_images.clear();
    onRecordsChanged();
}

void GenerateView::onRecordsChanged() {
    const Trace& trace = m_trace->trace();
    const ModelConfig& config = trace.model_info.config;
    m_images.update(trace.records, config.n_layers, config.n_heads, m_log_scale->isChecked(),
                    attentionMaskedColor(palette()).rgb());
    m_cache_chart->setData(cacheGrowthData(trace), m_trace->cursor() - 1);
    m_cost_chart->setData(costData(*m_trace));
    refreshShown();
}

void GenerateView::refreshShown() {
    m_cache_chart->setCursorStep(m_trace->cursor() - 1);
    refreshTokens();
    if (m_all_heads->isChecked()) {
        refreshGrid();
    } else {
        refreshHeatmap();
    }
}

void GenerateView::refreshTokens() {
    const EvictionMarks marks = evictionMarks(*m_trace, layer(), head());
    m_token_strip->setTokens(tokenChips(*m_trace, marks));
    m_evicted_legend->setVisible(marks.bounded);
    m_sink_legend->setVisible(marks.sinks > 0);
    m_explanation->setText(explainStep(*m_trace));
    const StepRecord* current = m_trace->current();
    const int n_generated = m_token_strip->count(TokenRole::Generated);
    const QString held =
        marks.bounded
            ? tr("%1 holds %2 of %3 positions (%4 evicted by %5)")
                  .arg(marks.per_head
                           ? tr("layer %1 KV head %2").arg(marks.layer).arg(marks.kv_head)
                           : tr("layer %1").arg(marks.layer))
                  .arg(marks.held)
                  .arg(current->positionsAfter())
                  .arg(marks.evictedCount())
                  .arg(m_trace->trace().scenario.eviction.bounded()
                           ? QString::fromStdString(m_trace->trace().scenario.eviction.label())
                           : tr("the layer's sliding window"))
        : current ? tr("%1 positions in the cache").arg(current->positionsAfter())
                  : QString();
    m_tokens_box->setTitle(current ? tr("Tokens \u00b7 %1 \u00b7 %2 generated \u00b7 step %3 of %4")
                                         .arg(held)
                                         .arg(n_generated)
                                         .arg(m_trace->cursor() - 1)
                                         .arg(m_trace->recordCount() - 1)
                                   : tr("Tokens"));
}

void GenerateView::refreshHeatmap() {
    QStringList labels;
    for (TokenId id : m_trace->shownTokens())
        labels << m_trace->label(id);
    m_heatmap->setMatrix(assembleAttention(m_trace->shown(), layer(), head()).weights, labels);
    m_heatmap->setEvictedColumns(evictionMarks(*m_trace, layer(), head()).evicted);
    const StepRecord* current = m_trace->current();
    if (current) {
        m_heatmap->setNewRows(int(current->first_pos), int(current->tokens.size()));
    } else {
        m_heatmap->setNewRows(0, 0);
    }
    const std::int64_t group = groupSize(m_trace->config());
    m_heatmap->setTitle(
        tr("Attention \u00b7 layer %1 \u00b7 head %2 (KV head %3) \u00b7 %4 \u00d7 %4")
            .arg(layer())
            .arg(head())
            .arg(head() / group)
            .arg(m_heatmap->rowCount()));
}

void GenerateView::refreshGrid() {
    const Trace& trace = m_trace->trace();
    const ModelConfig& config = trace.model_info.config;
    m_images.update(trace.records, config.n_layers, config.n_heads, m_log_scale->isChecked(),
                    attentionMaskedColor(palette()).rgb());
    const StepRecord* current = m_trace->current();
    const std::int64_t group = groupSize(config);
    m_grid->setView(current ? current->positionsAfter() : 0, group);
    // The evicted keys of every layer and KV head (the same in every head but per-head policies).
    std::vector<std::vector<std::vector<bool>>> evicted;
    for (int l = 0; l < int(config.n_layers); ++l) {
        std::vector<std::vector<bool>> heads;
        for (std::int64_t kv = 0; kv < config.n_kv_heads; ++kv)
            heads.push_back(evictionMarks(*m_trace, l, int(kv * group)).evicted);
        evicted.push_back(std::move(heads));
    }
    m_grid->setEvicted(std::move(evicted));
    m_grid->setSelected(layer(), head());
}

void GenerateView::changeEvent(QEvent* event) {
    QWidget::changeEvent(event);
    if (event->type() == QEvent::PaletteChange && m_trace) refreshShown();
}

void GenerateView::showHead(int layer, int head) {
    m_layer_box->setValue(layer);
    m_head_box->setValue(head);
}

void GenerateView::setAllHeads(bool on) {
    m_all_heads->setChecked(on);
}

void GenerateView::setLogScale(bool on) {
    m_log_scale->setChecked(on);
}

int GenerateView::layer() const {
    return m_layer_box->value();
}

int GenerateView::head() const {
    return m_head_box->value();
}

}  // namespace kvscope
