#pragma once
// Rotary position embedding on the CPU, as ggml_rope_ext computes it: pairs of a head's first
// rope_dims values rotate by position * freq[i] and are scaled by mscale, where
// freq[i] = freq_scale * theta^(-2i / rope_dims) / factor[i] (factor: Llama 3's rope_freqs or
// LongRoPE's short or long set) and mscale = rope.scaling.attn_factor; with YaRN (ggml's
// rope_yarn, ext_factor 1) freq[i] blends theta^(-2i / rope_dims) / factor[i] (extrapolation)
// with freq_scale times it (interpolation) by a ramp over the correction dims, and mscale gains
// 1 + 0.1 ln(1 / freq_scale). The pairs are adjacent (2i, 2i+1) for RopeStyle::Pairs (llama) or
// halves (i, i + rope_dims/2) for RopeStyle::Halves (NEOX: qwen, gemma, phi3); values past
// rope_dims pass through. The forward pass and the evictor's re-rotation (key_rotation.h: a key
// moved by delta positions rotates by the table of delta with mscale 1, a rotation only) share
// it.
#include <cstdint>
#include <span>
#include <vector>

#include "core/model/model_config.h"
#include "core/model/weight_matrix.h"

namespace kvscope::cpu {

/// How one layer rotates its queries and keys.
struct RopeSpec {
    RopeStyle style = RopeStyle::Pairs;
    std::int64_t head_dim = 0;   // values per head
    std::int64_t rope_dims = 0;  // the first rope_dims values of each head rotate (even)
    std::vector<float> freqs;    // [rope_dims / 2] radians per position of pair i
    float mscale = 1.0f;         // cos and sin are multiplied by it (attn_factor, YaRN's gain)
};

/// The spec of `layer` of `c`: its style, ropeDims(), layerRopeTheta(layer) and
/// layerRopeFreqScale(layer), divided per pair by `factors` ([rope_dims / 2],
/// ModelWeights::ropeFactors: Llama 3's rope_freqs or a LongRoPE set) when it is not empty,
/// YaRN's blend when c.rope_scaling is Yarn, mscale from c.rope_attn_factor.
RopeSpec ropeSpec(const ModelConfig& c, std::int64_t layer, const Vector& factors);

/// mscale * cos/sin of every (position, pair) for positions [start_pos, start_pos + n);
/// start_pos may be negative (a rotation back).
struct RopeTable {
    Matrix cos;  // [n][rope_dims / 2]
    Matrix sin;  // [n][rope_dims / 2]
};
RopeTable ropeTable(const RopeSpec& spec, std::int64_t start_pos, std::int64_t n);

/// Rotates every head of one row in place by row `table_row` of `table`.
/// row: [width] = [n_heads * head_dim].
void rotateRow(float* row, std::int64_t width, const RopeTable& table, std::int64_t table_row,
               const RopeSpec& spec);

/// Rotates row i of x by row i of the table. x: [n][n_heads * head_dim].
void applyRope(Matrix& x, const RopeTable& table, const RopeSpec& spec);

}  // namespace kvscope::cpu
