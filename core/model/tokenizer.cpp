#include "core/model/tokenizer.h"

#include <cstdio>

namespace kvscope {

std::vector<TokenId> ByteTokenizer::encode(std::string_view text) const {
    std::vector<TokenId> ids;
    ids.reserve(text.size());
    for (unsigned char byte : text)
        ids.push_back(kFirstByte + TokenId(byte));
    return ids;
}

std::string ByteTokenizer::decode(TokenId id) const {
    if (id < kFirstByte || id >= kVocabSize) return {};
    return std::string(1, char(id - kFirstByte));
}

std::string ByteTokenizer::label(TokenId id) const {
    switch (id) {
        case kUnk:
            return "<unk>";
        case kBos:
            return "<s>";
        case kEos:
            return "</s>";
        default:
            break;
    }
    if (id < 0 || id >= kVocabSize) return "<invalid:" + std::to_string(id) + ">";
    const int byte = id - kFirstByte;
    if (byte == ' ') return "\u2581";  // "▁", as SentencePiece shows a space
    if (byte > ' ' && byte < 0x7f) return std::string(1, char(byte));
    char hex[8];
    std::snprintf(hex, sizeof hex, "<0x%02X>", byte);
    return hex;
}

}  // namespace kvscope
