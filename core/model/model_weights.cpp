#include "core/model/model_weights.h"

#include <cmath>
#include <string>
#include <utility>
#include <vector>

#include "core/util/error.h"
#include "core/util/number_text.h"

namespace kvscope {

ModelWeights ModelWeights::zeros(const ModelConfig& c) {
    ModelWeights w;
    w.token_embd = Matrix::Zero(c.vocab, c.d_model);
    w.layers.resize(std::size_t(c.n_layers));
    for (LayerWeights& l : w.layers) {
        l.attn_norm = Vector::Zero(c.d_model);
        l.wq = Matrix::Zero(c.qDim(), c.d_model);
        l.wk = Matrix::Zero(c.kvDim(), c.d_model);
        l.wv = Matrix::Zero(c.kvDim(), c.d_model);
        l.wo = Matrix::Zero(c.d_model, c.qDim());
        l.ffn_norm = Vector::Zero(c.d_model);
        l.w_gate = Matrix::Zero(c.d_ff, c.d_model);
        l.w_up = Matrix::Zero(c.d_ff, c.d_model);
        l.w_down = Matrix::Zero(c.d_model, c.d_ff);
        if (c.qkv_bias) {
            l.bq = Vector::Zero(c.qDim());
            l.bk = Vector::Zero(c.kvDim());
            l.bv = Vector::Zero(c.kvDim());
        }
        if (c.qk_norm) {
            l.q_norm = Vector::Zero(c.head_dim);
            l.k_norm = Vector::Zero(c.head_dim);
        }
        if (c.post_norms) {
            l.attn_post_norm = Vector::Zero(c.d_model);
            l.ffn_post_norm = Vector::Zero(c.d_model);
        }
    }
    w.output_norm = Vector::Zero(c.d_model);
    if (!c.tied_output) w.output = Matrix::Zero(c.vocab, c.d_model);
    return w;
}

namespace {

void checkMatrix(const WeightMatrix& m, std::int64_t rows, std::int64_t cols,
                 const std::string& name) {
    if (m.rows() != rows || m.cols() != cols) {
        throw InputError("weights: tensor " + name + " has shape [" + std::to_string(m.rows()) +
                         "][" + std::to_string(m.cols()) + "], expected [" + std::to_string(rows) +
                         "][" + std::to_string(cols) + "]");
    }
}

void checkVector(const Vector& v, std::int64_t size, const std::string& name) {
    if (v.size() != size) {
        throw InputError("weights: tensor " + name + " has " + std::to_string(v.size()) +
                         " values, expected " + std::to_string(size));
    }
}

/// An optional vector: required (`wanted`) at `size`, else empty or of `size`.
void checkOptional(const Vector& v, bool wanted, std::int64_t size, const std::string& name) {
    if (wanted || v.size() != 0) checkVector(v, size, name);
}

}  // namespace

void ModelWeights::checkShapes(const ModelConfig& c) const {
    checkMatrix(token_embd, c.vocab, c.d_model, "token_embd");
    if (std::int64_t(layers.size()) != c.n_layers) {
        throw InputError("weights: " + std::to_string(layers.size()) + " layers, expected " +
                         std::to_string(c.n_layers));
    }
    for (std::size_t i = 0; i < layers.size(); ++i) {
        const LayerWeights& l = layers[i];
        const std::string p = "blk." + std::to_string(i) + ".";
        checkVector(l.attn_norm, c.d_model, p + "attn_norm");
        checkMatrix(l.wq, c.qDim(), c.d_model, p + "attn_q");
        checkMatrix(l.wk, c.kvDim(), c.d_model, p + "attn_k");
        checkMatrix(l.wv, c.kvDim(), c.d_model, p + "attn_v");
        checkMatrix(l.wo, c.d_model, c.qDim(), p + "attn_output");
        checkVector(l.ffn_norm, c.d_model, p + "ffn_norm");
        checkMatrix(l.w_gate, c.d_ff, c.d_model, p + "ffn_gate");
        checkMatrix(l.w_up, c.d_ff, c.d_model, p + "ffn_up");
        checkMatrix(l.w_down, c.d_model, c.d_ff, p + "ffn_down");
        checkOptional(l.bq, c.qkv_bias, c.qDim(), p + "attn_q.bias");
        checkOptional(l.bk, c.qkv_bias, c.kvDim(), p + "attn_k.bias");
        checkOptional(l.bv, c.qkv_bias, c.kvDim(), p + "attn_v.bias");
        checkOptional(l.bo, false, c.d_model, p + "attn_output.bias");
        checkOptional(l.q_norm, c.qk_norm, c.head_dim, p + "attn_q_norm");
        checkOptional(l.k_norm, c.qk_norm, c.head_dim, p + "attn_k_norm");
        checkOptional(l.attn_post_norm, c.post_norms, c.d_model, p + "post_attention_norm");
        checkOptional(l.ffn_post_norm, c.post_norms, c.d_model, p + "post_ffw_norm");
    }
    checkVector(output_norm, c.d_model, "output_norm");
    if (!c.tied_output) checkMatrix(output, c.vocab, c.d_model, "output");
    checkOptional(output_bias, false, c.vocab, "output.bias");
    checkOptional(rope_freqs, false, c.ropeDims() / 2, "rope_freqs");
    checkOptional(rope_factors_short, false, c.ropeDims() / 2, "rope_factors_short");
    checkOptional(rope_factors_long, false, c.ropeDims() / 2, "rope_factors_long");
    if ((rope_factors_short.size() == 0) != (rope_factors_long.size() == 0)) {
        throw InputError(std::string("weights: LongRoPE needs both rope_factors_short and "
                                     "rope_factors_long; only ") +
                         (rope_factors_long.size() ? "rope_factors_long" : "rope_factors_short") +
                         " is there");
    }
    for (const auto& [factors, name] : {std::pair{&rope_freqs, "rope_freqs"},
                                        std::pair{&rope_factors_short, "rope_factors_short"},
                                        std::pair{&rope_factors_long, "rope_factors_long"}}) {
        for (Eigen::Index i = 0; i < factors->size(); ++i) {
            if (!((*factors)[i] > 0.0f) || !std::isfinite((*factors)[i])) {
                throw InputError(std::string("weights: ") + name + "[" + std::to_string(i) +
                                 "] is " + numberText((*factors)[i]) +
                                 "; RoPE frequency divisors must be finite and > 0");
            }
        }
    }
}

void ModelWeights::checkFinite() const {
    // values [first_row][cols] .. as floats; n values in all.
    const auto check = [](const float* data, std::int64_t first_row, std::int64_t n,
                          std::int64_t cols, std::int64_t total, const std::string& name) {
        for (std::int64_t i = 0; i < n; ++i) {
            if (std::isfinite(data[i])) continue;
            const std::int64_t at = first_row * cols + i;
            throw InputError("weights: tensor " + name + " holds " + numberText(data[i]) + " at [" +
                             std::to_string(at / cols) + "][" + std::to_string(at % cols) +
                             "] (value " + std::to_string(at) + " of " + std::to_string(total) +
                             "); a model needs finite weights");
        }
    };
    const auto matrix = [&](const WeightMatrix& m, const std::string& name) {
        if (m.size() == 0) return;
        if (const float* all = m.f32Row(0)) {
            check(all, 0, m.size(), m.cols(), m.size(), name);
            return;
        }
        // Quantized: row by row, so the tensor is never expanded whole. [cols] scratch.
        std::vector<float> row(std::size_t(m.cols()));
        for (std::int64_t r = 0; r < m.rows(); ++r) {
            m.decodeRows(r, 1, row.data());
            check(row.data(), r, m.cols(), m.cols(), m.size(), name);
        }
    };
    const auto vector = [&](const Vector& v, const std::string& name) {
        check(v.data(), 0, v.size(), v.size(), v.size(), name);
    };
    matrix(token_embd, "token_embd");
    for (std::size_t i = 0; i < layers.size(); ++i) {
        const LayerWeights& l = layers[i];
        const std::string p = "blk." + std::to_string(i) + ".";
        vector(l.attn_norm, p + "attn_norm");
        matrix(l.wq, p + "attn_q");
        matrix(l.wk, p + "attn_k");
        matrix(l.wv, p + "attn_v");
        matrix(l.wo, p + "attn_output");
        vector(l.ffn_norm, p + "ffn_norm");
        matrix(l.w_gate, p + "ffn_gate");
        matrix(l.w_up, p + "ffn_up");
        matrix(l.w_down, p + "ffn_down");
        // Optional ones: empty vectors check nothing.
        vector(l.bq, p + "attn_q.bias");
        vector(l.bk, p + "attn_k.bias");
        vector(l.bv, p + "attn_v.bias");
        vector(l.bo, p + "attn_output.bias");
        vector(l.q_norm, p + "attn_q_norm");
        vector(l.k_norm, p + "attn_k_norm");
        vector(l.attn_post_norm, p + "post_attention_norm");
        vector(l.ffn_post_norm, p + "post_ffw_norm");
    }
    vector(output_norm, "output_norm");
    matrix(output, "output");  // empty when tied
    vector(output_bias, "output.bias");
    vector(rope_freqs, "rope_freqs");
    vector(rope_factors_short, "rope_factors_short");
    vector(rope_factors_long, "rope_factors_long");
}

std::int64_t ModelWeights::storedBytesPerToken(const ModelConfig& config) const {
    constexpr std::int64_t kFloat = 4;
    std::int64_t bytes =
        token_embd.rowBytes() +
        (output_norm.size() + output_bias.size() + ropeFactors(config, 0).size()) * kFloat;
    for (const LayerWeights& l : layers) {
        for (const Vector* v : {&l.attn_norm, &l.ffn_norm, &l.bq, &l.bk, &l.bv, &l.bo, &l.q_norm,
                                &l.k_norm, &l.attn_post_norm, &l.ffn_post_norm})
            bytes += v->size() * kFloat;
        for (const WeightMatrix* m : {&l.wq, &l.wk, &l.wv, &l.wo, &l.w_gate, &l.w_up, &l.w_down})
            bytes += m->storedBytes();
    }
    return bytes + classifier(config).storedBytes();
}

const Vector& ModelWeights::ropeFactors(const ModelConfig& config, std::int64_t n_ctx) const {
    if (rope_freqs.size() != 0) return rope_freqs;
    return n_ctx > config.ropeOrigContext() ? rope_factors_long : rope_factors_short;
}

const WeightMatrix& ModelWeights::classifier(const ModelConfig& config) const {
    return config.tied_output ? token_embd : output;
}

}  // namespace kvscope
