#pragma once
// GGUF images of every architecture KVScope runs, written by the test GGUF writer from a
// ModelConfig and its weights (F32), with the 259-token byte SentencePiece vocabulary: the keys
// and tensor names llama.cpp's converter writes, fused tensors for phi3.
#include <algorithm>
#include <cstdio>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/model/model_weights.h"
#include "tests/core/gguf_writer.h"

namespace kvscope::test {

using GgufKvList = std::vector<std::pair<std::string, GgufValue>>;

/// The byte-level SentencePiece vocabulary of 259 tokens: <unk>, <s>, </s>, <0x00>..<0xFF>.
inline GgufKvList byteVocabKvs() {
    std::vector<std::string> pieces = {"<unk>", "<s>", "</s>"};
    std::vector<std::int32_t> types = {2, 3, 3};
    for (int b = 0; b < 256; ++b) {
        char hex[8];
        std::snprintf(hex, sizeof hex, "<0x%02X>", b);
        pieces.push_back(hex);
        types.push_back(6);
    }
    return {
        {"tokenizer.ggml.model", ggufStr("llama")},
        {"tokenizer.ggml.tokens", ggufStrings(pieces)},
        {"tokenizer.ggml.scores", ggufF32s(std::vector<float>(pieces.size(), 0.0f))},
        {"tokenizer.ggml.token_type", ggufI32s(types)},
        {"tokenizer.ggml.bos_token_id", ggufU32(1)},
        {"tokenizer.ggml.eos_token_id", ggufU32(2)},
        {"tokenizer.ggml.unknown_token_id", ggufU32(0)},
        {"tokenizer.ggml.add_space_prefix", ggufBool(false)},  // no "▁" piece in this vocab
    };
}

inline void addArchMatrix(GgufWriter& w, const std::string& name, const Matrix& m) {
    // Row-major [rows][cols] is GGUF dims [cols, rows] (ne[0] = row length).
    w.tensorF32(name, {std::uint64_t(m.cols()), std::uint64_t(m.rows())}, m.data(),
                std::size_t(m.size()));
}

inline void addArchVector(GgufWriter& w, const std::string& name, const Vector& v) {
    if (v.size() != 0)
        w.tensorF32(name, {std::uint64_t(v.size())}, v.data(), std::size_t(v.size()));
}

/// Rows of `parts` stacked: [sum rows][cols].
inline Matrix stackRows(std::initializer_list<const WeightMatrix*> parts) {
    std::vector<Matrix> values;
    Eigen::Index rows = 0;
    for (const WeightMatrix* m : parts)
        rows += values.emplace_back(m->toMatrix()).rows();
    Matrix out(rows, values.front().cols());
    Eigen::Index at = 0;
    for (const Matrix& m : values) {
        out.middleRows(at, m.rows()) = m;
        at += m.rows();
    }
    return out;
}

/// A GGUF of architecture `arch` holding `c`'s shape keys (`extra` replaces or adds keys) and `w`'s
/// tensors under llama.cpp's names; phi3 gets fused attn_qkv and ffn_up (gate rows first).
/// Tensors named in `skip` are left out.
inline GgufWriter archModelWriter(const std::string& arch, const ModelConfig& c,
                                  const ModelWeights& w, const GgufKvList& extra = {},
                                  const std::vector<std::string>& skip = {}) {
    const std::string p = arch + ".";
    GgufKvList kvs = {
        {"general.architecture", ggufStr(arch)},
        {"general.name", ggufStr(c.name)},
        {p + "block_count", ggufU32(std::uint32_t(c.n_layers))},
        {p + "context_length", ggufU32(std::uint32_t(c.max_context))},
        {p + "embedding_length", ggufU32(std::uint32_t(c.d_model))},
        {p + "feed_forward_length", ggufU32(std::uint32_t(c.d_ff))},
        {p + "attention.head_count", ggufU32(std::uint32_t(c.n_heads))},
        {p + "attention.head_count_kv", ggufU32(std::uint32_t(c.n_kv_heads))},
        {p + "attention.key_length", ggufU32(std::uint32_t(c.head_dim))},
        {p + "attention.value_length", ggufU32(std::uint32_t(c.head_dim))},
        {p + "rope.dimension_count", ggufU32(std::uint32_t(c.ropeDims()))},
        {p + "rope.freq_base", ggufF32(c.rope_theta)},
        {p + "attention.layer_norm_rms_epsilon", ggufF32(c.norm_eps)},
    };
    for (auto& entry : byteVocabKvs())
        kvs.push_back(std::move(entry));
    // `extra` replaces a key written above, or adds it.
    for (const auto& [key, value] : extra) {
        auto it =
            std::find_if(kvs.begin(), kvs.end(), [&](const auto& kv) { return kv.first == key; });
        if (it != kvs.end()) {
            it->second = value;
        } else {
            kvs.emplace_back(key, value);
        }
    }
    GgufWriter out;
    for (const auto& [key, value] : kvs)
        out.kv(key, value);
    const auto skipped = [&](const std::string& name) {
        for (const std::string& s : skip)
            if (s == name) return true;
        return false;
    };
    const auto matrix = [&](const std::string& name, const Matrix& m) {
        if (!skipped(name)) addArchMatrix(out, name, m);
    };
    const auto vector = [&](const std::string& name, const Vector& v) {
        if (!skipped(name)) addArchVector(out, name, v);
    };
    const bool fused = arch == "phi3";
    matrix("token_embd.weight", w.token_embd.toMatrix());
    for (std::size_t i = 0; i < w.layers.size(); ++i) {
        const LayerWeights& l = w.layers[i];
        const std::string b = "blk." + std::to_string(i) + ".";
        vector(b + "attn_norm.weight", l.attn_norm);
        if (fused) {
            matrix(b + "attn_qkv.weight", stackRows({&l.wq, &l.wk, &l.wv}));
        } else {
            matrix(b + "attn_q.weight", l.wq.toMatrix());
            matrix(b + "attn_k.weight", l.wk.toMatrix());
            matrix(b + "attn_v.weight", l.wv.toMatrix());
        }
        vector(b + "attn_q.bias", l.bq);
        vector(b + "attn_k.bias", l.bk);
        vector(b + "attn_v.bias", l.bv);
        vector(b + "attn_q_norm.weight", l.q_norm);
        vector(b + "attn_k_norm.weight", l.k_norm);
        matrix(b + "attn_output.weight", l.wo.toMatrix());
        vector(b + "post_attention_norm.weight", l.attn_post_norm);
        vector(b + "ffn_norm.weight", l.ffn_norm);
        if (fused) {
            matrix(b + "ffn_up.weight", stackRows({&l.w_gate, &l.w_up}));
        } else {
            matrix(b + "ffn_gate.weight", l.w_gate.toMatrix());
            matrix(b + "ffn_up.weight", l.w_up.toMatrix());
        }
        matrix(b + "ffn_down.weight", l.w_down.toMatrix());
        vector(b + "post_ffw_norm.weight", l.ffn_post_norm);
    }
    vector("output_norm.weight", w.output_norm);
    if (w.output.size() != 0) matrix("output.weight", w.output.toMatrix());
    vector("rope_freqs.weight", w.rope_freqs);
    return out;
}

}  // namespace kvscope::test
