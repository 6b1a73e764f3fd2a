#include "core/engine/cpu_backend.h"

#include <omp.h>

#include <algorithm>
#include <cassert>
#include <cmath>

namespace kvscope {

namespace {

using RowBlock = Eigen::Map<const Matrix, 0, Eigen::OuterStride<>>;

/// Y = X W^T, split over the rows of W (the output features) so each thread reads its own part
/// of the weights once. X: [n][in], W: [out][in], Y: [n][out].
void linear(const Matrix& x, const Matrix& w, Matrix& y, int n_threads) {
    const Eigen::Index out = w.rows();
    y.resize(x.rows(), out);
    constexpr Eigen::Index kChunk = 64;  // rows of W per task
    const Eigen::Index n_chunks = (out + kChunk - 1) / kChunk;
#pragma omp parallel for num_threads(n_threads) schedule(static) if (n_threads > 1)
    for (Eigen::Index c = 0; c < n_chunks; ++c) {
        const Eigen::Index first = c * kChunk;
        const Eigen::Index rows = std::min(kChunk, out - first);
        y.middleCols(first, rows).noalias() = x * w.middleRows(first, rows).transpose();
    }
}

/// out = RMSNorm(x) * weight, row by row (llama2.c rmsnorm). x, out: [n][d]; weight: [d].
void rmsNorm(const Matrix& x, const Vector& weight, float eps, Matrix& out) {
    out.resize(x.rows(), x.cols());
    for (Eigen::Index i = 0; i < x.rows(); ++i) {
        const float ss = x.row(i).squaredNorm() / float(x.cols()) + eps;
        out.row(i) = (x.row(i) * (1.0f / std::sqrt(ss))).cwiseProduct(weight.transpose());
    }
}

/// cos/sin of every (position, pair) of a pass, as llama2.c computes them (float).
struct RopeTable {
    Matrix cos;  // [n_tokens][head_dim / 2]
    Matrix sin;  // [n_tokens][head_dim / 2]
};

RopeTable ropeTable(std::int64_t start_pos, std::int64_t n, std::int64_t head_dim, float theta) {
    RopeTable t{Matrix(n, head_dim / 2), Matrix(n, head_dim / 2)};
    for (std::int64_t i = 0; i < n; ++i) {
        const float pos = float(start_pos + i);
        for (std::int64_t p = 0; p < head_dim / 2; ++p) {
            const float freq = 1.0f / std::pow(theta, float(2 * p) / float(head_dim));
            const float angle = pos * freq;
            t.cos(i, p) = std::cos(angle);
            t.sin(i, p) = std::sin(angle);
        }
    }
    return t;
}

/// Rotates adjacent pairs (2p, 2p+1) of every head in place. x: [n][n_heads * head_dim].
void applyRope(Matrix& x, const RopeTable& t, std::int64_t head_dim) {
    const std::int64_t half = head_dim / 2;
    for (Eigen::Index i = 0; i < x.rows(); ++i) {
        float* row = x.row(i).data();
        for (Eigen::Index base = 0; base < x.cols(); base += head_dim) {
            for (std::int64_t p = 0; p < half; ++p) {
                const float c = t.cos(i, p), s = t.sin(i, p);
                float& a = row[base + 2 * p];
                float& b = row[base + 2 * p + 1];
                const float a0 = a;
                a = a0 * c - b * s;
                b = a0 * s + b * c;
            }
        }
    }
}

/// Causal attention of every query head over the layer's cached K/V.
/// q: [n][n_heads * head_dim]; keys/values: [n_keys][kv_dim]; out: [n][n_heads * head_dim].
/// probs (optional): [n_heads] of [n][n_keys].
void attend(const ModelConfig& c, const Matrix& q, const float* keys, const float* values,
            std::int64_t start_pos, std::int64_t n_keys, Matrix& out, std::vector<Matrix>* probs,
            int n_threads) {
    const std::int64_t n = q.rows(), hd = c.head_dim, kv_mul = c.kvGroupSize();
    const float scale = 1.0f / std::sqrt(float(hd));
    out.resize(n, c.qDim());
#pragma omp parallel for num_threads(n_threads) schedule(dynamic) if (n_threads > 1)
    for (std::int64_t h = 0; h < c.n_heads; ++h) {
        const std::int64_t kv_head = h / kv_mul;  // shared, not copied
        const RowBlock k(keys + kv_head * hd, n_keys, hd, Eigen::OuterStride<>(c.kvDim()));
        const RowBlock v(values + kv_head * hd, n_keys, hd, Eigen::OuterStride<>(c.kvDim()));
        Matrix scores = (q.middleCols(h * hd, hd) * k.transpose()) * scale;  // [n][n_keys]
        for (std::int64_t i = 0; i < n; ++i) {
            const std::int64_t visible = start_pos + i + 1;  // keys 0..pos
            auto row = scores.row(i);
            const float max = row.head(visible).maxCoeff();
            row.head(visible) = (row.head(visible).array() - max).exp();
            row.head(visible) /= row.head(visible).sum();
            row.tail(n_keys - visible).setZero();
        }
        out.middleCols(h * hd, hd).noalias() = scores * v;
        if (probs) (*probs)[std::size_t(h)] = std::move(scores);
    }
}

}  // namespace

CpuBackend::CpuBackend(int n_threads)
    : m_n_threads(n_threads > 0 ? n_threads : omp_get_num_procs()) {}

std::string CpuBackend::name() const {
    return "CPU (Eigen, " + std::to_string(m_n_threads) + " thread" +
           (m_n_threads == 1 ? "" : "s") + ")";
}

void CpuBackend::forward(const Model& model, KvCache& cache, std::span<const TokenId> tokens,
                         std::int64_t start_pos, const ForwardOptions& options,
                         ForwardOutput& out) {
    const ModelConfig& c = model.config;
    const ModelWeights& w = model.weights;
    const std::int64_t n = std::int64_t(tokens.size());
    const std::int64_t n_keys = start_pos + n;
    assert(n > 0 && cache.length() == start_pos && n_keys <= cache.capacity());

    Matrix x(n, c.d_model);  // [n][d_model] residual stream
    for (std::int64_t i = 0; i < n; ++i) {
        assert(tokens[std::size_t(i)] >= 0 && tokens[std::size_t(i)] < c.vocab);
        x.row(i) = w.token_embd.row(tokens[std::size_t(i)]);
    }
    const RopeTable rope = ropeTable(start_pos, n, c.head_dim, c.rope_theta);
    out.attention.clear();
    if (options.want_attention) out.attention.resize(std::size_t(c.n_layers * c.n_heads));

    Matrix h, q, k, v, att, proj, gate, up;  // scratch, resized by the helpers
    std::vector<Matrix> probs(options.want_attention ? std::size_t(c.n_heads) : 0);
    for (std::int64_t l = 0; l < c.n_layers; ++l) {
        const LayerWeights& lw = w.layers[std::size_t(l)];
        rmsNorm(x, lw.attn_norm, c.norm_eps, h);  // [n][d_model]
        linear(h, lw.wq, q, m_n_threads);         // [n][n_heads * head_dim]
        linear(h, lw.wk, k, m_n_threads);         // [n][kv_dim]
        linear(h, lw.wv, v, m_n_threads);         // [n][kv_dim]
        applyRope(q, rope, c.head_dim);
        applyRope(k, rope, c.head_dim);
        cache.append(l, start_pos, n, k.data(), v.data());
        attend(c, q, cache.keys(l), cache.values(l), start_pos, n_keys, att,
               options.want_attention ? &probs : nullptr, m_n_threads);
        linear(att, lw.wo, proj, m_n_threads);  // [n][d_model]
        x += proj;

        rmsNorm(x, lw.ffn_norm, c.norm_eps, h);
        linear(h, lw.w_gate, gate, m_n_threads);                              // [n][d_ff]
        linear(h, lw.w_up, up, m_n_threads);                                  // [n][d_ff]
        gate = (gate.array() / (1.0f + (-gate.array()).exp())) * up.array();  // SwiGLU
        linear(gate, lw.w_down, proj, m_n_threads);                           // [n][d_model]
        x += proj;

        for (std::int64_t head = 0; head < std::int64_t(probs.size()); ++head)
            out.attention[std::size_t(l * c.n_heads + head)] = std::move(probs[std::size_t(head)]);
    }

    const std::int64_t n_logits = options.all_logits ? n : 1;
    const Matrix last = x.bottomRows(n_logits);  // [n_logits][d_model]
    rmsNorm(last, w.output_norm, c.norm_eps, h);
    linear(h, w.classifier(c), out.logits, m_n_threads);  // [n_logits][vocab]
}

}  // namespace kvscope
