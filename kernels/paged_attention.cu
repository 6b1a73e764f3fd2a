// Paged attention, split-K (flash-decoding): a block of 4 warps takes one query, one KV head,
// up to 8 of the query heads sharing it (GQA/MQA: the KV rows are read once for all of them) and
// one split of the keys. Each warp walks its keys 4 at a time: the lanes dequantize the K and V
// rows (core/cache/kv_row_math.h, straight from the block the table names), reduce the scores
// and keep an online softmax per head (hd::softmaxAdd); the warps then merge (hd::softmaxMerge)
// into one partial result per split, and a second kernel merges the splits in order.
#include <algorithm>
#include <cstdint>
#include <type_traits>

#include "kernels/cuda_check.cuh"
#include "kernels/kernel_launch.cuh"
#include "kernels/kv_codec_dispatch.cuh"
#include "kernels/warp_dot.cuh"

namespace kvscope::cuda {
namespace {

constexpr int kWarps = 4;
constexpr int kThreads = 32 * kWarps;
constexpr int kGroupTile = 8;  // query heads per block
constexpr int kKeysPerStep = 4;
constexpr std::int64_t kMaxHeadDim = 256;

/// Values d0 .. d0 + kDims - 1 of an encoded row (0 past head_dim): the codec's decode(), with
/// the 16-bit formats read in one 8- or 16-byte load when the address allows it.
template <typename Row, int kDims>
__device__ inline void loadDims(const std::uint8_t* row, int d0, std::int64_t hd,
                                float (&out)[kDims]) {
    constexpr bool kHalf = std::is_same_v<Row, hd::RowF16> || std::is_same_v<Row, hd::RowBf16>;
    if constexpr (kHalf && (kDims == 4 || kDims == 8)) {
        const std::uint8_t* p = row + 2 * d0;
        if (d0 + kDims <= hd && reinterpret_cast<std::uintptr_t>(p) % (2 * kDims) == 0) {
            std::uint16_t bits[kDims];
            if constexpr (kDims == 4) {
                *reinterpret_cast<uint2*>(bits) = *reinterpret_cast<const uint2*>(p);
            } else {
                *reinterpret_cast<uint4*>(bits) = *reinterpret_cast<const uint4*>(p);
            }
#pragma unroll
            for (int t = 0; t < kDims; ++t) {
                out[t] = std::is_same_v<Row, hd::RowF16> ? hd::fp16ToFp32(bits[t])
                                                         : hd::bf16ToFp32(bits[t]);
            }
            return;
        }
    }
#pragma unroll
    for (int t = 0; t < kDims; ++t)
        out[t] = d0 + t < hd ? Row::decode(row, d0 + t) : 0.0f;
}

/// kDims: values of a head each lane holds (head_dim <= 32 * kDims); lane L holds the kDims
/// consecutive values d = L * kDims + t (one wide load per row for the 16-bit formats).
template <typename Row, int kDims>
__global__ void __launch_bounds__(kThreads)
    splitKernel(AttentionArgs a, std::int64_t n_splits, std::int64_t split_keys,
                AttentionScratch scratch) {
    const int warp = threadIdx.x / 32, lane = threadIdx.x % 32;
    const std::int64_t split = blockIdx.x, query = blockIdx.z;
    const KvLayout& L = a.layout;
    const std::int64_t group = a.n_heads / L.n_kv_heads;
    const std::int64_t n_tiles = (group + kGroupTile - 1) / kGroupTile;
    const std::int64_t kv_head = blockIdx.y / n_tiles;
    const std::int64_t head0 = kv_head * group + (blockIdx.y % n_tiles) * kGroupTile;
    const int n_g = int(min(std::int64_t(kGroupTile), kv_head * group + group - head0));
    const std::int64_t hd = L.head_dim;
    const std::int64_t visible = a.visible[query];
    const std::int64_t first = split * split_keys;
    const std::int64_t last = min(visible, first + split_keys);
    const int* table = a.tables + std::int64_t(a.seq_of_query[query]) * a.table_stride;

    constexpr int kHeadDim = 32 * kDims;  // the most this instantiation holds
    __shared__ float q_s[kGroupTile][kHeadDim];
    __shared__ float m_s[kWarps][kGroupTile], l_s[kWarps][kGroupTile];
    __shared__ float acc_s[kWarps][kGroupTile][kHeadDim];
    for (int g = 0; g < n_g; ++g)
        for (std::int64_t d = threadIdx.x; d < hd; d += kThreads)
            q_s[g][d] = a.q[(query * a.n_heads + head0 + g) * hd + d];
    __syncthreads();

    hd::SoftmaxState st[kGroupTile];
    float acc[kGroupTile][kDims];
#pragma unroll
    for (int g = 0; g < kGroupTile; ++g) {
        st[g] = hd::emptySoftmax();
#pragma unroll
        for (int t = 0; t < kDims; ++t)
            acc[g][t] = 0.0f;
    }

    for (std::int64_t j0 = first + std::int64_t(warp) * kKeysPerStep; j0 < last;
         j0 += std::int64_t(kWarps) * kKeysPerStep) {
        // Load and dequantize up to 4 keys' K and V rows first: many loads in flight.
        float kv_k[kKeysPerStep][kDims], kv_v[kKeysPerStep][kDims];
#pragma unroll
        for (int u = 0; u < kKeysPerStep; ++u) {
            const std::int64_t j = j0 + u;
            const bool valid = j < last;
            const std::int64_t block = valid ? table[j / L.block_size] : 0;
            const std::uint8_t* krow =
                a.pool + L.offset(block, a.layer, 0, j % L.block_size, kv_head);
            const std::uint8_t* vrow =
                a.pool + L.offset(block, a.layer, 1, j % L.block_size, kv_head);
            if (valid) {
                loadDims<Row, kDims>(krow, lane * kDims, hd, kv_k[u]);
                loadDims<Row, kDims>(vrow, lane * kDims, hd, kv_v[u]);
            } else {
#pragma unroll
                for (int t = 0; t < kDims; ++t)
                    kv_k[u][t] = kv_v[u][t] = 0.0f;
            }
        }
#pragma unroll
        for (int u = 0; u < kKeysPerStep; ++u) {
            const std::int64_t j = j0 + u;
            if (j >= last) break;
                // g runs to the compile-time tile so that st[] and acc[] stay in registers.
#pragma unroll
            for (int g = 0; g < kGroupTile; ++g) {
                if (g >= n_g) break;
                float part = 0.0f;
#pragma unroll
                for (int t = 0; t < kDims; ++t) {
                    const int d = lane * kDims + t;
                    if (d < hd) part += q_s[g][d] * kv_k[u][t];
                }
                const float s = warpSum(part) * a.scale;
                if (a.probs && lane == 0)
                    a.probs[((head0 + g) * a.n_queries + query) * a.scores_stride + j] = s;
                float p = 0.0f;
                const float factor = hd::softmaxAdd(&st[g], s, &p);
#pragma unroll
                for (int t = 0; t < kDims; ++t)
                    acc[g][t] = acc[g][t] * factor + p * kv_v[u][t];
            }
        }
    }

    // The warps' partial results, merged in warp order.
#pragma unroll
    for (int g = 0; g < kGroupTile; ++g) {
        if (g >= n_g) break;
        if (lane == 0) {
            m_s[warp][g] = st[g].m;
            l_s[warp][g] = st[g].l;
        }
#pragma unroll
        for (int t = 0; t < kDims; ++t) {
            const int d = lane * kDims + t;
            if (d < hd) acc_s[warp][g][d] = acc[g][t];
        }
    }
    __syncthreads();
    const std::int64_t n_out = std::int64_t(n_g) * hd;
    for (std::int64_t id = threadIdx.x; id < n_out; id += kThreads) {
        const int g = int(id / hd);
        const std::int64_t d = id % hd;
        hd::SoftmaxState total = {m_s[0][g], l_s[0][g]};
        float value = acc_s[0][g][d];
        for (int w = 1; w < kWarps; ++w)
            hd::softmaxMerge(&total, &value, hd::SoftmaxState{m_s[w][g], l_s[w][g]},
                             &acc_s[w][g][d], 1);
        const std::int64_t slot = (query * a.n_heads + head0 + g) * n_splits + split;
        scratch.partial_acc[slot * hd + d] = value;
        if (d == 0) {
            scratch.partial_ml[2 * slot] = total.m;
            scratch.partial_ml[2 * slot + 1] = total.l;
        }
    }
}

/// One block per (query, head): the splits merged in order, then out = acc / l.
__global__ void mergeKernel(AttentionArgs a, std::int64_t n_splits, AttentionScratch scratch) {
    const std::int64_t qh = blockIdx.x;  // query * n_heads + head
    const std::int64_t hd = a.layout.head_dim;
    for (std::int64_t d = threadIdx.x; d < hd; d += blockDim.x) {
        hd::SoftmaxState total = hd::emptySoftmax();
        float value = 0.0f;
        for (std::int64_t s = 0; s < n_splits; ++s) {
            const std::int64_t slot = qh * n_splits + s;
            hd::softmaxMerge(
                &total, &value,
                hd::SoftmaxState{scratch.partial_ml[2 * slot], scratch.partial_ml[2 * slot + 1]},
                &scratch.partial_acc[slot * hd + d], 1);
        }
        a.out[qh * hd + d] = hd::softmaxFinish(total, value);
        if (d == 0) {
            scratch.final_ml[2 * qh] = total.m;
            scratch.final_ml[2 * qh + 1] = total.l;
        }
    }
}

/// The raw scores turned into weights: p = exp(s - m) / l over the visible keys.
__global__ void probsKernel(AttentionArgs a, AttentionScratch scratch) {
    const std::int64_t head = blockIdx.y, query = blockIdx.z;
    const std::int64_t j = std::int64_t(blockIdx.x) * blockDim.x + threadIdx.x;
    if (j >= a.visible[query]) return;
    const std::int64_t qh = query * a.n_heads + head;
    float* p = a.probs + (head * a.n_queries + query) * a.scores_stride + j;
    *p = expf(*p - scratch.final_ml[2 * qh]) / scratch.final_ml[2 * qh + 1];
}

template <typename Row>
void launchSplit(const AttentionArgs& a, const AttentionPlan& plan, const AttentionScratch& scratch,
                 cudaStream_t stream) {
    const std::int64_t group = a.n_heads / a.layout.n_kv_heads;
    const std::int64_t n_tiles = (group + kGroupTile - 1) / kGroupTile;
    const dim3 grid(unsigned(plan.n_splits), unsigned(a.layout.n_kv_heads * n_tiles),
                    unsigned(a.n_queries));
    if (a.layout.head_dim <= 128) {
        splitKernel<Row, 4>
            <<<grid, kThreads, 0, stream>>>(a, plan.n_splits, plan.split_keys, scratch);
    } else {
        splitKernel<Row, 8>
            <<<grid, kThreads, 0, stream>>>(a, plan.n_splits, plan.split_keys, scratch);
    }
}

}  // namespace

int deviceSmCount() {
    int device = 0, n = 0;
    KVSCOPE_CUDA_CHECK(cudaGetDevice(&device));
    KVSCOPE_CUDA_CHECK(cudaDeviceGetAttribute(&n, cudaDevAttrMultiProcessorCount, device));
    return n;
}

AttentionPlan planAttention(const AttentionArgs& a, int n_sm) {
    const std::int64_t group = a.n_heads / a.layout.n_kv_heads;
    const std::int64_t blocks =
        a.n_queries * a.layout.n_kv_heads * ((group + kGroupTile - 1) / kGroupTile);
    constexpr std::int64_t kMinKeys = 128, kMaxSplits = 64;
    const std::int64_t bs = a.layout.block_size;
    const std::int64_t wanted = std::max<std::int64_t>(1, (2 * n_sm + blocks - 1) / blocks);
    const std::int64_t most = std::max<std::int64_t>(1, (a.max_visible + kMinKeys - 1) / kMinKeys);
    AttentionPlan plan;
    plan.n_splits = std::min({wanted, most, kMaxSplits});
    std::int64_t keys = (a.max_visible + plan.n_splits - 1) / plan.n_splits;
    keys = (keys + bs - 1) / bs * bs;  // whole blocks per split
    plan.split_keys = std::max<std::int64_t>(keys, bs);
    plan.n_splits =
        std::max<std::int64_t>(1, (a.max_visible + plan.split_keys - 1) / plan.split_keys);
    return plan;
}

void attention(const AttentionArgs& a, const AttentionPlan& plan, const AttentionScratch& scratch,
               cudaStream_t stream) {
    if (a.n_queries == 0) return;
    if (a.layout.head_dim > kMaxHeadDim || a.n_heads % a.layout.n_kv_heads != 0)
        throw std::invalid_argument("CUDA attention: head_dim <= 256 and n_kv_heads | n_heads");
    withKvRow(a.layout.dtype,
              [&](auto row) { launchSplit<decltype(row)>(a, plan, scratch, stream); });
    KVSCOPE_CUDA_LAUNCHED("attention split");
    mergeKernel<<<unsigned(a.n_queries * a.n_heads), 128, 0, stream>>>(a, plan.n_splits, scratch);
    KVSCOPE_CUDA_LAUNCHED("attention merge");
    if (a.probs) {
        const dim3 grid(unsigned((a.max_visible + 255) / 256), unsigned(a.n_heads),
                        unsigned(a.n_queries));
        probsKernel<<<grid, 256, 0, stream>>>(a, scratch);
        KVSCOPE_CUDA_LAUNCHED("attention probabilities");
    }
}

}  // namespace kvscope::cuda
