#pragma once
// The Eviction view: a bounded cache (policy, budget, sinks, window, positions, shape) run beside
// the full cache on the main window's model and prompt, teacher-forced on the same tokens. The
// inputs and the bytes both caches hold on the left; on the right a summary line, the next-token
// KL per step with the steps whose top-1 token differs marked, the bytes held (logical) and
// allocated (physical) after every step, and both free greedy texts with the first diverging
// token marked.
//
// The comparison (core/eval/evict_eval) runs on a worker thread (EvictEvalThread) with progress
// and cancel; the view renders its result and computes nothing itself.
#include <QString>
#include <QWidget>
#include <memory>

#include "core/model/model_config.h"
#include "ui/evict/evict_eval_thread.h"

class QLabel;

namespace kvscope {

class EvictBytesChart;
class EvictControls;
class QuantStepChart;
class QuantTexts;

class EvictView : public QWidget {
    Q_OBJECT
public:
    explicit EvictView(QWidget* parent = nullptr);
    ~EvictView() override;

    /// Starts a comparison with the fields' choices. Bad input (no model, a bad budget, a
    /// sequence beyond the context) shows a message instead; so does a run already going.
    void run();
    void cancel();
    bool isRunning() const;
    /// Runs the event loop until no comparison is running or `timeout_ms` passes (tests and
    /// --screenshot). Returns whether it is idle.
    bool waitUntilIdle(int timeout_ms = 120000);

    /// The last finished comparison (null before the first one).
    std::shared_ptr<const EvictRun> lastRun() const { return m_run; }
    /// The message on screen when it is an error (empty otherwise).
    QString errorText() const { return m_error; }
    /// The last comparison as `kvscope-cli evict-eval --json` writes one (core/eval's writer);
    /// empty before the first one.
    QString resultJson() const;

    EvictControls* controls() const { return m_controls; }
    QuantStepChart* klChart() const { return m_kl_chart; }
    EvictBytesChart* bytesChart() const { return m_bytes_chart; }
    QuantTexts* texts() const { return m_texts; }
    QLabel* summary() const { return m_summary; }
    QLabel* bytesTable() const { return m_bytes; }

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
    QString tokenText(TokenId id) const;

    EvictControls* m_controls = nullptr;
    QLabel* m_bytes = nullptr;
    QLabel* m_summary = nullptr;
    QuantStepChart* m_kl_chart = nullptr;
    EvictBytesChart* m_bytes_chart = nullptr;
    QuantTexts* m_texts = nullptr;
    EvictEvalThread* m_thread = nullptr;

    ModelConfig m_config;
    QString m_reference;
    std::shared_ptr<const EvictRun> m_run;
    QString m_error;
    bool m_pending = false;  // from run() until onFinished()
};

}  // namespace kvscope
