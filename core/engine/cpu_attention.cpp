#include "core/engine/cpu_attention.h"

#include <algorithm>
#include <cmath>

#include "core/engine/cpu_math.h"
#include "core/util/check.h"

namespace kvscope::cpu {

std::int64_t firstVisibleSlot(std::int64_t query_slot, std::int64_t window) {
    return window > 0 ? std::max<std::int64_t>(0, query_slot - window + 1) : 0;
}

void attendRow(const float* q, std::span<const KvRun> runs, std::int64_t head_offset,
               std::int64_t stride, const AttendSpec& spec, std::int64_t first_visible,
               std::int64_t n_visible, float* probs, float* out) {
    KVSCOPE_EXPECTS(first_visible >= 0 && first_visible < n_visible);
    // The same three passes over j = first_visible..n_visible-1 whatever the layout: runs only
    // say where slot j lives, never change the order of the arithmetic.
    const std::int64_t hd = spec.head_dim;
    const float inv_cap = spec.softcap > 0.0f ? 1.0f / spec.softcap : 0.0f;
    std::fill(probs, probs + first_visible, 0.0f);
    float max = -INFINITY;
    for (const KvRun& run : runs) {
        if (run.first_pos >= n_visible) break;  // runs are in slot order; the rest is future
        const std::int64_t first = std::max(run.first_pos, first_visible);
        const std::int64_t last = std::min(run.first_pos + run.n_pos, n_visible);
        for (std::int64_t j = first; j < last; ++j) {
            const float* k = run.k + (j - run.first_pos) * stride + head_offset;
            float score = dot(q, k, hd) * spec.scale;
            if (spec.softcap > 0.0f) score = spec.softcap * std::tanh(score * inv_cap);
            probs[j] = score;
            max = std::max(max, score);
        }
    }
    float sum = 0.0f;
    for (std::int64_t j = first_visible; j < n_visible; ++j)
        sum += (probs[j] = std::exp(probs[j] - max));
    const float inv = 1.0f / sum;
    std::fill(out, out + hd, 0.0f);
    for (const KvRun& run : runs) {
        if (run.first_pos >= n_visible) break;
        const std::int64_t first = std::max(run.first_pos, first_visible);
        const std::int64_t last = std::min(run.first_pos + run.n_pos, n_visible);
        for (std::int64_t j = first; j < last; ++j) {
            probs[j] *= inv;
            const float* v = run.v + (j - run.first_pos) * stride + head_offset;
            for (std::int64_t d = 0; d < hd; ++d)
                out[d] += probs[j] * v[d];
        }
    }
}

}  // namespace kvscope::cpu
