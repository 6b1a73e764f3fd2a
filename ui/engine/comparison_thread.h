#pragma once
// What every comparison run off the GUI thread shares (the Quantization and Eviction views'
// workers): the model of the last run kept for the next one on the same reference, the sequence
// both caches are fed (BOS + prompt + the reference's greedy continuation), progress in three
// stages (the sequence, the reference's run, the compared cache's run), cancel, the labels of the
// tokens shown, and the outcome (finished with a result, cancelled, or failed with a message). A
// subclass holds its request and result and does the work in work(); the GUI reads the outcome
// on its own thread once finished() has arrived.
#include <QString>
#include <QThread>
#include <atomic>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <map>
#include <memory>
#include <optional>
#include <vector>

#include "core/model/model.h"
#include "core/trace/trace.h"

namespace kvscope {

class ComparisonThread : public QThread {
    Q_OBJECT
public:
    /// Asks the run to stop after its current stage. Thread-safe.
    void cancel() { m_cancel.store(true); }
    /// Valid after finished(): whether the run was cancelled, and the message of a failure.
    bool wasCancelled() const { return m_cancelled; }
    QString lastError() const { return m_error; }

signals:
    /// Stage `done` of `total` is over; `what` names the next one.
    void progress(int done, int total, const QString& what);

protected:
    explicit ComparisonThread(QObject* parent) : QThread(parent) {}

    /// What both caches are fed.
    struct Sequence {
        std::shared_ptr<const Model> model;
        std::int64_t prompt_tokens = 0;  // BOS + the prompt: the prefill, where free text starts
        std::vector<TokenId> tokens;     // BOS + prompt + the reference's greedy continuation
    };

    /// Clears the last outcome and starts work() on the thread. Pre: !isRunning().
    void begin();
    /// The work: throws on failure (the message becomes lastError()); calls markCancelled() and
    /// returns when cancelRequested().
    virtual void work() = 0;
    bool cancelRequested() const { return m_cancel.load(); }
    void markCancelled() { m_cancelled = true; }
    /// Stage 0 (`loading`): the model named `reference` (loaded once and reused while the
    /// reference stays the same), BOS + `prompt`, `check(model, its length + steps)` (throws
    /// InputError when the run cannot fit), then the reference's greedy continuation of `steps`
    /// tokens. Announces stage 1 as `next`. nullopt when cancelled (marked). Call from work().
    std::optional<Sequence> prepareSequence(
        const QString& reference, const QString& prompt, std::int64_t steps, const QString& loading,
        const QString& next,
        const std::function<void(const Model& model, std::int64_t n_tokens)>& check);
    /// The progress callback of an eval harness's runs (the reference, then the cache compared,
    /// named `label`): stages 1 and 2; false once cancel() was asked.
    std::function<bool(std::int64_t done, std::int64_t total)> stageProgress(const QString& label);
    /// The last stage is over.
    void finishStages();
    /// Every token of the sequence and of `free_runs` with its text and label.
    static std::map<TokenId, TraceToken> tokenLabels(
        const Sequence& sequence, std::initializer_list<const std::vector<TokenId>*> free_runs);

private:
    void run() final;

    std::atomic<bool> m_cancel{false};
    QString m_error;
    bool m_cancelled = false;
    std::shared_ptr<const Model> m_model;
    QString m_model_reference;
};

}  // namespace kvscope
