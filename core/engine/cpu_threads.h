#pragma once
// How many threads the CPU backend uses when its caller does not say: `--threads N` (kvscope-cli
// and kvscope set it here), else OMP_NUM_THREADS, else every hardware thread.
#include <optional>

namespace kvscope {

/// Sets the process-wide thread request (`--threads N`); 0 clears it.
/// Precondition: 0 <= n_threads.
void setRequestedThreads(int n_threads);
/// The explicit request: --threads when set, else OMP_NUM_THREADS when set (as OpenMP reads
/// it), else nullopt.
std::optional<int> requestedThreads();
/// requestedThreads(), or every hardware thread.
int defaultThreads();

}  // namespace kvscope
