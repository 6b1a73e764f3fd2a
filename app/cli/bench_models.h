#pragma once
// The models `kvscope-cli bench` measures: the built-in demo model and a 15M-parameter-class
// Llama shape (llama2.c's stories15M: d_model 288, 6 layers, 6 heads) with random weights.
#include <memory>
#include <string>
#include <vector>

#include "core/model/model.h"

namespace kvscope::cli {

struct BenchModel {
    std::string name;  // as the report shows it
    std::shared_ptr<const Model> model;
};

/// The 15M-class shape: d_model 288, 6 layers, 6 heads, 6 KV heads, head_dim 48, d_ff 768,
/// vocab 32000, tied classifier, max context 2048.
ModelConfig config15m();

/// builtin:demo, then the 15M-class config with seeded random weights.
std::vector<BenchModel> benchModels();

}  // namespace kvscope::cli
