// Replaying a saved JSON trace in the window, without its model: every view shows the recorded
// steps exactly as the live run did, Step/Back/the timeline only move the cursor, and a bad file
// leaves the window as it was with a message.
#include <QFile>
#include <QTemporaryDir>
#include <cmath>

#include "core/trace/trace_file.h"
#include "ui/engine/session_runner.h"
#include "ui/engine/trace_model.h"
#include "ui/generate/cost_data.h"
#include "ui/generate/generate_view.h"
#include "ui/generate/heatmap_widget.h"
#include "ui/window/recent_files.h"
#include "ui/window/transport.h"
#include "ui/window/view_tabs.h"
#include "window_test_util.h"

using namespace kvscope;

TEST_CASE("a saved trace replays in the window without its model", "[ui][trace]") {
    QTemporaryDir dir;
    const QString path = dir.filePath("run.json");
    Matrix live_rows;  // the heatmap of the live run at step 5
    {
        MainWindow live;
        runScenario(live, "builtin:demo", "KVScope KVScope KVSc", 8);
        saveTrace(path.toStdString(), live.trace()->trace(), TraceFormat::Json);
        live.trace()->setCursor(6);  // the prefill and five decode steps
        live.views()->generate()->showHead(1, 0);
        live_rows = live.views()->generate()->heatmap()->weights();
    }

    MainWindow window;
    REQUIRE(window.openTraceFile(path));
    REQUIRE(window.waitUntilIdle());
    CHECK(window.lastError().isEmpty());
    CHECK(window.runner()->isReplay());
    CHECK_FALSE(window.runner()->hasModel());
    REQUIRE(window.trace()->recordCount() == 9);
    CHECK(window.trace()->cursor() == 9);
    CHECK(window.recentFiles()->files().contains(path));

    // The same heatmap as the live run, to the bit.
    window.trace()->setCursor(6);
    window.views()->generate()->showHead(1, 0);
    const Matrix& replayed = window.views()->generate()->heatmap()->weights();
    REQUIRE(replayed.rows() == live_rows.rows());
    REQUIRE(replayed.cols() == live_rows.cols());
    CHECK((replayed.array() == live_rows.array()).all());

    // Step and Back move the cursor; at the end Step does nothing and nothing is computed.
    window.stepBack();
    CHECK(window.trace()->cursor() == 5);
    window.step();
    window.step();
    CHECK(window.trace()->cursor() == 7);
    window.runToEnd();
    CHECK(window.trace()->cursor() == 9);
    window.step();
    CHECK_FALSE(window.runner()->isBusy());
    CHECK(window.trace()->recordCount() == 9);
    CHECK_FALSE(window.transport()->stepAction()->isEnabled());
    window.reset();  // back to the prefill
    CHECK(window.trace()->cursor() == 1);
    CHECK(window.trace()->recordCount() == 9);

    // Prefill needs a model: the message says so.
    window.prefill();
    CHECK(window.lastError().contains("No model"));

    // Loading a model leaves the replay.
    window.loadModel("builtin:demo");
    requireIdle(window);
    CHECK_FALSE(window.runner()->isReplay());
}

TEST_CASE("a replayed trace shows the live run's cost chart, recompute costs included",
          "[ui][trace]") {
    QTemporaryDir dir;
    const QString path = dir.filePath("run.json");
    CostData live_costs;
    {
        MainWindow live;  // the twin session times the other mode by default
        runScenario(live, "builtin:demo", "KVScope KVSc", 6);
        live_costs = costData(*live.trace());
        saveTrace(path.toStdString(), live.trace()->trace(), TraceFormat::Json);
    }
    REQUIRE(live_costs.steps.size() == 6);
    for (double ms : live_costs.recompute_ms)
        REQUIRE(std::isfinite(ms));  // measured by the twin, not NaN

    MainWindow window;
    REQUIRE(window.openTraceFile(path));
    REQUIRE(window.waitUntilIdle());
    const CostData replayed = costData(*window.trace());
    CHECK(replayed.steps == live_costs.steps);
    CHECK(replayed.cached_ms == live_costs.cached_ms);
    CHECK(replayed.recompute_ms == live_costs.recompute_ms);
    CHECK(replayed.cached_flops == live_costs.cached_flops);
    CHECK(replayed.recompute_flops == live_costs.recompute_flops);
}

TEST_CASE("a bad trace file is refused and the window keeps its run", "[ui][trace]") {
    QTemporaryDir dir;
    MainWindow window;
    runScenario(window, "builtin:demo", "abc", 2);
    const QString bad = dir.filePath("bad.json");
    {
        QFile file(bad);
        REQUIRE(file.open(QIODevice::WriteOnly));
        file.write(R"({"kvscope_trace": 1, "records": [)");  // cut short
    }
    CHECK_FALSE(window.openTraceFile(bad));
    CHECK(window.lastError().contains("bad.json"));
    CHECK_FALSE(window.runner()->isReplay());
    CHECK(window.trace()->recordCount() == 3);
    CHECK(window.runner()->hasModel());
}
