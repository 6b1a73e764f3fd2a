#pragma once
// `kvscope-cli bench --backend cuda --kernels`: the CUDA decode-attention kernel per codec,
// batch and context (time, K/V bytes read per second, the fraction of the device's copy
// bandwidth), then each model's end-to-end decode tokens/s on the CUDA and the CPU backend.
#include <ostream>

#include "app/cli/cli_args.h"

namespace kvscope::cli {

/// Exits 2 (InputError) saying why when the run is not on a usable CUDA device.
int runKernelBench(const ParsedArgs& args, std::ostream& out, std::ostream& err);

}  // namespace kvscope::cli
