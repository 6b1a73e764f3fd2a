// The engine's thread count in the window: the Threads box of the scenario panel reopens the
// session on a backend with that many threads, and the status shows it.
#include <QSpinBox>
#include <QThread>
#include <catch2/catch.hpp>

#include "ui/engine/session_runner.h"
#include "ui/engine/trace_model.h"
#include "ui/window/scenario_panel.h"
#include "window_test_util.h"

using namespace kvscope;

TEST_CASE("the Threads box sets the engine's threads", "[ui][threads]") {
    MainWindow window;
    requireIdle(window);
    window.loadModel(QStringLiteral("builtin:demo"));
    requireIdle(window);
    QSpinBox* box = window.scenarioPanel()->threadsBox();
    REQUIRE(box != nullptr);
    CHECK(box->minimum() == 1);
    CHECK(box->maximum() >= QThread::idealThreadCount());
    // The runner uses what the box shows from the start.
    CHECK(window.runner()->threads() == box->value());

    box->setValue(1);
    requireIdle(window);
    CHECK(window.runner()->threads() == 1);
    CHECK(window.trace()->backend() == QStringLiteral("CPU (Eigen, 1 thread)"));

    box->setValue(box->maximum());
    requireIdle(window);
    const QString many = QStringLiteral("CPU (Eigen, %1 thread%2)")
                             .arg(box->maximum())
                             .arg(box->maximum() == 1 ? "" : "s");
    CHECK(window.trace()->backend() == many);

    // A run after the change steps on the new backend.
    window.setPrompt(QStringLiteral("abc"));
    window.prefill();
    requireIdle(window);
    CHECK(window.trace()->recordCount() == 1);
}
