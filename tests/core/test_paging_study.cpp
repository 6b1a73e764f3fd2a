// The Paging view's experiment: timeline series checked against hand sums, input checks naming
// the field, the four policies on one workload, and the paging headline at the view's defaults.
#include <catch2/catch.hpp>

#include "core/sim/paging_study.h"
#include "core/sim/sim_series.h"

using namespace kvscope::sim;
using Catch::Contains;

namespace {

StepSample sample(std::int64_t step, std::int64_t running, std::int64_t held,
                  std::int64_t reserved) {
    StepSample s;
    s.step = step;
    s.running_seqs = running;
    s.held = held;
    s.reserved = reserved;
    return s;
}

PagingField fieldOf(const PagingScenario& s) {
    try {
        checkPagingScenario(s);
    } catch (const PagingInputError& e) {
        return e.field();
    }
    FAIL("no error for the scenario");
    return PagingField::Requests;
}

}  // namespace

TEST_CASE("timeline series: one point per step, then bucket sums and means", "[sim][paging]") {
    const std::vector<StepSample> timeline = {sample(0, 2, 30, 40), sample(1, 3, 50, 64),
                                              sample(2, 3, 60, 64), sample(7, 1, 10, 16),
                                              sample(8, 0, 0, 0)};
    const TimelineSeries exact = timelineSeries(timeline, 10);
    CHECK(exact.running.x == std::vector<double>{0, 1, 2, 7, 8});
    CHECK(exact.running.y == std::vector<double>{2, 3, 3, 1, 0});
    CHECK(exact.waste.y == std::vector<double>{10, 14, 4, 6, 0});
    // Step 8 reserves nothing: no utilization point.
    CHECK(exact.utilization.x == std::vector<double>{0, 1, 2, 7});
    CHECK(exact.utilization.y == std::vector<double>{0.75, 50.0 / 64, 60.0 / 64, 10.0 / 16});

    // Two points at most: buckets of ceil(5 / 2) = 3 steps: {0, 1, 2} and {7, 8}.
    const TimelineSeries two = timelineSeries(timeline, 2);
    CHECK(two.running.x == std::vector<double>{1.0, 7.5});
    CHECK(two.running.y == std::vector<double>{8.0 / 3, 0.5});
    CHECK(two.utilization.y == std::vector<double>{140.0 / 168, 10.0 / 16});
    CHECK(two.waste.y == std::vector<double>{28.0 / 3, 3.0});
    CHECK(timelineSeries({}, 5).running.x.empty());
}

TEST_CASE("paging scenario inputs are checked and name the field", "[sim][paging]") {
    PagingScenario s;
    CHECK_NOTHROW(checkPagingScenario(s));
    s.block_size = 0;
    CHECK(fieldOf(s) == PagingField::BlockSize);
    CHECK_THROWS_WITH(checkPagingScenario(s), Contains("block size") && Contains("got 0"));
    s.block_size = 129;
    CHECK(fieldOf(s) == PagingField::BlockSize);
    s = PagingScenario{};
    s.budget_blocks = 0;
    CHECK(fieldOf(s) == PagingField::Budget);
    CHECK_THROWS_WITH(checkPagingScenario(s), Contains("smaller than one block"));
    s = PagingScenario{};
    s.n_requests = 0;
    CHECK(fieldOf(s) == PagingField::Requests);
    CHECK_THROWS_WITH(runPagingStudy(s, 100), Contains("requests"));
    s.n_requests = 10'001;
    CHECK(fieldOf(s) == PagingField::Requests);
    s = PagingScenario{};
    s.shared_fraction = 1.5;
    CHECK(fieldOf(s) == PagingField::SharedFraction);
    s = PagingScenario{};
    s.system_prompt = 5000;
    CHECK(fieldOf(s) == PagingField::SystemPrompt);
}

TEST_CASE("paging scenario: the budget in blocks and the workload presets", "[sim][paging]") {
    PagingScenario s;
    s.block_size = 32;
    s.budget_blocks = 100;
    const SimConfig c = pagingSimConfig(s, PolicyKind::ContiguousMax);
    CHECK(c.kv_slots == 3200);
    CHECK(c.block_size == 32);
    CHECK(c.max_seq == 2048);
    s.preset = WorkloadPreset::Fixed;
    s.n_requests = 7;
    s.system_prompt = 0;
    const std::vector<Request> fixed = generateWorkload(pagingWorkloadSpec(s));
    REQUIRE(fixed.size() == 7);
    CHECK(fixed[3].prompt_len == 256);
    CHECK(fixed[3].output_len == 256);
    // Every request starts with a 128-token system prompt: 128 + 256 prompt tokens.
    s.system_prompt = 128;
    s.shared_fraction = 1.0;
    for (const Request& r : generateWorkload(pagingWorkloadSpec(s))) {
        CHECK(r.prompt_len == 384);
        CHECK(r.shared_prefix == 128);
    }
    s.system_prompt = 0;
    s.preset = WorkloadPreset::Uniform;
    s.n_requests = 500;
    for (const Request& r : generateWorkload(pagingWorkloadSpec(s))) {
        CHECK(r.prompt_len >= 1);
        CHECK(r.prompt_len <= 512);
        CHECK(r.output_len <= 512);
    }
}

TEST_CASE("the paging study runs every policy on one workload", "[sim][paging]") {
    // The view's defaults: 200 ShareGPT-like requests, half of them starting with a 128-token
    // system prompt, 512 blocks of 16 tokens.
    PagingScenario s;
    const PagingStudy study = runPagingStudy(s, 400);
    REQUIRE(study.runs.size() == 4);
    CHECK(study.requests.size() == 200);
    for (std::size_t i = 0; i < 4; ++i) {
        const PolicyRun& run = study.runs[i];
        INFO(policyName(run.policy));
        CHECK(run.policy == kPagingPolicies[i]);
        CHECK(run.error.empty());
        CHECK(run.result.completed == 200);
        // More than 400 steps: buckets of k = ceil(steps / 400) steps, ceil(steps / k) points.
        const std::size_t steps = run.result.timeline.size(), k = (steps + 399) / 400;
        CHECK(steps > 400);
        CHECK(run.series.running.x.size() == (steps + k - 1) / k);
        CHECK(run.series.running.x.size() <= 400);
    }
    // The headline at the view's defaults: contiguous max-length 20-40%, paged >= 96%.
    const SimResult& cmax = study.run(PolicyKind::ContiguousMax).result;
    const SimResult& paged = study.run(PolicyKind::Paged).result;
    CHECK(cmax.kv_utilization >= 0.20);
    CHECK(cmax.kv_utilization <= 0.40);
    CHECK(paged.kv_utilization >= 0.96);
    CHECK(paged.max_running_seqs >= 3 * cmax.max_running_seqs);

    // A budget below max_seq: contiguous max-length cannot run, the others can (512 tokens).
    s.preset = WorkloadPreset::Fixed;
    s.budget_blocks = 64;  // 1024 slots < 2048
    const PagingStudy small = runPagingStudy(s, 100);
    INFO(small.run(PolicyKind::Paged).error);
    CHECK_THAT(small.run(PolicyKind::ContiguousMax).error,
               Contains("never fit") && Contains("contiguous-max"));
    CHECK(small.run(PolicyKind::Paged).error.empty());
    CHECK(small.run(PolicyKind::Paged).result.completed == 200);
    CHECK(small.run(PolicyKind::ContiguousExact).result.completed == 200);

    int calls = 0;
    const PagingStudy cut = runPagingStudy(PagingScenario{}, 100, [&](double) {
        ++calls;
        return false;
    });
    CHECK(cut.cancelled);
    CHECK(cut.runs.size() < 4);
}
