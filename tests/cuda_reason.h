#pragma once
// Why CUDA cannot run in this test binary, as the build and the device probe
// (kernels/cuda_device.h) see it; "" when it can. The expected text of every "CUDA is
// unavailable" message (CLI, GUI).
#include <string>

#include "app/cli/backend_flag.h"
#if KVSCOPE_HAVE_CUDA
#include "kernels/cuda_device.h"
#endif

namespace kvscope::test {

inline std::string expectedCudaReason() {
    cli::registerCompiledBackends();
#if KVSCOPE_HAVE_CUDA
    return probeCudaDevice().reason;
#else
    return "built without CUDA";
#endif
}

}  // namespace kvscope::test
