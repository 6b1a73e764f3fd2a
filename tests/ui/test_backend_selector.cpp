// The Backend selector of the scenario panel: CUDA is offered only where it can run; elsewhere
// its item is disabled and says why (built without CUDA, no driver, no device).
#include <QComboBox>
#include <QFile>
#include <QStandardItemModel>
#include <QStatusBar>
#include <QTemporaryDir>
#include <catch2/catch.hpp>
#include <string>

#include "core/engine/backend_select.h"
#include "tests/cuda_reason.h"
#include "ui/engine/trace_model.h"
#include "ui/window/main_window.h"
#include "ui/window/scenario_io.h"
#include "ui/window/scenario_panel.h"
#include "window_test_util.h"

using namespace kvscope;

TEST_CASE("the backend selector offers CUDA only where it runs and says why not", "[ui][backend]") {
    const std::string reason = test::expectedCudaReason();
    setRequestedBackend(BackendKind::Cpu);
    ScenarioPanel panel;
    QComboBox* box = panel.backendBox();
    REQUIRE(box->count() == 2);
    CHECK(box->itemData(0).toString() == "cpu");
    CHECK(box->itemData(1).toString() == "cuda");
    CHECK(box->currentIndex() == 0);
    const auto* items = qobject_cast<QStandardItemModel*>(box->model());
    REQUIRE(items != nullptr);
    int changed = 0;
    QObject::connect(&panel, &ScenarioPanel::settingsChanged, [&changed] { ++changed; });
    if (reason.empty()) {
        CHECK(items->item(1)->isEnabled());
        box->setCurrentIndex(1);
        CHECK(requestedBackend() == BackendKind::Cuda);
        CHECK(changed == 1);
        box->setCurrentIndex(0);
        CHECK(requestedBackend() == BackendKind::Cpu);
        return;
    }
    CHECK_FALSE(items->item(1)->isEnabled());
    const QString item_tip = box->itemData(1, Qt::ToolTipRole).toString();
    CHECK(item_tip.startsWith("CUDA is unavailable: "));
    CHECK(item_tip.contains(QString::fromStdString(reason)));
    CHECK(box->toolTip().contains(QString::fromStdString(reason)));
    // Even asked for at start (kvscope --backend auto / cuda), the window stays on the CPU.
    setRequestedBackend(BackendKind::Auto);
    ScenarioPanel asked;
    CHECK(asked.backendBox()->currentIndex() == 0);
    setRequestedBackend(BackendKind::Cpu);
    CHECK(changed == 0);
}

TEST_CASE("a scenario asking for CUDA runs there where it can, else on the CPU saying why",
          "[ui][backend]") {
    const std::string reason = test::expectedCudaReason();
    QTemporaryDir dir;
    const QString path = dir.filePath("cuda.kvscope.json");
    QFile file(path);
    REQUIRE(file.open(QIODevice::WriteOnly));
    file.write(R"({"kvscope_scenario": 1, "model": "builtin:demo", "prompt": "hi",
                   "steps": 1, "backend": "cuda"})");
    file.close();
    MainWindow window;
    requireIdle(window);
    REQUIRE(window.openScenarioFile(path));
    requireIdle(window);
    QComboBox* box = window.scenarioPanel()->backendBox();
    if (reason.empty()) {
        CHECK(box->currentData().toString() == "cuda");
        CHECK(window.trace()->backend().startsWith("CUDA ("));
    } else {
        CHECK(box->currentData().toString() == "cpu");
        CHECK(window.trace()->backend().startsWith("CPU (Eigen"));
        const QString message = window.statusBar()->currentMessage();
        CHECK(message.contains("asks for the CUDA backend, which is unavailable"));
        CHECK(message.contains(QString::fromStdString(reason)));
    }
    // Saved again, the scenario names the backend the window runs on.
    CHECK(scenarioFromWindow(window).backend == (reason.empty() ? "cuda" : "cpu"));
    setRequestedBackend(BackendKind::Cpu);
}
