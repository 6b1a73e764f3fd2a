#pragma once
// Summary statistics of repeated measurements.
#include <algorithm>
#include <stdexcept>
#include <vector>

namespace kvscope::cli {

/// The median of `samples` (the mean of the middle two for an even count). Pre: not empty.
inline double median(std::vector<double> samples) {
    if (samples.empty()) throw std::logic_error("median of no samples");
    std::sort(samples.begin(), samples.end());
    const std::size_t mid = samples.size() / 2;
    return samples.size() % 2 == 1 ? samples[mid] : 0.5 * (samples[mid - 1] + samples[mid]);
}

}  // namespace kvscope::cli
