#pragma once
// The Quantization view (issue #7): a codec for K and one for V (and a mixed-precision window or
// KIVI's residual) run beside the fp32 cache on the main window's model and prompt. The inputs
// and the bytes per layer on the left; on the right a summary line, per-step error charts
// (attention rows, next-token distribution and top-1 agreement), the |A_codec - A_fp32| heatmap
// of a chosen layer and head, and both free greedy texts with the first diverging token marked.
//
// The comparison (core/engine/quant_eval) runs on a worker thread (QuantEvalThread) with
// progress and cancel; the view renders its result and computes nothing itself.
#include <QString>
#include <QWidget>
#include <memory>

#include "core/model/model_config.h"
#include "ui/quant/quant_eval_thread.h"

class QCheckBox;
class QLabel;
class QSpinBox;

namespace kvscope {

class HeatmapWidget;
class QuantBytesTable;
class QuantControls;
class QuantStepChart;
class QuantTexts;

class QuantView : public QWidget {
    Q_OBJECT
public:
    explicit QuantView(QWidget* parent = nullptr);
    ~QuantView() override;

    /// Starts a comparison with the fields' choices. Bad input (no model, a bad window, a
    /// sequence beyond the context) shows a message instead; so does a run already going.
    void run();
    void cancel();
    bool isRunning() const;
    /// Runs the event loop until no comparison is running or `timeout_ms` passes (tests and
    /// --screenshot). Returns whether it is idle.
    bool waitUntilIdle(int timeout_ms = 120000);

    /// The last finished comparison (null before the first one).
    std::shared_ptr<const QuantRun> lastRun() const { return m_run; }
    /// The message on screen when it is an error (empty otherwise).
    QString errorText() const { return m_error; }
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
    QLabel* summary() const { return m_summary; }

public slots:
    /// The model the comparison runs on (the Generate view's); an empty reference = none.
    void setModel(const kvscope::ModelConfig& config, const QString& reference);
    /// The prompt (the Scenario panel's); the field stays editable.
    void setPrompt(const QString& text);

signals:
    /// A comparison ended (finished, failed or cancelled).
    void runFinished();

private:
    void onProgress(int done, int total, const QString& what);
    void onFinished();
    void showError(const QString& message);
    void render();
    void renderHeatmap();
    QString tokenText(TokenId id) const;
    QString tokenLabel(TokenId id) const;

    QuantControls* m_controls = nullptr;
    QuantBytesTable* m_bytes = nullptr;
    QLabel* m_summary = nullptr;
    QLabel* m_formula = nullptr;  // under the bytes table: where a row's bytes come from
    QuantStepChart* m_attention_chart = nullptr;
    QuantStepChart* m_logits_chart = nullptr;
    HeatmapWidget* m_heatmap = nullptr;
    QSpinBox* m_layer = nullptr;
    QSpinBox* m_head = nullptr;
    QCheckBox* m_log = nullptr;
    QuantTexts* m_texts = nullptr;
    QuantEvalThread* m_thread = nullptr;

    ModelConfig m_config;
    QString m_reference;
    std::shared_ptr<const QuantRun> m_run;
    QString m_error;
    bool m_pending = false;  // from run() until onFinished()
};

}  // namespace kvscope
