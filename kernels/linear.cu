// y = x W^T on the device: one warp per output row and group of up to 4 tokens; each lane sums
// the products hd::dotLane gives it and warpDotCombine adds the lanes in cpu::dot's order.
#include <algorithm>

#include "kernels/cuda_check.cuh"
#include "kernels/kernel_launch.cuh"
#include "kernels/warp_dot.cuh"

namespace kvscope::cuda {
namespace {

constexpr int kWarpsPerBlock = 4;
constexpr int kTokensPerWarp = 4;

template <typename W>
__global__ void linearKernel(const float* x, std::int64_t n, const W* w, std::int64_t rows,
                             std::int64_t cols, float* y) {
    const int lane = threadIdx.x % 32;
    const std::int64_t o = std::int64_t(blockIdx.x) * kWarpsPerBlock + threadIdx.x / 32;
    const std::int64_t t0 = std::int64_t(blockIdx.y) * kTokensPerWarp;
    if (o >= rows) return;  // the whole warp leaves together
    const W* row = w + o * cols;
    for (int t = 0; t < kTokensPerWarp && t0 + t < n; ++t) {
        const float* xt = x + (t0 + t) * cols;
        const float sum = warpDotCombine(hd::dotLane(xt, row, cols, lane));
        if (lane == 0) y[(t0 + t) * rows + o] = sum + hd::dotTail(xt, row, cols);
    }
}

}  // namespace

void linear(const float* x, std::int64_t n, const DeviceMatrix& w, float* y, cudaStream_t stream) {
    if (n == 0 || w.rows == 0) return;
    const dim3 grid(unsigned((w.rows + kWarpsPerBlock - 1) / kWarpsPerBlock),
                    unsigned((n + kTokensPerWarp - 1) / kTokensPerWarp));
    const dim3 block(32 * kWarpsPerBlock);
    switch (w.type) {
        case WeightType::F32:
            linearKernel<<<grid, block, 0, stream>>>(x, n, static_cast<const float*>(w.data),
                                                     w.rows, w.cols, y);
            break;
        case WeightType::F16:
            linearKernel<<<grid, block, 0, stream>>>(x, n, static_cast<const hd::Fp16Bits*>(w.data),
                                                     w.rows, w.cols, y);
            break;
        case WeightType::BF16:
            linearKernel<<<grid, block, 0, stream>>>(x, n, static_cast<const hd::Bf16Bits*>(w.data),
                                                     w.rows, w.cols, y);
            break;
    }
    KVSCOPE_CUDA_LAUNCHED("linear");
}

}  // namespace kvscope::cuda
