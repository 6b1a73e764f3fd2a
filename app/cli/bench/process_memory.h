#pragma once
// The process's resident memory, from /proc/self/status (Linux); 0 where it cannot be read.
#include <cstdint>

namespace kvscope::cli {

/// VmRSS: resident now.
std::int64_t residentBytes();
/// VmHWM: the peak resident size so far.
std::int64_t peakResidentBytes();

}  // namespace kvscope::cli
