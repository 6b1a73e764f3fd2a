// Inverse solving of memory_estimator.h: the largest context, batch and token count that fit.
#include <algorithm>

#include "core/memory/memory_estimator.h"
#include "core/util/checked_math.h"
#include "core/util/error.h"

namespace kvscope {

namespace {

/// Largest n in [1, cap] with fits(n), given fits is monotone (true then false); 0 if !fits(1).
template <class Fits>
std::int64_t largestFitting(std::int64_t cap, Fits fits) {
    if (!fits(1)) return 0;
    std::int64_t lo = 1;  // fits
    std::int64_t hi = 2;  // candidate
    while (hi <= cap && fits(hi)) {
        lo = hi;
        hi = hi > cap / 2 ? cap + 1 : hi * 2;
    }
    hi = std::min(hi, cap + 1);
    while (hi - lo > 1) {  // lo fits, hi does not (or is past the cap)
        const std::int64_t mid = lo + (hi - lo) / 2;
        (fits(mid) ? lo : hi) = mid;
    }
    return lo;
}

bool kvFits(const ModelShape& shape, CacheSpec cache, Workload workload, std::int64_t free_bytes) {
    cache.reserve_length = 0;
    workload.shared_prefix = std::min(workload.shared_prefix, workload.context);
    try {
        const BatchKvBytes bytes = batchKvBytes(shape, cache, workload);
        return bytes.of(cache.layout) <= free_bytes - bytes.state;
    } catch (const InputError&) {
        return false;  // the byte total overflows: certainly more than the GPU holds
    }
}

}  // namespace

std::int64_t maxContextForBatch(const ModelShape& shape, const CacheSpec& cache,
                                const Workload& workload, std::int64_t free_bytes) {
    return largestFitting(kMaxEstimatorContext, [&](std::int64_t context) {
        Workload w = workload;
        w.context = context;
        return kvFits(shape, cache, w, free_bytes);
    });
}

std::int64_t maxBatchForContext(const ModelShape& shape, const CacheSpec& cache,
                                const Workload& workload, std::int64_t free_bytes) {
    return largestFitting(kMaxEstimatorBatch, [&](std::int64_t batch) {
        Workload w = workload;
        w.batch = batch;
        return kvFits(shape, cache, w, free_bytes);
    });
}

std::int64_t maxTotalTokens(const ModelShape& shape, const CacheSpec& cache,
                            const Workload& workload, std::int64_t free_bytes) {
    const std::int64_t state = checkedMul(workload.batch, stateBytesPerSequence(shape, workload.tp),
                                          "recurrent state bytes");
    if (free_bytes - state <= 0) return 0;
    free_bytes -= state;
    const std::int64_t per_token = kvTokenBytes(shape, cache, workload.tp);
    if (cache.layout != KvLayout::Paged) return free_bytes / per_token;
    const std::int64_t per_block = checkedMul(per_token, cache.block_size, "KV bytes per block");
    return checkedMul(free_bytes / per_block, cache.block_size, "tokens in whole blocks");
}

}  // namespace kvscope
