#pragma once
// Configuration and results of the serving simulator (ServingSimulator).
//
// Definitions (per simulated step, then summed over the steps in which anything is reserved):
// - held: KV token slots that hold a computed token. A physical slot counts once, however many
//   sequences share its block (prefix sharing, forks).
// - reserved: token slots set aside for running sequences: contiguous = the up-front reservation,
//   paged = allocated blocks x block size (free blocks, cached or not, are not reserved).
// - KV utilization = sum(held) / sum(reserved).
// - internal waste = slack in partly filled blocks (paged); reservation waste = slots reserved
//   up front for tokens not computed yet (contiguous). Both are fractions of sum(reserved), so
//   utilization + internal waste + reservation waste = 1.
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace kvscope::sim {

// The simulator's documented limits (README, serve-sim --help), checked before any work so that
// memory stays proportional to the input and step and token counts stay far from 64-bit overflow.
inline constexpr std::int64_t kMaxRequests = 100'000;               // requests per workload
inline constexpr std::int64_t kMaxSeqLen = std::int64_t(1) << 20;   // tokens per request
inline constexpr std::int64_t kMaxBlocks = std::int64_t(1) << 22;   // blocks in the pool
inline constexpr std::int64_t kMaxArrival = std::int64_t(1) << 40;  // arrival step

enum class PolicyKind { ContiguousMax, ContiguousExact, Paged, PagedPrefix };
std::string policyName(PolicyKind kind);  // "contiguous-max", ..., "paged-prefix"

struct SimConfig {
    PolicyKind policy = PolicyKind::Paged;
    std::int64_t kv_slots = 32768;     // KV memory budget in token slots
    std::int64_t block_size = 16;      // paged: token slots per block (1..128)
    std::int64_t max_seq = 2048;       // contiguous-max reserves this per sample
    std::int64_t token_budget = 2048;  // tokens computed per step (prefill chunks + decodes)
    std::int64_t max_running = 0;      // running requests at most; 0 = no limit
    double watermark = 0.01;           // paged: fraction of blocks kept free at admission
};

/// One simulated step, after it ran.
struct StepSample {
    std::int64_t step = 0;
    std::int64_t running_seqs = 0;  // sequences (samples) of admitted requests
    std::int64_t waiting = 0;       // requests arrived and not admitted (preempted included)
    std::int64_t held = 0;          // token slots holding a token
    std::int64_t reserved = 0;      // token slots reserved
    std::int64_t logical = 0;       // tokens of all running sequences (shared counted per user)
    std::int64_t generated = 0;     // output tokens produced in this step
    std::int64_t computed = 0;      // tokens computed in this step (prefill + decode)
    std::int64_t preemptions = 0;   // cumulative
};

struct Percentiles {
    double p50 = 0, p90 = 0, p99 = 0;
};

struct SimResult {
    PolicyKind policy = PolicyKind::Paged;
    bool cancelled = false;
    std::int64_t steps = 0;
    std::int64_t completed = 0;          // requests finished
    std::int64_t tokens_generated = 0;   // output tokens over all samples
    std::int64_t tokens_computed = 0;    // prompt (recompute and all) + decode tokens
    std::int64_t prefix_hit_tokens = 0;  // prompt tokens served from cached blocks
    std::int64_t preemptions = 0;
    double kv_utilization = 0;
    double internal_waste = 0;
    double reservation_waste = 0;
    double mean_running_seqs = 0;
    std::int64_t max_running_seqs = 0;
    std::int64_t peak_reserved = 0;          // token slots
    double throughput = 0;                   // tokens_generated / steps
    Percentiles queueing;                    // first admission - arrival, in steps
    Percentiles completion;                  // finish - arrival, in steps
    std::vector<std::int64_t> finish_count;  // [n_requests] times each request finished
    std::vector<StepSample> timeline;        // [steps]
};

/// Progress in [0, 1]; return false to cancel (the result then has cancelled = true).
using ProgressFn = std::function<bool(double)>;

}  // namespace kvscope::sim
