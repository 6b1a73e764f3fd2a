// RMSNorm, RoPE, the gated activations and the residual add: each thread (or warp, for a row's
// norm) applies the shared per-element math of kernels/kernel_math.h.
#include "kernels/cuda_check.cuh"
#include "kernels/kernel_launch.cuh"
#include "kernels/warp_dot.cuh"

namespace kvscope::cuda {
namespace {

constexpr int kThreads = 256;

unsigned blocksFor(std::int64_t count) {
    return unsigned((count + kThreads - 1) / kThreads);
}

/// One warp per row: the sum of squares in cpu::dot's order, then the scale.
__global__ void rmsNormKernel(const float* x, const float* weight, std::int64_t n, std::int64_t d,
                              float eps, float* out) {
    const int lane = threadIdx.x % 32;
    const std::int64_t row = std::int64_t(blockIdx.x) * (blockDim.x / 32) + threadIdx.x / 32;
    if (row >= n) return;
    const float* xr = x + row * d;
    float sum = warpDotCombine(hd::dotLane(xr, xr, d, lane));
    if (lane == 0) sum += hd::dotTail(xr, xr, d);
    const float inv = hd::rmsInverse(__shfl_sync(0xffffffffu, sum, 0), d, eps);
    for (std::int64_t j = lane; j < d; j += 32)
        out[row * d + j] = hd::rmsScale(xr[j], weight[j], inv);
}

/// One thread per (token, head, pair).
__global__ void ropeKernel(float* x, std::int64_t n, std::int64_t n_heads, std::int64_t head_dim,
                           std::int64_t rotary_dims, hd::RopePairs style, const float* cos,
                           const float* sin) {
    const std::int64_t half = rotary_dims / 2;
    const std::int64_t id = std::int64_t(blockIdx.x) * blockDim.x + threadIdx.x;
    if (id >= n * n_heads * half) return;
    const std::int64_t p = id % half, head = id / half % n_heads, t = id / half / n_heads;
    std::int64_t i = 0, j = 0;
    hd::ropePairIndices(style, p, rotary_dims, &i, &j);
    float* base = x + (t * n_heads + head) * head_dim;
    hd::ropeRotate(base + i, base + j, cos[t * half + p], sin[t * half + p]);
}

__global__ void gatedKernel(float* gate, const float* up, std::int64_t count, bool gelu) {
    const std::int64_t i = std::int64_t(blockIdx.x) * blockDim.x + threadIdx.x;
    if (i >= count) return;
    gate[i] = gelu ? hd::geGlu(gate[i], up[i]) : hd::swiGlu(gate[i], up[i]);
}

__global__ void addKernel(float* x, const float* y, std::int64_t count) {
    const std::int64_t i = std::int64_t(blockIdx.x) * blockDim.x + threadIdx.x;
    if (i < count) x[i] += y[i];
}

}  // namespace

void rmsNorm(const float* x, const float* weight, std::int64_t n, std::int64_t d, float eps,
             float* out, cudaStream_t stream) {
    if (n == 0) return;
    constexpr int kRowsPerBlock = kThreads / 32;
    rmsNormKernel<<<unsigned((n + kRowsPerBlock - 1) / kRowsPerBlock), kThreads, 0, stream>>>(
        x, weight, n, d, eps, out);
    KVSCOPE_CUDA_LAUNCHED("rmsNorm");
}

void rope(float* x, std::int64_t n, std::int64_t n_heads, std::int64_t head_dim,
          std::int64_t rotary_dims, hd::RopePairs style, const float* cos, const float* sin,
          cudaStream_t stream) {
    const std::int64_t count = n * n_heads * (rotary_dims / 2);
    if (count == 0) return;
    ropeKernel<<<blocksFor(count), kThreads, 0, stream>>>(x, n, n_heads, head_dim, rotary_dims,
                                                          style, cos, sin);
    KVSCOPE_CUDA_LAUNCHED("rope");
}

void gatedActivation(float* gate, const float* up, std::int64_t count, bool gelu,
                     cudaStream_t stream) {
    if (count == 0) return;
    gatedKernel<<<blocksFor(count), kThreads, 0, stream>>>(gate, up, count, gelu);
    KVSCOPE_CUDA_LAUNCHED("gatedActivation");
}

void addInPlace(float* x, const float* y, std::int64_t count, cudaStream_t stream) {
    if (count == 0) return;
    addKernel<<<blocksFor(count), kThreads, 0, stream>>>(x, y, count);
    KVSCOPE_CUDA_LAUNCHED("addInPlace");
}

}  // namespace kvscope::cuda
