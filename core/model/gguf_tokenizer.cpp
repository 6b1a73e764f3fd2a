#include "core/model/gguf_tokenizer.h"

#include <algorithm>
#include <cctype>
#include <limits>
#include <string_view>

#include "core/model/bpe_tokenizer.h"
#include "core/model/sentencepiece_tokenizer.h"
#include "core/util/error.h"

namespace kvscope {

namespace {

[[noreturn]] void fail(const GgufFile& file, const std::string& what) {
    throw InputError("GGUF " + file.path() + ": " + what);
}

TokenId readTokenId(const GgufFile& file, const std::string& key, TokenId fallback) {
    const std::optional<std::uint64_t> id = file.findUint(key);
    if (!id) return fallback;
    if (*id > std::uint64_t(std::numeric_limits<TokenId>::max()))
        file.failAtKey(key, "token id " + std::to_string(*id) + " does not fit in 32 bits");
    return TokenId(*id);
}

/// tokenizer.ggml.tokens with their scores and types.
std::vector<VocabEntry> readVocab(const GgufFile& file) {
    std::optional<std::vector<std::string>> pieces = file.findStringArray("tokenizer.ggml.tokens");
    if (!pieces) fail(file, "missing key 'tokenizer.ggml.tokens'");
    const std::size_t n_vocab = pieces->size();
    const std::optional<std::vector<float>> scores = file.findFloatArray("tokenizer.ggml.scores");
    if (scores && scores->size() != n_vocab) {
        file.failAtKey("tokenizer.ggml.scores", "has " + std::to_string(scores->size()) +
                                                    " scores for " + std::to_string(n_vocab) +
                                                    " tokens");
    }
    const std::optional<std::vector<std::int64_t>> types =
        file.findIntArray("tokenizer.ggml.token_type");
    if (types && types->size() != n_vocab) {
        file.failAtKey("tokenizer.ggml.token_type", "has " + std::to_string(types->size()) +
                                                        " types for " + std::to_string(n_vocab) +
                                                        " tokens");
    }
    std::vector<VocabEntry> vocab(n_vocab);  // [n_vocab]
    for (std::size_t i = 0; i < n_vocab; ++i) {
        vocab[i].piece = std::move((*pieces)[i]);
        if (scores) vocab[i].score = (*scores)[i];
        if (types) {
            const std::int64_t type = (*types)[i];
            if (type < std::int64_t(TokenType::Undefined) || type > std::int64_t(TokenType::Byte)) {
                file.failAtKey(
                    "tokenizer.ggml.token_type",
                    "token " + std::to_string(i) + " has unknown type " + std::to_string(type));
            }
            vocab[i].type = TokenType(type);
        }
    }
    return vocab;
}

/// Pieces llama.cpp treats as ending a turn: they end generation and, whatever the file says,
/// are control tokens (so they are matched in prompts and never printed).
constexpr std::string_view kEndOfGeneration[] = {
    "<|eot_id|>",      "<|im_end|>",         "<|end|>",    "<end_of_turn>",
    "<|endoftext|>",   "<|eom_id|>",         "<EOT>",      "_<EOT>",
    "<|end_of_text|>", "<end_of_utterance>", "<|return|>", "<|call|>"};

/// Marks the end-of-generation pieces of `vocab` as control tokens and returns their ids.
std::vector<TokenId> endOfGenerationTokens(std::vector<VocabEntry>& vocab) {
    std::vector<TokenId> ids;
    for (std::size_t id = 0; id < vocab.size(); ++id) {
        for (std::string_view piece : kEndOfGeneration) {
            if (vocab[id].piece != piece) continue;
            vocab[id].type = TokenType::Control;
            ids.push_back(TokenId(id));
        }
    }
    return ids;
}

/// llama.cpp gives Phi-3's special tokens RSTRIP when general.name says Phi-3.
bool isPhi3(const GgufFile& file) {
    std::string name = file.findString("general.name").value_or("");
    std::transform(name.begin(), name.end(), name.begin(),
                   [](char c) { return char(std::tolower(static_cast<unsigned char>(c))); });
    return name.find("phi-3") != std::string::npos || name.find("phi3") != std::string::npos;
}

TokenizerOptions readOptions(const GgufFile& file, bool default_add_bos,
                             std::vector<VocabEntry>& vocab) {
    TokenizerOptions options;
    options.end_of_generation = endOfGenerationTokens(vocab);
    options.add_bos = file.findBool("tokenizer.ggml.add_bos_token").value_or(default_add_bos);
    options.add_eos = file.findBool("tokenizer.ggml.add_eos_token").value_or(false);
    options.phi3_rstrip = isPhi3(file);
    return options;
}

std::shared_ptr<const Tokenizer> loadSentencePiece(const GgufFile& file) {
    std::vector<VocabEntry> vocab = readVocab(file);
    // llama.cpp's SentencePiece defaults: <unk> 0, <s> 1, </s> 2, BOS added, a "▁" prefix.
    const TokenId bos = readTokenId(file, "tokenizer.ggml.bos_token_id", 1);
    const TokenId eos = readTokenId(file, "tokenizer.ggml.eos_token_id", 2);
    const TokenId unk = readTokenId(file, "tokenizer.ggml.unknown_token_id", 0);
    const bool add_space_prefix = file.findBool("tokenizer.ggml.add_space_prefix").value_or(true);
    const TokenizerOptions options = readOptions(file, true, vocab);
    try {
        return std::make_shared<const SentencePieceTokenizer>(std::move(vocab), bos, eos, unk,
                                                              add_space_prefix, options);
    } catch (const InputError& e) {
        fail(file, std::string("bad tokenizer: ") + e.what());
    }
}

std::shared_ptr<const Tokenizer> loadBytePairs(const GgufFile& file) {
    const std::string pre_key = "tokenizer.ggml.pre";
    // llama.cpp runs a file without the key with its "default" expressions (and warns).
    const std::string pre_name = file.findString(pre_key).value_or("default");
    std::optional<PreTokenizer> pre;
    try {
        pre.emplace(pre_name);
    } catch (const InputError&) {
        file.failAtKey(pre_key, "pre-tokenizer '" + pre_name + "' is not supported (supported: " +
                                    PreTokenizer::knownNames() + ")");
    }
    std::vector<VocabEntry> vocab = readVocab(file);
    const std::optional<std::vector<std::string>> merges =
        file.findStringArray("tokenizer.ggml.merges");
    if (!merges) fail(file, "missing key 'tokenizer.ggml.merges' (a gpt2 tokenizer needs it)");
    // llama.cpp's defaults for a BPE vocabulary: BOS = EOS = 11.
    const TokenId bos = readTokenId(file, "tokenizer.ggml.bos_token_id", 11);
    const TokenId eos = readTokenId(file, "tokenizer.ggml.eos_token_id", 11);
    const TokenizerOptions options = readOptions(file, pre->addsBos(), vocab);
    try {
        return std::make_shared<const BpeTokenizer>(std::move(vocab), *merges, std::move(*pre), bos,
                                                    eos, options);
    } catch (const InputError& e) {
        fail(file, std::string("bad tokenizer: ") + e.what());
    }
}

}  // namespace

std::shared_ptr<const Tokenizer> loadGgufTokenizer(const GgufFile& file) {
    const std::optional<std::string> model = file.findString("tokenizer.ggml.model");
    if (!model) fail(file, "no embedded tokenizer (missing key 'tokenizer.ggml.model')");
    if (*model == "llama") return loadSentencePiece(file);
    if (*model == "gpt2") return loadBytePairs(file);
    file.failAtKey("tokenizer.ggml.model",
                   "tokenizer model '" + *model +
                       "' is not supported (supported: 'llama' (SentencePiece), 'gpt2' "
                       "(byte-level BPE))");
}

}  // namespace kvscope
