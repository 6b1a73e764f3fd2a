#include "app/cli/bench/bench_paging.h"

#include <chrono>
#include <random>

#include "app/cli/stats.h"
#include "app/cli/text_format.h"
#include "core/cache/block_allocator.h"
#include "core/sim/serving_simulator.h"

namespace kvscope::cli {

namespace {

using Clock = std::chrono::steady_clock;

double nsSince(Clock::time_point start) {
    return std::chrono::duration<double, std::nano>(Clock::now() - start).count();
}

AllocatorTiming timeAllocatorOnce(std::int64_t n_blocks, std::int64_t target_ops) {
    BlockAllocator pool(n_blocks);
    std::vector<BlockId> held(
        static_cast<std::size_t>(n_blocks));  // [n_blocks] in allocation order
    const std::int64_t cycles = std::max<std::int64_t>(1, target_ops / n_blocks);
    double allocate_ns = 0, release_ns = 0;
    std::int64_t checksum = 0;
    for (std::int64_t c = 0; c < cycles; ++c) {
        auto start = Clock::now();
        for (std::int64_t i = 0; i < n_blocks; ++i)
            held[std::size_t(i)] = pool.allocate().block;
        allocate_ns += nsSince(start);
        start = Clock::now();
        for (std::int64_t i = n_blocks - 1; i >= 0; --i)
            pool.release(held[std::size_t(i)]);
        release_ns += nsSince(start);
        checksum += held.back();
    }
    // Churn: random allocations and releases of random held blocks around half full.
    std::mt19937_64 rng(42);
    held.clear();
    for (std::int64_t i = 0; i < n_blocks / 2; ++i)
        held.push_back(pool.allocate().block);
    std::vector<std::uint32_t> coins(static_cast<std::size_t>(target_ops));  // drawn before timing
    for (auto& coin : coins)
        coin = std::uint32_t(rng());
    const auto start = Clock::now();
    for (std::uint32_t coin : coins) {
        const bool take = held.empty() || (pool.nFree() > 0 && (coin & 1u));
        if (take) {
            held.push_back(pool.allocate().block);
        } else {
            const std::size_t victim = std::size_t(coin >> 1) % held.size();
            pool.release(held[victim]);
            held[victim] = held.back();
            held.pop_back();
        }
    }
    const double churn_ns = nsSince(start);
    checksum += std::int64_t(held.size());
    if (checksum < 0) throw std::logic_error("allocator bench: impossible checksum");
    const double ops = double(cycles * n_blocks);
    return {n_blocks, cycles * n_blocks, allocate_ns / ops, release_ns / ops,
            churn_ns / double(target_ops)};
}

}  // namespace

AllocatorTiming timeAllocator(std::int64_t n_blocks, std::int64_t target_ops, int repetitions) {
    std::vector<double> allocate, release, churn;
    AllocatorTiming t;
    for (int r = 0; r < repetitions; ++r) {
        t = timeAllocatorOnce(n_blocks, target_ops);
        allocate.push_back(t.allocate_ns);
        release.push_back(t.release_ns);
        churn.push_back(t.churn_ns);
    }
    t.allocate_ns = median(allocate);
    t.release_ns = median(release);
    t.churn_ns = median(churn);
    return t;
}

PagingBench timePagingSimulation(std::int64_t n_requests, int repetitions) {
    sim::WorkloadSpec spec = sim::shareGptLikeSpec();
    spec.n_requests = n_requests;
    const std::vector<sim::Request> requests = sim::generateWorkload(spec);
    PagingBench bench;
    const sim::SimConfig defaults;
    bench.sim_requests = n_requests;
    bench.sim_kv_slots = defaults.kv_slots;
    bench.sim_block_size = defaults.block_size;
    for (sim::PolicyKind policy : {sim::PolicyKind::ContiguousMax, sim::PolicyKind::ContiguousExact,
                                   sim::PolicyKind::Paged, sim::PolicyKind::PagedPrefix}) {
        sim::SimConfig config = defaults;
        config.policy = policy;
        SimTiming t;
        t.policy = sim::policyName(policy);
        std::vector<double> seconds;
        for (int r = 0; r < repetitions; ++r) {
            const auto start = Clock::now();
            const sim::SimResult result = sim::simulateServing(requests, config);
            seconds.push_back(nsSince(start) / 1e9);
            t.steps = result.steps;
            t.kv_utilization = result.kv_utilization;
        }
        t.seconds = median(seconds);
        bench.sims.push_back(t);
    }
    return bench;
}

PagingBench runPagingBench(bool quick, std::ostream& err) {
    const std::int64_t target_ops = quick ? (std::int64_t(1) << 21) : (std::int64_t(1) << 23);
    const int repetitions = quick ? 1 : 3;
    err << "bench: serving simulation of 10,000 ShareGPT-like requests per policy..." << std::endl;
    PagingBench bench = timePagingSimulation(10'000, repetitions);
    for (std::int64_t n_blocks : {std::int64_t(1) << 10, std::int64_t(1) << 20}) {
        err << "bench: BlockAllocator with " << n_blocks << " blocks..." << std::endl;
        bench.allocator.push_back(timeAllocator(n_blocks, target_ops, repetitions));
    }
    return bench;
}

void writePagingTables(const PagingBench& bench, std::ostream& out) {
    if (!bench.allocator.empty()) {
        out << "\nBlockAllocator: ns per operation (allocate: the pool emptied front to back; "
               "release: newest first;\nchurn: random allocate / release of random blocks near "
               "half full, where a large pool also\npays cache misses). Equal times at both "
               "sizes: O(1).\n";
        out << padLeft("blocks", 10) << padLeft("ops", 12) << padLeft("allocate ns", 13)
            << padLeft("release ns", 12) << padLeft("churn ns", 10) << "\n";
        for (const AllocatorTiming& t : bench.allocator) {
            out << padLeft(std::to_string(t.n_blocks), 10) << padLeft(std::to_string(t.n_ops), 12)
                << padLeft(fixed(t.allocate_ns, 2), 13) << padLeft(fixed(t.release_ns, 2), 12)
                << padLeft(fixed(t.churn_ns, 2), 10) << "\n";
        }
    }
    if (!bench.sims.empty()) {
        out << "\nServing simulation: " << bench.sim_requests
            << " ShareGPT-like requests, all at once, " << bench.sim_kv_slots
            << " token slots, blocks of " << bench.sim_block_size
            << ".\nSeconds: median wall time of simulateServing (target < 2 s).\n";
        out << padRight("policy", 18) << padLeft("steps", 10) << padLeft("seconds", 10)
            << padLeft("KV util", 9) << "\n";
        for (const SimTiming& t : bench.sims) {
            out << padRight(t.policy, 18) << padLeft(std::to_string(t.steps), 10)
                << padLeft(fixed(t.seconds, 3), 10)
                << padLeft(fixed(100.0 * t.kv_utilization, 1) + "%", 9) << "\n";
        }
    }
}

void writePagingJson(JsonWriter& json, const PagingBench& bench) {
    json.key("block_allocator").beginArray();
    for (const AllocatorTiming& t : bench.allocator) {
        json.beginObject();
        json.field("blocks", t.n_blocks);
        json.field("ops", t.n_ops);
        json.field("allocate_ns", t.allocate_ns);
        json.field("release_ns", t.release_ns);
        json.field("churn_ns", t.churn_ns);
        json.endObject();
    }
    json.endArray();
    json.key("serving_simulation").beginObject();
    json.field("requests", bench.sim_requests);
    json.field("kv_slots", bench.sim_kv_slots);
    json.field("block_size", bench.sim_block_size);
    json.key("policies").beginArray();
    for (const SimTiming& t : bench.sims) {
        json.beginObject();
        json.field("policy", t.policy);
        json.field("steps", t.steps);
        json.field("seconds", t.seconds);
        json.field("kv_utilization", t.kv_utilization);
        json.endObject();
    }
    json.endArray();
    json.endObject();
}

}  // namespace kvscope::cli
