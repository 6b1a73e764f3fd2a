// See cuda_device.h. The probe stops at the first thing that fails and says what it was.
#include "kernels/cuda_device.h"

#include <cuda_runtime.h>

namespace kvscope {
namespace {

// One thread writes a known word: if it comes back, a kernel image for this device exists.
__global__ void writeMarker(unsigned* out) {
    *out = 0x4b56u;
}

std::string describe(cudaError_t error) {
    return std::string(cudaGetErrorName(error)) + ": " + cudaGetErrorString(error);
}

std::string explainDeviceCountError(cudaError_t error, const CudaDeviceInfo& info) {
    if (info.driver_version == 0) {
        return "no CUDA driver found (libcuda could not be loaded) [" + describe(error) + "]";
    }
    if (error == cudaErrorInsufficientDriver || info.driver_version < info.runtime_version) {
        return "the CUDA driver supports CUDA " + formatCudaVersion(info.driver_version) +
               " but this binary needs " + formatCudaVersion(info.runtime_version) + " [" +
               describe(error) + "]";
    }
    if (error == cudaErrorNoDevice) return "no CUDA device found [" + describe(error) + "]";
    return "CUDA could not count devices [" + describe(error) + "]";
}

// Runs writeMarker on the current device; "" on success, else why it failed.
std::string runMarkerKernel() {
    unsigned* device_word = nullptr;
    if (cudaError_t e = cudaMalloc(&device_word, sizeof(unsigned)); e != cudaSuccess) {
        return "cudaMalloc failed [" + describe(e) + "]";
    }
    writeMarker<<<1, 1>>>(device_word);
    cudaError_t e = cudaGetLastError();
    unsigned host_word = 0;
    if (e == cudaSuccess) {
        e = cudaMemcpy(&host_word, device_word, sizeof(unsigned), cudaMemcpyDeviceToHost);
    }
    cudaFree(device_word);
    if (e == cudaErrorNoKernelImageForDevice) {
        return "no kernel image for this device's architecture (built for " +
               compiledCudaArchitectures() + ") [" + describe(e) + "]";
    }
    if (e != cudaSuccess) return "a test kernel failed to run [" + describe(e) + "]";
    if (host_word != 0x4b56u) return "a test kernel ran but wrote the wrong value";
    return "";
}

}  // namespace

std::string compiledCudaArchitectures() {
    return KVSCOPE_CUDA_ARCHITECTURES;
}

std::string formatCudaVersion(int version) {
    return std::to_string(version / 1000) + "." + std::to_string(version % 1000 / 10);
}

CudaDeviceInfo probeCudaDevice() {
    CudaDeviceInfo info;
    cudaRuntimeGetVersion(&info.runtime_version);
    if (cudaDriverGetVersion(&info.driver_version) != cudaSuccess) info.driver_version = 0;

    if (cudaError_t e = cudaGetDeviceCount(&info.device_count); e != cudaSuccess) {
        info.device_count = 0;
        info.reason = explainDeviceCountError(e, info);
        return info;
    }
    if (info.device_count == 0) {
        info.reason = "no CUDA device found (the driver reports 0 devices)";
        return info;
    }

    cudaDeviceProp props{};
    if (cudaError_t e = cudaGetDeviceProperties(&props, 0); e != cudaSuccess) {
        info.reason = "could not read device 0's properties [" + describe(e) + "]";
        return info;
    }
    info.name = props.name;
    info.total_memory_bytes = static_cast<std::int64_t>(props.totalGlobalMem);
    info.compute_major = props.major;
    info.compute_minor = props.minor;

    if (cudaError_t e = cudaSetDevice(0); e != cudaSuccess) {
        info.reason = "could not select device 0 [" + describe(e) + "]";
        return info;
    }
    info.reason = runMarkerKernel();
    info.usable = info.reason.empty();
    return info;
}

}  // namespace kvscope
