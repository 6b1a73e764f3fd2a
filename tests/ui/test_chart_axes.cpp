// Axis labels people read (ui/chart_axes): FLOPs with SI prefixes and times in ms or s, never
// "5e+03"; ticks at 1-2-5 steps covering the data; the cost chart uses them.
#include <catch2/catch.hpp>

#include <QCategoryAxis>
#include <QChart>
#include <QLineSeries>

#include "ui/generate/cost_chart.h"
#include "ui/style/chart_axes.h"

using namespace kvscope;

TEST_CASE("FLOP counts read with an SI prefix and at most 3 digits", "[ui][axes]") {
    CHECK(formatFlops(0) == "0");
    CHECK(formatFlops(750) == "750 FLOP");
    CHECK(formatFlops(5000) == "5 kFLOP");
    CHECK(formatFlops(5.2e6) == "5.2 MFLOP");
    CHECK(formatFlops(1.3e9) == "1.3 GFLOP");
    CHECK(formatFlops(1.25e9) == "1.25 GFLOP");
    CHECK(formatFlops(123456789) == "123 MFLOP");
    CHECK(formatFlops(999999) == "1 MFLOP");  // rounds up into the next prefix, not "1000 kFLOP"
    CHECK(formatFlops(2e13) == "20 TFLOP");
    CHECK(formatFlops(-4e6) == "-4 MFLOP");
}

TEST_CASE("times read in ms with sensible decimals, or in s from 1000 ms", "[ui][axes]") {
    CHECK(formatMilliseconds(0) == "0");
    CHECK(formatMilliseconds(0.05) == "0.05 ms");
    CHECK(formatMilliseconds(0.1234) == "0.123 ms");
    CHECK(formatMilliseconds(2) == "2 ms");
    CHECK(formatMilliseconds(12.5) == "12.5 ms");
    CHECK(formatMilliseconds(250) == "250 ms");
    CHECK(formatMilliseconds(1000) == "1 s");
    CHECK(formatMilliseconds(1500) == "1.5 s");
    CHECK(formatMilliseconds(5000) == "5 s");
    CHECK(formatMilliseconds(120000) == "120 s");
}

TEST_CASE("FLOP and time ticks are 1-2-5 steps from 0 past the largest value", "[ui][axes]") {
    QCategoryAxis axis;
    // 4.6 GFLOP: steps of 1 GFLOP give 5 of them (the target), up to 5 GFLOP.
    setFlopTicks(axis, 4.6e9);
    CHECK(axis.categoriesLabels() ==
          QStringList{"0", "1 GFLOP", "2 GFLOP", "3 GFLOP", "4 GFLOP", "5 GFLOP"});
    CHECK(axis.max() == 5e9);
    // 5000 ms (what read "5e+03" before): steps of 1 s.
    QCategoryAxis time;
    setMillisecondTicks(time, 5000);
    CHECK(time.categoriesLabels() == QStringList{"0", "1 s", "2 s", "3 s", "4 s", "5 s"});
    CHECK(time.max() == 5000);
    // 0.9 ms: steps of 0.2 ms, five of them reach 1 ms.
    setMillisecondTicks(time, 0.9);
    CHECK(time.categoriesLabels() ==
          QStringList{"0", "0.2 ms", "0.4 ms", "0.6 ms", "0.8 ms", "1 ms"});
    // Nothing to plot yet: one whole FLOP, not steps of 0.2 FLOP.
    QCategoryAxis empty;
    setFlopTicks(empty, 0);
    CHECK(empty.categoriesLabels() == QStringList{"0", "1 FLOP"});
    for (const QString& label : time.categoriesLabels() + axis.categoriesLabels())
        CHECK_FALSE(label.contains('e'));
}

TEST_CASE("the cost chart labels its y axis in ms or FLOPs, the series in raw units",
          "[ui][axes]") {
    CostData data;
    data.steps = {1, 2, 3};
    data.cached_ms = {1000, 1000, 1000};
    data.recompute_ms = {1000, 2000, 3000};
    data.cached_flops = {1e6, 1e6, 1e6};
    data.recompute_flops = {1e6, 2e6, 3e6};
    CostChart chart;
    chart.setData(data);
    chart.setMeasure(CostChart::Measure::TimeCumulative);  // recompute sums to 6000 ms
    auto* y = qobject_cast<QCategoryAxis*>(chart.chart()->axes(Qt::Vertical).value(0));
    REQUIRE(y);
    CHECK(y->categoriesLabels().last() == "6 s");
    CHECK(chart.recomputeSeries()->at(2).y() == 6000.0);
    chart.setMeasure(CostChart::Measure::FlopsPerStep);  // at most 3 MFLOP
    y = qobject_cast<QCategoryAxis*>(chart.chart()->axes(Qt::Vertical).value(0));
    REQUIRE(y);
    CHECK(y->categoriesLabels() ==
          QStringList{"0", "500 kFLOP", "1 MFLOP", "1.5 MFLOP", "2 MFLOP", "2.5 MFLOP", "3 MFLOP"});
    CHECK(chart.recomputeSeries()->at(2).y() == 3e6);
}

TEST_CASE("a short axis gets fewer, larger steps", "[ui][axes]") {
    // 5000 ms in at most 3 steps: 1 s steps would take 5, 2 s steps take 3 (to 6 s), 5 s one.
    // Three is the target when fewer than 5 fit, so: 0, 2 s, 4 s, 6 s.
    QCategoryAxis time;
    setMillisecondTicks(time, 5000, 3);
    CHECK(time.categoriesLabels() == QStringList{"0", "2 s", "4 s", "6 s"});
    CHECK(time.max() == 6000.0);
    // Room for one step only: 0 and the first 1-2-5 value at or above the maximum.
    QCategoryAxis flops;
    setFlopTicks(flops, 3.2e6, 1);
    CHECK(flops.categoriesLabels() == QStringList{"0", "5 MFLOP"});
    // Without a cap the same maximum gets 4 steps of 1 MFLOP (closest to 5): 0 .. 4 MFLOP.
    QCategoryAxis free;
    setFlopTicks(free, 3.2e6);
    CHECK(free.categoriesLabels() == QStringList{"0", "1 MFLOP", "2 MFLOP", "3 MFLOP", "4 MFLOP"});
}
