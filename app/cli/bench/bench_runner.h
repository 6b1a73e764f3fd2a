#pragma once
// Timing decode at a given context length: prefill context - 1 made-up tokens, then time single
// step() calls, each attending over about `context` positions, and take the median.
#include <cstdint>
#include <memory>

#include "core/cache/cache_layout.h"
#include "core/cache/eviction_policy.h"
#include "core/cache/kv_cache_spec.h"
#include "core/engine/step_record.h"
#include "core/model/model.h"

namespace kvscope::cli {

struct DecodeTiming {
    std::int64_t context = 0;
    int n_steps = 0;           // timed steps
    double ms_per_token = 0;   // median wall time of one step()
    double weight_bytes = 0;   // per step: the weights as stored (quantized blocks as blocks)
    double kv_bytes_read = 0;  // per step (mean), StepCost
    double flops = 0;          // per step (mean), StepCost
    double evict_ms = 0;       // median of the steps' bounded-cache bookkeeping (evict_ms)
    double prefill_tokens_per_s = 0;  // the prefill of context - 1 tokens, one pass
};

/// Times `n_steps` decode steps of `model` at context `context` in `mode` on CpuBackend(n_threads)
/// (0 = all threads). The session records no attention; the first step attends over `context`
/// keys, the last over context + n_steps - 1. `spec`: the KV cache precision (default fp32);
/// `layout`: contiguous, or paged in blocks of 16.
DecodeTiming timeDecode(std::shared_ptr<const Model> model, CacheMode mode, int n_threads,
                        std::int64_t context, int n_steps, const KvCacheSpec& spec = {},
                        const EvictionSpec& eviction = {},
                        CacheLayout layout = CacheLayout::Contiguous);

}  // namespace kvscope::cli
