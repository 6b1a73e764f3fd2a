#pragma once
// KV bytes of one sequence as a function of its length, sampled for plotting: exact estimator
// values (kvSequenceBytes, all KV heads, token-exact) at chosen contexts. The contexts include
// every point where the curve bends (a sliding window filling up, the kivi2 fp16 window) so that
// straight lines between the samples are the exact curve for every per-token format.
#include <cstdint>
#include <vector>

#include "core/memory/kv_footprint.h"

namespace kvscope {

struct KvCurve {
    std::vector<std::int64_t> contexts;  // [n] ascending, starts at 0
    std::vector<std::int64_t> bytes;     // [n] KV bytes of one sequence at contexts[i]
};

/// Sorted, unique contexts in [0, x_max]: n_steps + 1 evenly spaced points (rounded down), the
/// sliding window, the kivi2 window of `cache` when a dtype is kivi2, and `marker` (the chosen
/// context), each when inside the range. Pre: x_max >= 0, n_steps >= 1.
std::vector<std::int64_t> curveContexts(const ModelShape& shape, const CacheSpec& cache,
                                        std::int64_t x_max, std::int64_t marker, int n_steps);

/// kvSequenceBytes(shape, cache, shape.n_kv_heads, c) for each c in `contexts` (computed per
/// kind of layer: global, local; the same integers). Throws InputError when a total overflows
/// 64 bits.
KvCurve kvSequenceCurve(const ModelShape& shape, const CacheSpec& cache,
                        const std::vector<std::int64_t>& contexts);

}  // namespace kvscope
