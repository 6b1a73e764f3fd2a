#pragma once
// Small random models of every attention variant, for tests that must not depend on the demo
// model's designed weights.
#include <memory>

#include "core/model/model.h"
#include "core/model/random_weights.h"

namespace kvscope::test {

inline ModelConfig tinyConfig(std::int64_t n_heads, std::int64_t n_kv_heads) {
    ModelConfig c;
    c.name = "tiny";
    c.n_layers = 2;
    c.d_model = 32;
    c.n_heads = n_heads;
    c.n_kv_heads = n_kv_heads;
    c.head_dim = 8;
    c.d_ff = 48;
    c.vocab = ByteTokenizer::kVocabSize;
    c.max_context = 64;
    return c;
}

inline std::shared_ptr<const Model> tinyModel(std::int64_t n_heads, std::int64_t n_kv_heads,
                                              std::uint64_t seed = 7) {
    auto model = std::make_shared<Model>();
    model->config = tinyConfig(n_heads, n_kv_heads);
    model->weights = randomWeights(model->config, seed);
    model->tokenizer = std::make_shared<ByteTokenizer>();
    return model;
}

}  // namespace kvscope::test
