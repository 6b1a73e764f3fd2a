#include "core/eval/evict_eval.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "core/engine/backend_select.h"
#include "core/eval/logit_metrics.h"
#include "core/util/error.h"

namespace kvscope {

namespace {

SessionOptions sessionOptions(const EvictionSpec& spec, const EvictEvalOptions& options) {
    return SessionOptions{.cache_layout = options.cache_layout,
                          .block_size = options.block_size,
                          .cache_spec = options.cache_spec,
                          .eviction = spec,
                          .eviction_undo = false,
                          .record_attention = false,
                          .record_top_k = 0};
}

/// One run: logits of every compared step ([n_steps] of [vocab]), bytes after, free tokens.
struct Run {
    std::vector<Vector> logits;
    std::int64_t logical = 0, physical = 0, held = 0, holes = 0;
    // [n_steps] after each compared step: K + V bytes held, allocated, holes
    std::vector<std::int64_t> step_logical, step_physical, step_holes;
    std::vector<TokenId> free_tokens;
};

Run runOne(std::shared_ptr<const Model> model, std::span<const TokenId> tokens,
           const EvictionSpec& spec, const EvictEvalOptions& options, std::int64_t free_steps) {
    Run run;
    const SessionOptions so = sessionOptions(spec, options);
    {
        Session s(model, so, makeRequestedBackend(options.n_threads));
        // After every compared step: the logits, and what the live cache has allocated (under
        // a score policy on the paged layout it depends on which positions were kept).
        const auto keep = [&] {
            run.logits.push_back(s.lastLogits());
            std::int64_t held = 0, allocated = 0, holes = 0;
            for (std::int64_t l = 0; l < s.cache().nLayers(); ++l) {
                held += s.cache().kBytesUsed(l) + s.cache().vBytesUsed(l);
                allocated += s.cache().bytesAllocated(l);
                holes += s.cache().holes(l);
            }
            run.step_logical.push_back(held);
            run.step_physical.push_back(allocated);
            run.step_holes.push_back(holes);
        };
        s.prefill(tokens.first(std::size_t(options.prefill_tokens)));
        keep();
        for (std::size_t i = std::size_t(options.prefill_tokens); i + 1 < tokens.size(); ++i) {
            s.stepForced(tokens[i]);
            keep();
        }
        for (std::int64_t l = 0; l < s.cache().nLayers(); ++l)
            run.held = std::max(run.held, s.cache().layerLength(l));
        run.logical = run.step_logical.back();
        run.physical = run.step_physical.back();
        run.holes = run.step_holes.back();
    }
    Session s(model, so, makeRequestedBackend(options.n_threads));
    TokenId next = s.prefill(tokens.first(std::size_t(options.prefill_tokens))).next_token;
    for (std::int64_t i = 0; i < free_steps; ++i) {
        run.free_tokens.push_back(next);
        if (i + 1 < free_steps) next = s.step().next_token;
    }
    return run;
}

EvictEvalRow compare(const Run& ref, const Run& run, std::span<const TokenId> tokens,
                     std::int64_t prefill, const EvictionSpec& spec) {
    EvictEvalRow row;
    row.spec = spec;
    row.label = spec.label();
    row.logical_bytes = run.logical;
    row.physical_bytes = run.physical;
    row.holes = run.holes;
    row.step_logical_bytes = run.step_logical;
    row.step_physical_bytes = run.step_physical;
    row.step_holes = run.step_holes;
    row.held_tokens = run.held;
    row.n_steps = std::int64_t(run.logits.size());
    std::int64_t agree = 0;
    double kl_sum = 0;
    for (std::size_t i = 0; i < run.logits.size(); ++i) {
        const std::vector<double> lp = logSoftmax(ref.logits[i]), lq = logSoftmax(run.logits[i]);
        row.nll_sum -= lq[std::size_t(tokens[std::size_t(prefill) + i])];
        const double kl = klDivergence(lp, lq);
        const bool match = argmax(ref.logits[i]) == argmax(run.logits[i]);
        row.step_logits_kl.push_back(kl);
        row.step_top1_match.push_back(match);
        kl_sum += kl;
        row.logits_kl_max = std::max(row.logits_kl_max, kl);
        agree += match ? 1 : 0;
    }
    row.logits_kl_mean = kl_sum / double(row.n_steps);
    row.top1_agreement = double(agree) / double(row.n_steps);
    row.perplexity = std::exp(row.nll_sum / double(row.n_steps));
    row.free_tokens = run.free_tokens;
    row.first_divergence = firstDivergence(ref.free_tokens, run.free_tokens);
    return row;
}

}  // namespace

EvictEvalResult runEvictEval(std::shared_ptr<const Model> model, std::span<const TokenId> tokens,
                             std::span<const EvictionSpec> specs, const EvictEvalOptions& options,
                             const EvictEvalProgress& progress) {
    const std::int64_t n = std::int64_t(tokens.size()), ctx = model->config.max_context;
    if (n < 2 || n > ctx) {
        throw InputError("evict-eval: the sequence has " + std::to_string(n) +
                         " tokens; it needs 2 to the context " + std::to_string(ctx));
    }
    if (options.prefill_tokens < 1 || options.prefill_tokens >= n) {
        throw InputError("--prefill: " + std::to_string(options.prefill_tokens) +
                         " must be in [1, " + std::to_string(n - 1) + "] (the sequence has " +
                         std::to_string(n) + " tokens)");
    }
    for (const EvictionSpec& spec : specs)
        checkEvictionSpec(spec, ctx);
    const std::int64_t free_steps =
        std::max<std::int64_t>(1, std::min(options.free_steps, ctx - options.prefill_tokens));
    EvictEvalResult result;
    result.tokens.assign(tokens.begin(), tokens.end());
    result.prefill_tokens = options.prefill_tokens;
    const std::int64_t total = std::int64_t(specs.size()) + 1;
    const Run ref = runOne(model, tokens, EvictionSpec{}, options, free_steps);
    result.reference = compare(ref, ref, tokens, options.prefill_tokens, EvictionSpec{});
    if (progress && !progress(1, total)) return result.cancelled = true, result;
    for (std::size_t i = 0; i < specs.size(); ++i) {
        const Run run = runOne(model, tokens, specs[i], options, free_steps);
        result.rows.push_back(compare(ref, run, tokens, options.prefill_tokens, specs[i]));
        result.rows.back().perplexity_delta =
            result.rows.back().perplexity - result.reference.perplexity;
        if (progress && !progress(std::int64_t(i) + 2, total))
            return result.cancelled = true, result;
    }
    return result;
}

namespace {

struct Pool {
    EvictSweepRow row;
    double nll = 0, kl = 0;
    std::int64_t agree = 0;
    std::vector<std::int64_t> divergence;

    void add(const EvictEvalRow& r, std::int64_t free_steps) {
        row.label = r.label;
        row.spec = r.spec;
        row.n_steps += r.n_steps;
        nll += r.nll_sum;
        for (std::size_t i = 0; i < r.step_logits_kl.size(); ++i) {
            kl += r.step_logits_kl[i];
            agree += r.step_top1_match[i] ? 1 : 0;
        }
        row.logits_kl_max = std::max(row.logits_kl_max, r.logits_kl_max);
        divergence.push_back(r.first_divergence == 0 ? free_steps + 1 : r.first_divergence);
        row.logical_bytes = std::max(row.logical_bytes, r.logical_bytes);
        row.physical_bytes = std::max(row.physical_bytes, r.physical_bytes);
        row.holes = std::max(row.holes, r.holes);
    }
    EvictSweepRow finish(std::int64_t free_steps) {
        row.perplexity = std::exp(nll / double(row.n_steps));
        row.top1_agreement = double(agree) / double(row.n_steps);
        row.logits_kl_mean = kl / double(row.n_steps);
        std::sort(divergence.begin(), divergence.end());
        const auto undo = [&](std::int64_t d) { return d > free_steps ? 0 : d; };
        row.first_divergence_median = undo(divergence[divergence.size() / 2]);
        row.first_divergence_min = undo(divergence.front());
        return row;
    }
};

}  // namespace

EvictSweepResult runEvictSweep(std::shared_ptr<const Model> model,
                               const std::vector<std::vector<TokenId>>& sequences,
                               std::span<const EvictionSpec> specs, const EvictEvalOptions& options,
                               const EvictEvalProgress& progress) {
    EvictSweepResult result;
    Pool ref;
    std::vector<Pool> pools(specs.size());
    for (const auto& tokens : sequences) {
        const EvictEvalResult one = runEvictEval(model, tokens, specs, options);
        ref.add(one.reference, options.free_steps);
        for (std::size_t i = 0; i < specs.size(); ++i)
            pools[i].add(one.rows[i], options.free_steps);
        ++result.n_sequences;
        if (progress && !progress(result.n_sequences, std::int64_t(sequences.size()))) {
            result.cancelled = true;
            break;
        }
    }
    if (result.n_sequences == 0) return result;
    result.reference = ref.finish(options.free_steps);
    for (Pool& p : pools) {
        result.rows.push_back(p.finish(options.free_steps));
        result.rows.back().perplexity_delta =
            result.rows.back().perplexity - result.reference.perplexity;
    }
    return result;
}

}  // namespace kvscope
