#pragma once
// Re-rotation of cached keys by a position delta (kvpress's key re-rotation): a key rotated by RoPE
// at position p becomes the key of position p + delta by one more rotation of delta, because RoPE
// rotations of a pair compose by adding angles. The rotation follows the layer's RoPE exactly as
// the forward pass applies it: base (ModelConfig::layerRopeTheta), style (adjacent pairs or the
// two halves), the dimensions rotated (the rest pass through), linear frequency scaling and
// optional per-pair frequency factors (llama3-style rope_freqs).
#include <cstdint>
#include <span>
#include <vector>

#include "core/model/model_config.h"

namespace kvscope {

/// Everything that fixes the angle of pair i at position p: p * freq_scale * theta^(-2i/dims) /
/// freq_factors[i] (factors empty: 1).
struct RopeParams {
    float theta = 10000.0f;
    RopeStyle style = RopeStyle::Pairs;
    std::int64_t dims = 0;  // dimensions rotated per head (even, <= head_dim)
    float freq_scale = 1.0f;
    std::span<const float> freq_factors;  // [dims / 2] or empty
};

/// The RoPE of `layer` of `config` (its base, the config's style, dims and scaling).
RopeParams ropeParamsOf(const ModelConfig& config, std::int64_t layer);

/// cos and sin of one delta for every rotated pair: [dims / 2] each. Build once per distinct
/// delta (after a window or streaming cut every moved key moves by the same amount).
struct DeltaRotation {
    std::int64_t delta = 0;
    std::vector<float> cos, sin;  // [dims / 2]
};
DeltaRotation deltaRotation(const RopeParams& rope, std::int64_t delta);

/// Rotates `n_heads` heads of `n_rows` key rows by `rot`. rows: row r's heads start at
/// rows + r * row_stride ([n_heads * head_dim] each): whole rows, or one group of KV heads.
void rotateKeyBlock(float* rows, std::int64_t n_rows, std::int64_t row_stride, std::int64_t n_heads,
                    std::int64_t head_dim, const RopeParams& rope, const DeltaRotation& rot);

/// Rotates the head segments of `n` key rows, row i by delta[i] (0: untouched); rows: [n][kv_dim]
/// with kv_dim = n_heads * head_dim. Builds one DeltaRotation per run of equal deltas.
void rotateKeyRows(float* rows, std::int64_t n, std::int64_t n_heads, std::int64_t head_dim,
                   const RopeParams& rope, std::span<const std::int64_t> delta);

}  // namespace kvscope
