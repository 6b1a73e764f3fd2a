#pragma once
// The status-bar facts of a Session, as text: where it is, how much KV it holds, how long the last
// step took, and what ran it. Read from the Session and its records; nothing is recomputed.
#include <QString>

#include "core/engine/session.h"

namespace kvscope {

struct SessionStatus {
    QString position;   // "Position 24 / 4096"
    QString kv_cache;   // "KV cache 7.50 KiB"
    QString last_step;  // "Last step 0.12 ms (decode)"
    QString backend;    // "Backend: CPU (Eigen, 2 threads)"
};

SessionStatus describeSession(const Session& session);

}  // namespace kvscope
