#pragma once
// Runs the engine off the GUI thread. A SessionWorker lives in its own QThread and owns the Model
// and the Session; requests arrive as queued slot calls and results leave as signals carrying
// copies (RecordedStep), so the GUI never touches the Session. Each request ends with
// finished(), which is how SessionRunner knows when the worker is idle.
#include <QObject>
#include <QString>
#include <atomic>
#include <memory>

#include "core/engine/session.h"
#include "core/model/model.h"
#include "ui/engine/trace_model.h"

namespace kvscope {

class SessionWorker : public QObject {
    Q_OBJECT
public:
    explicit SessionWorker(QObject* parent = nullptr);
    ~SessionWorker() override;

    /// Asks a running step(n) to stop after its current step. Thread-safe.
    void requestCancel() { m_cancel.store(true); }
    /// The engine's threads when the user has not chosen: kvscope --threads N, else
    /// OMP_NUM_THREADS, else every core but one, which the GUI thread keeps (on a 2-core machine
    /// a team of 2 engine threads stalls whenever the GUI paints, and the measured step times
    /// would show it).
    static int defaultThreads();
    /// Threads of the sessions opened from now on; 0 = defaultThreads(). Worker thread only.
    void setThreads(int n_threads) { m_threads = n_threads; }

public slots:
    /// Loads `reference` (builtin:*, a GGUF or llama2.c file) and opens a session on it.
    void load(const QString& reference, const kvscope::SessionOptions& options);
    /// Reopens the session on the loaded model with new options (records are dropped).
    void configure(const kvscope::SessionOptions& options);
    /// When on, every step is also run in the other CacheMode, teacher-forced on the same token.
    void setMeasureOtherMode(bool on);
    /// BOS + the encoded prompt, in one pass.
    void prefill(const QString& prompt);
    /// Up to `n` decode steps; stops early at the context limit or when cancelled.
    void step(int n);
    void undo();
    void reset();
    /// Closes the session and forgets the model (a replayed trace needs neither).
    void unload();

signals:
    /// A session is open (after load() or configure()); options.max_context is the effective one.
    void opened(const QString& reference, const kvscope::TraceModelInfo& info,
                const kvscope::SessionOptions& options, const QString& backend);
    void stepped(const kvscope::RecordedStep& step);
    void undone();
    void wasReset();
    void failed(const QString& message);
    /// One per request, after its other signals.
    void finished();

private:
    RecordedStep recorded(const StepRecord& record);
    static void warmUp(const std::shared_ptr<const Model>& model);
    /// Makes `session` the current one and announces it with opened().
    void adopt(std::unique_ptr<Session> session);
    std::unique_ptr<Session> makeOtherSession() const;
    void feedOther(const StepRecord& record, RecordedStep& out);

    std::shared_ptr<const Model> m_model;
    QString m_reference;
    std::unique_ptr<Session> m_session;
    std::unique_ptr<Session> m_other;  // the same steps in the other CacheMode, or null
    bool m_measure_other = true;
    int m_threads = 0;  // the backend's threads, 0 = defaultThreads()
    std::atomic<bool> m_cancel{false};
};

}  // namespace kvscope

Q_DECLARE_METATYPE(kvscope::SessionOptions)
Q_DECLARE_METATYPE(kvscope::TraceModelInfo)
Q_DECLARE_METATYPE(kvscope::RecordedStep)
