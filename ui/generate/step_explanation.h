#pragma once
// Two or three plain sentences on what the step on screen did: how many K/V rows it computed and
// how many it read from the cache, the bytes it added, and what not caching would have cost.
#include <QString>

#include "ui/engine/trace_model.h"

namespace kvscope {

/// Rich text for the record at the cursor; a short how-to before the prefill.
QString explainStep(const TraceModel& trace);

}  // namespace kvscope
