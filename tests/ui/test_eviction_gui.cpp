// A bounded cache in the window: the Scenario panel's fields make the EvictionSpec (and refuse
// bad input by the field's name), a scenario file keeps it, and stepping marks what the cache
// evicted: struck tokens, sinks, hatched heatmap columns, and the cache chart flat at the budget.
// Real widgets on the built-in demo model; every expected position and byte count is worked out
// by hand below.
#include <catch2/catch.hpp>

#include <QCheckBox>
#include <QComboBox>
#include <QImage>
#include <QLabel>
#include <QLineEdit>
#include <QLineSeries>
#include <QSpinBox>
#include <QTemporaryDir>
#include <numeric>

#include "core/trace/scenario_file.h"
#include "tests/ui/window_test_util.h"
#include "ui/engine/trace_model.h"
#include "ui/generate/cache_growth_chart.h"
#include "ui/generate/generate_view.h"
#include "ui/generate/heatmap_widget.h"
#include "ui/generate/token_strip.h"
#include "ui/lessons/lesson_catalog.h"
#include "ui/lessons/lesson_player.h"
#include "ui/widgets/count_edit.h"
#include "ui/widgets/eviction_controls.h"
#include "ui/window/scenario_panel.h"
#include "ui/window/view_tabs.h"

using namespace kvscope;

namespace {

// The demo model: 4 layers, 4 KV heads of 16 values, K and V in fp32: 4 x 16 x 4 B = 256 B per
// row, x 2 (K, V) x 4 KV heads = 2 KiB per position over the 4 layers, 512 B per layer.
constexpr std::int64_t kBytesPerPosition = 2 * 4 * 16 * 4 * 4;
static_assert(kBytesPerPosition == 2048);
// "KVScope KVScope KVSc": 20 bytes, one demo token each, after BOS: positions 0..20.
const QString kPrompt = QStringLiteral("KVScope KVScope KVSc");
constexpr int kPromptTokens = 21;

void select(QComboBox& box, const QString& data) {
    const int index = box.findData(data);
    REQUIRE(index >= 0);
    box.setCurrentIndex(index);
}

/// Fills the panel's bounded-cache fields as a user would (policy, budget, sinks, window).
void setEviction(EvictionControls& fields, const QString& policy, const QString& budget,
                 int sinks = 4, int window = 0) {
    select(*fields.policyBox(), policy);
    fields.budgetEdit()->setText(budget);
    emit fields.budgetEdit()->editingFinished();
    fields.sinksBox()->setValue(sinks);
    fields.windowBox()->setValue(window);
}

std::vector<int> range(int first, int end) {
    std::vector<int> out(std::size_t(end - first));
    std::iota(out.begin(), out.end(), first);
    return out;
}

/// The window with `policy` chosen in the panel (a reconfigure), then kPrompt prefilled and
/// `steps` decode steps.
void runBounded(MainWindow& window, const QString& policy, const QString& budget, int sinks,
                int steps) {
    requireIdle(window);
    setEviction(*window.scenarioPanel()->evictionControls(), policy, budget, sinks);
    requireIdle(window);
    window.setPrompt(kPrompt);
    window.prefill();
    requireIdle(window);
    for (int i = 0; i < steps; ++i) {
        window.step();
        requireIdle(window);
    }
}

/// Pixels of the hatch colour in the heatmap's column of `key` (rendered as on screen), above
/// the last row (outlined in red: the step's new row).
int hatchPixels(HeatmapWidget& heatmap, int key) {
    heatmap.resize(600, 600);
    const QImage image = heatmap.grab().toImage();
    const QRectF matrix = heatmap.matrixRect();
    const double cell = heatmap.cellSize();
    int count = 0;
    const QColor hatch = HeatmapWidget::hatchColor();
    for (int x = int(matrix.left() + key * cell) + 1; x < int(matrix.left() + (key + 1) * cell) - 1;
         ++x) {
        for (int y = int(matrix.top()) + 1; y < int(matrix.bottom() - cell) - 2; ++y) {
            const QColor c = image.pixelColor(x, y);
            // The hatch is orange-red; viridis and the masked grey have no such colour.
            if (c.red() > 170 && c.green() > 60 && c.green() < 150 && c.blue() < 110 &&
                std::abs(c.red() - hatch.red()) < 90)
                ++count;
        }
    }
    return count;
}

}  // namespace

TEST_CASE("the Scenario panel's bounded-cache fields make the EvictionSpec", "[ui][eviction]") {
    ScenarioPanel panel;
    EvictionControls& fields = *panel.evictionControls();
    CHECK(panel.sessionOptions().eviction == EvictionSpec{});  // full by default
    CHECK(panel.settingsError().isEmpty());

    setEviction(fields, "streaming", "48", 2);
    select(*fields.positionsBox(), "rerotate");
    select(*fields.shapeBox(), "pyramid");
    EvictionSpec expected;
    expected.policy = EvictionPolicy::Streaming;
    expected.budget = 48;
    expected.sinks = 2;
    expected.positions = EvictionPositions::Rerotate;
    expected.shape = BudgetShape::Pyramid;
    CHECK(panel.settingsError().isEmpty());
    CHECK(panel.sessionOptions().eviction == expected);
    CHECK(panel.evictionBudgetBytes() == 0);
    // Only the fields the policy reads are enabled.
    CHECK(fields.sinksBox()->isEnabled());
    CHECK_FALSE(fields.windowBox()->isEnabled());
    select(*fields.policyBox(), "h2o");
    CHECK_FALSE(fields.sinksBox()->isEnabled());
    CHECK(fields.windowBox()->isEnabled());

    // Shown back from options (a scenario file), then read again: the same spec.
    panel.setSessionOptions(SessionOptions{.eviction = expected});
    CHECK(panel.sessionOptions().eviction == expected);

    SECTION("bad input is refused by the field's name, never clamped") {
        setEviction(fields, "window", "lots");
        CHECK(panel.settingsError().contains("Budget: 'lots' is not a whole number"));
        CHECK(fields.messageLabel()->text().contains("Budget"));
        setEviction(fields, "window", "0");
        CHECK(
            panel.settingsError().contains("Budget: a bounded cache needs a budget of at least 1"));
        setEviction(fields, "streaming", "4", 4);
        CHECK(panel.settingsError().contains("Budget: 4 must exceed the sink count (Sinks 4)"));
        setEviction(fields, "h2o", "8", 4, 8);
        CHECK(panel.settingsError().contains("Window: 8 must be below the budget (Budget 8)"));
        setEviction(fields, "snapkv", "64", 4, 600);  // the demo model's context is 512
        panel.setModel(ModelConfig{}, 512);
        CHECK(panel.settingsError().contains("Window: 600 is outside [0, the context 512]"));
        setEviction(fields, "window", "16");
        CHECK(panel.settingsError().isEmpty());
        CHECK(fields.messageLabel()->text().isEmpty());
    }
}

TEST_CASE("a budget in bytes holds the tokens the cache's precision buys", "[ui][eviction]") {
    MainWindow window;
    requireIdle(window);  // builtin:demo loaded: the panel knows its shape
    ScenarioPanel& panel = *window.scenarioPanel();
    EvictionControls& fields = *panel.evictionControls();
    select(*fields.policyBox(), "window");
    fields.unitBox()->setCurrentIndex(1);  // bytes
    fields.budgetEdit()->setText("8k");
    emit fields.budgetEdit()->editingFinished();
    requireIdle(window);
    // 8 KiB of K + V over the 4 layers. fp32: 2048 B a token -> 4 tokens.
    CHECK(panel.settingsError().isEmpty());
    CHECK(panel.evictionBudgetBytes() == 8192);
    CHECK(panel.sessionOptions().eviction.budget == 8192 / 2048);
    CHECK(fields.messageLabel()->text() == "8.00 KiB hold 4 tokens per layer");
    // fp16: 16 x 2 B = 32 B a row, x 2 x 4 heads x 4 layers = 1024 B a token -> 8 tokens.
    select(*panel.codecBox(), "fp16");
    requireIdle(window);
    CHECK(panel.sessionOptions().eviction.budget == 8);
    // int8: 16 x 1 B + a 2 B fp16 scale = 18 B a row, x 2 x 4 x 4 = 576 B a token -> 14 tokens
    // (8192 / 576 = 14.2): 8-bit entries hold about twice the tokens of 16-bit ones.
    select(*panel.codecBox(), "int8");
    requireIdle(window);
    CHECK(panel.sessionOptions().eviction.budget == 14);
    // The session the window opened holds what the panel says.
    CHECK(window.trace()->trace().scenario.eviction.budget == 14);
    // Fewer bytes than one token: refused, and the session is not reopened.
    fields.budgetEdit()->setText("100");
    emit fields.budgetEdit()->editingFinished();
    CHECK(panel.settingsError().contains("Budget: 100 B does not hold one token"));
    CHECK(window.lastError().contains("Budget: 100 B does not hold one token"));
    CHECK(window.trace()->trace().scenario.eviction.budget == 14);
}

TEST_CASE("a scenario file keeps the bounded cache and opens it again", "[ui][eviction]") {
    QTemporaryDir dir;
    const QString path = dir.filePath("bounded.kvscope.json");
    {
        MainWindow window;
        runBounded(window, "streaming", "24", 2, 3);
        REQUIRE(window.saveScenarioFile(path).isEmpty());
    }
    const ScenarioFile file = readScenarioFile(path.toStdString());
    CHECK(file.scenario.eviction.policy == EvictionPolicy::Streaming);
    CHECK(file.scenario.eviction.budget == 24);
    CHECK(file.scenario.eviction.sinks == 2);
    CHECK(file.steps == 3);
    MainWindow again;
    requireIdle(again);
    REQUIRE(again.openScenarioFile(path));
    requireIdle(again);
    CHECK(again.scenarioPanel()->sessionOptions().eviction == file.scenario.eviction);
    CHECK(again.trace()->trace().scenario.eviction == file.scenario.eviction);
    CHECK(again.trace()->cursor() == 1 + 3);
}

TEST_CASE("a scenario file keeps per_head and the window opens it per head", "[ui][eviction]") {
    QTemporaryDir dir;
    const QString path = dir.filePath("per-head.kvscope.json");
    {
        MainWindow window;
        requireIdle(window);
        EvictionControls& fields = *window.scenarioPanel()->evictionControls();
        setEviction(fields, "tova", "12");
        REQUIRE(fields.perHeadBox()->isEnabled());
        fields.perHeadBox()->setChecked(true);
        requireIdle(window);
        window.setPrompt(kPrompt);
        window.prefill();
        requireIdle(window);
        REQUIRE(window.trace()->trace().scenario.eviction.per_head);
        REQUIRE(window.saveScenarioFile(path).isEmpty());
    }
    const ScenarioFile file = readScenarioFile(path.toStdString());
    CHECK(file.scenario.eviction.policy == EvictionPolicy::Tova);
    CHECK(file.scenario.eviction.budget == 12);
    CHECK(file.scenario.eviction.per_head);
    MainWindow again;
    requireIdle(again);
    REQUIRE(again.openScenarioFile(path));
    requireIdle(again);
    EvictionControls& fields = *again.scenarioPanel()->evictionControls();
    CHECK(fields.perHeadBox()->isChecked());
    CHECK(again.scenarioPanel()->sessionOptions().eviction.per_head);
    CHECK(again.trace()->trace().scenario.eviction.per_head);
    // The session it opened keeps each KV head's own list (the demo model has 4 KV heads).
    CHECK(again.trace()->current()->layers.front().held_positions_per_head.size() == 4);
    // A policy that selects the same entries in every head has nothing per head to keep.
    setEviction(fields, "window", "12");
    CHECK_FALSE(fields.perHeadBox()->isEnabled());
    CHECK_FALSE(again.scenarioPanel()->sessionOptions().eviction.per_head);
}

TEST_CASE("stepping a window of 8 strikes out and hatches exactly the positions it evicted",
          "[ui][eviction]") {
    MainWindow window;
    runBounded(window, "window", "8", 4, 5);
    // 21 prompt positions + 5 steps = 26 seen; a window of 8 holds the last 8: 18..25. By hand,
    // positions 0..17 are evicted, in every layer and head.
    REQUIRE(window.trace()->current()->positionsAfter() == kPromptTokens + 5);
    GenerateView& view = *window.views()->generate();
    for (const auto& [layer, head] : {std::pair{0, 0}, std::pair{1, 0}, std::pair{3, 7}}) {
        view.showHead(layer, head);
        INFO("layer " << layer << " head " << head);
        CHECK(view.tokenStrip()->evictedPositions() == range(0, 18));
        CHECK(view.tokenStrip()->sinkPositions().empty());
        std::vector<bool> hatched(26, false);
        for (int k = 0; k < 18; ++k)
            hatched[std::size_t(k)] = true;
        CHECK(view.heatmap()->evictedColumns() == hatched);
    }
    CHECK(view.evictedLegend()->isVisibleTo(&view));
    CHECK_FALSE(view.sinkLegend()->isVisibleTo(&view));
    // On screen: the hatch is drawn over an evicted column and not over a held one.
    view.showHead(1, 0);
    CHECK(hatchPixels(*view.heatmap(), 3) > 20);
    CHECK(hatchPixels(*view.heatmap(), 20) == 0);
    // Scrubbing back to the prefill: 21 positions, the last 8 held (13..20): 0..12 evicted.
    window.trace()->setCursor(1);
    CHECK(view.tokenStrip()->evictedPositions() == range(0, 13));
    // A full cache marks nothing.
    MainWindow full;
    runScenario(full, "builtin:demo", kPrompt, 2);
    CHECK(full.views()->generate()->tokenStrip()->evictedPositions().empty());
    CHECK(full.views()->generate()->heatmap()->evictedColumns().empty());
}

TEST_CASE("StreamingLLM's sinks carry their mark and are never struck", "[ui][eviction]") {
    MainWindow window;
    runBounded(window, "streaming", "8", 2, 4);
    // 25 positions seen; 2 sinks (0, 1) + the 6 most recent (19..24): 2..18 evicted.
    GenerateView& view = *window.views()->generate();
    CHECK(view.tokenStrip()->sinkPositions() == std::vector<int>{0, 1});
    CHECK(view.tokenStrip()->evictedPositions() == range(2, 19));
    CHECK(view.sinkLegend()->isVisibleTo(&view));
    const TokenChip& sink = view.tokenStrip()->tokens()[1];
    CHECK(sink.tooltip.contains("attention sink"));
    CHECK(view.tokenStrip()->tokens()[5].tooltip.contains("evicted"));
}

TEST_CASE("the cache chart's held line flattens at W x bytes per entry", "[ui][eviction]") {
    MainWindow window;
    runBounded(window, "window", "32", 4, 16);
    const CacheGrowthChart& chart = *window.views()->generate()->cacheChart();
    REQUIRE(chart.totalSeries()->count() == 17);
    const double unit = chart.unit().bytes;
    for (int r = 0; r <= 16; ++r) {
        // By hand: 21 + r positions seen, at most 32 held, 2048 B each over the layers.
        const std::int64_t held = std::min(kPromptTokens + r, 32) * kBytesPerPosition;
        INFO("step " << r);
        CHECK(chart.totalSeries()->at(r).y() * unit == Approx(double(held)));
        // The contiguous layout reserves the whole context: 512 x 2048 B = 1 MiB, flat.
        CHECK(chart.allocatedSeries()->at(r).y() * unit == Approx(1024.0 * 1024.0));
    }
    CHECK(chart.totalSeries()->at(16).y() * unit == Approx(32.0 * 2048));  // 64 KiB: flat
    CHECK(chart.totalSeries()->at(11).y() == chart.totalSeries()->at(16).y());
    // 1 MiB is far above 64 KiB: the axis keeps to what is held and the legend says where.
    CHECK_FALSE(chart.allocatedInRange());
    CHECK(chart.allocatedSeries()->name() == "allocated");
    // The status bar shows both figures.
    CHECK(statusText(window).contains(QString::fromUtf8("KV 64.00 KiB of 1.00 MiB allocated")));
    CHECK(chart.chart()->title() == QString::fromUtf8("KV held \u00b7 1.00 MiB allocated"));
}

TEST_CASE("the cache chart and the status bar count the paged layout's holes",
          "[ui][eviction][holes]") {
    MainWindow window;
    requireIdle(window);
    ScenarioPanel& panel = *window.scenarioPanel();
    select(*panel.layoutBox(), QString::number(int(CacheLayout::Paged)));
    panel.blockSizeBox()->setValue(4);
    runBounded(window, "window", "30", 4, 16);
    const CacheGrowthChart& chart = *window.views()->generate()->cacheChart();
    REQUIRE(chart.allocatedSeries()->count() == 17);
    const double unit = chart.unit().bytes;
    // By hand: 21 + 16 = 37 positions seen, the window holds 7..36 (30 x 2 KiB = 60 KiB). Blocks
    // of 4: 0 (0..3) holds none and is freed, 1 (4..7) holds 7 only: 4, 5, 6 are holes in each of
    // the 4 layers (12); 2..8 are full, 9 (36..39) is the tail. 9 blocks x 4 x 2 KiB = 72 KiB.
    CHECK(chart.allocatedSeries()->at(16).y() * unit == Approx(72.0 * 1024));
    CHECK(chart.allocatedInRange());
    CHECK(chart.allocatedSeries()->name() == "allocated (12 holes)");
    CHECK(statusText(window).contains(
        QString::fromUtf8("KV 60.00 KiB of 72.00 KiB allocated (12 holes)")));
}

TEST_CASE("the sixth lesson strikes out the needle under a window and keeps it with H2O",
          "[ui][eviction][lesson]") {
    MainWindow window;
    requireIdle(window);
    REQUIRE(window.openLesson(lessonPathFor(QStringLiteral("6"))));
    LessonPlayer& player = *window.lessonPlayer();
    REQUIRE(player.waitUntilIdle());
    REQUIRE(window.lastError().isEmpty());
    GenerateView& view = *window.views()->generate();
    const TraceModel& trace = *window.trace();
    // The prompt: BOS + 63 bytes, the needle's "j" at position 11; one step feeds "q".
    const auto next = [&trace] { return trace.label(trace.current()->next_token); };
    REQUIRE(trace.current()->positionsAfter() == 65);
    CHECK(trace.label(trace.current()->tokens.front()) == "q");
    CHECK(next() == "j");  // the full cache: the needle retrieved
    CHECK(view.tokenStrip()->evictedPositions().empty());

    player.goTo(1);  // a window of 32: positions 33..64 held, 0..32 struck, the needle with them
    REQUIRE(player.waitUntilIdle());
    CHECK(trace.trace().scenario.eviction.policy == EvictionPolicy::Window);
    CHECK(view.layer() == 1);
    CHECK(view.tokenStrip()->evictedPositions() == range(0, 33));
    CHECK(view.heatmap()->isEvictedColumn(11));
    CHECK(next() != "j");

    player.goTo(2);  // streaming: sinks 0..3 + the 28 most recent (37..64); 4..36 struck
    REQUIRE(player.waitUntilIdle());
    CHECK(view.tokenStrip()->sinkPositions() == std::vector<int>{0, 1, 2, 3});
    CHECK(view.tokenStrip()->evictedPositions() == range(4, 37));
    CHECK(next() != "j");

    player.goTo(3);  // h2o: the heavy hitters keep the needle, and "j" comes back
    REQUIRE(player.waitUntilIdle());
    CHECK(view.layer() == 1);
    CHECK_FALSE(view.heatmap()->isEvictedColumn(11));
    CHECK(view.tokenStrip()->evictedPositions().size() == 65 - 32);
    CHECK(next() == "j");
}
