#pragma once
// One query row of one attention head over a layer's cached K/V, on the CPU: scaled dot
// products, optional soft-capping (gemma2), the causal and sliding-window mask, softmax, and the
// probability-weighted sum of V.
#include <cstdint>
#include <span>

#include "core/cache/kv_cache.h"

namespace kvscope::cpu {

struct AttendSpec {
    std::int64_t head_dim = 0;
    float scale = 1.0f;    // score = scale * q.k (1/sqrt(head_dim), or the model's query scale)
    float softcap = 0.0f;  // > 0: score -> softcap * tanh(score / softcap) (gemma2); 0: none
};

/// The query sees slots [first_visible, n_visible): n_visible - 1 is its own slot (causal), and a
/// sliding-window layer of window W starts at max(0, n_visible - W). Keys are read from `runs`
/// (in slot order, the first at slot 0) key by key in slot order, so every layout gives the same
/// bits. q: [head_dim]; each run's k/v: rows of `stride` floats, the head's slice at
/// `head_offset`; probs: [n_visible] out, 0 before first_visible; out: [head_dim].
/// Pre: 0 <= first_visible < n_visible, the runs hold at least n_visible slots.
void attendRow(const float* q, std::span<const KvRun> runs, std::int64_t head_offset,
               std::int64_t stride, const AttendSpec& spec, std::int64_t first_visible,
               std::int64_t n_visible, float* probs, float* out);

/// The first slot a query at slot `query_slot` sees: max(0, query_slot - window + 1) for a
/// window > 0, else 0.
std::int64_t firstVisibleSlot(std::int64_t query_slot, std::int64_t window);

}  // namespace kvscope::cpu
