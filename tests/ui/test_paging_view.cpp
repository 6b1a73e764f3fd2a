// The Paging view: real widgets under the offscreen platform, run on small seeded workloads and
// checked against the simulator run independently by the test (the grid's cells, the block table,
// the chart lines), hand-computed utilization, the painted colours, and bad inputs.
#include <catch2/catch.hpp>

#include <QApplication>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QImage>
#include <QLabel>
#include <QLineSeries>
#include <QMouseEvent>
#include <QSpinBox>
#include <QTabWidget>
#include <QTableWidget>
#include <QToolButton>

#include "core/sim/paging_study.h"
#include "core/sim/serving_simulation.h"
#include "ui/paging/block_cell_painter.h"
#include "ui/paging/block_grid_legend.h"
#include "ui/paging/block_grid_widget.h"
#include "ui/paging/block_table_view.h"
#include "ui/paging/paging_chart.h"
#include "ui/paging/paging_inputs.h"
#include "ui/paging/paging_study_runner.h"
#include "ui/paging/paging_transport.h"
#include "ui/paging/paging_view.h"
#include "ui/window/transport.h"
#include "ui/window/view_tabs.h"
#include "window_test_util.h"

using namespace kvscope;
using sim::CellState;
using sim::PolicyKind;

namespace {

/// 24 ShareGPT-like requests (seed 3), a 32-token system prompt for half of them, blocks of 16,
/// 256 blocks (4096 slots: contiguous max-length runs 2 requests at a time).
sim::PagingScenario smallScenario() {
    sim::PagingScenario s;
    s.n_requests = 24;
    s.seed = 3;
    s.system_prompt = 32;
    s.shared_fraction = 0.5;
    s.block_size = 16;
    s.budget_blocks = 256;
    s.shown = PolicyKind::PagedPrefix;
    return s;
}

/// A view showing `scenario`, its study done.
void showScenario(PagingView& view, const sim::PagingScenario& scenario) {
    view.inputs()->setScenario(scenario);
    REQUIRE(view.waitUntilIdle());
    INFO(view.errorText().toStdString());
    REQUIRE(view.errorText().isEmpty());
    REQUIRE(view.study());
    REQUIRE(view.study()->scenario.n_requests == scenario.n_requests);
}

/// The test's own simulation of the scenario's shown policy, advanced `steps` steps.
std::unique_ptr<sim::ServingSimulation> ownSimulation(const sim::PagingScenario& s,
                                                      std::int64_t steps) {
    auto out = std::make_unique<sim::ServingSimulation>(
        sim::generateWorkload(sim::pagingWorkloadSpec(s)), sim::pagingSimConfig(s, s.shown));
    for (std::int64_t i = 0; i < steps && !out->done(); ++i)
        out->advance();
    return out;
}

/// "" when the grid shows exactly the cells of `expected`, else the first difference.
std::string gridDifference(const BlockGridWidget& grid, const sim::PoolSnapshot& expected) {
    const sim::PoolSnapshot& shown = grid.snapshot();
    if (shown.step != expected.step) return "step";
    if (shown.cells.size() != expected.cells.size()) return "cell count";
    for (std::size_t i = 0; i < shown.cells.size(); ++i) {
        const sim::PoolCell &a = shown.cells[i], &b = expected.cells[i];
        if (a.state != b.state || a.owners != b.owners || a.ref_count != b.ref_count ||
            a.fill != b.fill || a.hash != b.hash)
            return "cell " + std::to_string(i);
    }
    return {};
}

void click(QWidget& widget, QPoint at) {
    QMouseEvent press(QEvent::MouseButtonPress, QPointF(at), widget.mapToGlobal(QPointF(at)),
                      Qt::LeftButton, Qt::LeftButton, Qt::NoModifier);
    QApplication::sendEvent(&widget, &press);
}

}  // namespace

TEST_CASE("the Paging view's grid and block table equal the simulator's snapshot step by step",
          "[ui][paging]") {
    PagingView view;
    view.resize(1280, 760);
    view.show();
    REQUIRE(view.waitUntilIdle());
    const sim::PagingScenario s = smallScenario();
    showScenario(view, s);
    view.resetSimulation();
    REQUIRE(view.simulation()->stepsRun() == 0);
    for (const sim::PoolCell& c : view.grid()->snapshot().cells)
        REQUIRE(c.state == CellState::Free);

    auto own = ownSimulation(s, 0);
    std::int64_t shared_seen = 0, cached_free_seen = 0, partial_seen = 0;
    for (int round = 0; round < 40 && !own->done(); ++round) {
        view.stepBy(7);
        for (int i = 0; i < 7 && !own->done(); ++i)
            own->advance();
        const sim::PoolSnapshot expected = own->snapshot();
        INFO("after step " << expected.step);
        REQUIRE(gridDifference(*view.grid(), expected).empty());
        for (const sim::PoolCell& c : expected.cells) {
            shared_seen += c.ref_count > 1;
            cached_free_seen += c.state == CellState::CachedFree;
            partial_seen += c.state == CellState::InUse && c.fill < c.capacity;
        }
        // Every chart's cursor sits on the step shown.
        REQUIRE(view.utilizationChart()->cursorLine()->count() == 2);
        REQUIRE(view.utilizationChart()->cursorLine()->at(0).x() == double(expected.step));
    }
    CHECK(shared_seen > 0);  // the system prompt's blocks, held by several requests
    CHECK(cached_free_seen > 0);
    CHECK(partial_seen > 0);

    // Hover text of a shared block: its id, every owner and its reference count.
    const sim::PoolSnapshot& now = view.grid()->snapshot();
    int shared = -1, single_full = -1, free_cell = -1;
    for (std::size_t i = 0; i < now.cells.size(); ++i) {
        const sim::PoolCell& c = now.cells[i];
        if (c.ref_count > 1 && shared < 0) shared = int(i);
        if (c.ref_count == 1 && c.fill == c.capacity && !c.hash && single_full < 0)
            single_full = int(i);
        if (c.state == CellState::Free && free_cell < 0) free_cell = int(i);
    }
    if (shared >= 0) {
        const QString tip = view.grid()->cellTooltip(shared);
        const sim::PoolCell& c = now.cells[std::size_t(shared)];
        CHECK(tip.contains(QStringLiteral("Block %1").arg(shared)));
        CHECK(tip.contains(QStringLiteral("reference count: %1").arg(c.ref_count)));
        for (const sim::SimSeq& seq : c.owners)
            CHECK(tip.contains(QStringLiteral("request %1").arg(seq.request)));
        CHECK(tip.contains("prefix hash: 0x"));
        CHECK(tip.contains("tokens: 16 / 16"));
    }

    // The painted grid: a full block of one sequence is that request's colour; a free block is
    // not.
    REQUIRE(single_full >= 0);
    const QImage image = view.grid()->grab().toImage();
    const QRect full = view.grid()->cellRect(single_full);
    const QColor owner = sequenceColor(now.cells[std::size_t(single_full)].owners[0].request);
    const QColor painted = image.pixelColor(full.center() * image.devicePixelRatio());
    CHECK(std::abs(painted.red() - owner.red()) <= 2);
    CHECK(std::abs(painted.green() - owner.green()) <= 2);
    CHECK(std::abs(painted.blue() - owner.blue()) <= 2);
    if (free_cell >= 0) {
        const QRect free = view.grid()->cellRect(free_cell);
        CHECK(image.pixelColor(free.center() * image.devicePixelRatio()) != owner);
    }

    // A click on a block picks its sequence: the block table lists that sequence's blocks.
    const sim::SimSeq picked = now.cells[std::size_t(single_full)].owners[0];
    click(*view.grid(), full.center());
    REQUIRE(view.selectedSequence() == picked);
    const sim::PoolSnapshot expected = own->snapshot();
    const sim::SeqTable* table = expected.table(picked);
    REQUIRE(table);
    const QTableWidget& rows = *view.blockTable()->table();
    REQUIRE(rows.rowCount() == int(table->blocks.size()));
    for (int k = 0; k < rows.rowCount(); ++k) {
        const BlockId b = table->blocks[std::size_t(k)];
        const sim::PoolCell& c = expected.cells[std::size_t(b)];
        CHECK(rows.item(k, BlockTableView::Logical)->text() == QString::number(k));
        CHECK(rows.item(k, BlockTableView::Physical)->text() == QString::number(b));
        CHECK(rows.item(k, BlockTableView::Tokens)->text() ==
              QStringLiteral("%1 / 16").arg(c.fill));
        CHECK(rows.item(k, BlockTableView::Refs)->text() == QString::number(c.ref_count));
    }
    CHECK(view.blockTable()->sequenceCombo()->currentText() ==
          QStringLiteral("request %1").arg(picked.request));
    CHECK(view.blockTable()->caption()->text().contains(
        QStringLiteral("%1 tokens in %2 blocks").arg(table->length).arg(table->blocks.size())));
}

TEST_CASE("the Paging view's charts draw every policy's metrics from the simulator",
          "[ui][paging]") {
    PagingView view;
    view.resize(1280, 760);
    const sim::PagingScenario s = smallScenario();
    showScenario(view, s);
    const std::vector<sim::Request> requests = sim::generateWorkload(sim::pagingWorkloadSpec(s));
    for (PagingChart* chart : {view.utilizationChart(), view.runningChart(), view.wasteChart()})
        REQUIRE(chart->curveCount() == 4);
    for (int i = 0; i < 4; ++i) {
        const PolicyKind policy = sim::kPagingPolicies[i];
        INFO(sim::policyName(policy));
        const sim::SimResult r = sim::simulateServing(requests, sim::pagingSimConfig(s, policy));
        const std::vector<sim::StepSample>& t = r.timeline;
        const QLineSeries& util = *view.utilizationChart()->curve(i);
        const QLineSeries& running = *view.runningChart()->curve(i);
        const QLineSeries& waste = *view.wasteChart()->curve(i);
        if (std::int64_t(t.size()) <= PagingStudyRunner::kMaxPoints) {
            // One point per step: held / reserved, running sequences, reserved - held.
            REQUIRE(running.count() == qsizetype(t.size()));
            qsizetype u = 0;
            bool same = true;
            for (std::size_t k = 0; k < t.size(); ++k) {
                same = same && running.at(qsizetype(k)) ==
                                   QPointF(double(t[k].step), double(t[k].running_seqs));
                same = same && waste.at(qsizetype(k)).y() == double(t[k].reserved - t[k].held);
                if (t[k].reserved == 0) continue;
                const QPointF expected(double(t[k].step),
                                       double(t[k].held) / double(t[k].reserved));
                same = same && u < util.count() && util.at(u) == expected;
                ++u;
            }
            CHECK(same);
            CHECK(u == util.count());
        } else {
            // Resampled (sim::timelineSeries, tested in core): the same points as it gives.
            const sim::TimelineSeries series =
                sim::timelineSeries(t, PagingStudyRunner::kMaxPoints);
            REQUIRE(util.count() == qsizetype(series.utilization.x.size()));
            bool same = true;
            for (qsizetype k = 0; k < util.count(); ++k)
                same = same && util.at(k) == QPointF(series.utilization.x[std::size_t(k)],
                                                     series.utilization.y[std::size_t(k)]);
            CHECK(same);
        }
    }
    // The summary row of each policy: its utilization and its peak concurrency.
    const QString summary = view.summaryLabel()->text();
    CHECK(summary.contains("utilization"));
    CHECK(summary.contains("max running"));
    for (PolicyKind policy : sim::kPagingPolicies) {
        const sim::SimResult& r = view.study()->run(policy).result;
        CHECK(summary.contains(QStringLiteral("<b>%1%</b></td><td align='right'><b>%2</b></td>")
                                   .arg(QString::number(r.kv_utilization * 100.0, 'f', 1))
                                   .arg(r.max_running_seqs)));
    }
    CHECK(summary.contains("paged + prefix sharing"));
    CHECK(summary.contains("contiguous, max (2048)"));
}

TEST_CASE("the Paging view's transport plays, steps and resets its simulation", "[ui][paging]") {
    PagingView view;
    showScenario(view, smallScenario());
    CHECK(view.simulation()->stepsRun() == PagingView::kStartStep);  // mid-run by default
    view.transport()->resetButton()->click();
    CHECK(view.simulation()->stepsRun() == 0);
    CHECK(view.grid()->snapshot().step == -1);
    view.transport()->stepButton()->click();
    CHECK(view.simulation()->stepsRun() == 1);
    CHECK(view.statusLabel()->text().startsWith("Step 1 of"));
    view.transport()->playButton()->click();
    CHECK(view.transport()->playing());
    REQUIRE(waitFor([&] { return view.simulation()->stepsRun() > 20; }, 10000));
    view.transport()->playButton()->click();
    CHECK_FALSE(view.transport()->playing());
    // Playing to the end stops there and disables Play and Step.
    view.transport()->speedSlider()->setValue(view.transport()->speedSlider()->maximum());
    view.transport()->playButton()->click();
    REQUIRE(waitFor([&] { return view.simulation()->done(); }, 20000));
    CHECK_FALSE(view.transport()->playing());
    CHECK_FALSE(view.transport()->stepButton()->isEnabled());
    CHECK(view.grid()->snapshot().seqs.empty());
    CHECK(view.grid()->snapshot().completed == 24);
    // Changing only the policy on the grid keeps the study and re-runs the grid's simulation.
    const sim::PagingStudy* study = view.study();
    view.transport()->resetButton()->click();
    view.stepBy(30);
    view.inputs()->policyCombo()->setCurrentIndex(
        view.inputs()->policyCombo()->findData(int(PolicyKind::ContiguousMax)));
    REQUIRE(view.waitUntilIdle());
    CHECK(view.study() == study);
    CHECK(view.simulation()->config().policy == PolicyKind::ContiguousMax);
    CHECK(view.simulation()->stepsRun() == 30);
    // Contiguous: the two running requests hold 128 cells each (2048 slots), mostly pale.
    const sim::PoolSnapshot& grid = view.grid()->snapshot();
    CHECK(grid.seqs.size() == 2);
    CHECK(grid.seqs[0].blocks.size() == 128);
    CHECK(grid.reserved == 2 * 2048);
}

TEST_CASE("bad Paging inputs show a message naming the field, never a crash", "[ui][paging]") {
    PagingView view;
    view.resize(1280, 760);
    showScenario(view, smallScenario());
    const sim::PagingStudy* study = view.study();
    PagingInputs& in = *view.inputs();

    in.blockSizeSpin()->setValue(0);
    CHECK(view.errorText().contains("block size: must be in 1..128"));
    CHECK(view.errorText().contains("last valid input"));
    CHECK(view.study() == study);  // the last good study stays on screen
    in.blockSizeSpin()->setValue(16);
    REQUIRE(view.waitUntilIdle());
    CHECK(view.errorText().isEmpty());

    in.budgetSpin()->setValue(0);
    CHECK(view.errorText().contains("smaller than one block"));
    in.budgetSpin()->setValue(256);
    in.requestsSpin()->setValue(0);
    CHECK(view.errorText().contains("requests: must be in 1..10000"));
    in.requestsSpin()->setValue(24);
    REQUIRE(view.waitUntilIdle());
    CHECK(view.errorText().isEmpty());

    // A budget under max_seq: contiguous max-length cannot run; the grid and summary say so.
    sim::PagingScenario s = smallScenario();
    s.preset = sim::WorkloadPreset::Fixed;
    s.budget_blocks = 64;  // 1024 slots < 2048
    s.shown = PolicyKind::ContiguousMax;
    showScenario(view, s);
    CHECK(view.simulation() == nullptr);
    CHECK(view.grid()->message().contains("cannot run"));
    CHECK(view.grid()->message().contains("never fit"));
    CHECK(view.summaryLabel()->text().contains("cannot run"));
    CHECK(view.utilizationChart()->curveCount() == 3);
    CHECK_FALSE(view.transport()->stepButton()->isEnabled());
    view.stepBy(5);  // nothing to step: no crash
    in.policyCombo()->setCurrentIndex(in.policyCombo()->findData(int(PolicyKind::Paged)));
    REQUIRE(view.waitUntilIdle());
    REQUIRE(view.simulation());
    CHECK(view.grid()->message().isEmpty());
}

TEST_CASE("the legend names every kind of block", "[ui][paging]") {
    BlockGridLegend legend;
    const QStringList labels = legend.labels();
    CHECK(labels.contains("free, cached"));
    CHECK(labels.contains("free"));
    CHECK(labels.contains("shared (ref. count)"));
    CHECK(labels.contains("reserved, empty"));
    // Requests next to each other get clearly different colours.
    for (int r = 0; r < 30; ++r) {
        const QColor a = sequenceColor(r), b = sequenceColor(r + 1);
        CHECK(std::abs(a.hslHue() - b.hslHue()) + std::abs(a.lightness() - b.lightness()) > 40);
    }
}

TEST_CASE("the main window has a Paging tab", "[ui][paging][window]") {
    MainWindow window;
    requireIdle(window);
    REQUIRE(window.views()->showView("paging"));
    CHECK(window.views()->currentWidget() == window.views()->paging());
    CHECK(window.views()->tabText(window.views()->currentIndex()) == "Paging");
    REQUIRE(window.views()->paging()->waitUntilIdle());
    CHECK(window.views()->paging()->errorText().isEmpty());
    CHECK(window.views()->paging()->simulation()->stepsRun() == PagingView::kStartStep);
}

TEST_CASE("a pool too large for the grid shows its first blocks and says so", "[ui][paging]") {
    BlockGridWidget grid;
    grid.resize(300, 100);
    grid.show();
    sim::PoolSnapshot pool;
    pool.cells.assign(20000, sim::PoolCell{.capacity = 16});
    grid.setSnapshot(pool);
    // Cells of 3 px (the smallest): 98 columns; 100 px less a line of text hold 26 rows at most.
    CHECK(grid.visibleCells() < 20000);
    CHECK(grid.visibleCells() <= 98 * 26);
    CHECK(grid.visibleCells() % 98 == 0);
    CHECK(grid.cellAt(grid.cellRect(grid.visibleCells() - 1).center()) == grid.visibleCells() - 1);
    CHECK(grid.cellAt(QPoint(150, 99)) == -1);   // the note's line, not a cell
    const QImage image = grid.grab().toImage();  // paints without crashing
    CHECK(image.width() == 300);
    grid.resize(1200, 900);  // now 20000 cells of 5 px fit
    CHECK(grid.visibleCells() == 20000);
}
