#pragma once
// What every run feeds first: BOS, then the prompt's tokens. The one place that decides it, so the
// CLI, the window, the evaluations and the tests feed a model the same ids for the same text.
#include <string_view>
#include <vector>

#include "core/model/model.h"

namespace kvscope {

/// The prompt as llama.cpp's llama_tokenize(add_special = true, parse_special = true) gives it:
/// BOS when the tokenizer adds it (tokenizer.ggml.add_bos_token; SentencePiece and Llama 3 do,
/// Qwen2 does not), tokenizer.encode(prompt) (special tokens spelled in the prompt become their
/// token), then EOS when the tokenizer adds it. Never empty: a run needs a first token, so an
/// empty result is [BOS].
std::vector<TokenId> promptTokens(const Tokenizer& tokenizer, std::string_view prompt);
/// promptTokens(*model.tokenizer, prompt).
std::vector<TokenId> promptTokens(const Model& model, std::string_view prompt);

}  // namespace kvscope
