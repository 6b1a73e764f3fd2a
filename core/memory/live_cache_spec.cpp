#include "core/memory/live_cache_spec.h"

namespace kvscope {

CacheSpec estimatorCacheSpec(const KvCacheSpec& codecs, CacheLayout layout, std::int64_t block_size,
                             std::int64_t reserve_length) {
    CacheSpec spec;
    spec.k_dtype = codecs.k_dtype;
    spec.v_dtype = codecs.v_dtype;
    spec.recent_window = codecs.recent_window;
    spec.recent_dtype = codecs.recent_dtype;
    spec.kivi_window = codecs.kivi_window;
    spec.layout = layout == CacheLayout::Paged ? KvLayout::Paged : KvLayout::Contiguous;
    spec.block_size = block_size;
    spec.reserve_length = reserve_length;
    return spec;
}

}  // namespace kvscope
