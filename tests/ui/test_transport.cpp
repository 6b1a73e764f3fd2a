// The transport on its own, with no window: a TraceModel, a SessionRunner on the demo model and
// the Transport's actions, sliders and toolbars. Its keys, its enabling rules as the runner
// loads, prefills, steps, replays and plays, the timeline and the Play speed.
#include <catch2/catch.hpp>

#include <QAction>
#include <QLabel>
#include <QSlider>
#include <QToolBar>
#include <QWidget>

#include "ui/engine/session_runner.h"
#include "ui/engine/trace_model.h"
#include "ui/window/transport.h"

using namespace kvscope;

namespace {

/// A transport on a fresh runner; load() gives it the demo model.
struct Rig {
    TraceModel trace;
    SessionRunner runner{&trace};
    QWidget host;
    Transport transport{&trace, &runner, &host};

    void load() {
        runner.load(QStringLiteral("builtin:demo"), SessionOptions{});
        REQUIRE(runner.waitUntilIdle());
    }
    void prefill(const QString& prompt) {
        runner.prefill(prompt);
        REQUIRE(runner.waitUntilIdle());
    }
    QStringList enabled() const {
        QStringList names;
        for (QAction* action : transport.actions())
            if (action->isEnabled()) names << action->text();
        return names;
    }
};

}  // namespace

TEST_CASE("the transport's keys are named in its tooltips and its toolbars", "[ui][transport]") {
    Rig rig;
    const Transport& transport = rig.transport;
    CHECK(transport.prefillAction()->shortcut() == QKeySequence(Qt::CTRL | Qt::Key_Return));
    CHECK(transport.stepBackAction()->shortcut() == QKeySequence(Qt::Key_Left));
    CHECK(transport.stepAction()->shortcut() == QKeySequence(Qt::Key_Right));
    CHECK(transport.playAction()->shortcut() == QKeySequence(Qt::Key_Space));
    CHECK(transport.runToEndAction()->shortcut() == QKeySequence(Qt::Key_End));
    CHECK(transport.stopAction()->shortcut() == QKeySequence(Qt::Key_Escape));
    CHECK(transport.resetAction()->shortcut() == QKeySequence(Qt::Key_Home));
    QStringList texts;
    for (QAction* action : transport.actions()) {
        CHECK(action->toolTip().contains(action->shortcut().toString(QKeySequence::NativeText)));
        texts << action->text();
    }
    CHECK(texts == QStringList({"Prefill", "Back", "Step", "Play", "Run to end", "Stop", "Reset"}));
    CHECK(transport.transportBar()->actions().mid(0, 7) == transport.actions());
    CHECK(transport.transportBar()->objectName() == "transport_toolbar");
    CHECK(transport.timelineBar()->objectName() == "timeline_toolbar");
    CHECK(transport.transportBar()->isAncestorOf(transport.speedSlider()));
    CHECK(transport.timelineBar()->isAncestorOf(transport.timeline()));
}

TEST_CASE("the transport enables what the runner and the trace allow", "[ui][transport]") {
    Rig rig;
    Transport& transport = rig.transport;
    CHECK(rig.enabled().isEmpty());  // no model: nothing to run
    CHECK_FALSE(transport.timeline()->isEnabled());

    rig.runner.load(QStringLiteral("builtin:demo"), SessionOptions{});
    CHECK(rig.runner.isBusy());
    CHECK(rig.enabled() == QStringList({"Stop"}));  // while the engine works
    REQUIRE(rig.runner.waitUntilIdle());
    CHECK(rig.enabled() == QStringList({"Prefill"}));

    rig.prefill(QStringLiteral("abc"));
    CHECK(rig.enabled() == QStringList({"Prefill", "Back", "Step", "Play", "Run to end", "Reset"}));
    CHECK_FALSE(transport.timeline()->isEnabled());  // one record: nothing to scrub
    CHECK(transport.timeline()->maximum() == 1);

    transport.stepAction()->trigger();
    CHECK(rig.runner.isBusy());
    CHECK(rig.enabled() == QStringList({"Play", "Stop"}));  // Play waits for the step
    REQUIRE(rig.runner.waitUntilIdle());
    CHECK(rig.trace.recordCount() == 2);
    CHECK(transport.timeline()->isEnabled());
    CHECK(transport.timeline()->minimum() == 1);
    CHECK(transport.timeline()->maximum() == 2);
    CHECK(transport.timeline()->value() == 2);
    CHECK(transport.timeline()->toolTip().contains("step 1 of 1 recorded"));

    // The timeline and Step/Back behind the end move the cursor only.
    transport.timeline()->setValue(1);
    CHECK(rig.trace.cursor() == 1);
    CHECK_FALSE(rig.runner.isBusy());
    CHECK(transport.timeline()->toolTip().contains("step 0 of 1 recorded"));
    transport.stepAction()->trigger();
    CHECK_FALSE(rig.runner.isBusy());
    CHECK(rig.trace.cursor() == 2);
    CHECK(transport.timeline()->value() == 2);

    // At the end Back undoes, and Reset empties the cache.
    transport.stepBackAction()->trigger();
    REQUIRE(rig.runner.waitUntilIdle());
    CHECK(rig.trace.recordCount() == 1);
    transport.resetAction()->trigger();
    REQUIRE(rig.runner.waitUntilIdle());
    CHECK(rig.trace.recordCount() == 0);
    CHECK(rig.enabled() == QStringList({"Prefill"}));
    CHECK_FALSE(transport.timeline()->isEnabled());
}

TEST_CASE("a replayed trace has no model: the transport offers nothing to compute",
          "[ui][transport]") {
    Rig rig;
    rig.load();
    rig.prefill(QStringLiteral("replay"));
    rig.transport.stepAction()->trigger();
    REQUIRE(rig.runner.waitUntilIdle());
    Trace recorded = rig.trace.trace();
    rig.runner.replay(std::move(recorded));
    REQUIRE(rig.runner.waitUntilIdle());
    CHECK(rig.enabled().isEmpty());
    CHECK(rig.transport.timeline()->isEnabled());  // the records can still be scrubbed
    rig.transport.timeline()->setValue(1);
    CHECK(rig.trace.cursor() == 1);
}

TEST_CASE("Play, Pause and Stop follow the runner; the slider sets the speed", "[ui][transport]") {
    Rig rig;
    Transport& transport = rig.transport;
    CHECK(transport.speedSlider()->value() == 16);
    CHECK(rig.runner.speed() == Approx(4.0));
    CHECK(transport.speedLabel()->text() == "4 steps/s");
    transport.speedSlider()->setValue(1);
    CHECK(rig.runner.speed() == Approx(0.25));
    CHECK(transport.speedLabel()->text() == "0.25 steps/s");
    transport.speedSlider()->setValue(transport.speedSlider()->maximum());
    CHECK(rig.runner.speed() == Approx(10.0));
    CHECK(transport.speedLabel()->text() == "10 steps/s");

    rig.load();
    rig.prefill(QStringLiteral("play"));
    CHECK(transport.playAction()->text() == "Play");
    transport.playAction()->trigger();
    CHECK(rig.runner.isPlaying());
    CHECK(transport.playAction()->isChecked());
    CHECK(transport.playAction()->text() == "Pause");
    CHECK(transport.stopAction()->isEnabled());

    rig.runner.setPlaying(false);  // the runner stops on its own (the end, Back, Reset)
    CHECK_FALSE(transport.playAction()->isChecked());
    CHECK(transport.playAction()->text() == "Play");

    transport.playAction()->trigger();
    REQUIRE(rig.runner.isPlaying());
    transport.stopAction()->trigger();
    CHECK_FALSE(rig.runner.isPlaying());
    CHECK_FALSE(transport.playAction()->isChecked());
    CHECK(transport.playAction()->text() == "Play");
    REQUIRE(rig.runner.waitUntilIdle());
}
