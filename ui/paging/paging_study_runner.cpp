#include "ui/paging/paging_study_runner.h"

#include <QMetaObject>

namespace kvscope {

PagingStudyRunner::PagingStudyRunner(QObject* parent) : QObject(parent) {}

PagingStudyRunner::~PagingStudyRunner() {
    stop();
}

void PagingStudyRunner::stop() {
    if (m_cancel) m_cancel->store(true);
    if (m_thread.joinable()) m_thread.join();  // the study checks the flag every few hundred steps
}

void PagingStudyRunner::start(const sim::PagingScenario& scenario) {
    stop();
    const int generation = ++m_generation;
    auto cancel = std::make_shared<std::atomic<bool>>(false);
    m_cancel = cancel;
    m_busy = true;
    m_thread = std::thread([this, scenario, generation, cancel] {
        std::shared_ptr<sim::PagingStudy> study;
        QString error;
        try {
            study = std::make_shared<sim::PagingStudy>(
                sim::runPagingStudy(scenario, kMaxPoints, [&](double f) {
                    QMetaObject::invokeMethod(
                        this,
                        [this, f, generation] {
                            if (generation == m_generation) emit progress(f);
                        },
                        Qt::QueuedConnection);
                    return !cancel->load();
                }));
        } catch (const std::exception& e) {
            error = QString::fromStdString(e.what());
        }
        if (cancel->load()) return;
        // Delivered on the GUI thread; dropped if the runner is gone or a newer study started.
        QMetaObject::invokeMethod(
            this,
            [this, study, error, generation] {
                if (generation != m_generation) return;
                m_busy = false;
                if (study) {
                    emit finished(study);
                } else {
                    emit failed(error);
                }
            },
            Qt::QueuedConnection);
    });
}

}  // namespace kvscope
