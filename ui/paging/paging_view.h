#pragma once
// The Paging view (issue #6): why paged KV memory matters, on a simulated serving workload. One
// seeded workload runs under every allocation policy with the same KV budget (on a worker
// thread); charts show KV utilization, concurrent sequences and waste over simulated time, one
// line per policy, with a one-line summary of each. One policy is stepped on the GUI thread
// (ServingSimulation, microseconds a step) and drawn as a grid of its physical blocks, coloured by
// the sequences that hold them; the block table of a selected sequence sits beside it. Bad input
// shows a message naming the field; the charts keep the last good study.
#include <QWidget>
#include <memory>
#include <optional>

#include "core/sim/paging_study.h"
#include "core/sim/pool_snapshot.h"
#include "core/sim/serving_simulation.h"

QT_BEGIN_NAMESPACE
class QLabel;
QT_END_NAMESPACE

namespace kvscope {

class BlockGridLegend;
class BlockGridWidget;
class BlockTableView;
class PagingChart;
class PagingInputs;
class PagingStudyRunner;
class PagingTransport;

class PagingView : public QWidget {
    Q_OBJECT
public:
    /// Steps the grid's simulation takes when the first study arrives: the pool is full and the
    /// first requests have finished, so shared, cached-free and partly filled blocks all show.
    static constexpr std::int64_t kStartStep = 200;

    explicit PagingView(QWidget* parent = nullptr);
    ~PagingView() override;

    /// A study is being computed.
    bool busy() const;
    /// Runs the event loop until the study in flight is shown. False on timeout.
    bool waitUntilIdle(int timeout_ms = 60000);
    /// The message for the current input ("" when it is good).
    QString errorText() const;
    /// The last good study (null before the first).
    const sim::PagingStudy* study() const { return m_study.get(); }
    /// The grid's simulation (null when the shown policy cannot run).
    const sim::ServingSimulation* simulation() const { return m_sim.get(); }
    std::optional<sim::SimSeq> selectedSequence() const { return m_selected; }

    /// Runs `n` more steps of the grid's simulation (stops at the end).
    void stepBy(int n);
    /// Back to the empty pool before step 0.
    void resetSimulation();
    /// Shows the block table of `seq` and outlines its blocks.
    void selectSequence(const sim::SimSeq& seq);

    PagingInputs* inputs() const { return m_inputs; }
    BlockGridWidget* grid() const { return m_grid; }
    BlockGridLegend* legend() const { return m_legend; }
    BlockTableView* blockTable() const { return m_table; }
    PagingTransport* transport() const { return m_transport; }
    PagingChart* utilizationChart() const { return m_util_chart; }
    PagingChart* runningChart() const { return m_running_chart; }
    PagingChart* wasteChart() const { return m_waste_chart; }
    QLabel* summaryLabel() const { return m_summary; }
    QLabel* statusLabel() const { return m_status; }

public slots:
    /// Re-reads the form: a new study when the workload, block size or budget changed; a new
    /// grid simulation when only the shown policy did.
    void recompute();

signals:
    /// After a new study has been shown.
    void studyShown();

private:
    void showError(const QString& message, std::optional<sim::PagingField> field);
    void showStudy(std::shared_ptr<const sim::PagingStudy> study);
    void renderCharts();
    void renderSummary();
    /// A fresh simulation of the shown policy, advanced `steps` steps.
    void rebuildSimulation(std::int64_t steps);
    void refreshGrid();

    PagingInputs* m_inputs = nullptr;
    QLabel* m_error = nullptr;
    BlockTableView* m_table = nullptr;
    PagingTransport* m_transport = nullptr;
    QLabel* m_status = nullptr;
    BlockGridLegend* m_legend = nullptr;
    BlockGridWidget* m_grid = nullptr;
    QLabel* m_summary = nullptr;
    PagingChart* m_util_chart = nullptr;
    PagingChart* m_running_chart = nullptr;
    PagingChart* m_waste_chart = nullptr;
    PagingStudyRunner* m_runner = nullptr;

    std::shared_ptr<const sim::PagingStudy> m_study;
    sim::PagingScenario m_shown_scenario;  // the form's scenario the grid shows
    std::unique_ptr<sim::ServingSimulation> m_sim;
    std::optional<sim::SimSeq> m_selected;
    bool m_auto_selected = true;  // picked by the view: moves on when that sequence leaves
    bool m_first_study = true;
};

}  // namespace kvscope
