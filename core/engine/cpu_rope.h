#pragma once
// Rotary position embedding on the CPU, as ggml_rope_ext computes it without YaRN (ext_factor 0,
// attn_factor 1): pairs of a head's first rope_dims values rotate by position * freq[i], where
// freq[i] = freq_scale * theta^(-2i / rope_dims) / factor[i]. The pairs are adjacent (2i, 2i+1)
// for RopeStyle::Pairs (llama) or halves (i, i + rope_dims/2) for RopeStyle::Halves (NEOX: qwen,
// gemma, phi3); values past rope_dims pass through. The forward pass and the evictor's
// re-rotation (a key moved by delta positions rotates by ropeTable(spec, delta, 1)) share it.
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
};

/// The spec of `layer` of `c`: its style, ropeDims(), layerRopeTheta(layer) and
/// layerRopeFreqScale(layer), divided per pair by `factors` ([rope_dims / 2], Llama 3's
/// rope_freqs.weight) when it is not empty.
RopeSpec ropeSpec(const ModelConfig& c, std::int64_t layer, const Vector& factors);

/// cos/sin of every (position, pair) for positions [start_pos, start_pos + n); start_pos may be
/// negative (a rotation back).
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

/// Moves row i of `rows` ([n][width], width = n_heads * head_dim, keys already rotated at their
/// positions) by delta[i] positions (0: untouched): the key of position p becomes the key of
/// position p + delta, since rotations of a pair compose by adding angles. One table per run of
/// equal deltas. The evictor's re-rotation of cached keys, with the layer's spec.
void rotateRowsByDelta(float* rows, std::int64_t n, std::int64_t width, const RopeSpec& spec,
                       std::span<const std::int64_t> delta);

}  // namespace kvscope::cpu
