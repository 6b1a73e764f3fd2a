#pragma once
// The tokenizer embedded in a GGUF file, chosen by tokenizer.ggml.model: "llama" (SentencePiece)
// or "gpt2" (byte-level BPE with the pre-tokenizer named by tokenizer.ggml.pre).
#include <memory>

#include "core/model/gguf_file.h"
#include "core/model/tokenizer.h"

namespace kvscope {

/// Reads tokenizer.ggml.* (tokens, token_type, scores or merges, pre, bos/eos/unk ids,
/// add_bos_token, add_eos_token, add_space_prefix) as llama.cpp does, defaults included. Throws
/// InputError naming the key when it is missing, inconsistent, or names a tokenizer or
/// pre-tokenizer KVScope does not run (the file's metadata stays readable).
std::shared_ptr<const Tokenizer> loadGgufTokenizer(const GgufFile& file);

}  // namespace kvscope
