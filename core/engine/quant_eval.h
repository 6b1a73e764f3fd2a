#pragma once
// Measuring KV cache quantization on a real model: each KvCacheSpec against the fp32 cache on the
// same tokens. Teacher-forced: every spec is fed the same sequence one token at a time (so each
// sees the same history), and its attention rows and logits are compared position by position
// with fp32's. Then free greedy generation from the sequence's first tokens: the first step at
// which the spec's greedy text leaves fp32's.
//
// Used by `kvscope-cli quant-eval` and meant for a GUI view too: any K codec / V codec / window
// choice (KvCacheSpec) runs beside fp32, with per-step series for charts, progress and cancel.
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "core/cache/kv_cache_spec.h"
#include "core/engine/session.h"
#include "core/model/model.h"

namespace kvscope {

struct QuantEvalOptions {
    CacheLayout cache_layout = CacheLayout::Contiguous;
    std::int64_t block_size = 32;  // paged layout (kivi2 needs a multiple of 32)
    /// Tokens of the sequence that seed free generation (BOS included), and the greedy steps.
    std::int64_t free_prompt_tokens = 1;
    std::int64_t free_steps = 200;
    int n_threads = 0;  // CpuBackend threads; 0 = all
};

struct QuantEvalRow {
    KvCacheSpec spec;
    std::string label;          // spec.label()
    std::int64_t kv_bytes = 0;  // K + V bytes held after the whole sequence, all layers
    std::int64_t kv_bytes_allocated = 0;
    double ratio_to_fp16 = 0;  // kv_bytes / the same tokens' bytes in fp16
    // Attention rows (every position, layer and query head) vs fp32: sum |p - q| and
    // KL(p_fp32 || p), mean and max over the rows.
    double attn_l1_mean = 0, attn_l1_max = 0;
    double attn_kl_mean = 0, attn_kl_max = 0;
    // Next-token distributions at each position that has a next token (n_steps of them).
    double logits_kl_mean = 0, logits_kl_max = 0;  // KL(softmax fp32 || softmax spec), nats
    double top1_agreement = 0;                     // fraction of steps whose argmax equals fp32's
    double perplexity = 0;                         // exp(mean NLL of the sequence's next tokens)
    double perplexity_delta = 0;                   // perplexity - fp32's
    /// Free greedy generation: the 1-based step whose token first differs from fp32's; 0 when
    /// the free_steps tokens are all the same.
    std::int64_t first_divergence = 0;
    std::vector<double> step_logits_kl;  // [n_steps]
    std::vector<bool> step_top1_match;   // [n_steps]
};

struct QuantEvalResult {
    std::vector<TokenId> tokens;          // the teacher-forced sequence, BOS first
    std::int64_t n_steps = 0;             // positions with a next token: tokens.size() - 1
    std::int64_t fp16_kv_bytes = 0;       // the sequence's K + V bytes in fp16
    QuantEvalRow reference;               // fp32 (its errors are 0 by definition)
    std::vector<TokenId> reference_free;  // fp32's free greedy tokens
    std::vector<QuantEvalRow> rows;       // one per spec, in order
    bool cancelled = false;
};

/// Called after each run (the fp32 reference, then each spec, teacher-forced and free); return
/// false to stop: the result then holds the rows done so far and cancelled = true.
using QuantEvalProgress = std::function<bool(std::int64_t done, std::int64_t total)>;

/// `tokens`: BOS first, at least 2. Throws InputError when the tokens (or the free generation)
/// do not fit the model's context or a spec cannot be used with the layout.
QuantEvalResult runQuantEval(std::shared_ptr<const Model> model, std::span<const TokenId> tokens,
                             std::span<const KvCacheSpec> specs, const QuantEvalOptions& options,
                             const QuantEvalProgress& progress = {});

/// BOS + prompt tokens followed by fp32's greedy continuation of `steps` tokens (the default
/// teacher-forced sequence).
std::vector<TokenId> greedyContinuation(std::shared_ptr<const Model> model,
                                        std::span<const TokenId> prompt, std::int64_t steps,
                                        int n_threads = 0);

}  // namespace kvscope
