#pragma once
// The GUI side of the engine: owns the worker thread, sends it requests, and turns its results
// into TraceModel updates. Step and Step back move the cursor while it is behind the last record
// (replaying, instant) and ask the engine for a real step or a real undo once it is at the end.
// Play repeats Step on a timer; Run to end asks for every remaining step at once.
#include <QObject>
#include <QString>
#include <QThread>
#include <QTimer>

#include "core/engine/session.h"
#include "ui/engine/trace_model.h"

namespace kvscope {

class SessionWorker;

class SessionRunner : public QObject {
    Q_OBJECT
public:
    explicit SessionRunner(TraceModel* trace, QObject* parent = nullptr);
    ~SessionRunner() override;

    void load(const QString& reference, const SessionOptions& options);
    /// New cache/sampling options for the loaded model; the records are dropped.
    void configure(const SessionOptions& options);
    /// The engine's threads for the next load() or configure(); 0 = the worker's default
    /// (SessionWorker::defaultThreads()).
    void setThreads(int n_threads) { m_threads = n_threads; }
    int threads() const { return m_threads; }
    void setMeasureOtherMode(bool on);
    void prefill(const QString& prompt);
    void step();
    void stepBack();
    /// Decode until the context limit or `max_steps` steps, whichever comes first.
    void runToEnd(int max_steps);
    void reset();
    /// Shows a recorded trace with no model behind it: the worker drops its model and session,
    /// Step and Back move the cursor through the records, and nothing is computed.
    void replay(Trace trace);
    /// True while a replayed trace is shown (no model loaded).
    bool isReplay() const { return m_replay; }
    /// Stops Play and asks a running Run to end to stop after its current step.
    void cancel();

    void setPlaying(bool on);
    bool isPlaying() const { return m_play.isActive(); }
    /// Play speed in steps per second, clamped to [0.25, 60].
    void setSpeed(double steps_per_second);
    double speed() const { return m_speed; }

    bool isBusy() const { return m_pending > 0; }
    bool hasModel() const { return m_has_model; }
    bool canStep() const;
    bool canStepBack() const;
    /// Runs the event loop until every request has finished or `timeout_ms` passes (tests and
    /// --screenshot). Returns whether the worker is idle.
    bool waitUntilIdle(int timeout_ms = 120000);

signals:
    void busyChanged(bool busy);
    void playingChanged(bool playing);
    void failed(const QString& message);
    void loaded(const QString& reference);
    /// The worker answered a request with no error.
    void succeeded();

private:
    int m_threads = 0;  // setThreads()
    template <typename Call>
    void request(Call call);
    void onFinished();
    void onPlayTick();

    TraceModel* m_trace;
    QThread m_thread;
    SessionWorker* m_worker;  // lives in m_thread
    int m_pending = 0;
    bool m_has_model = false;
    bool m_replay = false;  // a replayed trace: no model, the cursor only
    bool m_request_failed = false;
    QTimer m_play;
    double m_speed = 4;
};

}  // namespace kvscope
