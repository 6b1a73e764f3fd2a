#include "core/engine/cpu_math.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "core/util/check.h"

namespace kvscope::cpu {

namespace {

// Eight floats as one SIMD register (GCC/Clang vector extension): the partial sums of dot().
typedef float Lanes __attribute__((vector_size(32)));

Lanes load(const float* p) {
    Lanes v;
    __builtin_memcpy(&v, p, sizeof v);  // unaligned load
    return v;
}

float sumLanes(Lanes v) {
    return ((v[0] + v[4]) + (v[1] + v[5])) + ((v[2] + v[6]) + (v[3] + v[7]));
}

}  // namespace

float dot(const float* a, const float* b, std::int64_t n) {
    // Four independent 8-lane sums over blocks of 32, then 8 at a time, then the scalar tail.
    // The order depends on n only, never on alignment or on the caller.
    Lanes s0 = {}, s1 = {}, s2 = {}, s3 = {};
    std::int64_t i = 0;
    for (; i + 32 <= n; i += 32) {
        s0 += load(a + i) * load(b + i);
        s1 += load(a + i + 8) * load(b + i + 8);
        s2 += load(a + i + 16) * load(b + i + 16);
        s3 += load(a + i + 24) * load(b + i + 24);
    }
    for (; i + 8 <= n; i += 8)
        s0 += load(a + i) * load(b + i);
    float tail = 0.0f;
    for (; i < n; ++i)
        tail += a[i] * b[i];
    return sumLanes((s0 + s1) + (s2 + s3)) + tail;
}

int threadsFor(std::int64_t work, int n_threads) {
    constexpr std::int64_t kMinWorkPerThread = 32 * 1024;  // multiply-adds, ~10 us of work
    return int(std::clamp<std::int64_t>(work / kMinWorkPerThread, 1, n_threads));
}

void rmsNorm(const Matrix& x, const Vector& weight, float eps, Matrix& out) {
    const std::int64_t d = x.cols();
    out.resize(x.rows(), d);
    for (std::int64_t i = 0; i < x.rows(); ++i) {
        const float* xi = x.data() + i * d;
        const float ss = dot(xi, xi, d) / float(d) + eps;
        const float inv = 1.0f / std::sqrt(ss);
        float* oi = out.data() + i * d;
        for (std::int64_t j = 0; j < d; ++j)
            oi[j] = weight[j] * (inv * xi[j]);
    }
}

void swiGlu(Matrix& x, const Matrix& up) {
    float* g = x.data();
    const float* u = up.data();
    for (std::int64_t i = 0; i < x.size(); ++i)
        g[i] = g[i] / (1.0f + std::exp(-g[i])) * u[i];
}

RopeTable ropeTable(std::int64_t start_pos, std::int64_t n, std::int64_t head_dim, float theta) {
    RopeTable t{Matrix(n, head_dim / 2), Matrix(n, head_dim / 2)};
    for (std::int64_t i = 0; i < n; ++i) {
        const float pos = float(start_pos + i);
        for (std::int64_t p = 0; p < head_dim / 2; ++p) {
            const float freq = 1.0f / std::pow(theta, float(2 * p) / float(head_dim));
            const float angle = pos * freq;
            t.cos(i, p) = std::cos(angle);
            t.sin(i, p) = std::sin(angle);
        }
    }
    return t;
}

void applyRope(Matrix& x, const RopeTable& t, std::int64_t head_dim) {
    const std::int64_t half = head_dim / 2;
    for (std::int64_t i = 0; i < x.rows(); ++i) {
        float* row = x.data() + i * x.cols();
        for (std::int64_t base = 0; base < x.cols(); base += head_dim) {
            for (std::int64_t p = 0; p < half; ++p) {
                const float c = t.cos(i, p), s = t.sin(i, p);
                float* pair = row + base + 2 * p;
                const float a = pair[0], b = pair[1];
                pair[0] = a * c - b * s;
                pair[1] = a * s + b * c;
            }
        }
    }
}

void attendRow(const float* q, std::span<const KvRun> runs, std::int64_t head_offset,
               std::int64_t stride, std::int64_t head_dim, std::int64_t n_visible, float* probs,
               float* out) {
    // The same three passes over j = 0..n_visible-1 whatever the layout: runs only say where
    // row j lives, never change the order of the arithmetic.
    const float scale = 1.0f / std::sqrt(float(head_dim));
    float max = -INFINITY;
    for (const KvRun& run : runs) {
        if (run.first_pos >= n_visible) break;  // runs are in position order; the rest is future
        const std::int64_t last = std::min(run.first_pos + run.n_pos, n_visible);
        for (std::int64_t j = run.first_pos; j < last; ++j) {
            const float* k = run.k + (j - run.first_pos) * stride + head_offset;
            probs[j] = dot(q, k, head_dim) * scale;
            max = std::max(max, probs[j]);
        }
    }
    float sum = 0.0f;
    for (std::int64_t j = 0; j < n_visible; ++j)
        sum += (probs[j] = std::exp(probs[j] - max));
    const float inv = 1.0f / sum;
    std::fill(out, out + head_dim, 0.0f);
    for (const KvRun& run : runs) {
        if (run.first_pos >= n_visible) break;
        const std::int64_t last = std::min(run.first_pos + run.n_pos, n_visible);
        for (std::int64_t j = run.first_pos; j < last; ++j) {
            probs[j] *= inv;
            const float* v = run.v + (j - run.first_pos) * stride + head_offset;
            for (std::int64_t d = 0; d < head_dim; ++d)
                out[d] += probs[j] * v[d];
        }
    }
}

}  // namespace kvscope::cpu
