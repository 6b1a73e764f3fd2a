#include "core/eval/quant_eval.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

#include "core/engine/backend_select.h"
#include "core/eval/logit_metrics.h"
#include "core/util/error.h"

namespace kvscope {

namespace {

/// What one teacher-forced run leaves for comparison.
struct ForcedRun {
    std::vector<Vector> logits;    // [n_positions] of [vocab]
    QuantEvalAttention attention;  // [n_positions][n_layers][n_heads] rows
    std::int64_t kv_bytes = 0, kv_bytes_allocated = 0;
    std::vector<std::int64_t> layer_k_bytes, layer_v_bytes;  // [n_layers]
    std::vector<std::int64_t> layer_held;                    // [n_layers] entries held at the end
};

SessionOptions sessionOptions(const KvCacheSpec& spec, const QuantEvalOptions& options,
                              std::int64_t max_context, bool attention) {
    return SessionOptions{.cache_layout = options.cache_layout,
                          .block_size = options.block_size,
                          .cache_spec = spec,
                          .max_context = max_context,
                          .record_attention = attention,
                          .record_top_k = 0};
}

ForcedRun runForced(std::shared_ptr<const Model> model, std::span<const TokenId> tokens,
                    const SessionOptions& session_options, int n_threads) {
    Session session(model, session_options, makeRequestedBackend(n_threads));
    ForcedRun run;
    run.attention.n_layers = model->config.n_layers;
    run.attention.n_heads = model->config.n_heads;
    const auto keep = [&](const StepRecord& record) {
        run.logits.push_back(session.lastLogits());
        for (const LayerRecord& layer : record.layers) {
            for (const Matrix& rows : layer.attention)  // [1][n_keys]
                run.attention.rows.push_back(rows.row(0).transpose());
        }
    };
    keep(session.prefill(tokens.first(1)));
    for (std::size_t i = 1; i < tokens.size(); ++i)
        keep(session.stepForced(tokens[i]));
    for (std::int64_t l = 0; l < session.cache().nLayers(); ++l) {
        run.layer_held.push_back(session.cache().layerLength(l));
        run.layer_k_bytes.push_back(session.cache().kBytesUsed(l));
        run.layer_v_bytes.push_back(session.cache().vBytesUsed(l));
        run.kv_bytes += run.layer_k_bytes.back() + run.layer_v_bytes.back();
        run.kv_bytes_allocated += session.cache().bytesAllocated(l);
    }
    return run;
}

std::vector<TokenId> runFree(std::shared_ptr<const Model> model, std::span<const TokenId> seed,
                             std::int64_t steps, const SessionOptions& session_options,
                             int n_threads) {
    Session session(model, session_options, makeRequestedBackend(n_threads));
    std::vector<TokenId> out;
    TokenId next = session.prefill(seed).next_token;
    for (std::int64_t i = 0; i < steps; ++i) {
        out.push_back(next);
        if (i + 1 < steps) next = session.step().next_token;
    }
    return out;
}

/// The largest logit minus the second largest. logits: [vocab], at least 2.
double top1Margin(const Vector& logits) {
    double first = -INFINITY, second = -INFINITY;
    for (Eigen::Index i = 0; i < logits.size(); ++i) {
        const double x = logits[i];
        if (x > first) {
            second = first;
            first = x;
        } else if (x > second) {
            second = x;
        }
    }
    return first - second;
}

double perplexity(const ForcedRun& run, std::span<const TokenId> tokens) {
    double nll = 0;
    const std::size_t n_steps = tokens.size() - 1;
    for (std::size_t i = 0; i < n_steps; ++i)
        nll -= logSoftmax(run.logits[i])[std::size_t(tokens[i + 1])];
    return std::exp(nll / double(n_steps));
}

/// Fills the comparison fields of `row` from a spec's run against fp32's.
void compare(const ForcedRun& ref, const ForcedRun& run, std::span<const TokenId> tokens,
             QuantEvalRow& row) {
    double l1_sum = 0, kl_sum = 0;
    const std::vector<Vector>& ref_rows = ref.attention.rows;
    // Rows per position: every layer's query heads.
    const std::size_t per_position =
        std::size_t(std::max<std::int64_t>(ref.attention.n_layers * ref.attention.n_heads, 1));
    row.step_attn_l1.assign(tokens.size(), 0.0);
    row.step_attn_kl.assign(tokens.size(), 0.0);
    for (std::size_t r = 0; r < ref_rows.size(); ++r) {
        const Vector& p = ref_rows[r];
        const Vector& q = run.attention.rows[r];
        double l1 = 0, kl = 0;
        for (Eigen::Index j = 0; j < p.size(); ++j) {
            l1 += std::fabs(double(p[j]) - double(q[j]));
            if (p[j] > 0)
                kl += double(p[j]) * std::log(double(p[j]) / std::max(double(q[j]), 1e-30));
        }
        kl = std::max(0.0, kl);
        l1_sum += l1;
        kl_sum += kl;
        row.step_attn_l1[r / per_position] += l1 / double(per_position);
        row.step_attn_kl[r / per_position] += kl / double(per_position);
        row.attn_l1_max = std::max(row.attn_l1_max, l1);
        row.attn_kl_max = std::max(row.attn_kl_max, kl);
    }
    const double n_rows = double(std::max<std::size_t>(ref_rows.size(), 1));
    row.attn_l1_mean = l1_sum / n_rows;
    row.attn_kl_mean = kl_sum / n_rows;
    const std::size_t n_steps = tokens.size() - 1;
    double kl_total = 0;
    std::int64_t agree = 0;
    for (std::size_t i = 0; i < n_steps; ++i) {
        const double kl = klDivergence(logSoftmax(ref.logits[i]), logSoftmax(run.logits[i]));
        const bool match = argmax(ref.logits[i]) == argmax(run.logits[i]);
        row.step_logits_kl.push_back(kl);
        row.step_top1_match.push_back(match);
        kl_total += kl;
        row.logits_kl_max = std::max(row.logits_kl_max, kl);
        agree += match ? 1 : 0;
    }
    row.logits_kl_mean = kl_total / double(n_steps);
    row.top1_agreement = double(agree) / double(n_steps);
}

/// K + V bytes in fp16 of the entries each layer of `run` held at its end (a sliding-window
/// layer holds its window only): [n_layers] held counts.
std::int64_t fp16Bytes(const Model& model, const std::vector<std::int64_t>& layer_held) {
    const ModelConfig& c = model.config;
    const KvRoleFormat fp16{.dtype = KvDtype::F16};
    std::int64_t bytes = 0;
    for (const std::int64_t held : layer_held) {
        bytes += c.n_kv_heads * (kvBytesForTokens(fp16, KvRole::Key, c.head_dim, held) +
                                 kvBytesForTokens(fp16, KvRole::Value, c.head_dim, held));
    }
    return bytes;
}

}  // namespace

std::int64_t nearTieCount(const QuantEvalResult& result) {
    return std::count_if(result.step_top1_margin.begin(), result.step_top1_margin.end(),
                         [](double margin) { return margin < kNearTieMargin; });
}

std::int64_t decisiveMisses(const QuantEvalResult& result, const QuantEvalRow& row) {
    std::int64_t misses = 0;
    for (std::size_t i = 0; i < row.step_top1_match.size(); ++i)
        if (!row.step_top1_match[i] && result.step_top1_margin[i] >= kNearTieMargin) ++misses;
    return misses;
}

std::int64_t QuantEvalAttention::nPositions() const {
    const std::int64_t per_position = n_layers * n_heads;
    return per_position > 0 ? std::int64_t(rows.size()) / per_position : 0;
}

const Vector& QuantEvalAttention::row(std::int64_t position, std::int64_t layer,
                                      std::int64_t head) const {
    if (position < 0 || position >= nPositions() || layer < 0 || layer >= n_layers || head < 0 ||
        head >= n_heads) {
        throw std::out_of_range("QuantEvalAttention::row: position " + std::to_string(position) +
                                ", layer " + std::to_string(layer) + ", head " +
                                std::to_string(head) + " outside " + std::to_string(nPositions()) +
                                " x " + std::to_string(n_layers) + " x " + std::to_string(n_heads));
    }
    return rows[std::size_t((position * n_layers + layer) * n_heads + head)];
}

Matrix attentionDifference(const QuantEvalAttention& reference, const QuantEvalAttention& spec,
                           std::int64_t layer, std::int64_t head) {
    if (reference.n_layers != spec.n_layers || reference.n_heads != spec.n_heads ||
        reference.rows.size() != spec.rows.size()) {
        throw std::out_of_range("attentionDifference: the two runs differ in shape");
    }
    const std::int64_t n = reference.nPositions();
    Matrix diff = Matrix::Zero(n, n);  // [n_positions][n_positions]
    for (std::int64_t p = 0; p < n; ++p) {
        const Vector& a = reference.row(p, layer, head);  // [p + 1]
        const Vector& b = spec.row(p, layer, head);       // [p + 1]
        diff.row(p).head(a.size()) = (b - a).cwiseAbs().transpose();
    }
    return diff;
}

LayerHead mostChangedHead(const QuantEvalAttention& reference, const QuantEvalAttention& spec) {
    if (reference.n_layers != spec.n_layers || reference.n_heads != spec.n_heads ||
        reference.rows.size() != spec.rows.size()) {
        throw std::out_of_range("mostChangedHead: the two runs differ in shape");
    }
    LayerHead best;
    double best_l1 = 0;
    for (std::int64_t l = 0; l < reference.n_layers; ++l) {
        for (std::int64_t h = 0; h < reference.n_heads; ++h) {
            double l1 = 0;
            for (std::int64_t p = 0; p < reference.nPositions(); ++p)
                l1 += double((spec.row(p, l, h) - reference.row(p, l, h)).cwiseAbs().sum());
            if (l1 > best_l1) {
                best_l1 = l1;
                best = {l, h};
            }
        }
    }
    return best;
}

namespace {

QuantLayerBytes layerBytes(std::int64_t reference, std::int64_t spec) {
    return {.reference = reference,
            .spec = spec,
            .saved = reference > 0 ? 1.0 - double(spec) / double(reference) : 0.0};
}

}  // namespace

QuantLayerBytes quantTotalBytes(const QuantEvalRow& reference, const QuantEvalRow& spec) {
    return layerBytes(reference.kv_bytes, spec.kv_bytes);
}

std::vector<QuantLayerBytes> quantLayerBytes(const QuantEvalRow& reference,
                                             const QuantEvalRow& spec) {
    const std::size_t n = reference.layer_k_bytes.size();
    if (reference.layer_v_bytes.size() != n || spec.layer_k_bytes.size() != n ||
        spec.layer_v_bytes.size() != n) {
        throw std::invalid_argument("quantLayerBytes: the rows differ in their number of layers");
    }
    std::vector<QuantLayerBytes> out;
    for (std::size_t l = 0; l < n; ++l) {
        out.push_back(layerBytes(reference.layer_k_bytes[l] + reference.layer_v_bytes[l],
                                 spec.layer_k_bytes[l] + spec.layer_v_bytes[l]));
    }
    return out;
}

void checkQuantEvalFits(const ModelConfig& config, const KvCacheSpec& spec,
                        std::int64_t n_positions) {
    const std::string context =
        std::to_string(config.max_context) + "-token context of " + config.name;
    const bool kivi = spec.k_dtype == KvDtype::KIVI2 || spec.v_dtype == KvDtype::KIVI2;
    const bool only_kivi = spec.k_dtype == KvDtype::KIVI2 && spec.v_dtype == KvDtype::KIVI2;
    if (!only_kivi && spec.recent_window > config.max_context) {
        throw InputError("mixed-precision window: " + std::to_string(spec.recent_window) +
                         " tokens is longer than the " + context +
                         " (no token would ever be stored in " +
                         std::string(toString(spec.k_dtype)) + ")");
    }
    if (kivi && spec.kivi_window > config.max_context) {
        throw InputError("KIVI residual: " + std::to_string(spec.kivi_window) +
                         " tokens is longer than the " + context +
                         " (no token would ever be quantized to 2 bits)");
    }
    if (n_positions > config.max_context) {
        throw InputError("sequence: " + std::to_string(n_positions) + " positions exceed the " +
                         context);
    }
}

void checkQuantEvalSpecs(std::shared_ptr<const Model> model, std::span<const KvCacheSpec> specs,
                         const QuantEvalOptions& options) {
    // Every spec must build before anything runs (a bad spec is bad input, not a failure later).
    for (const KvCacheSpec& spec : specs) {
        checkQuantEvalFits(model->config, spec, 1);
        Session(model, sessionOptions(spec, options, 1, false));
    }
}

std::vector<TokenId> greedyContinuation(std::shared_ptr<const Model> model,
                                        std::span<const TokenId> prompt, std::int64_t steps,
                                        int n_threads) {
    std::vector<TokenId> out(prompt.begin(), prompt.end());
    const std::int64_t max_context = std::int64_t(prompt.size()) + steps;
    if (max_context > model->config.max_context) {
        throw InputError("quant-eval: the prompt (" + std::to_string(prompt.size()) +
                         " tokens) and " + std::to_string(steps) + " steps exceed the " +
                         std::to_string(model->config.max_context) + "-token context of " +
                         model->config.name);
    }
    const SessionOptions options{
        .max_context = max_context, .record_attention = false, .record_top_k = 0};
    const std::vector<TokenId> generated = runFree(model, prompt, steps, options, n_threads);
    out.insert(out.end(), generated.begin(), generated.end());
    return out;
}

QuantEvalResult runQuantEval(std::shared_ptr<const Model> model, std::span<const TokenId> tokens,
                             std::span<const KvCacheSpec> specs, const QuantEvalOptions& options,
                             const QuantEvalProgress& progress) {
    if (tokens.size() < 2) throw InputError("quant-eval: the sequence needs at least 2 tokens");
    const std::int64_t seed =
        std::clamp<std::int64_t>(options.free_prompt_tokens, 1, std::int64_t(tokens.size()));
    const std::int64_t max_context =
        std::max(std::int64_t(tokens.size()), seed + std::max<std::int64_t>(options.free_steps, 1));
    if (max_context > model->config.max_context) {
        throw InputError("quant-eval: " + std::to_string(max_context) + " positions exceed the " +
                         std::to_string(model->config.max_context) + "-token context of " +
                         model->config.name);
    }
    checkQuantEvalSpecs(model, specs, options);

    QuantEvalResult result;
    result.tokens.assign(tokens.begin(), tokens.end());
    result.n_steps = std::int64_t(tokens.size()) - 1;
    const std::int64_t total = 1 + std::int64_t(specs.size());
    const auto report = [&](std::int64_t done) { return !progress || progress(done, total); };
    const std::span<const TokenId> seed_tokens = tokens.first(std::size_t(seed));

    const ForcedRun ref =
        runForced(model, tokens, sessionOptions({}, options, max_context, true), options.n_threads);
    result.fp16_kv_bytes = fp16Bytes(*model, ref.layer_held);
    result.reference.label = KvCacheSpec{}.label();
    result.reference.kv_bytes = ref.kv_bytes;
    result.reference.kv_bytes_allocated = ref.kv_bytes_allocated;
    result.reference.layer_k_bytes = ref.layer_k_bytes;
    result.reference.layer_v_bytes = ref.layer_v_bytes;
    result.reference.ratio_to_fp16 = double(ref.kv_bytes) / double(result.fp16_kv_bytes);
    compare(ref, ref, tokens, result.reference);
    result.reference.perplexity = perplexity(ref, tokens);
    for (std::int64_t i = 0; i < result.n_steps; ++i)
        result.step_top1_margin.push_back(top1Margin(ref.logits[std::size_t(i)]));
    if (options.free_steps > 0) {
        result.reference_free =
            runFree(model, seed_tokens, options.free_steps,
                    sessionOptions({}, options, max_context, false), options.n_threads);
        result.reference.free_tokens = result.reference_free;
    }
    if (options.keep_attention) result.reference.attention = ref.attention;
    if (!report(1)) {
        result.cancelled = true;
        return result;
    }
    for (std::size_t s = 0; s < specs.size(); ++s) {
        QuantEvalRow row;
        row.spec = specs[s];
        row.label = specs[s].label();
        ForcedRun run = runForced(
            model, tokens, sessionOptions(specs[s], options, max_context, true), options.n_threads);
        row.kv_bytes = run.kv_bytes;
        row.kv_bytes_allocated = run.kv_bytes_allocated;
        row.layer_k_bytes = run.layer_k_bytes;
        row.layer_v_bytes = run.layer_v_bytes;
        row.ratio_to_fp16 = double(run.kv_bytes) / double(result.fp16_kv_bytes);
        compare(ref, run, tokens, row);
        row.perplexity = perplexity(run, tokens);
        row.perplexity_delta = row.perplexity - result.reference.perplexity;
        if (options.free_steps > 0) {
            row.free_tokens =
                runFree(model, seed_tokens, options.free_steps,
                        sessionOptions(specs[s], options, max_context, false), options.n_threads);
            row.first_divergence = firstDivergence(result.reference_free, row.free_tokens);
        }
        if (options.keep_attention) row.attention = std::move(run.attention);
        result.rows.push_back(std::move(row));
        if (!report(2 + std::int64_t(s))) {
            result.cancelled = true;
            break;
        }
    }
    return result;
}

}  // namespace kvscope
