#pragma once
// The Quantization view (issue #7): a codec for K and one for V (and a mixed-precision window or
// KIVI's residual) run beside the fp32 cache on the main window's model and prompt. The inputs
// and the bytes per layer on the left; on the right a summary line, per-step error charts
// (attention rows, next-token distribution and top-1 agreement), the |A_codec - A_fp32| heatmap
// of a chosen layer and head, and both free greedy texts with the first diverging token marked.
//
// The comparison (core/eval/quant_eval) runs on a worker thread (QuantEvalThread) with progress
// and cancel (ComparisonView: run, cancel, the outcome); the view builds the request, renders the
// result and computes nothing itself.
#include <QString>
#include <memory>

#include "ui/quant/quant_eval_thread.h"
#include "ui/widgets/comparison_view.h"

class QCheckBox;
class QLabel;
class QSpinBox;

namespace kvscope {

class HeatmapWidget;
class QuantBytesTable;
class QuantControls;
class QuantStepChart;
class QuantTexts;

class QuantView : public ComparisonView {
    Q_OBJECT
public:
    explicit QuantView(QWidget* parent = nullptr);

    /// The last finished comparison (null before the first one).
    std::shared_ptr<const QuantRun> lastRun() const { return m_run; }
    /// Shows |A_codec - A_fp32| of `layer`, `head` (clamped to the last run's model).
    void showHead(int layer, int head);

    QuantControls* controls() const { return m_controls; }
    QuantBytesTable* bytesTable() const { return m_bytes; }
    QuantStepChart* attentionChart() const { return m_attention_chart; }
    QuantStepChart* logitsChart() const { return m_logits_chart; }
    HeatmapWidget* heatmap() const { return m_heatmap; }
    QSpinBox* layerBox() const { return m_layer; }
    QSpinBox* headBox() const { return m_head; }
    QCheckBox* logScaleBox() const { return m_log; }
    QuantTexts* texts() const { return m_texts; }

protected:
    void prepareRun() override;
    void startRun() override;
    QString takeResult() override;
    void render() override;

private:
    QuantView(QuantControls* controls, QuantEvalThread* thread, QWidget* parent);
    void renderHeatmap();
    QString tokenLabel(TokenId id) const;

    QuantControls* m_controls;
    QuantEvalThread* m_thread;
    QuantBytesTable* m_bytes = nullptr;
    QLabel* m_formula = nullptr;  // under the bytes table: where a row's bytes come from
    QuantStepChart* m_attention_chart = nullptr;
    QuantStepChart* m_logits_chart = nullptr;
    HeatmapWidget* m_heatmap = nullptr;
    QSpinBox* m_layer = nullptr;
    QSpinBox* m_head = nullptr;
    QCheckBox* m_log = nullptr;
    QuantTexts* m_texts = nullptr;
    QuantRequest m_request;  // built by prepareRun()
    std::shared_ptr<const QuantRun> m_run;
};

}  // namespace kvscope
