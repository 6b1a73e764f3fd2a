// The Eviction view: real widgets under the offscreen platform on the built-in demo model. Its
// per-step numbers are checked against an independent runEvictEval call on the same tokens, and
// its bytes against hand calculations.
#include <catch2/catch.hpp>

#include <QCheckBox>
#include <QComboBox>
#include <QFile>
#include <QLabel>
#include <QLineEdit>
#include <QLineSeries>
#include <QPushButton>
#include <QScatterSeries>
#include <QSpinBox>
#include <QTemporaryDir>

#include "core/eval/evict_eval.h"
#include "core/eval/quant_eval.h"
#include "core/memory/bounded_cache.h"
#include "core/memory/live_cache_spec.h"
#include "core/memory/model_shape.h"
#include "core/model/model_source.h"
#include "core/model/prompt_tokens.h"
#include "tests/ui/window_test_util.h"
#include "ui/evict/evict_bytes_chart.h"
#include "ui/evict/evict_controls.h"
#include "ui/evict/evict_view.h"
#include "ui/export/export_menu.h"
#include "ui/export/view_export.h"
#include "ui/quant/quant_step_chart.h"
#include "ui/quant/quant_texts.h"
#include "ui/widgets/count_edit.h"
#include "ui/widgets/eviction_controls.h"
#include "ui/window/view_tabs.h"

using namespace kvscope;

namespace {

const QString kPrompt = QStringLiteral("KVScope KVScope KVSc");  // BOS + 20 demo tokens
constexpr int kSteps = 24;

void runAndWait(EvictView& view) {
    bool finished = false;
    const auto connection =
        QObject::connect(&view, &EvictView::runFinished, [&finished] { finished = true; });
    view.controls()->runButton()->click();
    REQUIRE(view.isRunning());
    REQUIRE(waitFor([&] { return finished; }, 120000));
    QObject::disconnect(connection);
    INFO("message: " << view.controls()->message().toStdString());
    REQUIRE(view.errorText().isEmpty());
    REQUIRE(view.lastRun());
}

void setFields(EvictionControls& fields, const QString& policy, const QString& budget, int sinks) {
    fields.policyBox()->setCurrentIndex(fields.policyBox()->findData(policy));
    fields.budgetEdit()->setText(budget);
    fields.sinksBox()->setValue(sinks);
}

/// Runs the view on kPrompt for kSteps steps with this layout and bounded cache, and waits.
void runOnPrompt(EvictView& view, CacheLayout layout, const QString& policy, const QString& budget,
                 int sinks) {
    view.controls()->setPrompt(kPrompt);
    view.controls()->setSteps(kSteps);
    view.controls()->layoutBox()->setCurrentIndex(
        view.controls()->layoutBox()->findData(int(layout)));
    setFields(*view.controls()->eviction(), policy, budget, sinks);
    runAndWait(view);
}

}  // namespace

TEST_CASE("the Eviction view's per-step numbers are core/eval's for the same run",
          "[ui][eviction][evict_view]") {
    MainWindow window;
    requireIdle(window);
    EvictView& view = *window.views()->evict();
    runOnPrompt(view, CacheLayout::Contiguous, "streaming", "16", 4);
    const EvictRun& run = *view.lastRun();
    REQUIRE(run.result.rows.size() == 1);
    const EvictEvalRow& row = run.result.rows.front();

    // The same comparison straight from core/eval: the prompt, the full cache's greedy 24 tokens.
    const auto model = loadModel("builtin:demo");
    const std::vector<TokenId> prompt = promptTokens(*model, kPrompt.toStdString());
    REQUIRE(prompt.size() == 21);
    const std::vector<TokenId> tokens = greedyContinuation(model, prompt, kSteps);
    EvictionSpec spec;
    spec.policy = EvictionPolicy::Streaming;
    spec.budget = 16;
    spec.sinks = 4;
    const EvictEvalResult direct =
        runEvictEval(model, tokens, std::span<const EvictionSpec>(&spec, 1),
                     EvictEvalOptions{.prefill_tokens = 21, .free_steps = kSteps});
    const EvictEvalRow& expected = direct.rows.front();
    CHECK(run.result.tokens == tokens);
    CHECK(row.spec == spec);
    CHECK(row.n_steps == kSteps);
    CHECK(row.step_logits_kl == expected.step_logits_kl);
    CHECK(row.step_top1_match == expected.step_top1_match);
    CHECK(row.top1_agreement == expected.top1_agreement);
    CHECK(row.first_divergence == expected.first_divergence);
    CHECK(row.free_tokens == expected.free_tokens);
    CHECK(row.logical_bytes == expected.logical_bytes);
    CHECK(row.physical_bytes == expected.physical_bytes);
    // ... and the chart plots them: one KL point per step, a marker where top-1 differs.
    const QLineSeries& kl = *view.klChart()->lineSeries().front();
    REQUIRE(kl.count() == kSteps);
    for (int i = 0; i < kSteps; ++i)
        CHECK(kl.at(i).y() == Approx(expected.step_logits_kl[std::size_t(i)]));
    const auto misses =
        std::count(expected.step_top1_match.begin(), expected.step_top1_match.end(), false);
    const QScatterSeries* markers = view.klChart()->markerSeries();  // none when none differ
    CHECK((markers ? markers->count() : 0) == int(misses));
    CHECK(view.texts()->firstDivergence() == expected.first_divergence);

    // Bytes by hand (demo model, fp32: 2048 B a position over the 4 layers). After the last
    // teacher-forced step 21 + 23 = 44 positions are seen: the full cache holds 44 x 2048 B =
    // 88 KiB, the bounded one its 16 entries = 32 KiB; contiguous: both reserve 512 x 2048 B.
    CHECK(row.logical_bytes == 16 * 2048);
    CHECK(run.result.reference.logical_bytes == 44 * 2048);
    CHECK(row.physical_bytes == 512 * 2048);
    const EvictBytesChart& bytes = *view.bytesChart();
    REQUIRE(bytes.lineSeries().size() == 4);
    const double unit = bytes.unit().bytes;
    const QLineSeries& held = *bytes.lineSeries()[2];
    const QLineSeries& full_held = *bytes.lineSeries()[0];
    REQUIRE(held.count() == kSteps);
    for (int i = 0; i < kSteps; ++i) {
        INFO("step " << i);
        CHECK(full_held.at(i).y() * unit == Approx(double((21 + i) * 2048)));
        CHECK(held.at(i).y() * unit == Approx(double(std::min(21 + i, 16) * 2048)));
    }
    CHECK(view.summary()->text().contains("streaming b16 s4"));
    CHECK(view.bytesTable()->text().contains("32.00 KiB"));
    CHECK(view.bytesTable()->text().contains("88.00 KiB"));

    // Exported like every other view's charts.
    const ExportTarget target = findExportTarget(&window, QStringLiteral("evict"));
    REQUIRE(target.widget);
    QString error;
    const std::optional<QByteArray> csv = exportBytes(target, ExportFormat::Csv, 1, &error);
    REQUIRE(csv);
    CHECK(csv->count('\n') >= kSteps);
    CHECK(exportBytes(target, ExportFormat::Png, 1, &error));
    CHECK(exportBytes(target, ExportFormat::Svg, 1, &error));
    CHECK(findExportTarget(&window, QStringLiteral("evict-bytes")).widget);
}

TEST_CASE("the Eviction view refuses bad input with the field's name",
          "[ui][eviction][evict_view]") {
    MainWindow window;
    requireIdle(window);
    EvictView& view = *window.views()->evict();
    view.controls()->setPrompt(kPrompt);
    setFields(*view.controls()->eviction(), "streaming", "4", 4);
    view.controls()->runButton()->click();
    CHECK_FALSE(view.isRunning());
    CHECK(view.errorText().contains("Budget: 4 must exceed the sink count (Sinks 4)"));
    setFields(*view.controls()->eviction(), "full", "16", 4);
    view.controls()->runButton()->click();
    CHECK(view.errorText().contains("Policy: choose a bounded policy"));
    setFields(*view.controls()->eviction(), "window", "16", 4);
    view.controls()->setSteps(600);  // 21 + 600 > 512
    view.controls()->runButton()->click();
    CHECK(view.errorText().contains("Steps: 600 steps after BOS exceed the context of 512"));
}

TEST_CASE("a scenario's evict settings fill the Eviction view, per_head included",
          "[ui][eviction][evict_view]") {
    QTemporaryDir dir;
    const QString path = dir.filePath("evict.kvscope.json");
    {
        QFile file(path);
        REQUIRE(file.open(QIODevice::WriteOnly));
        file.write(
            R"({"kvscope_scenario": 1, "model": "builtin:demo", "prompt": "KVScope KVScope KVSc",
                       "view": {"name": "evict", "policy": "tova", "budget": 12, "per_head": true,
                                "steps": 10, "run": true}})");
    }
    MainWindow window;
    requireIdle(window);
    REQUIRE(window.openScenarioFile(path));
    requireIdle(window);
    EvictView& view = *window.views()->evict();
    REQUIRE(view.waitUntilIdle());
    EvictionControls& fields = *view.controls()->eviction();
    CHECK(fields.perHeadBox()->isChecked());
    const EvictionSpec spec = fields.spec(KvCacheSpec{});
    CHECK(spec.policy == EvictionPolicy::Tova);
    CHECK(spec.budget == 12);
    CHECK(spec.per_head);
    CHECK(view.controls()->steps() == 10);
    // The comparison it ran kept each KV head's own entries.
    REQUIRE(view.lastRun());
    CHECK(view.lastRun()->result.rows.front().label == "tova b12 per-head");
    CHECK(view.summary()->text().contains("tova b12 per-head"));
}

// H2O on the paged layout: which blocks stay allocated depends on the positions the scores kept,
// so the bounded cache's "allocated" line must be the live cache's, not the estimator's upper
// bound. Expected values: the trace records of a separate Session run (the Generate view's source)
// fed the same tokens, checked against the block arithmetic by hand.
TEST_CASE("the Eviction view's allocated line under H2O on paged blocks is the live cache's",
          "[ui][eviction][evict_view][holes]") {
    MainWindow window;
    requireIdle(window);
    EvictView& view = *window.views()->evict();
    runOnPrompt(view, CacheLayout::Paged, "h2o", "8", 4);
    const EvictRun& run = *view.lastRun();
    REQUIRE(run.request.block_size == 16);
    REQUIRE(run.result.rows.size() == 1);
    const EvictEvalRow& row = run.result.rows.front();

    // The same tokens through a recording Session: the prompt in one pass, then one at a time.
    const auto model = loadModel("builtin:demo");
    EvictionSpec spec;
    spec.policy = EvictionPolicy::H2O;
    spec.budget = 8;
    Session session(
        model,
        SessionOptions{.cache_layout = CacheLayout::Paged, .block_size = 16, .eviction = spec});
    const std::vector<TokenId>& tokens = run.result.tokens;
    REQUIRE(tokens.size() == std::size_t(21 + kSteps));
    std::vector<std::int64_t> allocated, holes;
    const auto keep = [&](const StepRecord& record) {
        std::int64_t a = 0, h = 0;
        for (const LayerRecord& layer : record.layers) {
            a += layer.bytes_allocated;
            h += layer.holes;
        }
        allocated.push_back(a);
        holes.push_back(h);
    };
    keep(session.prefill(std::span<const TokenId>(tokens).first(21)));
    for (int i = 1; i < kSteps; ++i)
        keep(session.stepForced(tokens[std::size_t(21 + i - 1)]));

    const EvictBytesChart& bytes = *view.bytesChart();
    REQUIRE(bytes.lineSeries().size() == 4);
    const QLineSeries& physical = *bytes.lineSeries()[3];
    REQUIRE(physical.count() == kSteps);
    const double unit = bytes.unit().bytes;
    const ModelShape shape = shapeFromModelConfig(model->config, "demo");
    const CacheSpec cache = estimatorCacheSpec(KvCacheSpec{}, CacheLayout::Paged, 16, 512);
    bool bound_above = false;
    for (int i = 0; i < kSteps; ++i) {
        const std::int64_t seen = 21 + i;
        INFO("step " << i << ": " << seen << " positions seen");
        CHECK(physical.at(i).y() * unit == Approx(double(allocated[std::size_t(i)])));
        CHECK(run.bytes.holes[std::size_t(i)] == holes[std::size_t(i)]);
        // By hand: a block of 16 positions is 16 x 2048 B over the 4 layers. Its rows in a layer
        // are held (8 per layer), holes, or the unfilled tail of the last block:
        // 4 x (rows allocated) = 4 x 8 + holes + 4 x unfilled.
        const std::int64_t rows = allocated[std::size_t(i)] / 2048;
        CHECK(allocated[std::size_t(i)] % (16 * 2048) == 0);
        CHECK(4 * rows == 4 * std::min<std::int64_t>(seen, 8) + holes[std::size_t(i)] +
                              4 * ((16 - seen % 16) % 16));
        // The estimator without the held positions: an upper bound, above the truth here.
        const BoundedCacheBytes bound = boundedCacheBytes(shape, cache, spec, seen);
        CHECK_FALSE(bound.physical_exact);
        CHECK(bound.physical >= allocated[std::size_t(i)]);
        bound_above = bound_above || bound.physical > allocated[std::size_t(i)];
    }
    // The test has teeth: H2O left holes, and the upper bound differs from the truth somewhere.
    CHECK(holes.back() > 0);
    CHECK(bound_above);
    CHECK(row.holes == holes.back());
    CHECK(row.physical_bytes == allocated.back());
    CHECK(view.bytesTable()->text().contains("<td>holes</td>"));
    CHECK(view.bytesTable()->text().contains(QStringLiteral("<b>%1</b>").arg(holes.back())));
    CHECK(bytes.lineSeries()[3]->name() ==
          QStringLiteral("bounded: allocated (%1 holes)").arg(holes.back()));
}
