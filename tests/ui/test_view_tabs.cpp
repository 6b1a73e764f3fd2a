// The views as tabs on their own, with no window: their order, names and titles, showView(), and
// every chart kvscope-cli export knows registered once installExports() ran.
#include <catch2/catch.hpp>

#include "ui/engine/trace_model.h"
#include "ui/evict/evict_view.h"
#include "ui/export/export_menu.h"
#include "ui/export/headless_export.h"
#include "ui/generate/generate_view.h"
#include "ui/memory/memory_view.h"
#include "ui/paging/paging_view.h"
#include "ui/quant/quant_view.h"
#include "ui/window/view_tabs.h"

using namespace kvscope;

TEST_CASE("the views as tabs, in order, each with its name", "[ui][views]") {
    TraceModel trace;
    ViewTabs views(&trace);
    REQUIRE(views.count() == 5);
    CHECK(views.documentMode());
    const QList<QWidget*> widgets = {views.generate(), views.memory(), views.paging(),
                                     views.quant(), views.evict()};
    const QStringList titles = {"Generate", "Memory", "Paging", "Quantization", "Eviction"};
    const QStringList names = {"generate", "memory", "paging", "quant", "evict"};
    for (int i = 0; i < 5; ++i) {
        CHECK(views.widget(i) == widgets[i]);
        CHECK(views.tabText(i) == titles[i]);
        CHECK(widgets[i]->objectName() == names[i]);
    }
    CHECK(views.currentWidget() == views.generate());

    CHECK(views.showView("quant"));
    CHECK(views.currentWidget() == views.quant());
    CHECK(views.showView("evict"));
    CHECK(views.currentWidget() == views.evict());
    CHECK(views.showView("memory"));
    CHECK(views.currentWidget() == views.memory());
    CHECK_FALSE(views.showView("nope"));
    CHECK(views.currentWidget() == views.memory());
}

TEST_CASE("installExports registers every chart the export command names", "[ui][views]") {
    TraceModel trace;
    ViewTabs views(&trace);
    CHECK(exportTargetsUnder(&views, false).isEmpty());
    views.installExports();
    for (const std::string& name : headlessExportNames()) {
        INFO(name);
        CHECK(findExportTarget(&views, QString::fromStdString(name)).widget);
    }
}
