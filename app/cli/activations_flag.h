#pragma once
// --activations q8|float, shared by every command that computes (generate, attention,
// quant-eval, evict-eval, bench, export): how the CPU backend's matrix products treat their
// inputs for quantized weights (core/engine/cpu_math.h, cpu::Activations).
#include "app/cli/cli_args.h"
#include "core/engine/cpu_math.h"

namespace kvscope::cli {

inline constexpr FlagSpec kActivationsFlag = {
    "activations", "q8|float",
    "quantized weights on the CPU: q8 (default) rounds each activation row to 8-bit blocks and "
    "multiplies integers, as llama.cpp does; float keeps fp32 rows (the exact product with "
    "the weights' fp32 expansion). F32/F16/BF16 weights always take float rows"};

/// The scheme --activations asks for (q8 when absent). InputError naming the flag otherwise.
cpu::Activations parseActivationsFlag(const ParsedArgs& args);

}  // namespace kvscope::cli
