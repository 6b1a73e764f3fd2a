#pragma once
// --backend cpu|cuda|auto, shared by every command that computes (generate, attention,
// quant-eval, evict-eval, bench, export) and by kvscope itself: which backend runs the forward
// pass (core/engine/backend_select.h).
#include <ostream>
#include <string_view>

#include "app/cli/cli_args.h"
#include "core/engine/backend_select.h"

namespace kvscope::cli {

inline constexpr FlagSpec kBackendFlag = {
    "backend", "cpu|cuda|auto",
    "where the forward pass runs (default cpu); cuda exits 2 saying why when CUDA is "
    "unavailable, auto falls back to the CPU and says so"};

/// Registers the backends this build has (CUDA when built with it) with
/// core/engine/backend_select.h. Idempotent; the CLI and kvscope call it at start.
void registerCompiledBackends();

/// The backend --backend asks for (cpu when absent). InputError naming the flag for an unknown
/// value, and for `cuda` when CUDA is unavailable (with the reason: built without CUDA, no
/// driver, no device). For `auto` without CUDA, `notes` gets one line saying why the run stays
/// on the CPU, prefixed with `program` ("kvscope-cli", "kvscope"). Registers the compiled
/// backends first (registerCompiledBackends()).
BackendKind parseBackendFlag(const ParsedArgs& args, std::ostream& notes,
                             std::string_view program = "kvscope-cli");

}  // namespace kvscope::cli
