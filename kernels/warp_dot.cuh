#pragma once
// hd::dotCombine (kernels/kernel_math.h) across a warp: lane L holds hd::dotLane(..., L); the
// shuffles add the same pairs in the same order, so lane 0 ends with cpu::dot's sum (before the
// tail). Internal to kernels/.
#include <cuda_runtime.h>

namespace kvscope::cuda {

/// Lane 0 returns the combined sum of the 32 lane sums; other lanes return partial values.
__device__ inline float warpDotCombine(float s) {
    constexpr unsigned kAll = 0xffffffffu;
    s = s + __shfl_down_sync(kAll, s, 8);   // lanes k, 16+k: s_k + s_8+k, s_16+k + s_24+k
    s = s + __shfl_down_sync(kAll, s, 16);  // lanes 0..7: v_k
    s = s + __shfl_down_sync(kAll, s, 4);   // lanes 0..3: v_k + v_k+4
    s = s + __shfl_down_sync(kAll, s, 1);   // lanes 0, 2: (v0+v4)+(v1+v5), (v2+v6)+(v3+v7)
    s = s + __shfl_down_sync(kAll, s, 2);   // lane 0: the whole tree
    return s;
}

/// Sum over the warp in any order (attention scores, not compared bit for bit).
__device__ inline float warpSum(float s) {
    for (int offset = 16; offset > 0; offset /= 2)
        s += __shfl_xor_sync(0xffffffffu, s, offset);
    return s;
}

}  // namespace kvscope::cuda
