// The memory capacity chart keeps small models visible and honest: bars under 1% of the GPU are
// drawn at their own scale with a note naming their share, the GPU line left out; bars that
// matter against the GPU are drawn against its line.
#include <catch2/catch.hpp>

#include <QBarSet>
#include <QCategoryAxis>
#include <QChart>
#include <QLineSeries>
#include <QStackedBarSeries>

#include "ui/memory/memory_capacity_chart.h"

using namespace kvscope;

namespace {

constexpr std::int64_t kMiB = std::int64_t(1) << 20;
constexpr std::int64_t kGiB = std::int64_t(1) << 30;

std::vector<CapacityBar> bars(std::int64_t weights, std::int64_t kv_a, std::int64_t kv_b) {
    return {{"as-is", "as-is", {{"weights", weights, ""}, {"KV cache", kv_a, ""}}},
            {"MQA", "MQA", {{"weights", weights, ""}, {"KV cache", kv_b, ""}}}};
}

double yMax(const MemoryCapacityChart& chart) {
    auto* y = qobject_cast<QCategoryAxis*>(chart.chart()->axes(Qt::Vertical).value(0));
    REQUIRE(y);
    return y->max();
}

}  // namespace

TEST_CASE("capacity bars under 1% of the GPU are fitted to the data with a note",
          "[ui][memory][capacity]") {
    MemoryCapacityChart chart;
    // 5 MiB + 16 MiB = 21 MiB against 80e9 B: 22020096 / 8e10 = 0.0275% of the GPU.
    chart.setBars("One GPU", bars(5 * kMiB, 16 * kMiB, 2 * kMiB), 80'000'000'000, 72'000'000'000);
    CHECK(chart.fittedToData());
    CHECK(chart.fitNote().contains("0.03%"));
    CHECK(chart.chart()->title().contains("0.03%"));
    // The axis reaches just past the tallest bar (21 MiB, steps of 5 MiB: 25 MiB), not 80 GB.
    CHECK(yMax(chart) == 25.0 * kMiB);
    // The lines keep their bytes (for the export) but are not drawn.
    REQUIRE(chart.capacityLine());
    CHECK(chart.capacityLine()->at(0).y() == 80000000000.0);
    CHECK(chart.usableLine()->at(0).y() == 72000000000.0);
    CHECK_FALSE(chart.chart()->series().contains(chart.capacityLine()));
    CHECK_FALSE(chart.chart()->series().contains(chart.usableLine()));
    // The bars hold the exact bytes.
    const QList<QBarSet*> sets = chart.bars()->barSets();
    REQUIRE(sets.size() == 2);
    CHECK(sets[0]->at(0) == double(5 * kMiB));
    CHECK(sets[1]->at(0) == double(16 * kMiB));
}

TEST_CASE("capacity bars that matter against the GPU are drawn with its line",
          "[ui][memory][capacity]") {
    MemoryCapacityChart chart;
    // 13 GiB of weights + 2 GiB of KV against 80 GiB: 19% of it.
    chart.setBars("One GPU", bars(13 * kGiB, 2 * kGiB, kGiB / 4), 80 * kGiB, 72 * kGiB);
    CHECK_FALSE(chart.fittedToData());
    CHECK(chart.fitNote().isEmpty());
    CHECK(chart.chart()->title() == "One GPU");
    REQUIRE(chart.capacityLine());
    CHECK(chart.chart()->series().contains(chart.capacityLine()));
    CHECK(chart.chart()->series().contains(chart.usableLine()));
    CHECK(yMax(chart) >= 80.0 * kGiB);

    // Exactly at 1% the bars are still drawn against the GPU; just under, they are fitted.
    chart.setBars("One GPU", bars(0, 800 * kMiB, 0), 80000 * kMiB, 72000 * kMiB);
    CHECK_FALSE(chart.fittedToData());
    chart.setBars("One GPU", bars(0, 799 * kMiB, 0), 80000 * kMiB, 72000 * kMiB);
    CHECK(chart.fittedToData());
    // No GPU: no lines, nothing to fit against.
    chart.setBars("No GPU", bars(kMiB, kMiB, kMiB), 0, 0);
    CHECK_FALSE(chart.fittedToData());
    CHECK(chart.capacityLine() == nullptr);
}
