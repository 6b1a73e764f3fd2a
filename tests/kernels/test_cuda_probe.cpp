// The CUDA probe on any machine, with or without a GPU or a driver.
#include <catch2/catch.hpp>

#include "kernels/cuda_device.h"

using namespace kvscope;

TEST_CASE("the CUDA probe says usable, or says why not", "[kernels]") {
    const CudaDeviceInfo info = probeCudaDevice();
    INFO("reason: " << info.reason);
    if (info.usable) {
        CHECK(info.reason.empty());
        CHECK(info.device_count >= 1);
        CHECK_FALSE(info.name.empty());
    } else {
        CHECK_FALSE(info.reason.empty());
    }
    // The static runtime always knows its own version, driver or not.
    CHECK(info.runtime_version >= 12000);
}

TEST_CASE("the CUDA probe gives the same answer twice", "[kernels]") {
    const CudaDeviceInfo first = probeCudaDevice();
    const CudaDeviceInfo second = probeCudaDevice();
    CHECK(first.usable == second.usable);
    CHECK(first.reason == second.reason);
    CHECK(first.device_count == second.device_count);
}

TEST_CASE("CUDA versions and architectures are readable", "[kernels]") {
    CHECK(formatCudaVersion(13000) == "13.0");
    CHECK(formatCudaVersion(12040) == "12.4");
    CHECK(formatCudaVersion(11080) == "11.8");
    const std::string archs = compiledCudaArchitectures();
    CHECK_FALSE(archs.empty());
    CHECK(archs.find(';') == std::string::npos);
}
