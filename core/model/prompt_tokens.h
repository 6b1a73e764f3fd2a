#pragma once
// What every run feeds first: BOS, then the prompt's tokens. The one place that decides it, so the
// CLI, the window, the evaluations and the tests feed a model the same ids for the same text.
#include <string_view>
#include <vector>

#include "core/model/model.h"

namespace kvscope {

/// [1 + n_prompt_tokens]: the model's BOS id, then tokenizer->encode(prompt).
std::vector<TokenId> promptTokens(const Model& model, std::string_view prompt);

}  // namespace kvscope
