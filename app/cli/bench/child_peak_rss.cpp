#include "app/cli/bench/child_peak_rss.h"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <exception>
#include <fstream>
#include <sstream>
#include <string_view>

#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>
#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace kvscope::cli {

namespace {

/// What the child sends back through the pipe: plain bytes, no allocation in the parent needed.
struct ChildReport {
    double seconds = 0;
    double cpu_seconds = 0;
    std::int64_t start_rss = 0;
    std::int64_t peak_rss = 0;
    std::int64_t result = 0;
    int peak_reset = 0;
    char error[512] = {};
};

void writeAll(int fd, const void* data, std::size_t size) {
    const char* bytes = static_cast<const char*>(data);
    while (size > 0) {
        const ssize_t n = ::write(fd, bytes, size);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return;
        bytes += n;
        size -= std::size_t(n);
    }
}

/// Resets VmHWM to the current RSS (Linux >= 4.0: writing 5 to clear_refs).
bool resetPeakRss() {
    std::ofstream clear("/proc/self/clear_refs");
    clear << "5";
    clear.flush();
    return bool(clear);
}

[[noreturn]] void runChild(const ChildWork& work, int fd) {
    ChildReport report;
    try {
#if defined(__GLIBC__)
        ::malloc_trim(0);  // freed heap of the parent goes back, so reuse cannot hide the peak
#endif
        report.peak_reset = resetPeakRss() ? 1 : 0;
        report.start_rss = procStatusBytes("VmRSS:");
        ChildTimer timer;
        report.result = work(timer);
        report.seconds = timer.seconds();
        report.cpu_seconds = timer.cpuSeconds();
        report.peak_rss = std::max<std::int64_t>(timer.peakRssBytes() - report.start_rss, 0);
    } catch (const std::exception& e) {
        std::snprintf(report.error, sizeof report.error, "%s", e.what());
    } catch (...) {
        std::snprintf(report.error, sizeof report.error, "unknown exception");
    }
    writeAll(fd, &report, sizeof report);
    ::_exit(0);
}

}  // namespace

/// User + system CPU seconds of this process so far.
double cpuSecondsNow() {
    rusage usage{};
    ::getrusage(RUSAGE_SELF, &usage);
    const auto seconds = [](const timeval& t) {
        return double(t.tv_sec) + 1e-6 * double(t.tv_usec);
    };
    return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

void ChildTimer::start() {
    m_start_cpu = cpuSecondsNow();
    m_start_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(
                     std::chrono::steady_clock::now().time_since_epoch())
                     .count();
}

void ChildTimer::stop() {
    const std::int64_t now = std::chrono::duration_cast<std::chrono::nanoseconds>(
                                 std::chrono::steady_clock::now().time_since_epoch())
                                 .count();
    m_seconds = double(now - m_start_ns) * 1e-9;
    m_cpu_seconds = cpuSecondsNow() - m_start_cpu;
    m_peak_rss = procStatusBytes("VmHWM:");
}

std::int64_t procStatusBytes(const char* key) {
    std::ifstream status("/proc/self/status");
    std::string line;
    const std::string_view wanted(key);
    while (std::getline(status, line)) {
        if (line.rfind(wanted, 0) != 0) continue;
        std::istringstream fields(line.substr(wanted.size()));
        std::int64_t kib = 0;
        fields >> kib;
        return kib * 1024;
    }
    return 0;
}

ChildMeasurement measureInChild(const ChildWork& work) {
    ChildMeasurement out;
    int fds[2];
    if (::pipe(fds) != 0) {
        out.error = std::string("pipe failed: ") + std::strerror(errno);
        return out;
    }
    const pid_t pid = ::fork();
    if (pid < 0) {
        out.error = std::string("fork failed: ") + std::strerror(errno);
        ::close(fds[0]);
        ::close(fds[1]);
        return out;
    }
    if (pid == 0) {
        ::close(fds[0]);
        runChild(work, fds[1]);
    }
    ::close(fds[1]);
    ChildReport report;
    std::size_t got = 0;
    while (got < sizeof report) {
        const ssize_t n =
            ::read(fds[0], reinterpret_cast<char*>(&report) + got, sizeof report - got);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        got += std::size_t(n);
    }
    ::close(fds[0]);
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    if (got != sizeof report) {
        out.error = WIFSIGNALED(status)
                        ? "the child died of signal " + std::to_string(WTERMSIG(status))
                        : "the child exited without a report";
        return out;
    }
    out.seconds = report.seconds;
    out.cpu_seconds = report.cpu_seconds;
    out.start_rss_bytes = report.start_rss;
    out.peak_rss_bytes = report.peak_rss;
    out.peak_reset = report.peak_reset != 0;
    out.result = report.result;
    out.error = report.error;
    return out;
}

}  // namespace kvscope::cli
