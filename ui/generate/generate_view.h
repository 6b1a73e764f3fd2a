#pragma once
// The "Generate" view: the token stream with a plain-words account of the step on screen, one
// head's attention heatmap or every head at once, the cache growing per layer and the cost of not
// caching. A function of the TraceModel and its
// cursor: it re-renders when either changes and computes nothing of its own.
#include <QWidget>

#include "ui/engine/trace_model.h"
#include "ui/generate/attention_images.h"

class QCheckBox;
class QComboBox;
class QGroupBox;
class QLabel;
class QSpinBox;
class QStackedWidget;

namespace kvscope {

class CacheGrowthChart;
class CostChart;
class HeadGridWidget;
class HeatmapWidget;
class TokenStrip;

class GenerateView : public QWidget {
    Q_OBJECT
public:
    explicit GenerateView(TraceModel* trace, QWidget* parent = nullptr);

    void showHead(int layer, int head);
    void setAllHeads(bool on);
    void setLogScale(bool on);
    int layer() const;
    int head() const;

    TokenStrip* tokenStrip() const { return m_token_strip; }
    QLabel* explanation() const { return m_explanation; }
    /// The token strip's box; its title names what the layer (and KV head) shown holds.
    QGroupBox* tokensBox() const { return m_tokens_box; }
    QLabel* evictedLegend() const { return m_evicted_legend; }
    QLabel* sinkLegend() const { return m_sink_legend; }
    HeatmapWidget* heatmap() const { return m_heatmap; }
    HeadGridWidget* headGrid() const { return m_grid; }
    CacheGrowthChart* cacheChart() const { return m_cache_chart; }
    CostChart* costChart() const { return m_cost_chart; }
    /// What the cost chart plots (time or FLOPs, per step or summed; CostChart::Measure data).
    QComboBox* costMeasureBox() const { return m_cost_measure; }
    QSpinBox* layerBox() const { return m_layer_box; }
    QSpinBox* headBox() const { return m_head_box; }
    QCheckBox* allHeadsBox() const { return m_all_heads; }
    QCheckBox* logScaleBox() const { return m_log_scale; }
    const AttentionImages& attentionImages() const { return m_images; }

protected:
    /// A new palette (dark mode) repaints the masked cells in its colour.
    void changeEvent(QEvent* event) override;

private:
    QWidget* buildTokenBox();
    QWidget* buildAttentionPanel();
    QWidget* buildCharts();
    void onModelChanged();
    void onRecordsChanged();
    void refreshShown();
    void refreshHeatmap();
    void refreshGrid();
    void refreshTokens();

    TraceModel* m_trace;
    AttentionImages m_images;
    QGroupBox* m_tokens_box = nullptr;
    TokenStrip* m_token_strip = nullptr;
    QLabel* m_explanation = nullptr;
    QLabel* m_evicted_legend = nullptr;  // shown while the trace has a bounded cache
    QLabel* m_sink_legend = nullptr;     // and while it keeps sinks
    QSpinBox* m_layer_box = nullptr;
    QSpinBox* m_head_box = nullptr;
    QCheckBox* m_all_heads = nullptr;
    QCheckBox* m_log_scale = nullptr;
    QStackedWidget* m_attention_stack = nullptr;
    HeatmapWidget* m_heatmap = nullptr;
    HeadGridWidget* m_grid = nullptr;
    CacheGrowthChart* m_cache_chart = nullptr;
    QComboBox* m_cost_measure = nullptr;
    CostChart* m_cost_chart = nullptr;
};

}  // namespace kvscope
