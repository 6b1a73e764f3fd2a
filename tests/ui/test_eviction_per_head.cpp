// Per-head eviction in the Generate view: with a head-wise policy (tova, per KV head) on a real
// GQA model each KV head keeps its own entries, and the token strip, the heatmap and the all-heads
// grid show the kept set of the KV head that the selected query head reads. stories260K: 8 query
// heads over 4 KV heads, so query heads 2k and 2k + 1 read KV head k
// (shared/models/README.md).
#include <catch2/catch.hpp>

#include <QCheckBox>
#include <QComboBox>
#include <QGroupBox>
#include <QImage>
#include <algorithm>
#include <set>

#include "tests/core/gguf_test_files.h"
#include "tests/ui/window_test_util.h"
#include "ui/engine/trace_model.h"
#include "ui/generate/generate_view.h"
#include "ui/generate/head_grid_widget.h"
#include "ui/generate/heatmap_widget.h"
#include "ui/generate/token_strip.h"
#include "ui/widgets/count_edit.h"
#include "ui/widgets/eviction_controls.h"
#include "ui/window/scenario_panel.h"
#include "ui/window/view_tabs.h"

using namespace kvscope;

namespace {

constexpr int kBudget = 8;
constexpr int kSteps = 4;
constexpr int kQueryHeadsPerKvHead = 2;  // stories260K: 8 query heads / 4 KV heads

/// The positions in [0, n) that `held` does not list: what a head has evicted.
std::vector<int> complement(const std::vector<std::int64_t>& held, std::int64_t n) {
    const std::set<std::int64_t> kept(held.begin(), held.end());
    std::vector<int> out;
    for (std::int64_t p = 0; p < n; ++p)
        if (!kept.count(p)) out.push_back(int(p));
    return out;
}

/// Pixels of the hatch colour inside column `key` of the grid's thumbnail (layer, head), below
/// the diagonal (where the hatch is drawn), as the widget paints itself.
int gridHatchPixels(const HeadGridWidget& grid, const QImage& image, int layer, int head, int key,
                    std::int64_t n_pos) {
    const QRectF where = grid.thumbnailRect(layer, head);
    const double cell = where.width() / double(n_pos);
    int count = 0;
    for (int x = int(where.left() + key * cell) + 1; x < int(where.left() + (key + 1) * cell) - 1;
         ++x) {
        for (int y = int(where.top() + (key + 1) * cell) + 1; y < int(where.bottom()) - 1; ++y) {
            const QColor c = image.pixelColor(x, y);
            // The hatch is orange-red; viridis and the masked grey have no such colour.
            if (c.red() > 170 && c.green() > 60 && c.green() < 150 && c.blue() < 110) ++count;
        }
    }
    return count;
}

}  // namespace

TEST_CASE("per-head eviction: the strip, heatmap and grid show the selected KV head's kept set",
          "[ui][eviction][real-model]") {
    const std::optional<std::string> path = test::realModelPath("stories260K.gguf");
    if (!path) return;
    MainWindow window;
    window.loadModel(QString::fromStdString(*path));
    requireIdle(window);
    // tova with a budget of 8, each KV head its own: set in the panel's fields as a user would.
    EvictionControls& fields = *window.scenarioPanel()->evictionControls();
    fields.policyBox()->setCurrentIndex(fields.policyBox()->findData(QStringLiteral("tova")));
    fields.budgetEdit()->setText(QString::number(kBudget));
    emit fields.budgetEdit()->editingFinished();
    REQUIRE(fields.perHeadBox()->isEnabled());
    fields.perHeadBox()->setChecked(true);
    requireIdle(window);
    const EvictionSpec spec = window.trace()->trace().scenario.eviction;
    REQUIRE(spec.policy == EvictionPolicy::Tova);
    REQUIRE(spec.budget == kBudget);
    REQUIRE(spec.per_head);
    window.setPrompt(QStringLiteral("Once upon a time, there was a little girl named Lily."));
    window.prefill();
    requireIdle(window);
    for (int i = 0; i < kSteps; ++i) {
        window.step();
        requireIdle(window);
    }

    const TraceModel& trace = *window.trace();
    const StepRecord& record = *trace.current();
    const std::int64_t n_pos = record.positionsAfter();
    REQUIRE(n_pos > 2 * kBudget);  // enough positions that the heads' choices can differ
    GenerateView& view = *window.views()->generate();

    // Find a layer whose KV heads keep different sets (tova scores each head by its own group's
    // attention); every head keeps exactly the budget (tova: the budget, by definition).
    int layer = -1, head_a = -1, head_b = -1;
    for (int l = 0; l < int(record.layers.size()) && layer < 0; ++l) {
        const auto& heads = record.layers[std::size_t(l)].held_positions_per_head;
        REQUIRE(heads.size() == 4);
        for (const auto& held : heads)
            CHECK(held.size() == std::size_t(kBudget));
        for (int a = 0; a < 4 && layer < 0; ++a)
            for (int b = a + 1; b < 4 && layer < 0; ++b)
                if (heads[std::size_t(a)] != heads[std::size_t(b)]) {
                    layer = l;
                    head_a = a;
                    head_b = b;
                }
    }
    REQUIRE(layer >= 0);
    const auto& per_head = record.layers[std::size_t(layer)].held_positions_per_head;
    const std::vector<int> evicted_a = complement(per_head[std::size_t(head_a)], n_pos);
    const std::vector<int> evicted_b = complement(per_head[std::size_t(head_b)], n_pos);
    REQUIRE(evicted_a != evicted_b);
    CHECK(evicted_a.size() == std::size_t(n_pos - kBudget));

    for (const auto& [kv, evicted] : {std::pair{head_a, evicted_a}, std::pair{head_b, evicted_b}}) {
        // Both query heads of the KV head's group show its set.
        for (int q = kv * kQueryHeadsPerKvHead; q < (kv + 1) * kQueryHeadsPerKvHead; ++q) {
            INFO("layer " << layer << " query head " << q << " (KV head " << kv << ")");
            view.showHead(layer, q);
            CHECK(view.tokenStrip()->evictedPositions() == evicted);
            std::vector<bool> columns(std::size_t(n_pos), false);
            for (int p : evicted)
                columns[std::size_t(p)] = true;
            CHECK(view.heatmap()->evictedColumns() == columns);
            CHECK(view.tokensBox()->title().contains(
                QStringLiteral("layer %1 KV head %2 holds %3 of %4 positions")
                    .arg(layer)
                    .arg(kv)
                    .arg(kBudget)
                    .arg(n_pos)));
        }
    }

    // The grid, as painted: a key evicted by head A but held by head B is hatched in A's
    // thumbnail and not in B's.
    std::vector<int> only_a;
    std::set_difference(evicted_a.begin(), evicted_a.end(), evicted_b.begin(), evicted_b.end(),
                        std::back_inserter(only_a));
    REQUIRE_FALSE(only_a.empty());
    const int key = only_a.front();
    window.resize(2400, 1600);  // thumbnails wide enough that a column spans several pixels
    view.setAllHeads(true);
    QApplication::processEvents();
    HeadGridWidget& grid = *view.headGrid();
    const QImage image = grid.grab().toImage();
    REQUIRE(grid.thumbnailRect(layer, 0).width() / double(n_pos) >= 5.0);
    // The grid's model: each thumbnail hatches its KV head's evicted keys.
    for (const auto& [kv, evicted] : {std::pair{head_a, evicted_a}, std::pair{head_b, evicted_b}})
        for (int q = kv * kQueryHeadsPerKvHead; q < (kv + 1) * kQueryHeadsPerKvHead; ++q)
            CHECK(grid.evictedColumns(layer, q) == evicted);
    INFO("layer " << layer << " key " << key << " KV heads " << head_a << ", " << head_b);
    CHECK(gridHatchPixels(grid, image, layer, head_a * kQueryHeadsPerKvHead, key, n_pos) > 5);
    CHECK(gridHatchPixels(grid, image, layer, head_b * kQueryHeadsPerKvHead, key, n_pos) == 0);
    // A key head A holds (its oldest) is not hatched in its thumbnail.
    const int held_key = int(per_head[std::size_t(head_a)].front());
    REQUIRE(held_key < n_pos - 2);
    CHECK(gridHatchPixels(grid, image, layer, head_a * kQueryHeadsPerKvHead, held_key, n_pos) == 0);
}
