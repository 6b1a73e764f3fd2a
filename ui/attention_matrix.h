#pragma once
// Puts one head's attention rows, recorded step by step, back together as the full causal matrix
// a heatmap shows. Copies numbers; computes none.
#include <cstdint>
#include <span>
#include <vector>

#include "core/trace/step_record.h"

namespace kvscope {

/// [n_pos][n_pos] with n_pos = records.back().positionsAfter() (0 x 0 when there are no records):
/// row q holds the weights query position q gave to key positions 0..q, zero right of the
/// diagonal. A prefill record supplies a block of rows, a decode record one row. Rows whose record
/// holds no attention for (layer, head) stay zero.
Matrix assembleAttention(std::span<const StepRecord> records, std::int64_t layer,
                         std::int64_t head);

}  // namespace kvscope
