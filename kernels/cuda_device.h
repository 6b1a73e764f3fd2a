#pragma once
// Is there a CUDA device this build can run on, and if not, why not? Answered without crashing on
// machines that have no driver at all (the runtime is linked statically). No CUDA headers here:
// plain C++ code (the CLI, the GUI, the tests) includes this.
#include <cstdint>
#include <string>

namespace kvscope {

struct CudaDeviceInfo {
    bool usable = false;
    /// Why CUDA is not usable ("" when usable): no driver, a driver older than the runtime, no
    /// device, or no kernel image for the device's architecture. Names the CUDA error it came from.
    std::string reason;

    int device_count = 0;
    int driver_version = 0;   // e.g. 12040 for 12.4; 0 when no driver is installed
    int runtime_version = 0;  // the CUDA runtime this binary was built with, e.g. 13000

    // Device 0, filled whenever one was found (even when no kernel image fits it).
    std::string name;
    std::int64_t total_memory_bytes = 0;
    int compute_major = 0;
    int compute_minor = 0;
};

/// Probes device 0: counts devices, reads its properties, and runs a one-thread kernel to prove a
/// kernel image for its architecture is present. Never throws.
CudaDeviceInfo probeCudaDevice();

/// The CUDA architectures this binary was built for, comma-separated: "75,80,86,89,90".
std::string compiledCudaArchitectures();

/// "13.0" for 13000: the CUDA convention 1000 * major + 10 * minor.
std::string formatCudaVersion(int version);

}  // namespace kvscope
