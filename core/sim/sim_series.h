#pragma once
// The serving simulator's timeline as chart series over simulated time: KV utilization,
// concurrent sequences and wasted token slots, resampled to at most `max_points` points so a long
// run draws as fast as a short one.
#include <cstdint>
#include <vector>

#include "core/sim/sim_types.h"

namespace kvscope::sim {

struct Series {
    std::vector<double> x;  // simulated step
    std::vector<double> y;
};

struct TimelineSeries {
    Series utilization;  // held / reserved (a fraction); steps with nothing reserved are left out
    Series running;      // concurrent sequences
    Series waste;        // reserved - held token slots (internal + reservation waste)
};

/// One point per step while the timeline has at most `max_points` steps. Longer timelines are cut
/// into ceil(steps / max_points) consecutive steps per bucket: x is the mean step of the bucket,
/// utilization is sum(held) / sum(reserved) over the bucket (left out when that sum is 0), running
/// and waste are the bucket's means. Pre: max_points >= 1.
TimelineSeries timelineSeries(const std::vector<StepSample>& timeline, std::int64_t max_points);

}  // namespace kvscope::sim
