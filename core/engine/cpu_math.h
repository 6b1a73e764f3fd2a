#pragma once
// The arithmetic of the CPU backend. Every output element is computed by the same fixed-order
// dot product whatever the batch size or thread count, so a token's numbers do not depend on how
// many others share its pass: batched prefill, token-by-token decode and recompute agree exactly.
#include <cstdint>
#include <span>

#include "core/cache/kv_cache.h"
#include "core/model/model_weights.h"

namespace kvscope::cpu {

/// sum_i a[i] * b[i] in a fixed order (8 interleaved partial sums, then a fixed tree).
float dot(const float* a, const float* b, std::int64_t n);

/// out[r] = dot(q, rows + r * stride, n) for r < n_rows, the same bits, eight rows at a time
/// where the build has AVX2 (one reduction for the eight). q: [n]; rows: n_rows rows of
/// `stride` floats; out: [n_rows].
void dots(const float* q, const float* rows, std::int64_t stride, std::int64_t n_rows,
          std::int64_t n, float* out);

/// Threads worth using for `work` multiply-adds: a parallel region costs microseconds (far more
/// on a busy machine), so small products run on the calling thread.
int threadsFor(std::int64_t work, int n_threads);

/// How a matrix product treats its activations (the rows of x).
///   LlamaCpp (CpuBackend's default, --activations q8): as llama.cpp's CPU backend does. Before
///     a quantized W multiplies them, the rows are rounded once to 8-bit blocks (Q8_0 / Q8_1 /
///     Q8_K, per activationType(), core/engine/q8_activations.h) and every dot product
///     multiplies integers (core/engine/int_dot.h). F32, F16 and BF16 W: float rows (ggml
///     converts the rows to fp16 / bf16 for F16 / BF16 weights; rounding them here moved
///     qwen2-f16's logits further from llama.cpp's, test_arch_golden.cpp, so it is not done).
///   Float (--activations float; MatmulOptions' default): the rows stay fp32 and W is decoded
///     (bit-identical to ggml) a block of rows at a time, so the result is exactly that of W's
///     fp32 expansion.
enum class Activations { LlamaCpp, Float };
const char* activationsName(Activations a);

struct MatmulOptions {
    int n_threads = 1;
    Activations activations = Activations::Float;
};

/// y = x W^T, matrix-matrix: W is walked in blocks of rows, each block reused for every row of
/// x while it is hot in cache. Blocks are split over n_threads. A quantized W is read in place
/// (its blocks, never an fp32 copy of the matrix), as options.activations says.
/// x: [n][in], w: [out][in], y: [n][out].
void linear(const Matrix& x, const WeightMatrix& w, Matrix& y, const MatmulOptions& options);

/// out = RMSNorm(x) * weight, row by row (llama2.c rmsnorm). x, out: [n][d]; weight: [d].
void rmsNorm(const Matrix& x, const Vector& weight, float eps, Matrix& out);
/// One row of rmsNorm: out = weight * (x / sqrt(mean(x^2) + eps)). x, weight, out: [d]; out may
/// be x (in place).
void rmsNormRow(const float* x, const float* weight, std::int64_t d, float eps, float* out);

/// x = silu(x) * up, element-wise (SwiGLU). x, up: [n][d_ff].
void swiGlu(Matrix& x, const Matrix& up);

}  // namespace kvscope::cpu
