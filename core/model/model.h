#pragma once
// A runnable model: config + weights + tokenizer.
#include <memory>

#include "core/model/model_config.h"
#include "core/model/model_weights.h"
#include "core/model/tokenizer.h"

namespace kvscope {

struct Model {
    ModelConfig config;
    ModelWeights weights;
    std::shared_ptr<const Tokenizer> tokenizer;
};

}  // namespace kvscope
