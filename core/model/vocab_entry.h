#pragma once
// One token of a GGUF vocabulary (tokenizer.ggml.tokens / scores / token_type) and the switches
// every tokenizer reads from the file's tokenizer.ggml.* keys.
#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

namespace kvscope {

/// tokenizer.ggml.token_type values (llama.cpp's llama_token_type).
enum class TokenType : std::int32_t {
    Undefined = 0,
    Normal = 1,
    Unknown = 2,
    Control = 3,
    UserDefined = 4,
    Unused = 5,
    Byte = 6,
};

struct VocabEntry {
    std::string piece;   // UTF-8, "▁" for space (SentencePiece) or the GPT-2 byte alphabet (BPE)
    float score = 0.0f;  // SentencePiece merge priority: higher merges first
    TokenType type = TokenType::Normal;
};

/// What the tokenizer adds around a prompt and how special tokens swallow whitespace.
struct TokenizerOptions {
    bool add_bos = true;   // tokenizer.ggml.add_bos_token
    bool add_eos = false;  // tokenizer.ggml.add_eos_token
    /// Phi-3's rule (llama.cpp keys it on general.name): whitespace after a special token is
    /// dropped, except after <unk>, <s> and <|endoftext|>.
    bool phi3_rstrip = false;
    /// Tokens besides EOS that end generation (llama.cpp's end-of-generation set).
    std::vector<std::int32_t> end_of_generation;
};

/// Control and unknown tokens: generation never prints them.
inline bool isControlType(TokenType type) {
    return type == TokenType::Control || type == TokenType::Unknown;
}

/// EOS or one of `options.end_of_generation`.
inline bool endsGeneration(const TokenizerOptions& options, std::int32_t eos, std::int32_t id) {
    const std::vector<std::int32_t>& ends = options.end_of_generation;
    return id == eos || std::find(ends.begin(), ends.end(), id) != ends.end();
}

}  // namespace kvscope
