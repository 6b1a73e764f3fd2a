#pragma once
// A trace as Chrome trace-event JSON (the "JSON Object Format" that chrome://tracing and
// Perfetto open): {"traceEvents": [...], "displayTimeUnit": "ms", "otherData": {...}}.
//
// Steps are laid end to end from ts 0 by their measured wall time. Each step is one complete
// ("X") span; inside it, one span per layer and one for the output logits split the step's time
// in proportion to their analytic FLOPs, because per-layer wall time is not measured (every
// layer span says so in its args). Counter ("C") events after each step give the KV bytes held
// and allocated, in total and per layer. ts and dur are microseconds (integral nanoseconds / 1000,
// so spans nest exactly); pid is 1 and tid 1.
#include <ostream>

#include "core/trace/trace.h"

namespace kvscope {

void writeChromeTrace(const Trace& trace, std::ostream& out);

}  // namespace kvscope
