#pragma once
// Memory-copy bandwidth measured with memcpy over a buffer much larger than the last-level cache:
// the yardstick the bench puts next to the bandwidth decode achieves reading weights.
#include <cstdint>

namespace kvscope::cli {

struct CopyBandwidth {
    std::int64_t buffer_bytes = 0;  // bytes copied per repetition (source size)
    int n_threads = 1;              // threads copying disjoint slices at once
    int repetitions = 0;
    double median_seconds = 0;  // per copy of the whole buffer
    /// (read + write) bytes / s: a copy of B bytes reads B and writes B, so 2 B are counted.
    double readWriteGBps() const { return 2.0 * double(buffer_bytes) / median_seconds / 1e9; }
    /// Bytes copied / s (counting only the read side).
    double copyGBps() const { return double(buffer_bytes) / median_seconds / 1e9; }
};

/// Copies a `buffer_bytes` buffer into another `repetitions` times with `n_threads` threads (each
/// a contiguous slice), after touching both buffers so no page faults are timed.
CopyBandwidth measureCopyBandwidth(std::int64_t buffer_bytes, int n_threads, int repetitions);

}  // namespace kvscope::cli
