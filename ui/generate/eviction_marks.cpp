#include "ui/generate/eviction_marks.h"

#include <algorithm>

namespace kvscope {

std::int64_t EvictionMarks::evictedCount() const {
    return std::count(evicted.begin(), evicted.end(), true);
}

EvictionMarks evictionMarks(const TraceModel& trace, int layer, int head) {
    EvictionMarks marks;
    const StepRecord* current = trace.current();
    const EvictionSpec& spec = trace.trace().scenario.eviction;
    if (!current || layer < 0 || layer >= int(current->layers.size())) return marks;
    // Held positions are recorded whenever a layer is bounded: by the policy, or by the model's
    // own sliding window. None: every position is held (or attention was not recorded).
    const std::vector<std::int64_t>& held = current->layers[std::size_t(layer)].held_positions;
    if (held.empty()) return marks;
    const ModelConfig& config = trace.config();
    marks.bounded = true;
    marks.layer = layer;
    marks.kv_head = config.n_kv_heads > 0 ? std::max(0, head) / config.kvGroupSize() : 0;
    marks.held = std::int64_t(held.size());
    marks.evicted.assign(std::size_t(current->positionsAfter()), true);
    for (std::int64_t position : held)
        if (position >= 0 && position < current->positionsAfter())
            marks.evicted[std::size_t(position)] = false;
    if (spec.bounded() && spec.policy == EvictionPolicy::Streaming)
        marks.sinks = std::min(spec.sinks, current->positionsAfter());
    return marks;
}

}  // namespace kvscope
