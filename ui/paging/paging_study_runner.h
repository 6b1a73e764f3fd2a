#pragma once
// Runs sim::runPagingStudy off the GUI thread (a large workload takes seconds), one study at a
// time: starting another cancels the one in flight. The result arrives on the GUI thread.
#include <QObject>
#include <atomic>
#include <memory>
#include <thread>

#include "core/sim/paging_study.h"

namespace kvscope {

class PagingStudyRunner : public QObject {
    Q_OBJECT
public:
    /// Points per chart series (sim::timelineSeries).
    static constexpr std::int64_t kMaxPoints = 600;

    explicit PagingStudyRunner(QObject* parent = nullptr);
    ~PagingStudyRunner() override;

    /// Starts a study of `scenario` (checked already), cancelling the one in flight.
    void start(const sim::PagingScenario& scenario);
    bool busy() const { return m_busy; }

signals:
    void finished(std::shared_ptr<const kvscope::sim::PagingStudy> study);
    void failed(const QString& message);
    /// Fraction of the study done, 0..1.
    void progress(double fraction);

private:
    void stop();

    std::thread m_thread;
    std::shared_ptr<std::atomic<bool>> m_cancel;
    int m_generation = 0;  // of the study whose result is wanted
    bool m_busy = false;
};

}  // namespace kvscope
