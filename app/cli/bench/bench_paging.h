#pragma once
// Paged KV memory in `kvscope-cli bench`: BlockAllocator allocate / release time per operation at
// two pool sizes (equal times show that neither depends on the pool: O(1)), and the wall time of
// simulating a ShareGPT-like workload under each allocation policy (ServingSimulator).
#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

#include "core/util/json_writer.h"

namespace kvscope::cli {

struct AllocatorTiming {
    std::int64_t n_blocks = 0;
    std::int64_t n_ops = 0;  // allocations timed (as many releases)
    double allocate_ns = 0;  // per allocate(), the pool emptied front to back
    double release_ns = 0;   // per release(), newest first
    double churn_ns = 0;     // per operation of a random allocate / release mix at half full
};

/// Fills the pool of `n_blocks` and empties it again, repeatedly, until about `target_ops`
/// allocations were timed; then `target_ops` random operations keeping the pool near half full.
/// The median of `repetitions`. Pre: n_blocks >= 1, target_ops >= 1, repetitions >= 1.
AllocatorTiming timeAllocator(std::int64_t n_blocks, std::int64_t target_ops, int repetitions);

struct SimTiming {
    std::string policy;
    std::int64_t steps = 0;
    double seconds = 0;  // median wall time of simulateServing
    double kv_utilization = 0;
};

struct PagingBench {
    std::vector<AllocatorTiming> allocator;
    std::int64_t sim_requests = 0;
    std::int64_t sim_kv_slots = 0;
    std::int64_t sim_block_size = 0;
    std::vector<SimTiming> sims;  // one per policy
};

/// `n_requests` ShareGPT-like requests (seed 1, all at once) under every policy with the
/// simulator's default budget (32768 token slots, blocks of 16); median of `repetitions`.
PagingBench timePagingSimulation(std::int64_t n_requests, int repetitions);

/// The allocator at 1 Ki and 1 Mi blocks and the simulation of 10,000 requests. Progress on err.
PagingBench runPagingBench(bool quick, std::ostream& err);

void writePagingTables(const PagingBench& bench, std::ostream& out);
void writePagingJson(JsonWriter& json, const PagingBench& bench);

}  // namespace kvscope::cli
