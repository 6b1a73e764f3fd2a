#pragma once
// Text <-> token ids. A model owns one; the GUI and the CLI use it to encode prompts and to show
// tokens readably.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace kvscope {

using TokenId = std::int32_t;

class Tokenizer {
public:
    virtual ~Tokenizer() = default;
    /// Token ids of `text`, without BOS or EOS. Special tokens spelled in the text (llama.cpp's
    /// parse_special: "<|im_start|>", "<s>") become their single token.
    virtual std::vector<TokenId> encode(std::string_view text) const = 0;
    /// The bytes token `id` stands for in generated text ("" for special tokens).
    virtual std::string decode(TokenId id) const = 0;
    /// A readable label for display: "<s>", "<0x0A>", "▁the". Never empty.
    virtual std::string label(TokenId id) const = 0;
    virtual TokenId bos() const = 0;
    virtual TokenId eos() const = 0;
    virtual std::int64_t vocabSize() const = 0;
    /// True for control tokens (BOS, EOS, UNK) that generation never prints.
    virtual bool isSpecial(TokenId id) const = 0;
    /// Whether a prompt starts with BOS / ends with EOS (tokenizer.ggml.add_bos_token /
    /// add_eos_token); promptTokens() is where they are applied.
    virtual bool addBos() const { return true; }
    virtual bool addEos() const { return false; }
    /// True for EOS and the tokens that end a chat turn ("<|eot_id|>", "<|im_end|>",
    /// "<end_of_turn>", "<|end|>"): generation stops there.
    virtual bool isEndOfGeneration(TokenId id) const { return id == eos(); }
};

/// Byte-level tokenizer of the built-in demo model, laid out like llama's byte fallback:
/// 0 `<unk>`, 1 `<s>` (BOS), 2 `</s>` (EOS), 3 + b for byte b (259 tokens).
class ByteTokenizer final : public Tokenizer {
public:
    static constexpr TokenId kUnk = 0, kBos = 1, kEos = 2, kFirstByte = 3;
    static constexpr std::int64_t kVocabSize = 259;

    std::vector<TokenId> encode(std::string_view text) const override;
    std::string decode(TokenId id) const override;
    std::string label(TokenId id) const override;
    TokenId bos() const override { return kBos; }
    TokenId eos() const override { return kEos; }
    std::int64_t vocabSize() const override { return kVocabSize; }
    bool isSpecial(TokenId id) const override { return id >= 0 && id < kFirstByte; }
};

}  // namespace kvscope
