#pragma once
// The Eviction view: a bounded cache (policy, budget, sinks, window, positions, shape) run beside
// the full cache on the main window's model and prompt, teacher-forced on the same tokens. The
// inputs and the bytes both caches hold on the left; on the right a summary line, the next-token
// KL per step with the steps whose top-1 token differs marked, the bytes held (logical) and
// allocated (physical) after every step, and both free greedy texts with the first diverging
// token marked.
//
// The comparison (core/eval/evict_eval) runs on a worker thread (EvictEvalThread) with progress
// and cancel (ComparisonView: run, cancel, the outcome); the view builds the request, renders the
// result and computes nothing itself.
#include <QString>
#include <memory>

#include "ui/evict/evict_eval_thread.h"
#include "ui/widgets/comparison_view.h"

class QLabel;

namespace kvscope {

class EvictBytesChart;
class EvictControls;
class QuantStepChart;
class QuantTexts;

class EvictView : public ComparisonView {
    Q_OBJECT
public:
    explicit EvictView(QWidget* parent = nullptr);

    /// The last finished comparison (null before the first one).
    std::shared_ptr<const EvictRun> lastRun() const { return m_run; }
    /// The last comparison as `kvscope-cli evict-eval --json` writes one (core/eval's writer);
    /// empty before the first one.
    QString resultJson() const;

    EvictControls* controls() const { return m_controls; }
    QuantStepChart* klChart() const { return m_kl_chart; }
    EvictBytesChart* bytesChart() const { return m_bytes_chart; }
    QuantTexts* texts() const { return m_texts; }
    QLabel* bytesTable() const { return m_bytes; }

protected:
    void prepareRun() override;
    void startRun() override;
    QString takeResult() override;
    void render() override;
    void modelChanged() override;

private:
    EvictView(EvictControls* controls, EvictEvalThread* thread, QWidget* parent);

    EvictControls* m_controls;
    EvictEvalThread* m_thread;
    QLabel* m_bytes = nullptr;
    QuantStepChart* m_kl_chart = nullptr;
    EvictBytesChart* m_bytes_chart = nullptr;
    QuantTexts* m_texts = nullptr;
    EvictRequest m_request;  // built by prepareRun()
    std::shared_ptr<const EvictRun> m_run;
};

}  // namespace kvscope
