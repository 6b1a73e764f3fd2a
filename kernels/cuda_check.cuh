#pragma once
// CUDA error checks for kernels/: a failed runtime call becomes a std::runtime_error naming the
// call, the file and line, and CUDA's own words. Internal to kernels/ (.cu files only).
#include <cuda_runtime.h>

#include <stdexcept>
#include <string>

namespace kvscope::cuda {

[[noreturn]] inline void throwCudaError(cudaError_t error, const char* what, const char* file,
                                        int line) {
    throw std::runtime_error(std::string("CUDA: ") + what + " failed at " + file + ":" +
                             std::to_string(line) + " [" + cudaGetErrorName(error) + ": " +
                             cudaGetErrorString(error) + "]");
}

}  // namespace kvscope::cuda

#define KVSCOPE_CUDA_CHECK(call)                                                        \
    do {                                                                                \
        const cudaError_t kvscope_error_ = (call);                                      \
        if (kvscope_error_ != cudaSuccess)                                              \
            ::kvscope::cuda::throwCudaError(kvscope_error_, #call, __FILE__, __LINE__); \
    } while (0)

/// After a kernel launch: a bad configuration or a missing kernel image shows up here.
#define KVSCOPE_CUDA_LAUNCHED(what) KVSCOPE_CUDA_CHECK(cudaGetLastError())
