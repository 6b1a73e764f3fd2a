#include "core/sim/sim_series.h"
#include "core/util/check.h"

#include <algorithm>

namespace kvscope::sim {

TimelineSeries timelineSeries(const std::vector<StepSample>& timeline, std::int64_t max_points) {
    KVSCOPE_EXPECTS(max_points >= 1);
    const std::int64_t n = std::int64_t(timeline.size());
    const std::int64_t per_bucket = std::max<std::int64_t>(1, (n + max_points - 1) / max_points);
    TimelineSeries out;
    for (std::int64_t first = 0; first < n; first += per_bucket) {
        const std::int64_t last = std::min(n, first + per_bucket);
        double steps = 0, held = 0, reserved = 0, running = 0;
        for (std::int64_t i = first; i < last; ++i) {
            const StepSample& s = timeline[std::size_t(i)];
            steps += double(s.step);
            held += double(s.held);
            reserved += double(s.reserved);
            running += double(s.running_seqs);
        }
        const double count = double(last - first);
        const double x = steps / count;
        if (reserved > 0) {
            out.utilization.x.push_back(x);
            out.utilization.y.push_back(held / reserved);
        }
        out.running.x.push_back(x);
        out.running.y.push_back(running / count);
        out.waste.x.push_back(x);
        out.waste.y.push_back((reserved - held) / count);
    }
    return out;
}

}  // namespace kvscope::sim
