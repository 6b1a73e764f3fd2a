#include "app/cli/bench/process_memory.h"

#include <fstream>
#include <string>

namespace kvscope::cli {

namespace {

/// "VmRSS:    12345 kB" -> 12345 * 1024.
std::int64_t statusField(const std::string& name) {
    std::ifstream in("/proc/self/status");
    std::string line;
    while (std::getline(in, line)) {
        if (line.rfind(name + ":", 0) != 0) continue;
        try {
            return std::stoll(line.substr(name.size() + 1)) * 1024;
        } catch (const std::exception&) {
            return 0;
        }
    }
    return 0;
}

}  // namespace

std::int64_t residentBytes() {
    return statusField("VmRSS");
}

std::int64_t peakResidentBytes() {
    return statusField("VmHWM");
}

}  // namespace kvscope::cli
