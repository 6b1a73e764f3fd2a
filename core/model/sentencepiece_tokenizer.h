#pragma once
// SentencePiece BPE as llama uses it (tokenizer.ggml.model = "llama", and llama2.c's
// tokenizer.bin): a "▁" dummy prefix, spaces as "▁", merges chosen by highest score, byte
// fallback tokens "<0xNN>" for bytes no piece covers.
#include <string>
#include <unordered_map>
#include <vector>

#include "core/model/tokenizer.h"

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
    std::string piece;   // UTF-8, "▁" for space
    float score = 0.0f;  // merge priority: higher merges first
    TokenType type = TokenType::Normal;
};

class SentencePieceTokenizer final : public Tokenizer {
public:
    /// Throws InputError naming the problem: empty vocab, bos/eos/unk out of range, duplicate
    /// pieces are allowed (the first id wins, as in llama.cpp).
    SentencePieceTokenizer(std::vector<VocabEntry> vocab, TokenId bos, TokenId eos, TokenId unk,
                           bool add_space_prefix = true);

    std::vector<TokenId> encode(std::string_view text) const override;
    std::string decode(TokenId id) const override;
    std::string label(TokenId id) const override;
    TokenId bos() const override { return m_bos; }
    TokenId eos() const override { return m_eos; }
    std::int64_t vocabSize() const override { return std::int64_t(m_vocab.size()); }
    bool isSpecial(TokenId id) const override;

    const VocabEntry& entry(TokenId id) const { return m_vocab.at(std::size_t(id)); }

private:
    std::vector<VocabEntry> m_vocab;                    // [vocab]
    std::unordered_map<std::string, TokenId> m_lookup;  // piece -> first id
    std::vector<TokenId> m_byte_token;                  // [256] byte -> "<0xNN>" id, or -1
    TokenId m_bos, m_eos, m_unk;
    bool m_add_space_prefix;
};

}  // namespace kvscope
