#include "core/engine/cpu_math.h"

#include <algorithm>
#include <cmath>
#include <vector>

#if defined(__AVX2__)
#include <immintrin.h>
#endif

#include "core/engine/activation_math.h"
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

/// dot()'s partial sums of a . b before their final reduction: (s0 + s1) + (s2 + s3), and the
/// scalar tail.
Lanes partialSums(const float* a, const float* b, std::int64_t n, float& tail) {
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
    tail = 0.0f;
    for (; i < n; ++i)
        tail += a[i] * b[i];
    return (s0 + s1) + (s2 + s3);
}

}  // namespace

float dot(const float* a, const float* b, std::int64_t n) {
    // Four independent 8-lane sums over blocks of 32, then 8 at a time, then the scalar tail.
    // The order depends on n only, never on alignment or on the caller.
    float tail;
    return sumLanes(partialSums(a, b, n, tail)) + tail;
}

void dots(const float* q, const float* rows, std::int64_t stride, std::int64_t n_rows,
          std::int64_t n, float* out) {
    std::int64_t r = 0;
#if defined(__AVX2__)
    // Eight rows' sumLanes at once: lanes i and i + 4 added, then two horizontal adds give
    // ((v0 + v4) + (v1 + v5)) + ((v2 + v6) + (v3 + v7)) for every row, as sumLanes does.
    for (; r + 8 <= n_rows; r += 8) {
        __m256 t[4];
        alignas(32) float tails[8];
        for (int k = 0; k < 4; ++k) {
            const __m256 a = __m256(partialSums(q, rows + (r + 2 * k) * stride, n, tails[2 * k]));
            const __m256 b =
                __m256(partialSums(q, rows + (r + 2 * k + 1) * stride, n, tails[2 * k + 1]));
            t[k] = _mm256_add_ps(_mm256_permute2f128_ps(a, b, 0x20),
                                 _mm256_permute2f128_ps(a, b, 0x31));  // [row 2k | row 2k + 1]
        }
        const __m256 h = _mm256_hadd_ps(_mm256_hadd_ps(t[0], t[1]),
                                        _mm256_hadd_ps(t[2], t[3]));  // rows [0 2 4 6 | 1 3 5 7]
        const __m256 sums = _mm256_permutevar8x32_ps(h, _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7));
        _mm256_storeu_ps(out + r, _mm256_add_ps(sums, _mm256_load_ps(tails)));
    }
#endif
    for (; r < n_rows; ++r)
        out[r] = dot(q, rows + r * stride, n);
}

int threadsFor(std::int64_t work, int n_threads) {
    constexpr std::int64_t kMinWorkPerThread = 32 * 1024;  // multiply-adds, ~10 us of work
    return int(std::clamp<std::int64_t>(work / kMinWorkPerThread, 1, n_threads));
}

void rmsNorm(const Matrix& x, const Vector& weight, float eps, Matrix& out) {
    const std::int64_t d = x.cols();
    KVSCOPE_EXPECTS(weight.size() == d);
    out.resize(x.rows(), d);
    for (std::int64_t i = 0; i < x.rows(); ++i)
        rmsNormRow(x.data() + i * d, weight.data(), d, eps, out.data() + i * d);
}

void rmsNormRow(const float* x, const float* weight, std::int64_t d, float eps, float* out) {
    const float ss = dot(x, x, d) / float(d) + eps;
    const float inv = 1.0f / std::sqrt(ss);
    for (std::int64_t j = 0; j < d; ++j)
        out[j] = weight[j] * (inv * x[j]);
}

void swiGlu(Matrix& x, const Matrix& up) {
    float* g = x.data();
    const float* u = up.data();
    for (std::int64_t i = 0; i < x.size(); ++i)
        g[i] = hd::swiGlu(g[i], u[i]);
}

}  // namespace kvscope::cpu
