// The serving simulator: determinism, conservation, preemption by recompute, the paging headline,
// block-size waste, prefix sharing, forks, progress and cancellation, bad configs.
#include <catch2/catch.hpp>

#include <numeric>

#include "core/sim/serving_simulator.h"
#include "core/util/error.h"

using namespace kvscope::sim;
using Catch::Contains;

namespace {

constexpr PolicyKind kAllPolicies[] = {PolicyKind::ContiguousMax, PolicyKind::ContiguousExact,
                                       PolicyKind::Paged, PolicyKind::PagedPrefix};

std::vector<Request> shareGpt(std::int64_t n, std::uint64_t seed = 1) {
    WorkloadSpec spec = shareGptLikeSpec();
    spec.n_requests = n;
    spec.seed = seed;
    return generateWorkload(spec);
}

SimConfig config(PolicyKind policy, std::int64_t kv_slots = 32768, std::int64_t block = 16) {
    SimConfig c;
    c.policy = policy;
    c.kv_slots = kv_slots;
    c.block_size = block;
    return c;
}

std::int64_t outputTokens(const std::vector<Request>& requests) {
    std::int64_t sum = 0;
    for (const Request& r : requests)
        sum += r.output_len * r.samples;
    return sum;
}

void checkConservation(const std::vector<Request>& requests, const SimResult& r) {
    CHECK_FALSE(r.cancelled);
    CHECK(r.completed == std::int64_t(requests.size()));
    CHECK(std::all_of(r.finish_count.begin(), r.finish_count.end(),
                      [](std::int64_t n) { return n == 1; }));
    CHECK(r.tokens_generated == outputTokens(requests));
    const std::int64_t per_step =
        std::accumulate(r.timeline.begin(), r.timeline.end(), std::int64_t(0),
                        [](std::int64_t a, const StepSample& s) { return a + s.generated; });
    CHECK(per_step == r.tokens_generated);
    // Everything is released at the end.
    REQUIRE_FALSE(r.timeline.empty());
    CHECK(r.timeline.back().held == 0);
    CHECK(r.timeline.back().reserved == 0);
}

}  // namespace

TEST_CASE("the same workload and seed give the same simulation", "[sim]") {
    for (PolicyKind p : kAllPolicies) {
        INFO(policyName(p));
        const SimResult a = simulateServing(shareGpt(300), config(p, 8192));
        const SimResult b = simulateServing(shareGpt(300), config(p, 8192));
        REQUIRE(a.timeline.size() == b.timeline.size());
        bool same = a.steps == b.steps && a.preemptions == b.preemptions &&
                    a.kv_utilization == b.kv_utilization && a.completion.p99 == b.completion.p99;
        for (std::size_t i = 0; i < a.timeline.size(); ++i) {
            const StepSample &x = a.timeline[i], &y = b.timeline[i];
            same = same && x.held == y.held && x.reserved == y.reserved &&
                   x.running_seqs == y.running_seqs && x.generated == y.generated &&
                   x.waiting == y.waiting;
        }
        CHECK(same);
        CHECK(simulateServing(shareGpt(300, 7), config(p, 8192)).steps != 0);
    }
}

TEST_CASE("every request completes exactly once and every output token is generated", "[sim]") {
    WorkloadSpec spec = shareGptLikeSpec();
    spec.n_requests = 400;
    spec.arrivals = ArrivalKind::Poisson;
    spec.rate = 0.2;
    spec.system_prompt = 64;
    spec.shared_fraction = 0.5;
    spec.samples = 2;
    const auto requests = generateWorkload(spec);
    for (PolicyKind p : kAllPolicies) {
        INFO(policyName(p));
        const SimResult r = simulateServing(requests, config(p, 16384));
        checkConservation(requests, r);
        CHECK(r.throughput == Approx(double(r.tokens_generated) / double(r.steps)));
        CHECK(r.queueing.p50 <= r.completion.p50);
    }
}

TEST_CASE("a tight KV budget preempts by recompute and everything still completes", "[sim]") {
    const auto requests = shareGpt(300);
    for (PolicyKind p : {PolicyKind::Paged, PolicyKind::PagedPrefix}) {
        INFO(policyName(p));
        const SimResult r = simulateServing(requests, config(p, 4096));
        CHECK(r.preemptions > 0);
        checkConservation(requests, r);
        std::int64_t first_pass = 0;
        for (const Request& q : requests)
            first_pass += q.prompt_len + q.output_len;
        CHECK(r.tokens_computed > first_pass);  // recomputed prompts and generated tokens
        CHECK(r.peak_reserved <= 4096);
    }
    const SimResult cmax = simulateServing(requests, config(PolicyKind::ContiguousMax, 4096));
    CHECK(cmax.preemptions == 0);  // the reservation covers the whole request
    checkConservation(requests, cmax);
}

TEST_CASE("ShareGPT-like headline: contiguous wastes 60-80%, paging under 4%", "[sim]") {
    const auto requests = shareGpt(1000);
    const SimResult cmax = simulateServing(requests, config(PolicyKind::ContiguousMax));
    const SimResult exact = simulateServing(requests, config(PolicyKind::ContiguousExact));
    const SimResult paged = simulateServing(requests, config(PolicyKind::Paged));
    CHECK(cmax.kv_utilization >= 0.20);
    CHECK(cmax.kv_utilization <= 0.40);
    CHECK(cmax.reservation_waste == Approx(1.0 - cmax.kv_utilization));
    CHECK(paged.kv_utilization >= 0.96);
    CHECK(paged.internal_waste < 0.04);
    CHECK(paged.mean_running_seqs >= 3.0 * cmax.mean_running_seqs);
    CHECK(exact.kv_utilization > cmax.kv_utilization);
    CHECK(exact.kv_utilization < paged.kv_utilization);
    CHECK(paged.throughput > 2.5 * cmax.throughput);
    CHECK(paged.completion.p50 < cmax.completion.p50);
}

TEST_CASE("internal waste grows with the block size, 1..128", "[sim]") {
    const auto requests = shareGpt(300);
    double previous = -1.0;
    for (std::int64_t block : {1, 2, 4, 8, 16, 32, 64, 128}) {
        INFO("block size " << block);
        const SimResult r = simulateServing(requests, config(PolicyKind::Paged, 32768, block));
        checkConservation(requests, r);
        if (block == 1) CHECK(r.internal_waste == 0.0);
        CHECK(r.internal_waste >= previous);
        previous = r.internal_waste;
    }
    CHECK(previous > 0.04);  // 128-token blocks waste visibly more
}

TEST_CASE("prefix sharing reuses the full blocks of a shared system prompt", "[sim]") {
    WorkloadSpec spec;
    spec.n_requests = 8;
    spec.prompt = {LengthKind::Fixed, 64};
    spec.output = {LengthKind::Fixed, 32};
    spec.system_prompt = 512;
    spec.shared_fraction = 1.0;
    const auto requests = generateWorkload(spec);
    REQUIRE(requests[0].prompt_len == 576);
    const SimResult paged = simulateServing(requests, config(PolicyKind::Paged));
    const SimResult prefix = simulateServing(requests, config(PolicyKind::PagedPrefix));
    checkConservation(requests, prefix);
    // All 8 run at once; 7 of them reuse the 32 blocks of the system prompt.
    CHECK(paged.peak_reserved == 8 * 608);
    CHECK(prefix.prefix_hit_tokens == 7 * 512);
    CHECK(prefix.peak_reserved == 8 * 608 - 7 * 512);
    CHECK(prefix.tokens_computed == paged.tokens_computed - 7 * 512);
    CHECK(prefix.kv_utilization > 0.9);  // a shared slot counts once: never above 1
    CHECK(prefix.kv_utilization <= 1.0);
}

TEST_CASE("parallel samples fork: the prompt's blocks are shared, the tail copied", "[sim]") {
    WorkloadSpec spec;
    spec.n_requests = 1;
    spec.prompt = {LengthKind::Fixed, 160};
    spec.output = {LengthKind::Fixed, 40};
    spec.samples = 4;
    const auto requests = generateWorkload(spec);
    const SimResult paged = simulateServing(requests, config(PolicyKind::Paged));
    checkConservation(requests, paged);
    CHECK(paged.peak_reserved == (10 + 4 * 3) * 16);  // 10 shared prompt blocks + 3 per sample
    CHECK(paged.max_running_seqs == 4);
    const SimResult exact = simulateServing(requests, config(PolicyKind::ContiguousExact));
    CHECK(exact.peak_reserved == 4 * 200);
    // A prompt ending inside a block (150 = 9 x 16 + 6): the first three samples to write copy
    // the shared partly filled block; the last holder writes into it in place. Each sample
    // then needs 2 more blocks for its 190 tokens.
    spec.prompt = {LengthKind::Fixed, 150};
    const auto partial = generateWorkload(spec);
    const SimResult cow = simulateServing(partial, config(PolicyKind::Paged));
    checkConservation(partial, cow);
    CHECK(cow.peak_reserved == (9 + 1 + 3 + 4 * 2) * 16);
}

TEST_CASE("progress is reported and a false return cancels", "[sim]") {
    const auto requests = shareGpt(500);
    std::vector<double> seen;
    const SimResult full = simulateServing(requests, config(PolicyKind::Paged), [&](double f) {
        seen.push_back(f);
        return true;
    });
    REQUIRE(seen.size() >= 2);
    CHECK(std::is_sorted(seen.begin(), seen.end()));
    CHECK(seen.front() >= 0.0);
    CHECK(seen.back() <= 1.0);
    CHECK_FALSE(full.cancelled);
    int calls = 0;
    const SimResult cut = simulateServing(requests, config(PolicyKind::Paged), [&](double) {
        ++calls;
        return false;
    });
    CHECK(cut.cancelled);
    CHECK(calls == 1);
    CHECK(cut.completed < 500);
}

TEST_CASE("bad simulator configs and requests that never fit are input errors", "[sim]") {
    using kvscope::InputError;
    const auto requests = shareGpt(10);
    CHECK_THROWS_WITH(simulateServing(requests, config(PolicyKind::Paged, 4096, 0)),
                      Contains("block size"));
    CHECK_THROWS_WITH(simulateServing(requests, config(PolicyKind::Paged, 4096, 129)),
                      Contains("block size"));
    CHECK_THROWS_WITH(simulateServing(requests, config(PolicyKind::Paged, 8, 16)),
                      Contains("KV budget"));
    CHECK_THROWS_WITH(simulateServing(requests, config(PolicyKind::ContiguousMax, 1000)),
                      Contains("request 0") && Contains("never fit"));
    CHECK_THROWS_AS(simulateServing({}, config(PolicyKind::Paged)), InputError);
}

TEST_CASE("nearest-rank percentiles", "[sim]") {
    std::vector<double> v(100);
    std::iota(v.begin(), v.end(), 1.0);
    const Percentiles p = percentiles(v);
    CHECK(p.p50 == 50);
    CHECK(p.p90 == 90);
    CHECK(p.p99 == 99);
    CHECK(percentiles({}).p99 == 0);
    CHECK(percentiles({7}).p50 == 7);
}
