#include "core/engine/cpu_threads.h"

#include <omp.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>

#include "core/util/check.h"

namespace kvscope {

namespace {
std::atomic<int> g_requested{0};  // 0 = not set
}  // namespace

void setRequestedThreads(int n_threads) {
    KVSCOPE_EXPECTS(n_threads >= 0);
    g_requested.store(n_threads);
}

std::optional<int> requestedThreads() {
    if (const int n = g_requested.load(); n > 0) return n;
    const char* env = std::getenv("OMP_NUM_THREADS");
    if (env && *env) return std::max(1, omp_get_max_threads());  // OpenMP parsed it at start
    return std::nullopt;
}

int defaultThreads() {
    return requestedThreads().value_or(std::max(1, omp_get_num_procs()));
}

}  // namespace kvscope
