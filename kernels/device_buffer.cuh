#pragma once
// An owned device allocation of n elements of T (cudaMalloc / cudaFree), movable, never copied.
#include <cuda_runtime.h>

#include <cstdint>
#include <utility>

#include "kernels/cuda_check.cuh"

namespace kvscope::cuda {

template <typename T>
class DeviceBuffer {
public:
    DeviceBuffer() = default;
    explicit DeviceBuffer(std::int64_t n) { resize(n); }
    DeviceBuffer(const DeviceBuffer&) = delete;
    DeviceBuffer& operator=(const DeviceBuffer&) = delete;
    DeviceBuffer(DeviceBuffer&& other) noexcept
        : m_data(std::exchange(other.m_data, nullptr)), m_size(std::exchange(other.m_size, 0)) {}
    DeviceBuffer& operator=(DeviceBuffer&& other) noexcept {
        std::swap(m_data, other.m_data);
        std::swap(m_size, other.m_size);
        return *this;
    }
    ~DeviceBuffer() {
        if (m_data) cudaFree(m_data);
    }

    /// Makes room for n elements; the contents are lost when it grows.
    void resize(std::int64_t n) {
        if (n <= m_size) return;
        if (m_data) cudaFree(m_data);
        m_data = nullptr;
        m_size = 0;
        KVSCOPE_CUDA_CHECK(cudaMalloc(&m_data, std::size_t(n) * sizeof(T)));
        m_size = n;
    }
    void upload(const T* host, std::int64_t n, cudaStream_t stream = nullptr) {
        resize(n);
        KVSCOPE_CUDA_CHECK(cudaMemcpyAsync(m_data, host, std::size_t(n) * sizeof(T),
                                           cudaMemcpyHostToDevice, stream));
    }
    void download(T* host, std::int64_t n, cudaStream_t stream = nullptr) const {
        KVSCOPE_CUDA_CHECK(cudaMemcpyAsync(host, m_data, std::size_t(n) * sizeof(T),
                                           cudaMemcpyDeviceToHost, stream));
    }
    void zero(std::int64_t n, cudaStream_t stream = nullptr) {
        KVSCOPE_CUDA_CHECK(cudaMemsetAsync(m_data, 0, std::size_t(n) * sizeof(T), stream));
    }

    T* get() const { return m_data; }
    std::int64_t size() const { return m_size; }

private:
    T* m_data = nullptr;
    std::int64_t m_size = 0;
};

}  // namespace kvscope::cuda
