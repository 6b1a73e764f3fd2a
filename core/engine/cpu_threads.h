#pragma once
// How many threads the CPU backend uses when its caller does not say: `--threads N` (kvscope-cli
// and kvscope set it here), else OMP_NUM_THREADS, else every hardware thread.
#include <optional>

namespace kvscope {

/// The most threads a run may ask for (--threads, OMP_NUM_THREADS).
inline constexpr int kMaxThreads = 1024;

/// OMP_NUM_THREADS as KVScope reads it: nullopt when unset or empty, else its first entry (a
/// list such as "4,2" sets OpenMP's nested levels; blanks around the entry are allowed) as a
/// whole number in [1, kMaxThreads]. Throws InputError naming the variable and its value
/// otherwise ("abc", "0", "100000"), which OpenMP itself would ignore or obey.
std::optional<int> threadsFromEnvironment();

/// Sets the process-wide thread request (`--threads N`); 0 clears it.
/// Precondition: 0 <= n_threads.
void setRequestedThreads(int n_threads);
/// The explicit request: --threads when set, else a valid OMP_NUM_THREADS
/// (threadsFromEnvironment; an invalid one counts as unset here: kvscope-cli refuses it before
/// any work), else nullopt.
std::optional<int> requestedThreads();
/// requestedThreads(), or every hardware thread.
int defaultThreads();

}  // namespace kvscope
