// The KV append kernel: one thread encodes one row (a token of one KV head, K or V) with the CPU
// codec's row math straight into its block, at the offset the CPU cache uses.
#include "kernels/cuda_check.cuh"
#include "kernels/kernel_launch.cuh"
#include "kernels/kv_codec_dispatch.cuh"

namespace kvscope::cuda {
namespace {

template <typename Row>
__global__ void appendKernel(KvLayout layout, std::uint8_t* pool, std::int64_t layer,
                             const int* table, std::int64_t first_pos, std::int64_t n,
                             const float* k, const float* v) {
    const std::int64_t id = std::int64_t(blockIdx.x) * blockDim.x + threadIdx.x;
    if (id >= n * layout.n_kv_heads * 2) return;
    const int role = int(id % 2);
    const std::int64_t head = id / 2 % layout.n_kv_heads, t = id / 2 / layout.n_kv_heads;
    const std::int64_t pos = first_pos + t;
    const std::int64_t kv_dim = layout.n_kv_heads * layout.head_dim;
    const float* src = (role == 0 ? k : v) + t * kv_dim + head * layout.head_dim;
    const std::int64_t block = table[pos / layout.block_size];
    Row::encodeRow(src, int(layout.head_dim),
                   pool + layout.offset(block, layer, role, pos % layout.block_size, head));
}

}  // namespace

void appendKv(const KvLayout& layout, std::uint8_t* pool, std::int64_t layer, const int* table,
              std::int64_t first_pos, std::int64_t n, const float* k, const float* v,
              cudaStream_t stream) {
    const std::int64_t count = n * layout.n_kv_heads * 2;
    if (count == 0) return;
    constexpr int kThreads = 128;
    const unsigned blocks = unsigned((count + kThreads - 1) / kThreads);
    withKvRow(layout.dtype, [&](auto row) {
        using Row = decltype(row);
        appendKernel<Row>
            <<<blocks, kThreads, 0, stream>>>(layout, pool, layer, table, first_pos, n, k, v);
    });
    KVSCOPE_CUDA_LAUNCHED("appendKv");
}

}  // namespace kvscope::cuda
