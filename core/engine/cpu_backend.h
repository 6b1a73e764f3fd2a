#pragma once
// The reference forward pass on the CPU with Eigen: RMSNorm, RoPE on adjacent pairs, causal
// attention with n_kv_heads dividing n_heads, SwiGLU FFN. Prefill is matrix-matrix, a single
// token is matrix-vector.
#include "core/engine/backend.h"
#include "core/engine/cpu_math.h"

namespace kvscope {

class CpuBackend final : public Backend {
public:
    /// n_threads: threads for the matrix products and attention; 0 = defaultThreads()
    /// (--threads, else OMP_NUM_THREADS, else every hardware thread). activations: how the
    /// matrix products treat their inputs (cpu_math.h; default LlamaCpp: quantized weights
    /// multiply 8-bit activations, as llama.cpp's CPU backend does; --activations float keeps
    /// them fp32).
    explicit CpuBackend(int n_threads = 0,
                        cpu::Activations activations = cpu::Activations::LlamaCpp);
    std::string name() const override;
    void forward(const Model& model, KvCache& cache, std::span<const TokenId> tokens,
                 std::int64_t start_pos, const ForwardOptions& options,
                 ForwardOutput& out) override;
    int nThreads() const { return m_n_threads; }
    cpu::Activations activations() const { return m_matmul.activations; }

private:
    int m_n_threads;
    cpu::MatmulOptions m_matmul;  // m_n_threads and the activations, for cpu::linear
};

}  // namespace kvscope
