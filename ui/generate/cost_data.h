#pragma once
// The numbers behind "the cost of not caching": for every recorded step, the wall time measured
// with the KV cache and without it (recompute: the whole sequence again), and the analytic FLOPs
// of both. The session measures its own mode; the worker's twin session measures the other one
// on the same tokens. The prefill does the same work either way (and its time includes warming
// up), so the data starts at the first decode step.
#include <QString>
#include <vector>

#include "ui/engine/trace_model.h"

namespace kvscope {

struct CostData {
    std::vector<double> steps;            // [n] decode step numbers: 1, 2, ...
    std::vector<double> cached_ms;        // [n] measured; NaN where not measured
    std::vector<double> recompute_ms;     // [n] measured; NaN where not measured
    std::vector<double> cached_flops;     // [n] analytic
    std::vector<double> recompute_flops;  // [n] analytic
};

/// Every decode record of `trace` (not only those on screen).
CostData costData(const TraceModel& trace);

/// Running sums; a NaN ends the sum (later entries are NaN too).
std::vector<double> cumulative(const std::vector<double>& values);

}  // namespace kvscope
