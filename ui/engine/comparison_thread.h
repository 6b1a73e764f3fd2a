#pragma once
// What every comparison run off the GUI thread shares (the Quantization and Eviction views'
// workers): the model of the last run kept for the next one on the same reference, progress,
// cancel, and the outcome (finished with a result, cancelled, or failed with a message). A
// subclass holds its request and result and does the work in work(); the GUI reads the outcome
// on its own thread once finished() has arrived.
#include <QString>
#include <QThread>
#include <atomic>
#include <memory>

#include "core/model/model.h"

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

    /// Clears the last outcome and starts work() on the thread. Pre: !isRunning().
    void begin();
    /// The work: throws on failure (the message becomes lastError()); calls markCancelled() and
    /// returns when cancelRequested().
    virtual void work() = 0;
    bool cancelRequested() const { return m_cancel.load(); }
    void markCancelled() { m_cancelled = true; }
    /// The model named `reference`, loaded once and reused while the reference stays the same.
    /// Call from work() only.
    std::shared_ptr<const Model> modelFor(const QString& reference);

private:
    void run() final;

    std::atomic<bool> m_cancel{false};
    QString m_error;
    bool m_cancelled = false;
    std::shared_ptr<const Model> m_model;
    QString m_model_reference;
};

}  // namespace kvscope
