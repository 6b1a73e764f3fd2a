// Every eviction policy on hand-built scores: the kept positions are named by hand in each test.
#include <catch2/catch.hpp>

#include "core/cache/eviction_policy.h"
#include "core/util/error.h"
#include "tests/core/test_util.h"

using namespace kvscope;

namespace {

std::vector<std::int64_t> range(std::int64_t n) {
    std::vector<std::int64_t> out;
    for (std::int64_t i = 0; i < n; ++i)
        out.push_back(i);
    return out;
}

/// The positions (not slots) a policy keeps.
std::vector<std::int64_t> keptPositions(const EvictionSpec& spec,
                                        const std::vector<std::int64_t>& positions,
                                        const std::vector<double>* scores, std::int64_t target,
                                        bool after_prefill = false, std::int64_t prompt = 0) {
    const EvictionInput in{.positions = &positions,
                           .scores = scores,
                           .after_prefill = after_prefill,
                           .prompt_length = prompt};
    std::vector<std::int64_t> out;
    for (std::int64_t slot : selectKept(spec, in, target))
        out.push_back(positions[std::size_t(slot)]);
    return out;
}

using V = std::vector<std::int64_t>;

}  // namespace

TEST_CASE("window keeps the W most recent entries", "[evict]") {
    const EvictionSpec spec{.policy = EvictionPolicy::Window, .budget = 4};
    CHECK(keptPositions(spec, range(10), nullptr, 4) == V{6, 7, 8, 9});
    CHECK(keptPositions(spec, {0, 3, 4, 9}, nullptr, 2) == V{4, 9});
    // Under the target nothing goes.
    CHECK(keptPositions(spec, range(3), nullptr, 4) == V{0, 1, 2});
}

TEST_CASE("streaming keeps the sinks and the most recent", "[evict]") {
    const EvictionSpec spec{.policy = EvictionPolicy::Streaming, .budget = 5, .sinks = 2};
    CHECK(keptPositions(spec, range(10), nullptr, 5) == V{0, 1, 7, 8, 9});
    // After earlier evictions: the sinks stay in the first slots.
    CHECK(keptPositions(spec, {0, 1, 5, 6, 7, 8}, nullptr, 4) == V{0, 1, 7, 8});
}

TEST_CASE("h2o keeps the recent window and the heavy hitters by accumulated attention", "[evict]") {
    const EvictionSpec spec{.policy = EvictionPolicy::H2O, .budget = 4, .window = 2};
    // Position 0 and 2 drew the most attention over the steps; 6 and 7 are the recent window
    // whatever their score (7 scores nothing, 1 scores more than 3..5 but less than 0 and 2).
    const std::vector<double> acc = {5.0, 0.9, 3.0, 0.2, 0.3, 0.1, 0.1, 0.0};
    CHECK(keptPositions(spec, range(8), &acc, 4) == V{0, 2, 6, 7});
    // A tie goes to the more recent entry: 3 and 4 tie, 4 stays.
    const std::vector<double> tie = {0.1, 0.1, 0.1, 2.0, 2.0, 0.0, 0.0, 0.0};
    CHECK(keptPositions(spec, range(8), &tie, 3) == V{4, 6, 7});
}

TEST_CASE("tova keeps the entries the last query attends to most", "[evict]") {
    const EvictionSpec spec{.policy = EvictionPolicy::Tova, .budget = 3};
    const std::vector<double> last = {0.1, 0.4, 0.05, 0.3, 0.15};
    CHECK(keptPositions(spec, {2, 4, 6, 8, 10}, &last, 3) == V{4, 8, 10});
    // TOVA has no protected recent window: the newest entry goes when it scores lowest.
    const std::vector<double> low_last = {0.5, 0.3, 0.2, 0.0};
    CHECK(keptPositions(spec, range(4), &low_last, 3) == V{0, 1, 2});
}

TEST_CASE("knorm keeps the keys with the lowest L2 norm", "[evict]") {
    const EvictionSpec spec{.policy = EvictionPolicy::KNorm, .budget = 2};
    const std::vector<double> norms = {3.0, 1.0, 2.0, 5.0, 0.5};
    CHECK(keptPositions(spec, range(5), &norms, 2) == V{1, 4});
}

TEST_CASE("snapkv keeps the observation window and the pooled top of the prompt", "[evict]") {
    const EvictionSpec spec{.policy = EvictionPolicy::SnapKV, .budget = 5, .window = 2, .pool = 3};
    // The window (8, 9) looked at position 2 only; pooling over 3 neighbours spreads that score
    // to 1 and 3, so the cluster 1, 2, 3 is kept (SnapKV keeps clusters, not lone tokens).
    const std::vector<double> obs = {0, 0, 9, 0, 0, 0, 0, 0, 0.5, 0.5};
    CHECK(keptPositions(spec, range(10), &obs, 5, true) == V{1, 2, 3, 8, 9});
    CHECK(maxPool1d({0, 0, 9, 0, 1}, 3) == std::vector<double>{0, 9, 9, 9, 1});
    // Decode: the compressed prompt (positions < 6) stays, the generated entries slide.
    const std::vector<double> none(7, 0.0);
    CHECK(keptPositions(spec, {0, 3, 5, 6, 7, 8, 9}, &none, 5, false, 6) == V{0, 3, 5, 8, 9});
}

TEST_CASE("full keeps everything", "[evict]") {
    const EvictionSpec spec{};
    CHECK(keptPositions(spec, range(6), nullptr, 2) == range(6));
}

TEST_CASE("Pyramid budgets ramp down the layers with the same total", "[evict]") {
    EvictionSpec spec{.policy = EvictionPolicy::Window, .budget = 8, .sinks = 0};
    spec.shape = BudgetShape::Pyramid;
    // 1.5, 1.1667, 0.8333, 0.5 x 8 = 12, 9.33, 6.67, 4 -> 12, 9, 7, 4 (sum 32 = 4 x 8).
    CHECK(layerBudgets(spec, 4) == V{12, 9, 7, 4});
    spec.shape = BudgetShape::Uniform;
    CHECK(layerBudgets(spec, 3) == V{8, 8, 8});
}

TEST_CASE("Bad eviction input names the flag", "[evict]") {
    using test::inputErrorOf;
    CHECK_THAT(inputErrorOf(
                   [] { checkEvictionSpec({.policy = EvictionPolicy::Window, .budget = 0}, 64); }),
               Catch::Contains("--budget"));
    CHECK_THAT(inputErrorOf([] {
                   checkEvictionSpec({.policy = EvictionPolicy::Streaming, .budget = 4, .sinks = 4},
                                     64);
               }),
               Catch::Contains("--budget") && Catch::Contains("--sinks 4"));
    CHECK_THAT(inputErrorOf([] {
                   checkEvictionSpec({.policy = EvictionPolicy::H2O, .budget = 8, .window = 100},
                                     64);
               }),
               Catch::Contains("--window"));
    CHECK_THAT(
        inputErrorOf([] { parseEvictionPolicy("lru", "--policies"); }),
        Catch::Contains("--policies") && Catch::Contains("lru") && Catch::Contains("snapkv"));
    CHECK_THAT(inputErrorOf([] { parseEvictionPositions("shifted", "--positions"); }),
               Catch::Contains("--positions"));
    CHECK(parseEvictionPolicy("h2o", "--policies") == EvictionPolicy::H2O);
}
