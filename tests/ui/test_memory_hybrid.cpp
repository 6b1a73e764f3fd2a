// The Memory view on hybrid models and the serving-engine section, with real widgets under
// QT_QPA_PLATFORM=offscreen. The figures are the hand calculations of tests/core/
// test_hybrid_layers.cpp and test_serving_engine.cpp.
#include <QBarSet>
#include <QLabel>
#include <QSpinBox>
#include <QStackedBarSeries>
#include <QTabWidget>
#include <catch2/catch.hpp>

#include "ui/memory/memory_capacity_chart.h"
#include "ui/memory/memory_formula_panel.h"
#include "ui/memory/memory_inputs.h"
#include "ui/memory/memory_serving_panel.h"
#include "ui/memory/memory_view.h"
#include "ui/widgets/count_edit.h"

using namespace kvscope;

namespace {

void setUp(MemoryView& view, const char* preset, std::int64_t context, const char* gpu) {
    REQUIRE(view.selectPreset(preset));
    view.inputs()->selectDtype(KvDtype::F16);
    view.inputs()->contextEdit()->setValue(context);
    view.inputs()->batchEdit()->setValue(1);
    view.inputs()->prefixEdit()->setValue(0);
    view.inputs()->tpSpin()->setValue(1);
    REQUIRE(view.inputs()->selectGpu(gpu));
    REQUIRE(view.errorText().isEmpty());
    REQUIRE(view.study());
}

}  // namespace

TEST_CASE("Memory view: a hybrid's recurrent state is its own bar segment", "[memory][hybrid]") {
    MemoryView view;
    setUp(view, "qwen3-next-80b-a3b", 4096, "H200");
    const MemoryReport& r = view.study()->report;
    // 12 attention layers x 2048 B per token; 36 gated DeltaNet layers x 1097728 B of state.
    CHECK(r.kv_bytes_per_token == 24576);
    CHECK(r.per_gpu.state == 39518208);
    const QList<QBarSet*> sets = view.capacityChart()->bars()->barSets();
    REQUIRE(sets.size() == 4);
    CHECK(sets[3]->label() == QStringLiteral("recurrent state"));
    CHECK(sets[3]->at(0) == 39518208.0);
    CHECK(sets[1]->at(0) + sets[2]->at(0) == double(r.kv_bytes_per_gpu));
    // The attention part and the state part have different colours.
    CHECK(sets[3]->color() != sets[1]->color());
    CHECK(sets[3]->color() != sets[2]->color());
    // The formulas name the state term.
    CHECK(view.formulaPanel()->toPlainText().contains(
        QStringLiteral("36 gated DeltaNet (linear attention) layers")));
}

TEST_CASE("Memory view: the serving-engine section says whether vLLM starts and what to change",
          "[memory][serving]") {
    MemoryView view;
    setUp(view, "llama-3.1-8b", 131072, "H100-80GB");
    REQUIRE(view.study()->serving);
    CHECK(view.study()->serving->fits);
    CHECK(view.servingVerdict()->text().contains(
        QStringLiteral("vLLM starts: 3.20x requests of 131,072 tokens")));
    const QString text = view.servingPanel()->toPlainText();
    CHECK(
        text.contains(QStringLiteral("Maximum concurrency for 131,072 tokens per request: 3.20x")));
    CHECK(text.contains(QStringLiteral("26,211 KV blocks of 16 tokens")));
    CHECK(text.contains(QStringLiteral("serving_activations")));
    CHECK(text.contains(QStringLiteral("ESTIMATE")));
    REQUIRE(view.detailTabs()->count() == 2);
    CHECK(view.detailTabs()->tabText(1) == QStringLiteral("vLLM serving"));

    // On a 24 GiB A10G the 128k context does not start; the fixes come with their figures.
    REQUIRE(view.inputs()->selectGpu("A10G"));
    REQUIRE(view.study()->serving);
    CHECK_FALSE(view.study()->serving->fits);
    CHECK(view.servingVerdict()->text().contains(
        QStringLiteral("vLLM does not start at 131,072 tokens; 47,008 fit")));
    const QString fixes = view.servingPanel()->toPlainText();
    CHECK(fixes.contains(QStringLiteral("--max-model-len 47008")));
    CHECK(fixes.contains(QStringLiteral("--tensor-parallel-size 2")));
    CHECK(fixes.contains(QStringLiteral("1.69x")));

    // Without a GPU there is nothing to serve on, and the panel says so.
    REQUIRE(view.inputs()->selectGpu("none"));
    CHECK_FALSE(view.study()->serving);
    CHECK(view.servingVerdict()->text().contains(QStringLiteral("no GPU chosen")));
}
