#include "core/engine/cpu_attention.h"

#include <algorithm>
#include <cmath>

#include "core/engine/cpu_math.h"
#include "core/util/check.h"

namespace kvscope::cpu {

namespace {

constexpr std::int64_t kChunk = 64;  // dimensions of out accumulated in registers at a time

typedef float Lanes __attribute__((vector_size(32)));  // eight floats (GCC vector extension)

/// f(j, run) for every visible slot j in slot order, with the run that holds it.
template <typename F>
void forVisible(std::span<const KvRun> runs, std::int64_t first_visible, std::int64_t n_visible,
                F&& f) {
    for (const KvRun& run : runs) {
        if (run.first_pos >= n_visible) break;
        const std::int64_t first = std::max(run.first_pos, first_visible);
        const std::int64_t last = std::min(run.first_pos + run.n_pos, n_visible);
        for (std::int64_t j = first; j < last; ++j)
            f(j, run);
    }
}

/// out[0 .. 8 N) = sum over visible j of probs[j] * v_j[offset ..], N eight-float registers.
template <int N>
void weightedSum(std::span<const KvRun> runs, std::int64_t offset, std::int64_t stride,
                 std::int64_t first_visible, std::int64_t n_visible, const float* probs,
                 float* out) {
    Lanes acc[N] = {};
    forVisible(runs, first_visible, n_visible, [&](std::int64_t j, const KvRun& run) {
        const float* v = run.v + (j - run.first_pos) * stride + offset;
        const float p = probs[j];
        for (int c = 0; c < N; ++c) {
            Lanes x;
            __builtin_memcpy(&x, v + 8 * c, sizeof x);
            acc[c] += p * x;
        }
    });
    __builtin_memcpy(out, acc, sizeof acc);
}

/// weightedSum<n_lanes>, n_lanes in 1..8.
void weightedSum8(std::span<const KvRun> runs, std::int64_t offset, std::int64_t stride,
                  std::int64_t first_visible, std::int64_t n_visible, const float* probs,
                  std::int64_t n_lanes, float* out) {
    using Fn = void (*)(std::span<const KvRun>, std::int64_t, std::int64_t, std::int64_t,
                        std::int64_t, const float*, float*);
    static constexpr Fn kByLanes[] = {weightedSum<1>, weightedSum<2>, weightedSum<3>,
                                      weightedSum<4>, weightedSum<5>, weightedSum<6>,
                                      weightedSum<7>, weightedSum<8>};
    KVSCOPE_EXPECTS(n_lanes >= 1 && n_lanes <= 8);
    kByLanes[n_lanes - 1](runs, offset, stride, first_visible, n_visible, probs, out);
}

}  // namespace

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
        if (first >= last) continue;
        dots(q, run.k + (first - run.first_pos) * stride + head_offset, stride, last - first, hd,
             probs + first);  // q.k of every key of the run
        for (std::int64_t j = first; j < last; ++j) {
            float score = probs[j] * spec.scale;
            if (spec.softcap > 0.0f) score = spec.softcap * std::tanh(score * inv_cap);
            probs[j] = score;
            max = std::max(max, score);
        }
    }
    float sum = 0.0f;
    for (std::int64_t j = first_visible; j < n_visible; ++j)
        sum += (probs[j] = std::exp(probs[j] - max));
    const float inv = 1.0f / sum;
    for (std::int64_t j = first_visible; j < n_visible; ++j)
        probs[j] *= inv;
    // out[d] = sum over j in slot order of probs[j] * v_j[d], 64 dimensions at a time held in
    // registers across the keys (each element's additions in the same order as one at a time).
    for (std::int64_t d0 = 0; d0 < hd; d0 += kChunk) {
        const std::int64_t width = std::min(kChunk, hd - d0);
        if (width % 8 == 0) {
            weightedSum8(runs, head_offset + d0, stride, first_visible, n_visible, probs, width / 8,
                         out + d0);
        } else {
            std::fill(out + d0, out + d0 + width, 0.0f);
            forVisible(runs, first_visible, n_visible, [&](std::int64_t j, const KvRun& run) {
                const float* v = run.v + (j - run.first_pos) * stride + head_offset + d0;
                for (std::int64_t d = 0; d < width; ++d)
                    out[d0 + d] += probs[j] * v[d];
            });
        }
    }
}

}  // namespace kvscope::cpu
