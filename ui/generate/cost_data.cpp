#include "ui/generate/cost_data.h"

#include <cmath>
#include <limits>

#include "core/engine/step_cost.h"

namespace kvscope {

CostData costData(const TraceModel& trace) {
    CostData data;
    const double nan = std::numeric_limits<double>::quiet_NaN();
    const bool caching = trace.trace().scenario.mode == CacheMode::Cached;
    const std::vector<StepRecord>& records = trace.trace().records;
    for (std::size_t r = 0; r < records.size(); ++r) {
        const StepRecord& record = records[r];
        if (record.phase == Phase::Prefill) continue;
        const std::int64_t n_new = std::int64_t(record.tokens.size());
        data.steps.push_back(double(r));
        data.cached_flops.push_back(forwardCost(trace.config(), record.first_pos, n_new, 1).flops);
        data.recompute_flops.push_back(
            forwardCost(trace.config(), 0, record.positionsAfter(), 1).flops);
        const double mine = record.wall_ms;
        const std::optional<OtherModeCost> measured = trace.otherCost(int(r));
        const double other = measured ? measured->wall_ms : nan;
        data.cached_ms.push_back(caching ? mine : other);
        data.recompute_ms.push_back(caching ? other : mine);
    }
    return data;
}

std::vector<double> cumulative(const std::vector<double>& values) {
    std::vector<double> sums;
    double sum = 0;
    for (double v : values) {
        sum += v;  // NaN stays NaN from here on
        sums.push_back(sum);
    }
    return sums;
}

}  // namespace kvscope
