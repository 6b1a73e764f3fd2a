#include "core/engine/step_cost.h"

#include <algorithm>

namespace kvscope {

namespace {

constexpr double kFloatBytes = 4.0;

/// Multiply-adds of one token's matrix products in one layer: wq, wk, wv, wo and the FFN's three.
double layerWeights(const ModelConfig& c) {
    const double d = double(c.d_model), q = double(c.qDim()), kv = double(c.kvDim());
    return d * q + 2 * d * kv + q * d + 3 * d * double(c.d_ff);
}

/// Keys the queries of positions [start, start + n) visit: p + 1 each, at most `window` (> 0).
double keyVisits(std::int64_t start, std::int64_t n, std::int64_t window) {
    const double end = double(start + n);
    if (window <= 0) return (double(start + 1) + end) * double(n) / 2.0;
    // Positions p < window see p + 1 keys; the others see `window`.
    const std::int64_t growing = std::max<std::int64_t>(0, std::min(start + n, window) - start);
    return (double(start + 1) + double(start + growing)) * double(growing) / 2.0 +
           double(n - growing) * double(window);
}

}  // namespace

WeightBytes fp32WeightBytes(const ModelConfig& c) {
    const double d = double(c.d_model);
    const double norms = 2.0 * d * double(c.n_layers) + d;
    return {.fixed = kFloatBytes * (layerWeights(c) * double(c.n_layers) + norms),
            .embedding_row = kFloatBytes * d,
            .classifier = kFloatBytes * double(c.vocab) * d};
}

WeightBytes storedWeightBytes(const ModelWeights& w, const ModelConfig& c) {
    const double row = double(w.token_embd.rowBytes());
    const double classifier = double(w.classifier(c).storedBytes());
    return {.fixed = double(w.storedBytesPerToken(c)) - row - classifier,
            .embedding_row = row,
            .classifier = classifier};
}

StepCost forwardCost(const ModelConfig& c, std::int64_t start_pos, std::int64_t n_new,
                     std::int64_t n_logits) {
    return forwardCost(c, start_pos, n_new, n_logits, fp32WeightBytes(c));
}

StepCost forwardCost(const ModelConfig& c, std::int64_t start_pos, std::int64_t n_new,
                     std::int64_t n_logits, const WeightBytes& weights) {
    const double d = double(c.d_model);
    const double end = double(start_pos + n_new);
    const double layer_weights = layerWeights(c);
    // Attention over keys 0..p for each new position p (the last `window` of them in a local
    // layer): q.k and a.v, per query head; the K/V rows each layer reads.
    // Every layer is global unless local_layers says otherwise (it is empty or [n_layers]).
    double key_visits = keyVisits(start_pos, n_new, 0) * double(c.n_layers);
    double kv_rows_read = end * double(c.n_layers);
    for (std::size_t l = 0; l < c.local_layers.size(); ++l) {
        const std::int64_t window = c.layerWindow(std::int64_t(l));
        if (window <= 0) continue;
        key_visits += keyVisits(start_pos, n_new, window) - keyVisits(start_pos, n_new, 0);
        kv_rows_read += std::min(end, double(window + n_new - 1)) - end;
    }
    const double classifier = double(c.vocab) * d;

    StepCost cost;
    cost.flops = 2.0 * double(n_new) * layer_weights * double(c.n_layers) +
                 4.0 * double(c.n_heads * c.head_dim) * key_visits +
                 2.0 * classifier * double(n_logits);
    // Weights: every layer matrix and norm once per pass, the embedding rows of the new tokens,
    // the final norm, and the classifier when logits are computed.
    cost.weight_bytes_read = weights.fixed + weights.embedding_row * double(n_new) +
                             (n_logits > 0 ? weights.classifier : 0.0);
    // K/V: each KV head's rows are read once per layer (shared by its query group).
    const double kv_per_row = double(c.kvBytesPerTokenPerLayer(4));
    cost.kv_bytes_read = kv_per_row * kv_rows_read;
    cost.kv_bytes_written = kv_per_row * double(c.n_layers) * double(n_new);
    return cost;
}

}  // namespace kvscope
