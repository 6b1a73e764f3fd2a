#include "core/model/llama2c_tokenizer.h"

#include <cmath>
#include <vector>

#include "core/model/raw_file_reader.h"

namespace kvscope {

namespace {

constexpr std::string_view kSpaceMarker = "\xE2\x96\x81";  // "▁" U+2581

bool isBytePiece(const std::string& piece) {
    const auto isHex = [](char c) { return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'F'); };
    return piece.size() == 6 && piece.compare(0, 3, "<0x") == 0 && isHex(piece[3]) &&
           isHex(piece[4]) && piece[5] == '>';
}

std::string spacesToMarkers(const std::string& text) {
    std::string out;
    out.reserve(text.size());
    for (char c : text) {
        if (c == ' ')
            out += kSpaceMarker;
        else
            out += c;
    }
    return out;
}

VocabEntry entryFor(TokenId id, float score, const std::string& stored) {
    VocabEntry e;
    e.score = score;
    switch (id) {
        case kLlama2cUnk:
            e.piece = "<unk>";
            e.type = TokenType::Unknown;
            return e;
        case kLlama2cBos:
            e.piece = "<s>";
            e.type = TokenType::Control;
            return e;
        case kLlama2cEos:
            e.piece = "</s>";
            e.type = TokenType::Control;
            return e;
        default:
            break;
    }
    e.piece = spacesToMarkers(stored);
    e.type = isBytePiece(stored) ? TokenType::Byte : TokenType::Normal;
    return e;
}

}  // namespace

std::shared_ptr<const SentencePieceTokenizer> loadLlama2cTokenizer(const std::string& path,
                                                                   std::int64_t vocab_size) {
    RawFileReader in("llama2.c tokenizer", path);
    if (vocab_size < 3) {
        in.fail("the checkpoint's vocab_size " + std::to_string(vocab_size) +
                " is too small for <unk>, <s>, </s>");
    }
    // Every record takes at least 8 bytes: a vocabulary too big for the file is reported here,
    // before anything is allocated for it.
    if (vocab_size > in.size() / 8) {
        in.fail("file is " + std::to_string(in.size()) + " bytes, too small for the " +
                std::to_string(vocab_size) + " tokens the checkpoint's vocab_size asks for");
    }
    const std::int32_t max_token_length = in.readInt32("the header (max_token_length)");
    if (max_token_length <= 0) {
        in.fail("max_token_length is " + std::to_string(max_token_length) + ", must be > 0");
    }
    std::vector<VocabEntry> vocab;  // [vocab_size]
    vocab.reserve(std::size_t(vocab_size));
    std::string stored;
    for (std::int64_t i = 0; i < vocab_size; ++i) {
        const std::string token =
            "token " + std::to_string(i) + " of " + std::to_string(vocab_size);
        const std::int64_t record = in.offset();
        const float score = in.readFloat32(token + " (score)");
        if (!std::isfinite(score)) {
            in.fail(token + " at offset " + std::to_string(record) + " has score " +
                    std::to_string(score) + ", must be a finite number");
        }
        const std::int32_t length = in.readInt32(token + " (length)");
        if (length < 0 || length > max_token_length) {
            in.fail(token + " at offset " + std::to_string(record) + " has length " +
                    std::to_string(length) + ", must be in [0, max_token_length " +
                    std::to_string(max_token_length) + "]");
        }
        if (length > in.remaining()) {
            in.fail("ends inside " + token + " at offset " + std::to_string(record) + ": its " +
                    std::to_string(length) + "-byte piece has only " +
                    std::to_string(in.remaining()) + " bytes left");
        }
        stored.resize(std::size_t(length));
        in.read(stored.data(), length, token + " (piece bytes)");
        vocab.push_back(entryFor(TokenId(i), score, stored));
    }
    if (in.remaining() != 0) {
        in.fail(std::to_string(in.remaining()) + " bytes left after the " +
                std::to_string(vocab_size) +
                " tokens the checkpoint's vocab_size asks for (a tokenizer of another model?)");
    }
    return std::make_shared<const SentencePieceTokenizer>(std::move(vocab), kLlama2cBos,
                                                          kLlama2cEos, kLlama2cUnk);
}

}  // namespace kvscope
