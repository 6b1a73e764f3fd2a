#include "core/model/prompt_tokens.h"

namespace kvscope {

std::vector<TokenId> promptTokens(const Model& model, std::string_view prompt) {
    std::vector<TokenId> tokens{model.tokenizer->bos()};
    const std::vector<TokenId> encoded = model.tokenizer->encode(prompt);
    tokens.insert(tokens.end(), encoded.begin(), encoded.end());
    return tokens;
}

}  // namespace kvscope
