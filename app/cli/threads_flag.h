#pragma once
// --threads N, shared by every command that computes (generate, attention, quant-eval,
// evict-eval, bench, export) and by kvscope itself: the CPU backend's threads
// (core/engine/cpu_threads.h).
#include "app/cli/cli_args.h"

namespace kvscope::cli {

inline constexpr FlagSpec kThreadsFlag = {
    "threads", "N",
    "threads for the forward pass, 1 to 1024 (default: OMP_NUM_THREADS, else every "
    "core)"};

/// N from --threads, or 0 when the flag is absent. InputError names the flag for anything but a
/// whole number in [1, 1024].
int parseThreadsFlag(const ParsedArgs& args);

/// For a command that computes, run without --threads: OMP_NUM_THREADS, when set, must be a
/// whole number in [1, 1024] (threadsFromEnvironment), else InputError names the variable.
void checkThreadsEnvironment();

}  // namespace kvscope::cli
