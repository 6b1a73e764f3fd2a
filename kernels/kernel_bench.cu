// See kernel_bench.h. Random K/V are generated on the device, encoded by the append kernel
// into a pool whose blocks are handed to the sequences in a shuffled order (as a paged cache's
// would be after some churn), then the attention kernel is timed with CUDA events.
#include "kernels/kernel_bench.h"

#include <algorithm>
#include <numeric>
#include <random>

#include "core/util/error.h"
#include "kernels/cuda_check.cuh"
#include "kernels/cuda_device.h"
#include "kernels/device_buffer.cuh"
#include "kernels/kernel_launch.cuh"

namespace kvscope {

namespace {

using cuda::DeviceBuffer;

/// Deterministic N(0,1)-ish values from a hash (sum of 4 uniforms, centred and scaled).
__global__ void fillRandom(float* out, std::int64_t n, std::uint32_t seed) {
    const std::int64_t i = std::int64_t(blockIdx.x) * blockDim.x + threadIdx.x;
    if (i >= n) return;
    float s = 0.0f;
    for (std::uint32_t r = 0; r < 4; ++r) {
        std::uint32_t h = std::uint32_t(i) * 2654435761u ^ (seed + r * 0x9e3779b9u);
        h ^= h >> 16;
        h *= 0x85ebca6bu;
        h ^= h >> 13;
        h *= 0xc2b2ae35u;
        h ^= h >> 16;
        s += float(h) * 2.3283064e-10f;
    }
    out[i] = (s - 2.0f) * 1.7320508f;
}

void random(DeviceBuffer<float>& buffer, std::int64_t n, std::uint32_t seed, cudaStream_t s) {
    buffer.resize(n);
    fillRandom<<<unsigned((n + 255) / 256), 256, 0, s>>>(buffer.get(), n, seed);
    KVSCOPE_CUDA_LAUNCHED("fillRandom");
}

/// Seconds per call of `run`, repeated until min_seconds are timed (after one warm-up call).
template <typename F>
double timeCalls(F&& run, double min_seconds, cudaStream_t s) {
    cudaEvent_t start, stop;
    KVSCOPE_CUDA_CHECK(cudaEventCreate(&start));
    KVSCOPE_CUDA_CHECK(cudaEventCreate(&stop));
    run();
    int reps = 1;
    double seconds = 0;
    for (;;) {
        KVSCOPE_CUDA_CHECK(cudaEventRecord(start, s));
        for (int r = 0; r < reps; ++r)
            run();
        KVSCOPE_CUDA_CHECK(cudaEventRecord(stop, s));
        KVSCOPE_CUDA_CHECK(cudaEventSynchronize(stop));
        float ms = 0;
        KVSCOPE_CUDA_CHECK(cudaEventElapsedTime(&ms, start, stop));
        seconds = ms / 1e3 / reps;
        if (ms / 1e3 >= min_seconds || reps >= 1 << 14) break;
        reps *= 4;
    }
    cudaEventDestroy(start);
    cudaEventDestroy(stop);
    return seconds;
}

}  // namespace

KernelBenchResult benchDecodeAttention(const KernelBenchPlan& plan,
                                       void (*progress)(const std::string&, void*),
                                       void* progress_context) {
    const CudaDeviceInfo info = probeCudaDevice();
    if (!info.usable) throw InputError("bench --kernels: CUDA is unavailable: " + info.reason);
    KVSCOPE_CUDA_CHECK(cudaSetDevice(0));
    cudaStream_t s = nullptr;
    KVSCOPE_CUDA_CHECK(cudaStreamCreate(&s));
    KernelBenchResult result;
    result.device = info.name;

    // The yardstick: device-to-device copies of 1 GiB.
    result.copy_bytes = std::int64_t(1) << 30;
    {
        DeviceBuffer<std::uint8_t> from(result.copy_bytes), to(result.copy_bytes);
        KVSCOPE_CUDA_CHECK(cudaMemsetAsync(from.get(), 1, std::size_t(result.copy_bytes), s));
        const double seconds = timeCalls(
            [&] {
                KVSCOPE_CUDA_CHECK(cudaMemcpyAsync(to.get(), from.get(),
                                                   std::size_t(result.copy_bytes),
                                                   cudaMemcpyDeviceToDevice, s));
            },
            0.2, s);
        result.copy_bytes_per_s = 2.0 * double(result.copy_bytes) / seconds;
    }

    const std::int64_t max_batch = *std::max_element(plan.batches.begin(), plan.batches.end());
    const std::int64_t max_context = *std::max_element(plan.contexts.begin(), plan.contexts.end());
    const std::int64_t blocks_per_seq = (max_context + plan.block_size - 1) / plan.block_size;
    const std::int64_t n_blocks = max_batch * blocks_per_seq;
    const std::int64_t kv_dim = plan.n_kv_heads * plan.head_dim;
    const int n_sm = cuda::deviceSmCount();

    // Sequence b's logical blocks: a shuffled share of the pool.
    std::vector<int> ids(static_cast<std::size_t>(n_blocks));
    std::iota(ids.begin(), ids.end(), 0);
    std::shuffle(ids.begin(), ids.end(), std::mt19937(20));
    DeviceBuffer<int> tables;
    tables.upload(ids.data(), n_blocks, s);

    DeviceBuffer<float> q, out, rows_k, rows_v, partial_acc, partial_ml, final_ml;
    DeviceBuffer<int> visible, seq_of_query;
    random(q, max_batch * plan.n_heads * plan.head_dim, 7, s);
    out.resize(max_batch * plan.n_heads * plan.head_dim);
    std::vector<int> seqs(static_cast<std::size_t>(max_batch));
    std::iota(seqs.begin(), seqs.end(), 0);
    seq_of_query.upload(seqs.data(), max_batch, s);

    for (KvDtype codec : plan.codecs) {
        if (progress)
            progress("decode attention, " + std::string(toString(codec)), progress_context);
        const cuda::KvLayout layout =
            cuda::makeKvLayout(codec, 1, plan.n_kv_heads, plan.head_dim, plan.block_size);
        DeviceBuffer<std::uint8_t> pool(n_blocks * layout.blockBytes());
        // Fill every sequence's rows, a chunk of tokens at a time.
        constexpr std::int64_t kChunk = 16384;
        for (std::int64_t b = 0; b < max_batch; ++b) {
            for (std::int64_t first = 0; first < blocks_per_seq * plan.block_size;
                 first += kChunk) {
                const std::int64_t n = std::min(kChunk, blocks_per_seq * plan.block_size - first);
                random(rows_k, n * kv_dim, std::uint32_t(2 * b + 1), s);
                random(rows_v, n * kv_dim, std::uint32_t(2 * b + 2), s);
                cuda::appendKv(layout, pool.get(), 0, tables.get() + b * blocks_per_seq, first, n,
                               rows_k.get(), rows_v.get(), s);
            }
        }
        for (std::int64_t batch : plan.batches) {
            for (std::int64_t context : plan.contexts) {
                std::vector<int> vis(static_cast<std::size_t>(batch), int(context));
                visible.upload(vis.data(), batch, s);
                cuda::AttentionArgs a;
                a.layout = layout;
                a.pool = pool.get();
                a.tables = tables.get();
                a.table_stride = blocks_per_seq;
                a.q = q.get();
                a.n_queries = batch;
                a.n_heads = plan.n_heads;
                a.seq_of_query = seq_of_query.get();
                a.visible = visible.get();
                a.max_visible = context;
                a.scale = 1.0f / std::sqrt(float(plan.head_dim));
                a.out = out.get();
                const cuda::AttentionPlan ap = cuda::planAttention(a, n_sm);
                partial_acc.resize(ap.accFloats(batch, plan.n_heads, plan.head_dim));
                partial_ml.resize(ap.mlFloats(batch, plan.n_heads));
                final_ml.resize(2 * batch * plan.n_heads);
                const cuda::AttentionScratch scratch{partial_acc.get(), partial_ml.get(),
                                                     final_ml.get()};
                KernelBenchPoint p;
                p.codec = codec;
                p.batch = batch;
                p.context = context;
                p.splits = ap.n_splits;
                p.seconds =
                    timeCalls([&] { cuda::attention(a, ap, scratch, s); }, plan.min_seconds, s);
                p.kv_bytes = double(batch) * double(context) * 2.0 * double(plan.n_kv_heads) *
                             double(layout.row_bytes);
                p.bytes_per_s = p.kv_bytes / p.seconds;
                p.copy_fraction = p.bytes_per_s / result.copy_bytes_per_s;
                result.points.push_back(p);
            }
        }
    }
    KVSCOPE_CUDA_CHECK(cudaStreamSynchronize(s));
    cudaStreamDestroy(s);
    return result;
}

}  // namespace kvscope
