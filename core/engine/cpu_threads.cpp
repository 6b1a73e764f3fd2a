#include "core/engine/cpu_threads.h"

#include <omp.h>

#include <algorithm>
#include <atomic>
#include <charconv>
#include <cstdlib>
#include <string>
#include <string_view>

#include "core/util/check.h"
#include "core/util/error.h"

namespace kvscope {

namespace {
std::atomic<int> g_requested{0};  // 0 = not set
}  // namespace

void setRequestedThreads(int n_threads) {
    KVSCOPE_EXPECTS(n_threads >= 0);
    g_requested.store(n_threads);
}

std::optional<int> threadsFromEnvironment() {
    const char* env = std::getenv("OMP_NUM_THREADS");
    if (env == nullptr || *env == '\0') return std::nullopt;
    const std::string_view text(env);
    std::string_view entry = text.substr(0, text.find(','));
    const std::size_t first = entry.find_first_not_of(" \t");
    entry = first == std::string_view::npos
                ? std::string_view()
                : entry.substr(first, entry.find_last_not_of(" \t") + 1 - first);
    int n = 0;
    const auto [end, error] = std::from_chars(entry.data(), entry.data() + entry.size(), n);
    if (entry.empty() || error != std::errc() || end != entry.data() + entry.size() || n < 1 ||
        n > kMaxThreads) {
        throw InputError("OMP_NUM_THREADS: expected a whole number of threads in [1, " +
                         std::to_string(kMaxThreads) + "], got '" + std::string(text) +
                         "' (the environment variable; --threads N overrides it)");
    }
    return n;
}

std::optional<int> requestedThreads() {
    if (const int n = g_requested.load(); n > 0) return n;
    try {
        return threadsFromEnvironment();
    } catch (const InputError&) {
        return std::nullopt;  // kvscope-cli and kvscope refused it at start
    }
}

int defaultThreads() {
    return requestedThreads().value_or(std::max(1, omp_get_num_procs()));
}

}  // namespace kvscope
