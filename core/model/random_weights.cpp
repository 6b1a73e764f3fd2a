#include "core/model/random_weights.h"

#include <cmath>

namespace kvscope {

std::uint64_t SeededStream::nextU64() {
    // SplitMix64 (Steele, Lea, Flood 2014).
    std::uint64_t z = (m_state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

namespace {

void fill(Matrix& m, SeededStream& rng, float scale) {
    const float a = scale / std::sqrt(float(m.cols()));
    for (Eigen::Index i = 0; i < m.size(); ++i)
        m.data()[i] = rng.symmetric(a);
}

}  // namespace

ModelWeights randomWeights(const ModelConfig& config, std::uint64_t seed, float scale) {
    ModelWeights w = ModelWeights::zeros(config);
    SeededStream rng(seed);
    // Embeddings are not a product with anything: give their rows unit-ish size (fan-in 1).
    const float embd_a = scale;
    Matrix& embd = w.token_embd.values();
    for (Eigen::Index i = 0; i < embd.size(); ++i)
        embd.data()[i] = rng.symmetric(embd_a);
    for (LayerWeights& l : w.layers) {
        l.attn_norm.setOnes();
        l.ffn_norm.setOnes();
        for (WeightMatrix* m : {&l.wq, &l.wk, &l.wv, &l.wo, &l.w_gate, &l.w_up, &l.w_down})
            fill(m->values(), rng, scale);
        // The architecture's optional tensors (empty for llama, so its draws are unchanged).
        for (Vector* norm : {&l.q_norm, &l.k_norm, &l.attn_post_norm, &l.ffn_post_norm})
            norm->setOnes();
        for (Vector* bias : {&l.bq, &l.bk, &l.bv})
            for (Eigen::Index i = 0; i < bias->size(); ++i)
                (*bias)[i] = rng.symmetric(0.5f * scale);
    }
    w.output_norm.setOnes();
    if (!config.tied_output) fill(w.output.values(), rng, scale);
    return w;
}

}  // namespace kvscope
