#pragma once
// A runnable llama-architecture GGUF (tiny, random F32 weights) around a tokenizer fixture's
// vocabulary (tests/data/tokenizer/*.gguf): what a Llama 3 or Qwen-vocabulary file looks like
// to the loader, for tests of the tokenizer through a real model file.
#include <cstddef>
#include <string>
#include <vector>

#include "core/model/gguf_file.h"
#include "core/model/random_weights.h"
#include "tests/core/gguf_writer.h"
#include "tests/core/tiny_models.h"

namespace kvscope::test {

inline void addVocabModelMatrix(GgufWriter& w, const std::string& name, const Matrix& m) {
    w.tensorF32(name, {std::uint64_t(m.cols()), std::uint64_t(m.rows())}, m.data(),
                std::size_t(m.size()));
}

inline void addVocabModelVector(GgufWriter& w, const std::string& name, const Vector& v) {
    w.tensorF32(name, {std::uint64_t(v.size())}, v.data(), std::size_t(v.size()));
}

/// A runnable llama-architecture GGUF (random F32 weights) with the tokenizer keys of the GGUF at
/// `vocab_path` and `chat_template`: what a Llama 3 or Qwen-vocabulary file looks like to the
/// loader.
inline std::vector<std::byte> llamaWithVocab(const std::string& vocab_path,
                                             const std::string& chat_template) {
    const GgufFile vocab_file = GgufFile::open(vocab_path);
    ModelConfig c = tinyConfig(4, 2);
    c.name = "tiny-vocab-model";
    c.vocab = std::int64_t(vocab_file.findStringArray("tokenizer.ggml.tokens")->size());
    const ModelWeights w = randomWeights(c, 7);
    GgufWriter out;
    const std::string p = "llama.";
    out.kv("general.architecture", ggufStr("llama"))
        .kv("general.name", ggufStr(c.name))
        .kv(p + "block_count", ggufU32(std::uint32_t(c.n_layers)))
        .kv(p + "context_length", ggufU32(std::uint32_t(c.max_context)))
        .kv(p + "embedding_length", ggufU32(std::uint32_t(c.d_model)))
        .kv(p + "feed_forward_length", ggufU32(std::uint32_t(c.d_ff)))
        .kv(p + "attention.head_count", ggufU32(std::uint32_t(c.n_heads)))
        .kv(p + "attention.head_count_kv", ggufU32(std::uint32_t(c.n_kv_heads)))
        .kv(p + "rope.dimension_count", ggufU32(std::uint32_t(c.head_dim)));
    for (const GgufMetadataEntry& entry : vocab_file.metadata()) {
        if (entry.key.rfind("tokenizer.", 0) == 0) out.kv(entry.key, vocab_file.value(entry));
    }
    if (!chat_template.empty()) out.kv("tokenizer.chat_template", ggufStr(chat_template));
    addVocabModelMatrix(out, "token_embd.weight", w.token_embd.values());
    for (std::size_t i = 0; i < w.layers.size(); ++i) {
        const LayerWeights& l = w.layers[i];
        const std::string b = "blk." + std::to_string(i) + ".";
        addVocabModelVector(out, b + "attn_norm.weight", l.attn_norm);
        addVocabModelMatrix(out, b + "attn_q.weight", l.wq.values());
        addVocabModelMatrix(out, b + "attn_k.weight", l.wk.values());
        addVocabModelMatrix(out, b + "attn_v.weight", l.wv.values());
        addVocabModelMatrix(out, b + "attn_output.weight", l.wo.values());
        addVocabModelVector(out, b + "ffn_norm.weight", l.ffn_norm);
        addVocabModelMatrix(out, b + "ffn_gate.weight", l.w_gate.values());
        addVocabModelMatrix(out, b + "ffn_up.weight", l.w_up.values());
        addVocabModelMatrix(out, b + "ffn_down.weight", l.w_down.values());
    }
    addVocabModelVector(out, "output_norm.weight", w.output_norm);
    addVocabModelMatrix(out, "output.weight", w.output.values());
    return out.build();
}

}  // namespace kvscope::test
