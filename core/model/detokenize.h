#pragma once
// Generated token ids -> the text llama2.c prints for them.
#include <span>
#include <string>

#include "core/model/tokenizer.h"

namespace kvscope {

/// The concatenated decode() of `ids`, except that a SentencePiece piece right after BOS loses
/// its leading space: the "▁" dummy prefix that encode() adds to a text's first word, which
/// llama2.c drops when printing (`if (prev_token == 1 && piece[0] == ' ') piece++`). Byte tokens
/// ("<0x20>") keep their space, as in llama2.c. `prev` is the token fed before ids[0]: BOS when
/// `ids` start the text, -1 (or any other id) when they continue it. Tokenizer::decode() itself
/// is per token and never strips.
std::string detokenize(const Tokenizer& tokenizer, std::span<const TokenId> ids, TokenId prev);

}  // namespace kvscope
