// Checks that need a real CUDA device. Without one, prints why and exits 77 (CTest: SKIPPED).
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>

#include <iostream>

#include "kernels/cuda_device.h"

using namespace kvscope;

namespace {
constexpr int kSkipped = 77;  // SKIP_RETURN_CODE in tests/kernels/CMakeLists.txt
}

TEST_CASE("the CUDA device is described and runs a kernel", "[kernels][gpu]") {
    const CudaDeviceInfo info = probeCudaDevice();
    REQUIRE(info.usable);
    CHECK(info.reason.empty());
    CHECK_FALSE(info.name.empty());
    CHECK(info.total_memory_bytes > (std::int64_t(1) << 30));
    CHECK(info.compute_major >= 7);
    CHECK(info.driver_version > 0);
}

int main(int argc, char** argv) {
    const CudaDeviceInfo info = probeCudaDevice();
    if (!info.usable) {
        std::cout << "SKIPPED: no usable CUDA device: " << info.reason << "\n";
        return kSkipped;
    }
    std::cout << "CUDA device 0: " << info.name << ", "
              << info.total_memory_bytes / (std::int64_t(1) << 20) << " MiB, compute "
              << info.compute_major << "." << info.compute_minor << ", driver "
              << formatCudaVersion(info.driver_version) << ", runtime "
              << formatCudaVersion(info.runtime_version) << "\n";
    return Catch::Session().run(argc, argv);
}
