#pragma once
// llama2.c's tokenizer.bin: int32 max_token_length, then per token: float32 score, int32 length,
// `length` bytes of piece (no count: the checkpoint's vocab_size says how many tokens there are).
// llama2.c's export writes " " for SentencePiece's "▁" and "\n<s>\n" / "\n</s>\n" for BOS / EOS;
// the reader turns them back into SentencePiece pieces.
#include <cstdint>
#include <memory>
#include <string>

#include "core/model/sentencepiece_tokenizer.h"

namespace kvscope {

/// llama2.c's fixed ids.
inline constexpr TokenId kLlama2cUnk = 0, kLlama2cBos = 1, kLlama2cEos = 2;

/// Reads `path` holding exactly `vocab_size` tokens. Pieces get types as llama.cpp's GGUF files
/// of the same models have them: 0 Unknown, 1..2 Control, "<0xNN>" Byte, the rest Normal.
/// Throws InputError naming the path, the token and the offset: truncated records, negative
/// lengths, lengths over max_token_length or the bytes left, NaN or infinite scores, bytes left
/// over after the last token (a tokenizer for a bigger vocabulary), vocab_size < 3.
std::shared_ptr<const SentencePieceTokenizer> loadLlama2cTokenizer(const std::string& path,
                                                                   std::int64_t vocab_size);

}  // namespace kvscope
