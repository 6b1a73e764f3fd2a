#pragma once
// Seeded random weights: the filler of the demo model and the shape-only models of `bench`.
#include <cstdint>

#include "core/model/model_weights.h"

namespace kvscope {

/// Weights at the shapes `config` asks for: matrices uniform in [-a, a] with a = scale /
/// sqrt(fan_in) (so activations keep their size), norms all 1 (Q/K and post-norms too), Q/K/V
/// biases uniform in [-scale/2, scale/2] when the config has them. Same seed -> same bytes.
ModelWeights randomWeights(const ModelConfig& config, std::uint64_t seed, float scale = 1.0f);

/// A deterministic stream of floats for seeded initialisation (SplitMix64 -> [0, 1)), identical
/// on every platform and standard library.
class SeededStream {
public:
    explicit SeededStream(std::uint64_t seed) : m_state(seed) {}
    std::uint64_t nextU64();
    /// Uniform in [0, 1).
    double uniform() { return double(nextU64() >> 11) * 0x1.0p-53; }
    /// Uniform in [-a, a).
    float symmetric(float a) { return float((2.0 * uniform() - 1.0) * a); }

private:
    std::uint64_t m_state;
};

/// Weights at the shapes `config` asks for, every matrix (embedding and classifier included) a
/// view of seeded random blocks of `type` (Q8_0, Q4_0 or Q4_K) with one fixed fp16 scale per
/// matrix so that values have an RMS near scale / sqrt(fan_in); norms all 1. What a quantized
/// file of that shape costs to run, without a quantizer. Preconditions: the type is one of those
/// three and every matrix row (d_model, q_dim, d_ff) is a whole number of its blocks.
ModelWeights randomQuantizedWeights(const ModelConfig& config, GgmlType type, std::uint64_t seed,
                                    float scale = 1.0f);

}  // namespace kvscope
