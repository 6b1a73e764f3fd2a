#include "ui/generate/eviction_marks.h"

#include <algorithm>

namespace kvscope {

std::int64_t EvictionMarks::evictedCount() const {
    return std::count(evicted.begin(), evicted.end(), true);
}

namespace {

/// What KV head `kv_head` of `layer` holds: its own list when the heads keep their own entries
/// (LayerRecord::held_positions_per_head, the per-head policies), else the layer's.
const std::vector<std::int64_t>& heldBy(const LayerRecord& layer, std::int64_t kv_head) {
    if (kv_head < std::int64_t(layer.held_positions_per_head.size()))
        return layer.held_positions_per_head[std::size_t(kv_head)];
    return layer.held_positions;
}

}  // namespace

EvictionMarks evictionMarks(const TraceModel& trace, int layer, int head) {
    EvictionMarks marks;
    const StepRecord* current = trace.current();
    const EvictionSpec& spec = trace.trace().scenario.eviction;
    if (!current || layer < 0 || layer >= int(current->layers.size())) return marks;
    // Held positions are recorded whenever a layer is bounded: by the policy, or by the model's
    // own sliding window. None: every position is held (or attention was not recorded).
    const ModelConfig& config = trace.config();
    const std::int64_t kv_head =
        config.n_kv_heads > 0 ? std::max(0, head) / config.kvGroupSize() : 0;
    const LayerRecord& record = current->layers[std::size_t(layer)];
    const std::vector<std::int64_t>& held = heldBy(record, kv_head);
    if (held.empty()) return marks;
    marks.bounded = true;
    marks.per_head = !record.held_positions_per_head.empty();
    marks.layer = layer;
    marks.kv_head = kv_head;
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
