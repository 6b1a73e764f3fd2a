#pragma once
// main() of the tests that need a CUDA device: without a usable one it prints why and exits 77
// (tests/test_skip.h), which CTest reports as SKIPPED (SKIP_RETURN_CODE), never as passed.
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>
#include <iostream>

#include "kernels/cuda_device.h"
#include "test_skip.h"

int main(int argc, char** argv) {
    const kvscope::CudaDeviceInfo info = kvscope::probeCudaDevice();
    if (!info.usable) {
        std::cout << "SKIPPED: no usable CUDA device: " << info.reason << "\n";
        return kvscope::test::kSkipExitCode;
    }
    std::cout << "CUDA device 0: " << info.name << ", compute " << info.compute_major << "."
              << info.compute_minor << "\n";
    return kvscope::test::exitCodeAfter(Catch::Session().run(argc, argv));
}
