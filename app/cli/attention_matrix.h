#pragma once
// The full causal attention matrix of one layer and query head, put together from the attention
// rows each Session step recorded.
#include <cstdint>
#include <span>

#include "core/model/model_weights.h"
#include "core/trace/step_record.h"

namespace kvscope::cli {

/// [n_positions][n_positions]: row q holds the weights query position q gave key positions
/// 0..q; entries right of the diagonal are 0. Every row in [0, n_positions) must have been
/// recorded (the records cover positions 0.. contiguously); throws std::logic_error otherwise.
Matrix assembleAttention(std::span<const StepRecord> records, std::int64_t layer, std::int64_t head,
                         std::int64_t n_positions);

}  // namespace kvscope::cli
