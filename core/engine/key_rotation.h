#pragma once
// Re-rotation of cached keys by a position delta (kvpress's key re-rotation): a key rotated by RoPE
// at position p becomes the key of position p + delta by one more rotation of delta, because RoPE
// rotations of a pair compose by adding angles. The rotation is the forward pass's own RoPE
// (cpu_rope.h: the layer's base, style, rotated dimensions, scaling and frequency factors), so a
// re-rotated key is the key the forward pass would have written at the new position. The
// forward pass scales cos and sin by the attention factor (LongRoPE, YaRN) once; a delta rotation
// has mscale 1, so a moved key keeps that one factor.
#include <cstdint>

#include "core/engine/cpu_rope.h"

namespace kvscope {

/// cos and sin of one delta for every rotated pair (one table row, unscaled: mscale 1). Build once
/// per distinct delta: after a window or streaming cut every moved key moves by the same amount.
struct DeltaRotation {
    std::int64_t delta = 0;
    cpu::RopeTable table;  // [1][rope_dims / 2]
    bool built() const { return table.cos.size() != 0; }
};
DeltaRotation deltaRotation(const cpu::RopeSpec& spec, std::int64_t delta);

/// Rotates `n_rows` key rows by `rot`: row r's `width` values (whole heads: all of a row, or one
/// group of KV heads) start at rows + r * row_stride.
void rotateKeyBlock(float* rows, std::int64_t n_rows, std::int64_t row_stride, std::int64_t width,
                    const cpu::RopeSpec& spec, const DeltaRotation& rot);

}  // namespace kvscope
