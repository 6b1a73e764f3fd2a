#pragma once
// Measuring a bounded KV cache on a real model: each eviction policy against the full cache on
// the same tokens. Teacher-forced: the first `prefill_tokens` tokens go in one pass (the prompt:
// SnapKV compresses it), the rest one at a time, so every run sees the same history; the
// next-token logits are compared step by step with the full cache's. Then free greedy
// generation from the prompt: the first step at which the policy's text leaves the full cache's.
//
// Used by `kvscope-cli evict-eval`; `runEvictSweep` pools many sequences like quant_sweep.
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "core/cache/eviction_policy.h"
#include "core/engine/session.h"
#include "core/model/model.h"

namespace kvscope {

struct EvictEvalOptions {
    CacheLayout cache_layout = CacheLayout::Contiguous;
    std::int64_t block_size = 16;
    KvCacheSpec cache_spec;           // the KV precision every run stores
    std::int64_t prefill_tokens = 1;  // tokens fed in one pass first (BOS included)
    std::int64_t free_steps = 200;    // greedy steps after the prompt (cut to the context)
    int n_threads = 0;                // CpuBackend threads; 0 = all
};

struct EvictEvalRow {
    EvictionSpec spec;
    std::string label;                // spec.label()
    std::int64_t logical_bytes = 0;   // held entries x bytes per entry after the sequence
    std::int64_t physical_bytes = 0;  // bytes allocated after the sequence
    std::int64_t holes = 0;  // paged: entries allocated but held by no layer (summed over layers)
    std::int64_t held_tokens = 0;  // entries held after the sequence by the fullest layer
                                   // (a local layer holds at most its window)
    std::int64_t n_steps = 0;      // next-token predictions compared
    double nll_sum = 0;            // of the sequence's next tokens (pooling)
    double perplexity = 0, perplexity_delta = 0;
    double top1_agreement = 0;                     // argmax equal to the full cache's
    double logits_kl_mean = 0, logits_kl_max = 0;  // KL(full || policy), nats
    /// 1-based free greedy step whose token first differs from the full cache's; 0: none.
    std::int64_t first_divergence = 0;
    std::vector<double> step_logits_kl;  // [n_steps]
    std::vector<bool> step_top1_match;   // [n_steps]
    /// [n_steps] the live cache's K + V bytes held (logical), allocated (physical) and holes
    /// after each compared step (step 0: after the prompt's pass; the last: logical_bytes,
    /// physical_bytes, holes); not pooled over sequences.
    std::vector<std::int64_t> step_logical_bytes, step_physical_bytes, step_holes;
    std::vector<TokenId> free_tokens;
};

struct EvictEvalResult {
    std::vector<TokenId> tokens;
    std::int64_t prefill_tokens = 0;
    EvictEvalRow reference;          // full cache
    std::vector<EvictEvalRow> rows;  // one per spec, in order
    bool cancelled = false;
};

using EvictEvalProgress = std::function<bool(std::int64_t done, std::int64_t total)>;

/// Throws InputError (naming --prefill, --budget, ...) when the tokens do not fit the context, a
/// spec is bad (checkEvictionSpec) or prefill_tokens is outside [1, tokens.size() - 1].
EvictEvalResult runEvictEval(std::shared_ptr<const Model> model, std::span<const TokenId> tokens,
                             std::span<const EvictionSpec> specs, const EvictEvalOptions& options,
                             const EvictEvalProgress& progress = {});

/// Many sequences pooled: perplexity from the summed NLL, agreement and KL over every step,
/// first divergence as the median over sequences (0 = none counted as free_steps + 1).
struct EvictSweepRow {
    std::string label;
    EvictionSpec spec;
    std::int64_t n_steps = 0;
    double perplexity = 0, perplexity_delta = 0, top1_agreement = 0;
    double logits_kl_mean = 0, logits_kl_max = 0;
    std::int64_t first_divergence_median = 0, first_divergence_min = 0;
    std::int64_t logical_bytes = 0, physical_bytes = 0;  // the largest over the sequences
    std::int64_t holes = 0;                              // the most over the sequences
};
struct EvictSweepResult {
    std::int64_t n_sequences = 0;
    EvictSweepRow reference;
    std::vector<EvictSweepRow> rows;
    bool cancelled = false;
};
EvictSweepResult runEvictSweep(std::shared_ptr<const Model> model,
                               const std::vector<std::vector<TokenId>>& sequences,
                               std::span<const EvictionSpec> specs, const EvictEvalOptions& options,
                               const EvictEvalProgress& progress = {});

}  // namespace kvscope
