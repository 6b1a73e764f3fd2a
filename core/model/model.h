#pragma once
// A runnable model: config + weights + tokenizer.
#include <memory>
#include <string>

#include "core/model/model_config.h"
#include "core/model/model_weights.h"
#include "core/model/tokenizer.h"

namespace kvscope {

struct Model {
    ModelConfig config;
    ModelWeights weights;
    std::shared_ptr<const Tokenizer> tokenizer;
    /// The file's chat template (GGUF tokenizer.chat_template, Jinja), "" when it has none.
    std::string chat_template;
};

}  // namespace kvscope
