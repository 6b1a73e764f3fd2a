#pragma once
// Puts one head's attention rows, recorded step by step, back together as the full causal matrix
// a heatmap shows and `kvscope-cli attention` prints. Copies numbers; computes none.
#include <cstdint>
#include <span>
#include <vector>

#include "core/engine/step_record.h"

namespace kvscope {

struct AttentionMatrix {
    /// [n_pos][n_pos]: row q holds the weights query position q gave to key positions 0..q, zero
    /// right of the diagonal and in rows no record supplied.
    Matrix weights;
    std::vector<bool> recorded;  // [n_pos]: whether some record supplied row q

    /// The first query position no record supplied; -1 when every row was recorded.
    std::int64_t firstMissingRow() const;
};

/// Assembles rows 0 .. n_positions - 1 (n_positions < 0: records.back().positionsAfter(), 0 when
/// there are no records). A prefill record supplies a block of rows, a decode record one row.
/// A record without attention for (layer, head), or whose block is not causal ([n_query][first +
/// n_query] with first >= 0), supplies nothing: its rows stay zero and unrecorded. Never throws;
/// callers that need every row check firstMissingRow().
AttentionMatrix assembleAttention(std::span<const StepRecord> records, std::int64_t layer,
                                  std::int64_t head, std::int64_t n_positions = -1);

}  // namespace kvscope
