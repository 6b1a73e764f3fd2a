#pragma once
// Runs one eviction comparison off the GUI thread (the Eviction view's worker): loads the model
// (kept for the next run on the same reference), builds the teacher-forced sequence (BOS + prompt
// + the full cache's greedy continuation of `steps` tokens) and calls runEvictEval on it with the
// prompt as the prefill, free generation from the prompt for `steps` steps. Then the bytes each
// cache holds after every step: logical from the estimator (boundedCacheBytes), the bounded
// cache's physical bytes and holes from its live cache in the same run (which blocks
// a score policy keeps depends on its scores), the full cache's physical bytes from the estimator.
// The GUI reads the result on its own thread once finished() has arrived; progress() and cancel()
// work while it runs.
#include <QString>
#include <map>
#include <memory>

#include "core/eval/evict_eval.h"
#include "core/model/model.h"
#include "core/trace/trace.h"
#include "ui/engine/comparison_thread.h"

namespace kvscope {

struct EvictRequest {
    QString reference;        // the model: builtin:*, a GGUF or llama2.c file
    QString prompt;           // BOS is put in front
    EvictionSpec spec;        // the policy compared with the full cache (budget in tokens)
    std::int64_t steps = 64;  // full-cache greedy tokens after the prompt, and free steps
    CacheLayout layout = CacheLayout::Paged;
    std::int64_t block_size = 16;
};

/// Bytes after each compared step: [n_steps], step 0 = after the prompt's pass.
struct EvictStepBytes {
    std::vector<double> full_logical, full_physical;
    std::vector<double> logical, physical;
    std::vector<std::int64_t> holes;  // the bounded cache's (paged: allocated, held by no layer)
};

/// A finished comparison: the result plus what the view needs to label it.
struct EvictRun {
    EvictRequest request;
    ModelConfig config;
    std::int64_t prompt_tokens = 0;        // BOS + the prompt: the prefill, where free text starts
    EvictEvalResult result;                // one row: request.spec
    EvictStepBytes bytes;                  // per step, both caches
    std::map<TokenId, TraceToken> tokens;  // every token of the sequence and both free runs
};

class EvictEvalThread : public ComparisonThread {
    Q_OBJECT
public:
    explicit EvictEvalThread(QObject* parent = nullptr);
    ~EvictEvalThread() override;

    /// Starts a run. Pre: !isRunning().
    void start(const EvictRequest& request);

    /// Valid after finished(): the run (null when it failed or was cancelled).
    std::shared_ptr<const EvictRun> lastRun() const { return m_run; }

protected:
    void work() override;

private:
    EvictRequest m_request;
    std::shared_ptr<const EvictRun> m_run;
};

}  // namespace kvscope
