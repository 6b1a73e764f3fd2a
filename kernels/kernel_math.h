#pragma once
// The per-element math of the CUDA kernels, as KVSCOPE_HD functions (core/util/host_device.h):
// compiled by nvcc for the device and by the host compiler for the tests (tests/kernels/
// test_kernel_math.cpp), which check them against the CPU backend (core/engine/cpu_math.h).
// What a kernel adds to these is only launch geometry and memory movement.
//
// No CUDA header here: plain C++ includes this file.
#include <cstdint>

#include "core/engine/activation_math.h"
#include "core/util/half_math.h"
#include "core/util/host_device.h"

namespace kvscope::hd {

// ---- the CPU's fixed-order dot product, lane by lane ------------------------------------------
// cpu::dot keeps four 8-lane partial sums over blocks of 32 values: 32 accumulators, one per
// position in the block, which is one per lane of a CUDA warp. Lane L accumulates a[i+L]*b[i+L]
// over the blocks of 32; lanes 0..7 go on over the following blocks of 8 (cpu::dot's s0); the
// scalar tail and the fixed combining tree follow. A warp computing dotLane() per lane and then
// dotCombine() gives cpu::dot's bits whenever the multiply-adds round alike (see the tests).

inline constexpr int kDotLanes = 32;

/// Stored 16-bit floats, told apart by type: a weight row of fp16 or bf16 bits.
struct Fp16Bits {
    std::uint16_t bits;
};
struct Bf16Bits {
    std::uint16_t bits;
};
KVSCOPE_HD float loadValue(const float* p, std::int64_t i) {
    return p[i];
}
KVSCOPE_HD float loadValue(const Fp16Bits* p, std::int64_t i) {
    return fp16ToFp32(p[i].bits);
}
KVSCOPE_HD float loadValue(const Bf16Bits* p, std::int64_t i) {
    return bf16ToFp32(p[i].bits);
}

/// Lane `lane`'s partial sum (0 <= lane < 32) of dot(a, b); a 16-bit b is widened exactly first
/// (as the CPU decodes a weight row before its dot products).
template <typename A, typename B>
KVSCOPE_HD float dotLane(const A* a, const B* b, std::int64_t n, int lane) {
    float s = 0.0f;
    std::int64_t i = 0;
    for (; i + 32 <= n; i += 32)
        s += loadValue(a, i + lane) * loadValue(b, i + lane);
    if (lane < 8) {
        for (; i + 8 <= n; i += 8)
            s += loadValue(a, i + lane) * loadValue(b, i + lane);
    }
    return s;
}

/// The scalar tail of cpu::dot: the values after the last whole block of 8.
template <typename A, typename B>
KVSCOPE_HD float dotTail(const A* a, const B* b, std::int64_t n) {
    float tail = 0.0f;
    for (std::int64_t i = n / 8 * 8; i < n; ++i)
        tail += loadValue(a, i) * loadValue(b, i);
    return tail;
}

/// cpu::dot's combining tree over the 32 lane sums: (s0 + s1) + (s2 + s3) lane-wise (s_r is
/// lanes 8r..8r+7), then ((v0 + v4) + (v1 + v5)) + ((v2 + v6) + (v3 + v7)), then the tail.
/// (kernels/warp_dot.cuh does the same with warp shuffles.)
KVSCOPE_HD float dotCombine(const float* lanes, float tail) {
    float v[8];
    for (int k = 0; k < 8; ++k)
        v[k] = (lanes[k] + lanes[8 + k]) + (lanes[16 + k] + lanes[24 + k]);
    return (((v[0] + v[4]) + (v[1] + v[5])) + ((v[2] + v[6]) + (v[3] + v[7]))) + tail;
}

/// cpu::dot on one thread.
KVSCOPE_HD float dotFixed(const float* a, const float* b, std::int64_t n) {
    float lanes[kDotLanes];
    for (int lane = 0; lane < kDotLanes; ++lane)
        lanes[lane] = dotLane(a, b, n, lane);
    return dotCombine(lanes, dotTail(a, b, n));
}

// ---- RMSNorm and RoPE (the activations: core/engine/activation_math.h)
// -----------------------------------------------------------

/// The factor RMSNorm multiplies a row by: 1 / sqrt(sum(x^2) / d + eps) (llama2.c).
KVSCOPE_HD float rmsInverse(float sum_squares, std::int64_t d, float eps) {
    return 1.0f / sqrtf(sum_squares / float(d) + eps);
}

/// out[j] = weight[j] * (inv * x[j]) for one row, inv from rmsInverse().
KVSCOPE_HD float rmsScale(float x, float weight, float inv) {
    return weight * (inv * x);
}

/// RMSNorm of one row on one thread: x, out, weight: [d].
KVSCOPE_HD void rmsNormRow(const float* x, const float* weight, std::int64_t d, float eps,
                           float* out) {
    const float inv = rmsInverse(dotFixed(x, x, d), d, eps);
    for (std::int64_t j = 0; j < d; ++j)
        out[j] = rmsScale(x[j], weight[j], inv);
}

/// How the values of a head are paired for RoPE.
enum class RopePairs : int {
    Adjacent = 0,  // (2p, 2p + 1): llama, llama2.c (GGML rope mode 0)
    Neox = 1,      // (p, p + rotary_dims / 2): GPT-NeoX, Qwen, Gemma (GGML rope mode 2)
};

/// The two indices (within a head) of RoPE pair p, for rotary_dims rotated dimensions.
KVSCOPE_HD void ropePairIndices(RopePairs style, std::int64_t p, std::int64_t rotary_dims,
                                std::int64_t* first, std::int64_t* second) {
    if (style == RopePairs::Adjacent) {
        *first = 2 * p;
        *second = 2 * p + 1;
    } else {
        *first = p;
        *second = p + rotary_dims / 2;
    }
}

/// Rotates one pair (a, b) by the angle whose cosine and sine are c, s.
KVSCOPE_HD void ropeRotate(float* a, float* b, float c, float s) {
    const float x = *a, y = *b;
    *a = x * c - y * s;
    *b = x * s + y * c;
}

/// RoPE of one head in place: head [head_dim], cos/sin [rotary_dims / 2] of its position.
KVSCOPE_HD void ropeHead(float* head, const float* cos, const float* sin, std::int64_t rotary_dims,
                         RopePairs style) {
    for (std::int64_t p = 0; p < rotary_dims / 2; ++p) {
        std::int64_t i = 0, j = 0;
        ropePairIndices(style, p, rotary_dims, &i, &j);
        ropeRotate(head + i, head + j, cos[p], sin[p]);
    }
}

// ---- attention: the online softmax ------------------------------------------------------
// A partial result of attention over some keys: m = the largest score, l = sum exp(s - m),
// acc = sum exp(s - m) v. Empty: m = -inf, l = 0, acc = 0. The output is acc / l.

struct SoftmaxState {
    float m;
    float l;
};

KVSCOPE_HD SoftmaxState emptySoftmax() {
    return {-INFINITY, 0.0f};
}

/// Adds one score s to a state: returns the factor to scale the old acc by, and sets *p to
/// the weight of the new value (acc = acc * factor + p * v).
KVSCOPE_HD float softmaxAdd(SoftmaxState* state, float s, float* p) {
    const float m_new = maxOf(state->m, s);
    const float factor = state->l == 0.0f ? 0.0f : expf(state->m - m_new);
    *p = expf(s - m_new);
    state->l = state->l * factor + *p;
    state->m = m_new;
    return factor;
}

/// Merges partial result b into a (acc_a, acc_b: [n] each): the split-K combine. Either may be
/// empty.
KVSCOPE_HD void softmaxMerge(SoftmaxState* a, float* acc_a, SoftmaxState b, const float* acc_b,
                             std::int64_t n) {
    if (b.l == 0.0f) return;
    if (a->l == 0.0f) {
        *a = b;
        for (std::int64_t d = 0; d < n; ++d)
            acc_a[d] = acc_b[d];
        return;
    }
    const float m = maxOf(a->m, b.m);
    const float fa = expf(a->m - m), fb = expf(b.m - m);
    for (std::int64_t d = 0; d < n; ++d)
        acc_a[d] = acc_a[d] * fa + acc_b[d] * fb;
    a->l = a->l * fa + b.l * fb;
    a->m = m;
}

/// One split's partial attention over keys [first, last) of one head: score_j = dot(q, k_j) *
/// scale; `key(j, d)` and `value(j, d)` read (dequantize) element d of key/value j. acc: [head_dim]
/// (zeroed here). scores (optional): [last - first] raw scores out. The kernel computes the
/// same per key with its lanes splitting d.
template <typename KeyAt, typename ValueAt>
KVSCOPE_HD SoftmaxState attendSplit(const float* q, std::int64_t head_dim, float scale,
                                    std::int64_t first, std::int64_t last, KeyAt key, ValueAt value,
                                    float* acc, float* scores) {
    SoftmaxState state = emptySoftmax();
    for (std::int64_t d = 0; d < head_dim; ++d)
        acc[d] = 0.0f;
    for (std::int64_t j = first; j < last; ++j) {
        float s = 0.0f;
        for (std::int64_t d = 0; d < head_dim; ++d)
            s += q[d] * key(j, d);
        s *= scale;
        if (scores) scores[j - first] = s;
        float p = 0.0f;
        const float factor = softmaxAdd(&state, s, &p);
        for (std::int64_t d = 0; d < head_dim; ++d)
            acc[d] = acc[d] * factor + p * value(j, d);
    }
    return state;
}

/// Softmax denominator of a finished state: out[d] = acc[d] / l.
KVSCOPE_HD float softmaxFinish(SoftmaxState state, float acc) {
    return state.l == 0.0f ? 0.0f : acc / state.l;
}

}  // namespace kvscope::hd
