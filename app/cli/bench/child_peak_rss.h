#pragma once
// Peak memory of one piece of work, measured in a child process so that the number means what it
// says: the child is forked, returns its free heap to the system (malloc_trim), resets its peak
// RSS (/proc/self/clear_refs), notes its RSS, runs the work and reports the peak RSS reached
// (VmHWM) minus that starting RSS, with the work's wall time. The parent's memory is untouched.
#include <cstdint>
#include <functional>
#include <string>

namespace kvscope::cli {

struct ChildMeasurement {
    double seconds = 0;                // wall time of the measured part of the work
    double cpu_seconds = 0;            // its user + system CPU time (steadier on a busy machine)
    std::int64_t start_rss_bytes = 0;  // the child's RSS before the work
    std::int64_t peak_rss_bytes = 0;   // its peak RSS up to ChildTimer::stop() minus the start
    bool peak_reset = false;           // clear_refs reset the peak (else VmHWM may be older)
    std::int64_t result = 0;           // what the work returned (e.g. 1 = round trip exact)
    std::string error;                 // non-empty when the work threw or the child died
};

/// The measured part of a child's work: start() before it, stop() after it. stop() notes the wall
/// and CPU time and the peak RSS so far, so checks done after it (a round trip) do not count.
class ChildTimer {
public:
    void start();
    void stop();
    double seconds() const { return m_seconds; }
    double cpuSeconds() const { return m_cpu_seconds; }
    std::int64_t peakRssBytes() const { return m_peak_rss; }

private:
    std::int64_t m_start_ns = 0;
    double m_start_cpu = 0;
    double m_seconds = 0;
    double m_cpu_seconds = 0;
    std::int64_t m_peak_rss = 0;
};

/// The work: runs its measured part between timer.start() and timer.stop() and returns a number
/// for ChildMeasurement::result.
using ChildWork = std::function<std::int64_t(ChildTimer& timer)>;

/// Runs `work` in a forked child and reports its time and peak RSS increase. Never throws for a
/// failure of the work: the message is in `error`.
ChildMeasurement measureInChild(const ChildWork& work);

/// The value of a "Vm...:" line of /proc/self/status in bytes (0 when unavailable).
std::int64_t procStatusBytes(const char* key);

}  // namespace kvscope::cli
