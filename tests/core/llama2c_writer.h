#pragma once
// Test-only writers of llama2.c files, as bytes so that tests can cut and corrupt them:
// checkpoints in run.c's legacy layout (see core/model/llama2c_model.h) and tokenizer.bin as
// llama2.c's tokenizer.py exports it ("▁" written as ' ', BOS / EOS as "\n<s>\n" / "\n</s>\n").
#include <algorithm>
#include <array>
#include <atomic>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <vector>

#include "core/model/model.h"
#include "core/model/sentencepiece_tokenizer.h"

namespace kvscope::test {

/// The 7 header fields: dim, hidden_dim, n_layers, n_heads, n_kv_heads, vocab_size, seq_len.
using Llama2cHeaderFields = std::array<std::int32_t, 7>;

inline void appendInt32(std::string& out, std::int32_t value) {
    char bytes[4];
    std::memcpy(bytes, &value, 4);
    out.append(bytes, 4);
}

inline void appendFloats(std::string& out, const float* values, Eigen::Index n) {
    out.append(reinterpret_cast<const char*>(values), std::size_t(n) * 4);
}

/// The header llama2.c writes for `c` (vocab_size negative when the classifier is untied).
inline Llama2cHeaderFields llama2cHeader(const ModelConfig& c) {
    const auto vocab = std::int32_t(c.vocab);
    return {std::int32_t(c.d_model),    std::int32_t(c.d_ff),       std::int32_t(c.n_layers),
            std::int32_t(c.n_heads),    std::int32_t(c.n_kv_heads), c.tied_output ? vocab : -vocab,
            std::int32_t(c.max_context)};
}

inline std::string llama2cHeaderBytes(const Llama2cHeaderFields& fields) {
    std::string out;
    for (std::int32_t field : fields)
        appendInt32(out, field);
    return out;
}

/// A whole checkpoint of `w` (shapes of `c`, which must have head_dim = d_model / n_heads).
/// The unused freq_cis tables are filled with `freq_cis_fill`, so a reader that does not skip
/// them reads that value into a tensor.
inline std::string llama2cCheckpointBytes(const ModelConfig& c, const ModelWeights& w,
                                          float freq_cis_fill = -7.0f) {
    std::string out = llama2cHeaderBytes(llama2cHeader(c));
    const auto put = [&out](const auto& tensor) {
        if constexpr (std::is_same_v<std::decay_t<decltype(tensor)>, WeightMatrix>) {
            const Matrix values = tensor.toMatrix();
            appendFloats(out, values.data(), values.size());
        } else {
            appendFloats(out, tensor.data(), tensor.size());
        }
    };
    const auto perLayer = [&](auto field) {
        for (const LayerWeights& l : w.layers)
            put(l.*field);
    };
    put(w.token_embd);
    perLayer(&LayerWeights::attn_norm);
    perLayer(&LayerWeights::wq);
    perLayer(&LayerWeights::wk);
    perLayer(&LayerWeights::wv);
    perLayer(&LayerWeights::wo);
    perLayer(&LayerWeights::ffn_norm);
    perLayer(&LayerWeights::w_gate);  // w1
    perLayer(&LayerWeights::w_down);  // w2
    perLayer(&LayerWeights::w_up);    // w3
    put(w.output_norm);
    const std::vector<float> freq_cis(std::size_t(c.max_context * c.head_dim / 2), freq_cis_fill);
    for (int table = 0; table < 2; ++table)
        appendFloats(out, freq_cis.data(), Eigen::Index(freq_cis.size()));
    if (!c.tied_output) put(w.output);
    return out;
}

/// One tokenizer.bin record: score, length, bytes.
inline void appendTokenRecord(std::string& out, float score, const std::string& stored) {
    appendFloats(out, &score, 1);
    appendInt32(out, std::int32_t(stored.size()));
    out += stored;
}

/// The piece as llama2.c's export stores it.
inline std::string llama2cStoredPiece(TokenId id, const std::string& piece) {
    if (id == 1) return "\n<s>\n";
    if (id == 2) return "\n</s>\n";
    std::string out;
    for (std::size_t i = 0; i < piece.size(); ++i) {
        if (piece.compare(i, 3, "\xE2\x96\x81") == 0) {
            out += ' ';
            i += 2;
        } else {
            out += piece[i];
        }
    }
    return out;
}

/// tokenizer.bin of `vocab` (SentencePiece pieces, ids 0..2 = <unk> <s> </s>).
inline std::string llama2cTokenizerBytes(const std::vector<VocabEntry>& vocab) {
    std::vector<std::string> stored;
    std::size_t max_length = 0;
    for (std::size_t id = 0; id < vocab.size(); ++id) {
        stored.push_back(llama2cStoredPiece(TokenId(id), vocab[id].piece));
        max_length = std::max(max_length, stored.back().size());
    }
    std::string out;
    appendInt32(out, std::int32_t(max_length));
    for (std::size_t id = 0; id < vocab.size(); ++id)
        appendTokenRecord(out, vocab[id].score, stored[id]);
    return out;
}

/// A small llama2.c-style vocabulary of `n` >= 3 tokens: <unk> <s> </s>, then normal pieces
/// ("▁w3", "x4", ... with a "▁" on every other one) and, when n >= 6, "<0x0A>" at id 5.
inline std::vector<VocabEntry> smallLlama2cVocab(std::int64_t n) {
    std::vector<VocabEntry> vocab{{"<unk>", 0.0f, TokenType::Unknown},
                                  {"<s>", 0.0f, TokenType::Control},
                                  {"</s>", 0.0f, TokenType::Control}};
    for (std::int64_t id = 3; id < n; ++id) {
        if (id == 5) {
            vocab.push_back({"<0x0A>", 0.0f, TokenType::Byte});
            continue;
        }
        const std::string piece = (id % 2 ? "\xE2\x96\x81w" : "x") + std::to_string(id);
        vocab.push_back({piece, -float(id), TokenType::Normal});
    }
    return vocab;
}

// head_dim = d_model / n_heads, as llama2.c requires; GQA so wk/wv differ from wq in shape.
inline ModelConfig llama2cConfig(bool tied) {
    ModelConfig c;
    c.n_layers = 2;
    c.d_model = 16;
    c.n_heads = 4;
    c.n_kv_heads = 2;
    c.head_dim = 4;
    c.d_ff = 24;
    c.vocab = 40;
    c.max_context = 32;
    c.tied_output = tied;
    return c;
}

inline void writeFile(const std::filesystem::path& path, const std::string& bytes) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), std::streamsize(bytes.size()));
    if (!out) throw std::runtime_error("test could not write " + path.string());
}

/// A fresh empty directory under the system temp directory, removed with everything in it.
class TempDir {
public:
    TempDir() {
        static std::atomic<int> counter{0};
        std::random_device random;
        m_path = std::filesystem::temp_directory_path() /
                 ("kvscope_test_" + std::to_string(random()) + "_" + std::to_string(++counter));
        std::filesystem::create_directories(m_path);
    }
    ~TempDir() {
        std::error_code ignored;
        std::filesystem::remove_all(m_path, ignored);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;

    std::filesystem::path operator/(const std::string& name) const { return m_path / name; }
    const std::filesystem::path& path() const { return m_path; }

private:
    std::filesystem::path m_path;
};

}  // namespace kvscope::test
