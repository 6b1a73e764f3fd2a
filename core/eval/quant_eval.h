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

/// fp32 top-1 margins below this (nats: top-1 minus top-2 logit) count as near-ties: steps where
/// fp32's own choice is nearly a coin toss, so any codec noise may flip it.
inline constexpr double kNearTieMargin = 0.1;

struct QuantEvalOptions {
    CacheLayout cache_layout = CacheLayout::Contiguous;
    std::int64_t block_size = 32;  // paged layout (kivi2 needs a multiple of 32)
    /// Tokens of the sequence that seed free generation (BOS included), and the greedy steps.
    std::int64_t free_prompt_tokens = 1;
    std::int64_t free_steps = 200;
    int n_threads = 0;  // CpuBackend threads; 0 = all
    /// Keep every run's attention rows in the result (QuantEvalRow::attention), for difference
    /// heatmaps. Off by default: positions^2 * layers * heads floats per run.
    bool keep_attention = false;
};

/// One teacher-forced run's attention rows, every position, layer and query head.
struct QuantEvalAttention {
    std::int64_t n_layers = 0, n_heads = 0;
    /// [n_positions][n_layers][n_heads] rows, flattened; the row of position p has p + 1 weights.
    std::vector<Vector> rows;

    std::int64_t nPositions() const;
    /// Pre (std::out_of_range): every index in range.
    const Vector& row(std::int64_t position, std::int64_t layer, std::int64_t head) const;
};

struct QuantEvalRow {
    KvCacheSpec spec;
    std::string label;          // spec.label()
    std::int64_t kv_bytes = 0;  // K + V bytes held after the whole sequence, all layers
    std::int64_t kv_bytes_allocated = 0;
    std::vector<std::int64_t> layer_k_bytes;  // [n_layers]: K bytes held after the sequence
    std::vector<std::int64_t> layer_v_bytes;  // [n_layers]: V bytes held after the sequence
    double ratio_to_fp16 = 0;                 // kv_bytes / the same tokens' bytes in fp16
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
    /// Attention-row error at each position, the mean over layers and query heads: [n_positions]
    /// (position 0, BOS alone, is always 0).
    std::vector<double> step_attn_l1;
    std::vector<double> step_attn_kl;
    std::vector<TokenId> free_tokens;  // [free_steps]: this run's free greedy tokens
    QuantEvalAttention attention;      // empty unless QuantEvalOptions::keep_attention
};

struct QuantEvalResult {
    std::vector<TokenId> tokens;     // the teacher-forced sequence, BOS first
    std::int64_t n_steps = 0;        // positions with a next token: tokens.size() - 1
    std::int64_t fp16_kv_bytes = 0;  // the sequence's K + V bytes in fp16
    QuantEvalRow reference;          // fp32 (its errors are 0 by definition)
    /// fp32's top-1 minus top-2 logit at each step, [n_steps]: how near a tie its choice was
    /// (a codec's top-1 flips easily where this is small).
    std::vector<double> step_top1_margin;
    std::vector<TokenId> reference_free;  // fp32's free greedy tokens (== reference.free_tokens)
    std::vector<QuantEvalRow> rows;       // one per spec, in order
    bool cancelled = false;
};

/// Steps whose fp32 top-1 margin is below kNearTieMargin.
std::int64_t nearTieCount(const QuantEvalResult& result);
/// Steps where `row`'s top-1 differs from fp32's although fp32's margin was >= kNearTieMargin.
std::int64_t decisiveMisses(const QuantEvalResult& result, const QuantEvalRow& row);

/// Called after each run (the fp32 reference, then each spec, teacher-forced and free); return
/// false to stop: the result then holds the rows done so far and cancelled = true.
using QuantEvalProgress = std::function<bool(std::int64_t done, std::int64_t total)>;

/// `tokens`: BOS first, at least 2. Throws InputError when the tokens (or the free generation)
/// do not fit the model's context or a spec cannot be used with the layout.
QuantEvalResult runQuantEval(std::shared_ptr<const Model> model, std::span<const TokenId> tokens,
                             std::span<const KvCacheSpec> specs, const QuantEvalOptions& options,
                             const QuantEvalProgress& progress = {});

/// |A_spec - A_fp32| of one layer and query head at every position: [n_positions][n_positions],
/// row p holds p + 1 differences, zeros above the diagonal. Pre (std::out_of_range): both runs
/// were kept (keep_attention) with the same shape, layer and head in range.
Matrix attentionDifference(const QuantEvalAttention& reference, const QuantEvalAttention& spec,
                           std::int64_t layer, std::int64_t head);

/// The layer and query head whose attention moved most: the largest sum over positions of the
/// row L1 error sum |p - q| (the first on ties; {0, 0} when nothing moved). Pre
/// (std::out_of_range): as attentionDifference.
struct LayerHead {
    std::int64_t layer = 0, head = 0;
    bool operator==(const LayerHead&) const = default;
};
LayerHead mostChangedHead(const QuantEvalAttention& reference, const QuantEvalAttention& spec);

/// One layer's K + V bytes in the fp32 reference and in a spec, and the fraction the spec saves.
struct QuantLayerBytes {
    std::int64_t reference = 0;  // fp32 K + V bytes
    std::int64_t spec = 0;       // the spec's K + V bytes
    double saved = 0;            // 1 - spec / reference (0 when reference is 0)
};
/// [n_layers] from the rows' layer_k_bytes / layer_v_bytes. Pre (std::invalid_argument): both
/// rows have the same number of layers.
std::vector<QuantLayerBytes> quantLayerBytes(const QuantEvalRow& reference,
                                             const QuantEvalRow& spec);
/// The same over all layers, from the rows' kv_bytes.
QuantLayerBytes quantTotalBytes(const QuantEvalRow& reference, const QuantEvalRow& spec);

/// Throws InputError naming the window when the spec's mixed-precision window or kivi2 window is
/// longer than the model's context (no token could ever leave it), or when `n_positions` (the
/// sequence to run) does not fit the context.
void checkQuantEvalFits(const ModelConfig& config, const KvCacheSpec& spec,
                        std::int64_t n_positions);

/// Throws InputError, before any engine work, when a spec cannot run with `options` on `model`:
/// a layout or block size it cannot use, or a window longer than the context
/// (checkQuantEvalFits). runQuantEval checks this itself; callers that prepare sequences first
/// (fp32 continuations) call it earlier so that a bad spec fails fast.
void checkQuantEvalSpecs(std::shared_ptr<const Model> model, std::span<const KvCacheSpec> specs,
                         const QuantEvalOptions& options);

/// BOS + prompt tokens followed by fp32's greedy continuation of `steps` tokens (the default
/// teacher-forced sequence).
std::vector<TokenId> greedyContinuation(std::shared_ptr<const Model> model,
                                        std::span<const TokenId> prompt, std::int64_t steps,
                                        int n_threads = 0);

}  // namespace kvscope
