#include "core/engine/step_record.h"

#include <string>

#include "core/util/error.h"

namespace kvscope {

CacheMode otherMode(CacheMode mode) {
    return mode == CacheMode::Cached ? CacheMode::Recompute : CacheMode::Cached;
}

std::string_view toString(Phase phase) {
    return phase == Phase::Prefill ? "prefill" : "decode";
}

std::string_view toString(CacheMode mode) {
    return mode == CacheMode::Cached ? "cached" : "recompute";
}

CacheMode parseCacheMode(std::string_view text) {
    if (text == "cached") return CacheMode::Cached;
    if (text == "recompute") return CacheMode::Recompute;
    throw InputError("cache mode must be 'cached' or 'recompute', got '" + std::string(text) + "'");
}

std::int64_t StepRecord::kvBytesHeld() const {
    std::int64_t total = 0;
    for (const LayerRecord& layer : layers)
        total += layer.k_bytes + layer.v_bytes;
    return total;
}

}  // namespace kvscope
