#include "core/engine/step_cost.h"

namespace kvscope {

StepCost forwardCost(const ModelConfig& c, std::int64_t start_pos, std::int64_t n_new,
                     std::int64_t n_logits) {
    constexpr double kFloatBytes = 4.0;
    const double d = double(c.d_model), q = double(c.qDim()), kv = double(c.kvDim());
    const double end = double(start_pos + n_new);
    // Matrix products of one token in one layer: wq, wk, wv, wo and the three FFN matrices.
    const double layer_weights = d * q + 2 * d * kv + q * d + 3 * d * double(c.d_ff);
    // Attention over keys 0..p for each new position p: q.k and a.v, per query head.
    const double key_visits = (double(start_pos + 1) + end) * double(n_new) / 2.0;
    const double classifier = double(c.vocab) * d;

    StepCost cost;
    cost.flops = 2.0 * double(n_new) * layer_weights * double(c.n_layers) +
                 4.0 * double(c.n_heads * c.head_dim) * key_visits * double(c.n_layers) +
                 2.0 * classifier * double(n_logits);
    // Weights: every layer matrix and norm once per pass, the embedding rows of the new tokens,
    // the final norm, and the classifier when logits are computed.
    const double norms = 2.0 * d * double(c.n_layers) + d;
    cost.weight_bytes_read = kFloatBytes * (layer_weights * double(c.n_layers) + norms +
                                            d * double(n_new) + (n_logits > 0 ? classifier : 0.0));
    // K/V: each KV head's rows are read once per layer (shared by its query group).
    const double kv_per_token = double(c.kvBytesPerTokenPerLayer(4)) * double(c.n_layers);
    cost.kv_bytes_read = kv_per_token * end;
    cost.kv_bytes_written = kv_per_token * double(n_new);
    return cost;
}

}  // namespace kvscope
