#pragma once
// The forward pass on a CUDA device, giving the CPU backend's tokens (core/engine/cpu_backend.h):
// weights on the device (fp16/bf16 as the file stores them, fp32 otherwise: quantized types are
// expanded exactly as the CPU decodes them), RMSNorm, RoPE (both pair styles), SwiGLU/GeGLU,
// attention over a device copy of the KV cache that mirrors the CPU cache's bytes (kv_layout.h),
// read through block tables with split-K and the codecs dequantized in the kernel.
//
// The host KvCache stays the one the engine and its views read: every new K/V row is also
// appended there (the few floats of the new tokens come back from the device), so bytes, blocks,
// undo and eviction behave as on the CPU. The device copy follows it: when the host cache
// changed under it (undo, eviction, a copy-on-write block, another sequence) the layer is
// re-encoded on the device from the host's rows. See docs/architecture.md, "The CUDA path".
//
// Plain C++ (no CUDA header): the CLI, the GUI's launcher and the tests include it.
#include <memory>
#include <string>

#include "core/engine/backend.h"
#include "core/engine/backend_select.h"

namespace kvscope {

class CudaBackend final : public Backend {
public:
    /// Takes device 0. Throws InputError saying why when CUDA is unusable (no driver, no device,
    /// no kernel image): cudaBackendAvailability() first to ask without an exception.
    CudaBackend();
    ~CudaBackend() override;
    CudaBackend(const CudaBackend&) = delete;
    CudaBackend& operator=(const CudaBackend&) = delete;

    /// "CUDA (NVIDIA H100 80GB HBM3, sm_90)".
    std::string name() const override;
    /// As CpuBackend::forward. Throws InputError for what the device path does not run (a model
    /// feature the kernels lack, a KV format without a kernel or with a recent window).
    void forward(const Model& model, KvCache& cache, std::span<const TokenId> tokens,
                 std::int64_t start_pos, const ForwardOptions& options,
                 ForwardOutput& out) override;

    /// Bytes of the device copy of the KV cache (the same as the host cache's blocks).
    std::int64_t deviceKvBytes() const;
    /// How many times a layer was re-encoded from the host's rows (0 in a plain generation).
    std::int64_t resyncCount() const;

private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

/// probeCudaDevice() in the words of core/engine/backend_select.h.
CudaAvailability cudaBackendAvailability();
/// Registers CudaBackend with core/engine/backend_select.h (called once at program start).
void registerCudaBackendHooks();

}  // namespace kvscope
