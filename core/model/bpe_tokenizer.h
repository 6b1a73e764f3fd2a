#pragma once
// Byte-level BPE (tokenizer.ggml.model = "gpt2": Llama 3, Qwen2, SmolLM, DeepSeek, GPT-2): special
// tokens first, then the pre-tokenizer's words, each spelled in GPT-2's byte alphabet and merged
// pair by pair in tokenizer.ggml.merges order, as llama.cpp does it.
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/model/pre_tokenizer.h"
#include "core/model/special_tokens.h"
#include "core/model/tokenizer.h"
#include "core/model/vocab_entry.h"

namespace kvscope {

class BpeTokenizer final : public Tokenizer {
public:
    /// `merges`: "left right" lines, lowest rank (first) merges first. Throws InputError naming
    /// the problem: an empty vocabulary, bos/eos outside it, a merge line without a space.
    BpeTokenizer(std::vector<VocabEntry> vocab, const std::vector<std::string>& merges,
                 PreTokenizer pre, TokenId bos, TokenId eos, TokenizerOptions options);

    std::vector<TokenId> encode(std::string_view text) const override;
    /// The bytes of a normal token (its characters mapped back through the byte alphabet), a
    /// user-defined token's text verbatim, "" for control and other tokens.
    std::string decode(TokenId id) const override;
    /// decode()'s bytes made printable on one line: valid UTF-8 as it is (a space is a space),
    /// control bytes and bytes of broken UTF-8 as "<0xNN>"; a special token's own text.
    std::string label(TokenId id) const override;
    TokenId bos() const override { return m_bos; }
    TokenId eos() const override { return m_eos; }
    std::int64_t vocabSize() const override { return std::int64_t(m_vocab.size()); }
    bool isSpecial(TokenId id) const override;
    bool addBos() const override { return m_options.add_bos; }
    bool addEos() const override { return m_options.add_eos; }
    bool isEndOfGeneration(TokenId id) const override;

    const PreTokenizer& preTokenizer() const { return m_pre; }

private:
    void encodeWord(const std::string& word, std::vector<TokenId>& ids) const;
    TokenId lookup(std::string_view piece) const;
    int rank(std::string_view left, std::string_view right) const;

    std::vector<VocabEntry> m_vocab;                    // [vocab]
    std::unordered_map<std::string, TokenId> m_lookup;  // piece -> last id (llama.cpp's map)
    std::unordered_map<std::string, int> m_ranks;       // mergeKey(left, right) -> rank
    PreTokenizer m_pre;
    SpecialTokenSplitter m_specials;
    TokenId m_bos, m_eos;
    TokenizerOptions m_options;
};

}  // namespace kvscope
