#include "core/model/prompt_tokens.h"

namespace kvscope {

std::vector<TokenId> promptTokens(const Tokenizer& tokenizer, std::string_view prompt) {
    std::vector<TokenId> tokens;
    if (tokenizer.addBos()) tokens.push_back(tokenizer.bos());
    const std::vector<TokenId> encoded = tokenizer.encode(prompt);
    tokens.insert(tokens.end(), encoded.begin(), encoded.end());
    if (tokenizer.addEos()) tokens.push_back(tokenizer.eos());
    if (tokens.empty()) tokens.push_back(tokenizer.bos());
    return tokens;
}

std::vector<TokenId> promptTokens(const Model& model, std::string_view prompt) {
    return promptTokens(*model.tokenizer, prompt);
}

}  // namespace kvscope
