#include "core/model/detokenize.h"

#include "core/model/sentencepiece_tokenizer.h"

namespace kvscope {

namespace {

/// True when `id`'s leading space is SentencePiece's word marker rather than a literal byte.
bool startsWithWordMarker(const Tokenizer& tokenizer, TokenId id, const std::string& text) {
    if (text.empty() || text[0] != ' ') return false;
    const auto* spm = dynamic_cast<const SentencePieceTokenizer*>(&tokenizer);
    if (spm == nullptr) return false;  // byte-level tokenizers have no dummy prefix
    return spm->entry(id).type != TokenType::Byte;
}

}  // namespace

std::string detokenize(const Tokenizer& tokenizer, std::span<const TokenId> ids, TokenId prev) {
    std::string text;
    for (TokenId id : ids) {
        std::string piece = tokenizer.decode(id);
        if (prev == tokenizer.bos() && startsWithWordMarker(tokenizer, id, piece))
            piece.erase(0, 1);
        text += piece;
        prev = id;
    }
    return text;
}

}  // namespace kvscope
