#pragma once
// The launchers of the CUDA kernels: device pointers in, work queued on `stream`. Internal to
// kernels/ (.cu files); plain C++ reaches them through CudaBackend and cuda_ops.h.
#include <cuda_runtime.h>

#include <cstdint>

#include "kernels/kernel_math.h"
#include "kernels/kv_layout.h"

namespace kvscope::cuda {

/// How a weight matrix is stored on the device.
enum class WeightType { F32, F16, BF16 };

struct DeviceMatrix {
    const void* data = nullptr;  // [rows][cols] of `type`
    WeightType type = WeightType::F32;
    std::int64_t rows = 0, cols = 0;
};

/// y = x W^T: x [n][cols] fp32, y [n][rows] fp32. One warp per output value and token block,
/// each lane summing the values the CPU's dot product gives its lane (hd::dotLane), combined in
/// cpu::dot's order: the same bits as cpu::linear when both sides fuse multiply-adds alike.
void linear(const float* x, std::int64_t n, const DeviceMatrix& w, float* y, cudaStream_t stream);

/// out = RMSNorm(x) * weight row by row: x, out [n][d], weight [d]. One warp per row.
void rmsNorm(const float* x, const float* weight, std::int64_t n, std::int64_t d, float eps,
             float* out, cudaStream_t stream);

/// RoPE in place: x [n][n_heads * head_dim]; cos, sin [n][rotary_dims / 2] (the CPU's table).
void rope(float* x, std::int64_t n, std::int64_t n_heads, std::int64_t head_dim,
          std::int64_t rotary_dims, hd::RopePairs style, const float* cos, const float* sin,
          cudaStream_t stream);

/// gate = act(gate) * up element-wise (SwiGLU, or GeGLU when gelu): [count].
void gatedActivation(float* gate, const float* up, std::int64_t count, bool gelu,
                     cudaStream_t stream);

/// x += y element-wise: [count].
void addInPlace(float* x, const float* y, std::int64_t count, cudaStream_t stream);

/// Encodes K and V rows of positions [first_pos, first_pos + n) of one sequence into `layer`
/// of the pool, through its block table (`table`: [n_logical] physical block ids). k, v:
/// [n][n_kv_heads * head_dim] fp32. The bytes are the CPU codec's (core/cache/kv_row_math.h).
void appendKv(const KvLayout& layout, std::uint8_t* pool, std::int64_t layer, const int* table,
              std::int64_t first_pos, std::int64_t n, const float* k, const float* v,
              cudaStream_t stream);

/// Attention of queries over paged K/V, split-K (flash-decoding) with the online softmax.
/// Query i belongs to sequence seq_of_query[i] (its block table: tables + seq * table_stride)
/// and sees that sequence's keys [0, visible[i]). A block of threads handles one query, one KV
/// head, up to 8 of the query heads that share it (read once for all of them) and one split of
/// the keys; a second kernel merges the splits.
struct AttentionArgs {
    KvLayout layout;
    const std::uint8_t* pool = nullptr;
    std::int64_t layer = 0;
    const int* tables = nullptr;  // [n_seqs][table_stride]
    std::int64_t table_stride = 0;
    const float* q = nullptr;  // [n_queries][n_heads * head_dim]
    std::int64_t n_queries = 0, n_heads = 0;
    const int* seq_of_query = nullptr;  // [n_queries]
    const int* visible = nullptr;       // [n_queries]
    std::int64_t max_visible = 0;       // max of visible[]
    float scale = 1.0f;
    float* out = nullptr;  // [n_queries][n_heads * head_dim]
    /// Optional: the attention weights, [n_heads][n_queries][scores_stride], zero past visible.
    float* probs = nullptr;
    std::int64_t scores_stride = 0;
};

/// Scratch the attention needs: partial results of every split.
struct AttentionScratch {
    float* partial_acc = nullptr;  // [n_queries][n_heads][n_splits][head_dim]
    float* partial_ml = nullptr;   // [n_queries][n_heads][n_splits][2]
    float* final_ml = nullptr;     // [n_queries][n_heads][2]
};

/// Splits of `max_visible` keys: enough blocks to fill the device (2 per SM), at least 128 keys
/// per split (a multiple of the block size), at most 64 splits.
struct AttentionPlan {
    std::int64_t n_splits = 1, split_keys = 0;
    std::int64_t accFloats(std::int64_t n_queries, std::int64_t n_heads,
                           std::int64_t head_dim) const {
        return n_queries * n_heads * n_splits * head_dim;
    }
    std::int64_t mlFloats(std::int64_t n_queries, std::int64_t n_heads) const {
        return n_queries * n_heads * n_splits * 2;
    }
};
AttentionPlan planAttention(const AttentionArgs& args, int n_sm);

void attention(const AttentionArgs& args, const AttentionPlan& plan,
               const AttentionScratch& scratch, cudaStream_t stream);

/// The number of streaming multiprocessors of the current device.
int deviceSmCount();

}  // namespace kvscope::cuda
