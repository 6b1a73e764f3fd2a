// The left docks on their own, in a bare QMainWindow with a TraceModel fed by a Session: where
// they dock, the next-token candidates and the model's facts following the trace and its cursor,
// and stepping aside.
#include <catch2/catch.hpp>

#include <QDockWidget>
#include <QLabel>
#include <QMainWindow>

#include "demo_trace_util.h"
#include "ui/generate/top_k_view.h"
#include "ui/window/left_docks.h"
#include "ui/window/model_summary.h"
#include "ui/window/scenario_panel.h"

using namespace kvscope;

namespace {

/// The candidate the sampler picked.
QString chosen(const TopKView& view) {
    for (const Candidate& candidate : view.candidates())
        if (candidate.chosen) return candidate.label;
    return {};
}

}  // namespace

TEST_CASE("the left docks: the next token above the scenario, the model behind it", "[ui][docks]") {
    QMainWindow window;
    TraceModel trace;
    auto* panel = new ScenarioPanel;
    LeftDocks docks(&window, &trace, panel);
    const QList<QDockWidget*> list = docks.docks();
    REQUIRE(list.size() == 3);
    QStringList names;
    for (QDockWidget* dock : list) {
        names << dock->objectName();
        CHECK(window.dockWidgetArea(dock) == Qt::LeftDockWidgetArea);
        CHECK(dock->widget()->minimumWidth() == 340);
    }
    CHECK(names == QStringList({"next_dock", "scenario_dock", "model_dock"}));
    CHECK(list[0]->widget() == docks.topK());
    CHECK(list[1]->isAncestorOf(panel));
    CHECK(list[2]->widget() == docks.modelFacts());
    CHECK(window.tabifiedDockWidgets(list[1]) == QList<QDockWidget*>({list[2]}));

    docks.setShown(false);
    for (QDockWidget* dock : list)
        CHECK(dock->isHidden());
    docks.setShown(true);
    for (QDockWidget* dock : list)
        CHECK_FALSE(dock->isHidden());
}

TEST_CASE("the next-token candidates and the model's facts follow the trace", "[ui][docks]") {
    QMainWindow window;
    DemoTrace demo;
    LeftDocks docks(&window, &demo.trace, new ScenarioPanel);
    CHECK(docks.topK()->candidates().empty());
    CHECK(docks.modelFacts()->text().isEmpty());

    demo.open();
    const StepRecord prefill = demo.prefill("abc");
    CHECK(docks.modelFacts()->text() == modelSummaryHtml(demo.trace.config()));
    CHECK(docks.topK()->candidates().size() == 5);
    CHECK(chosen(*docks.topK()) == demo.trace.label(prefill.next_token));

    const StepRecord step = demo.step();
    CHECK(chosen(*docks.topK()) == demo.trace.label(step.next_token));
    demo.trace.setCursor(1);  // the prefill again
    CHECK(chosen(*docks.topK()) == demo.trace.label(prefill.next_token));
    REQUIRE(docks.topK()->candidates().size() == prefill.top_k.size());
    for (std::size_t i = 0; i < prefill.top_k.size(); ++i) {
        CHECK(docks.topK()->candidates()[i].label == demo.trace.label(prefill.top_k[i].id));
        CHECK(docks.topK()->candidates()[i].probability == Approx(prefill.top_k[i].prob));
    }
    demo.trace.clearRecords();
    CHECK(docks.topK()->candidates().empty());
}
