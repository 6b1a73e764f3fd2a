#pragma once
// The what-if memory calculator: pure functions from (model shape, cache spec, workload, weight
// spec, GPU) to a MemoryReport whose every term is named and carries its formula with the
// numbers substituted and where each number came from. KV accounting rules: kv_footprint.h.
//
// Figures "per token" and "per sequence" are for the whole model (all KV heads); figures "per
// GPU" use the heads one tensor-parallel GPU holds; "total" is per GPU x tp (replicas counted).
// GPU fit: weights/tp (rounded up) + KV per GPU + recurrent state per GPU <= floor(GPU bytes x
// usable fraction). The recurrent state of hybrid models is its own term, never part of "KV".
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/memory/gpu_presets.h"
#include "core/memory/kv_footprint.h"
#include "core/memory/weight_count.h"

namespace kvscope {

struct WeightSpec {
    std::int64_t parameters = 0;  // 0 = denseParameterCount(shape, layout)
    std::string parameters_origin;
    WeightLayout layout;
    std::int64_t weight_bits = 0;  // 0 = shape.weight_bits, or 16 (assumed) when that is unknown
    std::string weight_bits_origin;
};

struct GpuSpec {
    std::string name;        // "H100-80GB", or "user memory" for --gpu-mem
    std::int64_t bytes = 0;  // 0 = no GPU: no fit and no inverse solving
    std::string origin;      // "preset gpus.json: 80 GB x 10^9 B" or "user input"
    double usable_fraction = kDefaultUsableFraction;
};

struct MemoryTerm {
    std::string name;  // "kv_bytes_per_token"
    std::int64_t bytes = 0;
    std::string formula;               // with the numbers substituted
    std::vector<std::string> sources;  // "n_kv_heads = 8 (config.json key ...)"
};

struct MemoryReport {
    std::int64_t kv_heads_per_gpu = 0;
    std::int64_t kv_bytes_per_token_per_layer = 0;  // one global layer, all KV heads
    std::int64_t kv_bytes_per_token = 0;            // all layers, a position inside every window
    std::int64_t kv_bytes_per_sequence = 0;         // one sequence at the context, token-exact
    std::int64_t state_bytes_per_sequence = 0;      // recurrent state of one sequence; 0 = none
    BatchKvBytes per_gpu;                           // the batch on one GPU, every accounting
    std::int64_t kv_bytes_per_gpu = 0;              // per_gpu.of(cache.layout)
    std::int64_t kv_bytes_total = 0;                // kv_bytes_per_gpu x tp
    std::int64_t parameters = 0;
    std::int64_t weight_bits = 0;
    std::int64_t weights_bytes = 0;
    std::int64_t weights_bytes_per_gpu = 0;
    bool has_gpu = false;
    std::int64_t gpu_bytes = 0;
    std::int64_t usable_bytes = 0;      // per GPU
    std::int64_t free_for_kv = 0;       // per GPU: usable - weights; may be negative
    bool fits = false;                  // KV + recurrent state of the batch <= free_for_kv
    std::int64_t max_seq = 0;           // at the workload's batch; 0 = nothing fits
    std::int64_t max_batch = 0;         // at the workload's context
    std::int64_t max_total_tokens = 0;  // at kv_bytes_per_token (per GPU)
    std::vector<MemoryTerm> terms;

    /// The term called `name`; throws std::out_of_range when there is none.
    const MemoryTerm& term(std::string_view name) const;
};

/// Throws InputError (checkKvInputs, weight bits in 1..64, usable fraction in (0, 1], GPU bytes
/// >= 0) for bad input and when a byte total overflows 64 bits.
MemoryReport estimateMemory(const ModelShape& shape, const CacheSpec& cache,
                            const Workload& workload, const WeightSpec& weights,
                            const GpuSpec& gpu);

// Inverse solving against `free_bytes` of KV memory per GPU (exponential then binary search;
// a candidate whose bytes overflow does not fit). Contiguous reserves exactly the context.
/// Largest context (<= kMaxEstimatorContext) for workload.batch; 0 when 1 token does not fit.
std::int64_t maxContextForBatch(const ModelShape& shape, const CacheSpec& cache,
                                const Workload& workload, std::int64_t free_bytes);
/// Largest batch (<= kMaxEstimatorBatch) at workload.context; 0 when 1 sequence does not fit.
std::int64_t maxBatchForContext(const ModelShape& shape, const CacheSpec& cache,
                                const Workload& workload, std::int64_t free_bytes);
/// floor((free - recurrent state of workload.batch) / per-token bytes per GPU) tokens; paged: whole
/// blocks of block_size tokens.
std::int64_t maxTotalTokens(const ModelShape& shape, const CacheSpec& cache,
                            const Workload& workload, std::int64_t free_bytes);

inline constexpr std::int64_t kMaxEstimatorBatch = std::int64_t(1) << 32;

}  // namespace kvscope
