#pragma once
// Turning logits into the next token: greedy, temperature, top-k, top-p; seeded and reproducible
// on every platform (own uniform from a 64-bit Mersenne Twister, no std distributions).
#include <cstdint>
#include <random>
#include <vector>

#include "core/model/model_weights.h"
#include "core/model/tokenizer.h"

namespace kvscope {

struct SamplingParams {
    float temperature = 0.0f;  // 0 = greedy (argmax, lowest id on ties)
    std::int64_t top_k = 0;    // 0 = no limit
    float top_p = 1.0f;        // 1 = no nucleus cut
    std::uint64_t seed = 42;

    /// Throws InputError naming the field: temperature finite and >= 0, top_k >= 0,
    /// top_p in (0, 1].
    void validate() const;

    bool operator==(const SamplingParams&) const = default;
};

struct TokenProb {
    TokenId id = 0;
    float prob = 0.0f;
};

/// The k most probable tokens under softmax(logits) (temperature 1), highest first.
/// logits: [vocab].
std::vector<TokenProb> topTokens(const Vector& logits, std::int64_t k);

/// softmax(logits)[id] at temperature 1. logits: [vocab].
float tokenProbability(const Vector& logits, TokenId id);

class Sampler {
public:
    explicit Sampler(SamplingParams params);
    /// Picks the next token from logits: [vocab]. Advances the random state unless greedy.
    TokenId sample(const Vector& logits);
    const SamplingParams& params() const { return m_params; }

    /// The random state, saved before a step so that Session::undo() can restore it.
    using State = std::mt19937_64;
    const State& state() const { return m_rng; }
    void restore(const State& state) { m_rng = state; }

private:
    double uniform();  // [0, 1)
    SamplingParams m_params;
    std::mt19937_64 m_rng;
};

}  // namespace kvscope
