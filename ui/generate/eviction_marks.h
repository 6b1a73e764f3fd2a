#pragma once
// What a bounded cache holds at the step on screen, for the layer and head a view shows: which
// positions it has evicted (the token strip strikes them out, the heatmap hatches their columns)
// and which are StreamingLLM's sinks (always kept). Read from the record's held positions
// (LayerRecord::held_positions, or held_positions_per_head when each KV head keeps its own: a
// query head shows its KV head's, the one its GQA group reads), so a replayed trace shows the
// same marks.
#include <cstdint>
#include <vector>

#include "ui/engine/trace_model.h"

namespace kvscope {

struct EvictionMarks {
    bool bounded = false;       // the trace ran a bounded cache that records what it holds
    std::vector<bool> evicted;  // [positions seen] true where the layer no longer holds it
    std::int64_t sinks = 0;     // streaming: positions [0, sinks) are always kept
    std::int64_t held = 0;      // entries the layer holds after the step on screen
    std::int64_t layer = 0;     // the layer (and KV head) these marks are of
    std::int64_t kv_head = 0;
    bool per_head = false;  // the KV heads of the layer keep their own entries

    bool isEvicted(std::int64_t position) const {
        return position >= 0 && position < std::int64_t(evicted.size()) &&
               evicted[std::size_t(position)];
    }
    bool isSink(std::int64_t position) const { return position >= 0 && position < sinks; }
    std::int64_t evictedCount() const;
};

/// The marks of `layer` and query head `head` (its KV head's entries) at the trace's cursor;
/// not bounded (no marks) before the prefill, where the layer holds every position, or for a layer
/// out of range.
EvictionMarks evictionMarks(const TraceModel& trace, int layer, int head);

}  // namespace kvscope
