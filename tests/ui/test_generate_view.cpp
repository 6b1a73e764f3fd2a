// The Generate view against the engine: the heatmap shows the attention rows a Session computes,
// the charts plot the trace's bytes (and the estimator's for MHA/MQA), the grid groups GQA heads.
#include <QAbstractAxis>
#include <QPointer>
#include <catch2/catch.hpp>

#include <QCheckBox>
#include <QLineSeries>
#include <algorithm>

#include "core/engine/session.h"
#include "core/model/model_source.h"
#include "core/trace/attention_matrix.h"
#include "ui/engine/trace_model.h"
#include "ui/generate/cache_growth_chart.h"
#include "ui/generate/cost_chart.h"
#include "ui/generate/generate_view.h"
#include "ui/generate/head_grid_widget.h"
#include "ui/generate/heatmap_widget.h"
#include "ui/generate/token_strip.h"
#include "ui/window/scenario_panel.h"
#include "ui/window/view_tabs.h"
#include "window_test_util.h"

using namespace kvscope;

namespace {

/// The same scenario run directly on a Session, off the GUI: the reference the views must match.
std::vector<StepRecord> referenceRecords(const std::string& model_name, const std::string& prompt,
                                         int steps) {
    std::shared_ptr<const Model> model = loadModel(model_name);
    Session session(model, SessionOptions{});
    std::vector<TokenId> tokens{model->tokenizer->bos()};
    for (TokenId id : model->tokenizer->encode(prompt))
        tokens.push_back(id);
    session.prefill(tokens);
    for (int i = 0; i < steps; ++i)
        session.step();
    return session.records();
}

}  // namespace

TEST_CASE("the heatmap holds exactly the engine's attention rows", "[ui][generate]") {
    MainWindow window;
    runScenario(window, "builtin:demo", "KVScope KVSc", 6);
    const std::vector<StepRecord> reference = referenceRecords("builtin:demo", "KVScope KVSc", 6);
    GenerateView& view = *window.views()->generate();
    for (auto [layer, head] : {std::pair{0, 0}, std::pair{1, 0}, std::pair{3, 7}}) {
        view.showHead(layer, head);
        const Matrix expected = assembleAttention(reference, layer, head).weights;
        const Matrix& shown = view.heatmap()->weights();
        REQUIRE(shown.rows() == expected.rows());
        REQUIRE(shown.cols() == expected.cols());
        CHECK((shown - expected).cwiseAbs().maxCoeff() == 0.0f);
    }
    // The newest row is the one the last decode step computed.
    view.showHead(1, 0);
    const Matrix& shown = view.heatmap()->weights();
    const Matrix& last_row = reference.back().layers[1].attention[0];  // [1][n_pos]
    CHECK((shown.row(shown.rows() - 1) - last_row.row(0)).cwiseAbs().maxCoeff() == 0.0f);
}

TEST_CASE("the cache chart plots the trace's bytes per layer and the MHA and MQA overlays",
          "[ui][generate]") {
    MainWindow window;
    runScenario(window, "builtin:demo", "bytes", 5);  // 6 positions, then 5 steps
    const CacheGrowthChart& chart = *window.views()->generate()->cacheChart();
    const std::vector<StepRecord>& records = window.trace()->trace().records;
    REQUIRE(records.size() == 6);
    const double unit = chart.unit().bytes;
    REQUIRE(chart.totalSeries()->count() == 6);
    for (int r = 0; r < 6; ++r) {
        double cumulative = 0;
        for (int l = 0; l < 4; ++l) {
            const LayerRecord& layer = records[std::size_t(r)].layers[std::size_t(l)];
            cumulative += double(layer.k_bytes + layer.v_bytes);
            CHECK(chart.layerTop(l)->at(r).y() * unit == Approx(cumulative));
        }
        CHECK(chart.totalSeries()->at(r).y() * unit ==
              Approx(double(records[std::size_t(r)].kvBytesHeld())));
    }
    // By hand: demo is 4 layers of 4 KV heads x 16 dims, fp32, K and V: 512 B per token and
    // layer. After the last step 11 positions: 11 * 512 * 4 = 22,528 B. MHA (8 KV heads) holds
    // twice that, MQA (1 KV head) a quarter.
    CHECK(records.back().kvBytesHeld() == 22'528);
    REQUIRE(chart.overlaySeries(0) != nullptr);
    REQUIRE(chart.overlaySeries(1) != nullptr);
    CHECK(chart.overlaySeries(0)->name().contains("MHA"));
    CHECK(chart.overlaySeries(0)->at(5).y() * unit == Approx(45'056));
    CHECK(chart.overlaySeries(1)->name().contains("MQA"));
    CHECK(chart.overlaySeries(1)->at(5).y() * unit == Approx(5'632));
    // The marker follows the cursor.
    window.trace()->setCursor(3);
    CHECK(chart.markerSeries()->at(0).x() == 2);
}

TEST_CASE("the cost chart has both modes measured and FLOPs that grow apart", "[ui][generate]") {
    MainWindow window;
    runScenario(window, "builtin:demo", "cost of recompute", 8);
    CostChart& chart = *window.views()->generate()->costChart();
    chart.setMeasure(CostChart::Measure::TimePerStep);
    // Decode steps only: the prefill is the same work either way.
    CHECK(chart.cachedSeries()->count() == 8);
    CHECK(chart.recomputeSeries()->count() == 8);  // the twin session timed every step
    chart.setMeasure(CostChart::Measure::FlopsCumulative);
    // Cached decode FLOPs barely change from step to step; recompute redoes the whole sequence.
    const CostData data = costData(*window.trace());
    REQUIRE(data.steps.size() == 8);
    CHECK(data.steps.front() == 1);
    CHECK(data.recompute_flops[7] > data.cached_flops[7] * 10);
    CHECK(data.cached_flops[7] == Approx(data.cached_flops[6]).epsilon(0.01));
    CHECK(chart.recomputeSeries()->at(7).y() > chart.cachedSeries()->at(7).y());
    CHECK_FALSE(chart.cachedSeries()->pointsVisible());  // lines of 8 points need no dots
}

TEST_CASE("the cost chart shows a single decode step as dots", "[ui][generate]") {
    CostChart chart;
    CostData data;
    data.steps = {1};
    data.cached_ms = {0.2};
    data.recompute_ms = {1.5};
    data.cached_flops = {1e6};
    data.recompute_flops = {3e7};
    chart.setData(data);
    REQUIRE(chart.cachedSeries()->count() == 1);
    CHECK(chart.cachedSeries()->pointsVisible());
    CHECK(chart.recomputeSeries()->pointsVisible());
    // A rebuild deletes the axes it replaces (QChart::removeAxis alone would keep them alive).
    const QList<QAbstractAxis*> before = chart.chart()->axes();
    REQUIRE(before.size() == 2);
    const QPointer<QAbstractAxis> old_x = before[0], old_y = before[1];
    chart.setMeasure(CostChart::Measure::FlopsPerStep);
    CHECK(old_x.isNull());
    CHECK(old_y.isNull());
    CHECK(chart.chart()->axes().size() == 2);
}

TEST_CASE("all heads: a grid of layers x heads with GQA groups set apart", "[ui][generate]") {
    MainWindow window;
    runScenario(window, "builtin:demo", "grid", 2);
    GenerateView& view = *window.views()->generate();
    view.setAllHeads(true);
    HeadGridWidget& grid = *view.headGrid();
    grid.resize(800, 600);
    CHECK(view.attentionImages().layers() == 4);
    CHECK(view.attentionImages().heads() == 8);
    // Demo: 8 query heads read 4 KV heads in pairs; the gap between pairs is wider.
    const double inside = grid.thumbnailRect(0, 1).left() - grid.thumbnailRect(0, 0).right();
    const double between = grid.thumbnailRect(0, 2).left() - grid.thumbnailRect(0, 1).right();
    CHECK(between > inside);
    // The thumbnails are the engine's rows: the image's top-left corner is the matrix on screen.
    const QImage& image = view.attentionImages().image(1, 0);
    view.setAllHeads(false);
    view.showHead(1, 0);
    const QImage& single = view.heatmap()->image();
    for (int q = 0; q < single.height(); ++q) {
        for (int k = 0; k <= q; ++k)
            REQUIRE(image.pixel(k, q) == single.pixel(k, q));
    }
    // Clicking a thumbnail opens that head.
    view.setAllHeads(true);
    emit grid.headClicked(2, 5);
    CHECK(view.layer() == 2);
    CHECK(view.head() == 5);
    CHECK_FALSE(view.allHeadsBox()->isChecked());
}

TEST_CASE("clicking a token selects its query row, and screenshots change with the step",
          "[ui][generate]") {
    MainWindow window;
    window.resize(1280, 800);
    runScenario(window, "builtin:demo", "pick", 1);
    GenerateView& view = *window.views()->generate();
    emit view.tokenStrip()->positionClicked(3);
    CHECK(view.heatmap()->selectedRow() == 3);

    const QImage before = window.grab().toImage();
    const QImage heatmap_before = view.heatmap()->grab().toImage();
    window.step();
    requireIdle(window);
    const QImage after = window.grab().toImage();
    CHECK(before.size() == after.size());
    CHECK(before != after);
    CHECK(view.heatmap()->grab().toImage() != heatmap_before);
    window.trace()->setCursor(2);  // scrub back: that step's heatmap again, pixel for pixel
    CHECK(view.heatmap()->grab().toImage() == heatmap_before);
    CHECK(window.grab().toImage() != after);
}

TEST_CASE("zoom, pan and log scale change what the heatmap shows, not its data", "[ui][generate]") {
    HeatmapWidget heatmap;
    heatmap.resize(600, 600);
    Matrix weights = Matrix::Zero(100, 100);
    for (int q = 0; q < 100; ++q) {
        weights(q, 0) = 0.999f;
        weights(q, q) += 0.001f;
    }
    heatmap.setMatrix(weights, {});
    CHECK(heatmap.viewSize() == 100);
    heatmap.zoomTo(60, 10, 20);
    CHECK(heatmap.viewSize() == 20);
    CHECK(heatmap.viewOrigin() == QPoint(10, 60));
    heatmap.zoomTo(95, 95, 20);  // clamped inside the matrix
    CHECK(heatmap.viewOrigin() == QPoint(80, 80));
    heatmap.resetZoom();
    CHECK(heatmap.viewSize() == 100);

    const QRgb linear = heatmap.image().pixel(50, 50);  // weight 0.001: darkest on a linear scale
    heatmap.setLogScale(true);
    CHECK(heatmap.image().pixel(50, 50) != linear);  // 1e-3 is a quarter up the log scale
    CHECK(heatmap.scaled(1e-3) == Approx(0.25));
    CHECK(heatmap.weights() == weights);
}

TEST_CASE("a full 512-token stories260K context renders in the heatmap and the head grid",
          "[ui][generate][real-model]") {
    const QString path = QString(KVSCOPE_SHARED_MODELS_DIR) + "/stories260K.gguf";
    MainWindow window;
    window.resize(1280, 800);
    // Only the cached run: the recomputing twin would redo up to 511 tokens at every step.
    window.scenarioPanel()->measureOtherBox()->setChecked(false);
    // The GGUF says 2048, but stories260K was trained at 512 (shared/models/README.md).
    SessionOptions options = window.scenarioPanel()->sessionOptions();
    options.max_context = 512;
    window.scenarioPanel()->setSessionOptions(options);
    window.loadModel(path);
    requireIdle(window);
    window.setPrompt("Once upon a time");
    window.prefill();
    requireIdle(window);
    window.scenarioPanel()->setMaxNewTokens(1000);  // Run to end stops at the 512-token context
    window.runToEnd();
    requireIdle(window);
    const StepRecord& last = *window.trace()->current();
    CHECK(last.positionsAfter() == 512);

    window.views()->generate()->showHead(4, 7);
    HeatmapWidget& heatmap = *window.views()->generate()->heatmap();
    CHECK(heatmap.weights().rows() == 512);
    CHECK(heatmap.weights().cols() == 512);
    // Frame time of the full matrix (reported, not asserted: the overlay shows it live).
    heatmap.resize(700, 700);
    double worst = 0;
    for (int i = 0; i < 5; ++i) {
        heatmap.grab();
        worst = std::max(worst, heatmap.lastPaintMs());
    }
    CHECK(heatmap.lastPaintMs() > 0);
    WARN("stories260K, 512 x 512 attention: heatmap paint " << worst << " ms (worst of 5)");
}
