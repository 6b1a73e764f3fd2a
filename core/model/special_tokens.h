#pragma once
// Special tokens spelled inside a prompt ("<|im_start|>", "<start_of_turn>", "<s>") become their
// single token before any other tokenization: llama.cpp's tokenizer_st_partition with
// parse_special. Control, user-defined and unknown tokens take part; the longest text wins.
#include <string>
#include <string_view>
#include <vector>

#include "core/model/tokenizer.h"
#include "core/model/vocab_entry.h"

namespace kvscope {

struct SpecialToken {
    std::string text;
    TokenId id = 0;
    bool rstrip = false;  // whitespace right after it is dropped (Phi-3)
};

/// A stretch of the text to tokenize normally (token < 0), or one special token.
struct TextFragment {
    std::string_view text;
    TokenId token = -1;
};

class SpecialTokenSplitter {
public:
    SpecialTokenSplitter() = default;
    /// The control, user-defined and unknown entries of `vocab` (non-empty pieces only).
    explicit SpecialTokenSplitter(const std::vector<VocabEntry>& vocab, bool phi3_rstrip = false);

    /// `text` cut into fragments, in order, as llama.cpp cuts it: each special token in turn,
    /// longest first (ties: lower id first), splits every text fragment at each of its
    /// occurrences, left to right. Fragments view `text`; empty text fragments are dropped.
    std::vector<TextFragment> split(std::string_view text) const;

    std::size_t size() const { return m_tokens.size(); }

private:
    std::vector<SpecialToken> m_tokens;  // longest text first
};

}  // namespace kvscope
