#include "ui/engine/session_runner.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <algorithm>
#include <cmath>

#include "ui/engine/session_worker.h"

namespace kvscope {

SessionRunner::SessionRunner(TraceModel* trace, QObject* parent)
    : QObject(parent), m_trace(trace), m_worker(new SessionWorker) {
    qRegisterMetaType<SessionOptions>();
    qRegisterMetaType<TraceModelInfo>();
    qRegisterMetaType<RecordedStep>();
    m_worker->moveToThread(&m_thread);
    connect(&m_thread, &QThread::finished, m_worker, &QObject::deleteLater);

    connect(m_worker, &SessionWorker::opened, this,
            [this](const QString& reference, const TraceModelInfo& info,
                   const SessionOptions& options, const QString& backend) {
                if (m_replay) return;  // a request from before the replay: its model is gone
                m_has_model = true;
                m_trace->setModel(reference, info, options, backend);
                emit loaded(reference);
            });
    connect(m_worker, &SessionWorker::stepped, this, [this](const RecordedStep& step) {
        if (!m_replay) m_trace->append(step);
    });
    connect(m_worker, &SessionWorker::undone, this, [this] {
        if (!m_replay && m_trace->recordCount() > 0) m_trace->popBack();
    });
    connect(m_worker, &SessionWorker::wasReset, this, [this] {
        if (!m_replay) m_trace->clearRecords();
    });
    connect(m_worker, &SessionWorker::failed, this, [this](const QString& message) {
        m_request_failed = true;
        setPlaying(false);
        emit failed(message);
    });
    connect(m_worker, &SessionWorker::finished, this, &SessionRunner::onFinished);

    m_play.setTimerType(Qt::PreciseTimer);
    connect(&m_play, &QTimer::timeout, this, &SessionRunner::onPlayTick);
    setSpeed(m_speed);
    m_thread.setObjectName(QStringLiteral("kvscope-engine"));
    m_thread.start();
}

SessionRunner::~SessionRunner() {
    m_worker->requestCancel();
    m_thread.quit();
    m_thread.wait();
}

template <typename Call>
void SessionRunner::request(Call call) {
    if (m_pending++ == 0) emit busyChanged(true);
    m_request_failed = false;
    QMetaObject::invokeMethod(m_worker, call, Qt::QueuedConnection);
}

void SessionRunner::onFinished() {
    if (--m_pending == 0) {
        emit busyChanged(false);
        if (!m_request_failed) emit succeeded();
    }
}

void SessionRunner::load(const QString& reference, const SessionOptions& options) {
    setPlaying(false);
    m_replay = false;
    request([w = m_worker, reference, options, n = m_threads] {
        w->setThreads(n);
        w->load(reference, options);
    });
}

void SessionRunner::configure(const SessionOptions& options) {
    setPlaying(false);
    request([w = m_worker, options, n = m_threads] {
        w->setThreads(n);
        w->configure(options);
    });
}

void SessionRunner::setMeasureOtherMode(bool on) {
    request([w = m_worker, on] { w->setMeasureOtherMode(on); });
}

void SessionRunner::prefill(const QString& prompt) {
    request([w = m_worker, prompt] { w->prefill(prompt); });
}

bool SessionRunner::canStep() const {
    if (!m_trace->atEnd()) return true;
    if (m_replay) return false;
    const StepRecord* last = m_trace->current();
    return last != nullptr && last->positionsAfter() < m_trace->maxContext();
}

bool SessionRunner::canStepBack() const {
    if (m_replay) return m_trace->cursor() > 1;  // a replay: the cursor only
    return m_trace->recordCount() > 0;
}

void SessionRunner::step() {
    if (!m_trace->atEnd()) {
        m_trace->setCursor(m_trace->cursor() + 1);
        return;
    }
    // While busy (a prefill on its way), the request queues behind it; the worker itself stops
    // at the context limit.
    if (!m_replay && (isBusy() || canStep())) request([w = m_worker] { w->step(1); });
}

void SessionRunner::stepBack() {
    setPlaying(false);
    if (!m_trace->atEnd()) {
        m_trace->setCursor(m_trace->cursor() - 1);
        return;
    }
    if (!m_replay && canStepBack()) request([w = m_worker] { w->undo(); });
}

void SessionRunner::runToEnd(int max_steps) {
    setPlaying(false);
    m_trace->setCursor(m_trace->recordCount());
    if (!m_replay && (isBusy() || canStep()) && max_steps > 0)
        request([w = m_worker, max_steps] { w->step(max_steps); });
}

void SessionRunner::replay(Trace trace) {
    // Results of requests still on their way (a model loading, steps) are dropped from here on.
    setPlaying(false);
    m_worker->requestCancel();
    m_has_model = false;
    m_replay = true;
    request([w = m_worker] { w->unload(); });
    m_trace->setTrace(std::move(trace));
    m_trace->setCursor(m_trace->recordCount());
}

void SessionRunner::reset() {
    setPlaying(false);
    if (m_replay) {  // nothing to empty: back to the prefill
        m_trace->setCursor(std::min(1, m_trace->recordCount()));
        return;
    }
    request([w = m_worker] { w->reset(); });
}

void SessionRunner::cancel() {
    setPlaying(false);
    m_worker->requestCancel();
}

void SessionRunner::setPlaying(bool on) {
    if (on == isPlaying()) return;
    if (on) {
        m_play.start();
    } else {
        m_play.stop();
    }
    emit playingChanged(on);
}

void SessionRunner::setSpeed(double steps_per_second) {
    m_speed = std::clamp(steps_per_second, 0.25, 60.0);
    m_play.setInterval(int(std::lround(1000.0 / m_speed)));
}

// One step per tick; a tick that finds the worker still busy waits for the next one, so a slow
// model plays as fast as it can and no faster.
void SessionRunner::onPlayTick() {
    if (isBusy()) return;
    if (!canStep()) {
        setPlaying(false);
        return;
    }
    step();
}

bool SessionRunner::waitUntilIdle(int timeout_ms) {
    QElapsedTimer clock;
    clock.start();
    while (isBusy() && clock.elapsed() < timeout_ms)
        QCoreApplication::processEvents(QEventLoop::AllEvents | QEventLoop::WaitForMoreEvents, 20);
    return !isBusy();
}

}  // namespace kvscope
