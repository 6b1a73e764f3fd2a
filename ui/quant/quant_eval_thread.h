#pragma once
// Runs one quantization comparison off the GUI thread (the Quantization view's worker): loads the
// model (kept for the next run on the same reference), builds the teacher-forced sequence (BOS +
// prompt + fp32's greedy continuation of `steps` tokens) and calls runQuantEval on it with the
// attention rows kept, free generation seeded by BOS + prompt. The GUI reads the result on its own
// thread once finished() has arrived; progress() and cancel() work while it runs.
#include <QString>
#include <map>
#include <memory>

#include "core/eval/quant_eval.h"
#include "core/model/model.h"
#include "core/trace/trace.h"
#include "ui/engine/comparison_thread.h"

namespace kvscope {

struct QuantRequest {
    QString reference;  // the model: builtin:*, a GGUF or llama2.c file
    QString prompt;     // BOS is put in front
    KvCacheSpec spec;
    std::int64_t steps = 48;  // fp32 greedy tokens after the prompt, and free-generation steps
};

/// A finished comparison: the result plus what the view needs to label it.
struct QuantRun {
    QuantRequest request;
    ModelConfig config;
    std::int64_t prompt_tokens = 0;        // BOS + the prompt: where free generation starts
    QuantEvalResult result;                // one row: request.spec
    std::map<TokenId, TraceToken> tokens;  // every token of the sequence and both free runs
};

class QuantEvalThread : public ComparisonThread {
    Q_OBJECT
public:
    explicit QuantEvalThread(QObject* parent = nullptr);
    ~QuantEvalThread() override;

    /// Starts a run. Pre: !isRunning().
    void start(const QuantRequest& request);

    /// Valid after finished(): the run (null when it failed or was cancelled).
    std::shared_ptr<const QuantRun> lastRun() const { return m_run; }

protected:
    void work() override;

private:
    QuantRequest m_request;
    std::shared_ptr<const QuantRun> m_run;
};

}  // namespace kvscope
