// The Backend selector of the scenario panel: CUDA is offered only where it can run; elsewhere
// its item is disabled and says why (built without CUDA, no driver, no device).
#include <QComboBox>
#include <QStandardItemModel>
#include <catch2/catch.hpp>
#include <string>

#include "app/cli/backend_flag.h"
#include "core/engine/backend_select.h"
#include "ui/window/scenario_panel.h"
#if KVSCOPE_HAVE_CUDA
#include "kernels/cuda_device.h"
#endif

using namespace kvscope;

TEST_CASE("the backend selector offers CUDA only where it runs and says why not", "[ui][backend]") {
    cli::registerCompiledBackends();
    // Why CUDA cannot run here, from the build and the device probe ("" when it can).
#if KVSCOPE_HAVE_CUDA
    const std::string reason = probeCudaDevice().reason;
#else
    const std::string reason = "built without CUDA";
#endif
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
