#pragma once
// SentencePiece BPE as llama uses it (tokenizer.ggml.model = "llama", and llama2.c's
// tokenizer.bin): a "▁" dummy prefix, spaces as "▁", merges chosen by highest score, byte
// fallback tokens "<0xNN>" for bytes no piece covers.
#include <string>
#include <unordered_map>
#include <vector>

#include "core/model/special_tokens.h"
#include "core/model/tokenizer.h"
#include "core/model/vocab_entry.h"

namespace kvscope {

class SentencePieceTokenizer final : public Tokenizer {
public:
    /// Throws InputError naming the problem: empty vocab, bos/eos/unk out of range, duplicate
    /// pieces are allowed (the first id wins, as in llama.cpp).
    /// Control, user-defined and unknown pieces found in the text become their token (llama.cpp's
    /// parse_special), longest first; each stretch of text between them is encoded on its own,
    /// with the "▁" prefix when it starts the text or follows a special token.
    SentencePieceTokenizer(std::vector<VocabEntry> vocab, TokenId bos, TokenId eos, TokenId unk,
                           bool add_space_prefix = true, TokenizerOptions options = {});

    std::vector<TokenId> encode(std::string_view text) const override;
    std::string decode(TokenId id) const override;
    std::string label(TokenId id) const override;
    TokenId bos() const override { return m_bos; }
    TokenId eos() const override { return m_eos; }
    std::int64_t vocabSize() const override { return std::int64_t(m_vocab.size()); }
    bool isSpecial(TokenId id) const override;
    bool addBos() const override { return m_options.add_bos; }
    bool addEos() const override { return m_options.add_eos; }
    bool isEndOfGeneration(TokenId id) const override;

    const VocabEntry& entry(TokenId id) const { return m_vocab.at(std::size_t(id)); }

private:
    void encodeText(std::string_view text, bool space_prefix, std::vector<TokenId>& ids) const;

    std::vector<VocabEntry> m_vocab;                    // [vocab]
    std::unordered_map<std::string, TokenId> m_lookup;  // piece -> first id
    std::vector<TokenId> m_byte_token;                  // [256] byte -> "<0xNN>" id, or -1
    TokenId m_bos, m_eos, m_unk;
    bool m_add_space_prefix;
    TokenizerOptions m_options;
    SpecialTokenSplitter m_specials;
};

}  // namespace kvscope
