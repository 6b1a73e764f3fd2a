#pragma once
// Quantization quality over many sequences. One 200-step text decides top-1 agreement in steps of
// 0.5% and depends on where that text happens to put fp32's near-ties; pooling several texts
// gives a figure with less luck in it, plus the spread from text to text. Each sequence is run
// with runQuantEval (teacher-forced, every codec against fp32); the sweep sums its steps.
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "core/eval/quant_eval.h"

namespace kvscope {

/// One codec over every sequence of the sweep.
struct QuantSweepRow {
    KvCacheSpec spec;
    std::string label;                  // spec.label()
    std::int64_t n_steps = 0;           // next-token predictions compared, all sequences
    std::int64_t top1_matches = 0;      // of them, argmax equal to fp32's
    double top1_agreement = 0;          // top1_matches / n_steps (pooled)
    std::vector<double> sequence_top1;  // [n_sequences]: each sequence's own agreement
    double top1_min = 0, top1_median = 0, top1_max = 0;  // over sequence_top1
    /// Top-1 misses where fp32's margin was < kNearTieMargin: flips of a near coin toss.
    std::int64_t near_tie_misses = 0;
    double logits_kl_mean = 0, logits_kl_max = 0;  // over every step, nats
    double perplexity = 0;        // exp(mean NLL over every step of every sequence)
    double perplexity_delta = 0;  // perplexity - fp32's pooled perplexity
};

struct QuantSweepResult {
    std::int64_t n_sequences = 0;
    std::int64_t n_steps = 0;         // per codec, all sequences
    std::int64_t near_ties = 0;       // steps where fp32's margin < kNearTieMargin
    QuantSweepRow reference;          // fp32 against itself
    std::vector<QuantSweepRow> rows;  // one per spec, in order
    bool cancelled = false;
};

/// Called after each sequence; return false to stop (the result then pools the sequences done).
using QuantSweepProgress = std::function<bool(std::int64_t done, std::int64_t total)>;

/// Runs runQuantEval on each sequence (each BOS first, at least 2 tokens) with `options` and
/// pools the results. Free generation is not run (options.free_steps is ignored). Throws
/// InputError when there is no sequence or runQuantEval refuses one (its message names it).
QuantSweepResult runQuantSweep(std::shared_ptr<const Model> model,
                               std::span<const std::vector<TokenId>> sequences,
                               std::span<const KvCacheSpec> specs, QuantEvalOptions options,
                               const QuantSweepProgress& progress = {});

}  // namespace kvscope
