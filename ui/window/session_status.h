#pragma once
// The status-bar facts of the step on screen, as text: where the sequence is, how much KV it
// holds, how long the step took, and what ran it. Read from the TraceModel; nothing recomputed.
#include <QString>

#include "ui/engine/trace_model.h"

namespace kvscope {

struct SessionStatus {
    QString position;   // "Position 24 / 4096"
    QString kv_cache;   // "KV 42.00 KiB of 1.00 MiB allocated (3 holes)"
    QString last_step;  // "Last step 0.12 ms (decode)"
    QString backend;    // "Backend: CPU (Eigen, 2 threads)"
};

SessionStatus describeSession(const TraceModel& trace);

}  // namespace kvscope
