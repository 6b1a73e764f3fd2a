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

/// Threads worth using for `work` multiply-adds: a parallel region costs microseconds (far more
/// on a busy machine), so small products run on the calling thread.
int threadsFor(std::int64_t work, int n_threads);

/// How a matrix product treats its activations (the rows of x).
///   LlamaCpp (the default): as llama.cpp's CPU backend does. Before a quantized W multiplies
///     them, the rows are rounded once to 8-bit blocks (Q8_0 / Q8_1 / Q8_K, per
///     activationType(), core/engine/q8_activations.h) and every dot product multiplies integers
///     (core/engine/int_dot.h); before an F16 or BF16 W, they are rounded to fp16 / bf16. F32 W:
///     float rows.
///   Float: the rows stay fp32 and W is decoded (bit-identical to ggml) a block of rows at a
///     time, so the result is exactly that of W's fp32 expansion.
enum class Activations { LlamaCpp, Float };
const char* activationsName(Activations a);

struct MatmulOptions {
    int n_threads = 1;
    Activations activations = Activations::LlamaCpp;
};

/// y = x W^T, matrix-matrix: W is walked in blocks of rows, each block reused for every row of
/// x while it is hot in cache. Blocks are split over n_threads. A quantized W is read in place
/// (its blocks, never an fp32 copy of the matrix), as options.activations says.
/// x: [n][in], w: [out][in], y: [n][out].
void linear(const Matrix& x, const WeightMatrix& w, Matrix& y, const MatmulOptions& options);

/// out = RMSNorm(x) * weight, row by row (llama2.c rmsnorm). x, out: [n][d]; weight: [d].
void rmsNorm(const Matrix& x, const Vector& weight, float eps, Matrix& out);

/// x = silu(x) * up, element-wise (SwiGLU). x, up: [n][d_ff].
void swiGlu(Matrix& x, const Matrix& up);

/// cos/sin of every (position, pair) of a pass, computed as llama2.c does (float).
struct RopeTable {
    Matrix cos;  // [n_tokens][head_dim / 2]
    Matrix sin;  // [n_tokens][head_dim / 2]
};
RopeTable ropeTable(std::int64_t start_pos, std::int64_t n, std::int64_t head_dim, float theta);

/// Rotates adjacent pairs (2p, 2p+1) of every head in place. x: [n][n_heads * head_dim].
void applyRope(Matrix& x, const RopeTable& table, std::int64_t head_dim);

/// One query row of one head over keys 0..n_visible-1, read from `runs` (in position order, the
/// first at position 0) key by key in position order, so every layout gives the same bits.
/// q: [head_dim]; each run's k/v: rows of `stride` floats, the head's slice at `head_offset`;
/// probs: [n_visible] out; out: [head_dim]. Pre: the runs hold at least n_visible positions.
void attendRow(const float* q, std::span<const KvRun> runs, std::int64_t head_offset,
               std::int64_t stride, std::int64_t head_dim, std::int64_t n_visible, float* probs,
               float* out);

}  // namespace kvscope::cpu
