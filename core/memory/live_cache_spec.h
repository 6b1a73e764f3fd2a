#pragma once
// The estimator's CacheSpec for a live cache: the codecs of a KvCacheSpec (K and V dtypes, the
// mixed-precision window, the KIVI residual) with the live cache's layout, so that the analytic
// figures and the cache's own byte counts describe the same storage.
#include <cstdint>

#include "core/cache/cache_layout.h"
#include "core/cache/kv_cache_spec.h"
#include "core/memory/kv_footprint.h"

namespace kvscope {

/// `reserve_length`: the positions a contiguous cache reserves per sequence (its max context).
CacheSpec estimatorCacheSpec(const KvCacheSpec& codecs, CacheLayout layout, std::int64_t block_size,
                             std::int64_t reserve_length);

}  // namespace kvscope
