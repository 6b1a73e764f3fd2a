#pragma once
// The decode-attention benchmark of `kvscope-cli bench --backend cuda --kernels`: the paged
// split-K kernel over random K/V in every codec, for a grid of batch sizes and contexts, with
// the device-to-device copy bandwidth measured in the same run as the yardstick.
// Plain C++ (no CUDA header).
#include <cstdint>
#include <string>
#include <vector>

#include "core/cache/kv_dtype.h"

namespace kvscope {

struct KernelBenchPlan {
    std::vector<KvDtype> codecs;
    std::vector<std::int64_t> batches;   // sequences decoding at once, one query each
    std::vector<std::int64_t> contexts;  // keys each sequence attends over
    std::int64_t n_heads = 32, n_kv_heads = 8, head_dim = 128, block_size = 16;
    double min_seconds = 0.02;  // per point: repeat until this much time is timed
};

struct KernelBenchPoint {
    KvDtype codec = KvDtype::F16;
    std::int64_t batch = 0, context = 0, splits = 0;
    double seconds = 0;        // one attention call (split + merge kernels), mean
    double kv_bytes = 0;       // K and V bytes the call reads
    double bytes_per_s = 0;    // kv_bytes / seconds
    double copy_fraction = 0;  // bytes_per_s / the copy bandwidth
};

struct KernelBenchResult {
    std::string device;
    double copy_bytes_per_s = 0;  // cudaMemcpy device to device, read + write bytes
    std::int64_t copy_bytes = 0;  // buffer size copied
    std::vector<KernelBenchPoint> points;
};

/// Runs the plan on device 0. Throws InputError when CUDA is unusable.
/// progress: called with a line before each codec.
KernelBenchResult benchDecodeAttention(const KernelBenchPlan& plan,
                                       void (*progress)(const std::string&, void*) = nullptr,
                                       void* progress_context = nullptr);

}  // namespace kvscope
