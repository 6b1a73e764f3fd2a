#include "core/engine/cpu_backend.h"

#include "core/engine/cpu_math.h"
#include "core/engine/cpu_threads.h"
#include "core/util/check.h"

namespace kvscope {

namespace {

/// Causal attention of every query head over the layer's cached K/V, row by row.
/// q: [n][n_heads * head_dim]; runs: the layer's [n_keys][kv_dim] rows, in position order;
/// out: [n][n_heads * head_dim]; probs (optional): [n_heads] of [n][n_keys], zero right of the
/// diagonal.
void attend(const ModelConfig& c, const Matrix& q, std::span<const KvRun> runs,
            std::int64_t start_pos, Matrix& out, std::vector<Matrix>* probs, int n_threads) {
    const std::int64_t n = q.rows(), hd = c.head_dim, n_keys = start_pos + n;
    out.resize(n, c.qDim());
    // q.k and a.v over the visible keys of every query row and head.
    const std::int64_t work = 2 * c.qDim() * (start_pos + 1 + n_keys) * n / 2;
    const int threads = cpu::threadsFor(work, n_threads);
#pragma omp parallel for num_threads(threads) schedule(dynamic) if (threads > 1)
    for (std::int64_t h = 0; h < c.n_heads; ++h) {
        const std::int64_t kv_offset = (h / c.kvGroupSize()) * hd;  // shared KV head, not copied
        // Recorded: every row kept, [n][n_keys]. Not recorded: one row of scratch, [1][n_keys].
        Matrix scores = Matrix::Zero(probs ? n : 1, n_keys);
        for (std::int64_t i = 0; i < n; ++i) {
            float* row = scores.data() + (probs ? i * n_keys : 0);
            cpu::attendRow(q.data() + i * q.cols() + h * hd, runs, kv_offset, c.kvDim(), hd,
                           start_pos + i + 1, row, out.data() + i * out.cols() + h * hd);
        }
        if (probs) (*probs)[std::size_t(h)] = std::move(scores);
    }
}

}  // namespace

CpuBackend::CpuBackend(int n_threads, cpu::Activations activations)
    : m_n_threads(n_threads > 0 ? n_threads : defaultThreads()),
      m_matmul{.n_threads = m_n_threads, .activations = activations} {}

std::string CpuBackend::name() const {
    return "CPU (Eigen, " + std::to_string(m_n_threads) + " thread" +
           (m_n_threads == 1 ? "" : "s") +
           (m_matmul.activations == cpu::Activations::Float ? ", float activations" : "") + ")";
}

void CpuBackend::forward(const Model& model, KvCache& cache, std::span<const TokenId> tokens,
                         std::int64_t start_pos, const ForwardOptions& options,
                         ForwardOutput& out) {
    const ModelConfig& c = model.config;
    const ModelWeights& w = model.weights;
    const std::int64_t n = std::int64_t(tokens.size());
    KVSCOPE_EXPECTS(n > 0 && start_pos >= 0);

    Matrix x(n, c.d_model);  // [n][d_model] residual stream
    for (std::int64_t i = 0; i < n; ++i) {
        KVSCOPE_EXPECTS(tokens[std::size_t(i)] >= 0 && tokens[std::size_t(i)] < c.vocab);
        w.token_embd.decodeRows(tokens[std::size_t(i)], 1, x.data() + i * c.d_model);
    }
    cpu::RopeTable rope = cpu::ropeTable(start_pos, n, c.head_dim, c.rope_theta);
    std::int64_t rope_start = start_pos;
    out.attention.clear();
    if (options.want_attention) out.attention.resize(std::size_t(c.n_layers * c.n_heads));

    Matrix h, q, k, v, att, proj, gate, up;  // scratch, resized by the helpers
    std::vector<KvRun> runs;                 // where this layer's K/V rows live
    std::vector<Matrix> probs(options.want_attention ? std::size_t(c.n_heads) : 0);
    for (std::int64_t l = 0; l < c.n_layers; ++l) {
        const LayerWeights& lw = w.layers[std::size_t(l)];
        const std::int64_t slot = cache.layerLength(l);  // rows held before this pass
        KVSCOPE_EXPECTS(slot + n <= cache.capacity());
        if (options.rope_at_slot && slot != rope_start) {
            rope = cpu::ropeTable(slot, n, c.head_dim, c.rope_theta);
            rope_start = slot;
        }
        cpu::rmsNorm(x, lw.attn_norm, c.norm_eps, h);  // [n][d_model]
        cpu::linear(h, lw.wq, q, m_matmul);            // [n][n_heads * head_dim]
        cpu::linear(h, lw.wk, k, m_matmul);            // [n][kv_dim]
        cpu::linear(h, lw.wv, v, m_matmul);            // [n][kv_dim]
        cpu::applyRope(q, rope, c.head_dim);
        cpu::applyRope(k, rope, c.head_dim);
        cache.append(l, slot, n, k.data(), v.data());
        cache.collectRuns(l, runs);
        attend(c, q, runs, slot, att, options.want_attention ? &probs : nullptr, m_n_threads);
        cpu::linear(att, lw.wo, proj, m_matmul);  // [n][d_model]
        x += proj;

        cpu::rmsNorm(x, lw.ffn_norm, c.norm_eps, h);
        cpu::linear(h, lw.w_gate, gate, m_matmul);  // [n][d_ff]
        cpu::linear(h, lw.w_up, up, m_matmul);      // [n][d_ff]
        cpu::swiGlu(gate, up);
        cpu::linear(gate, lw.w_down, proj, m_matmul);  // [n][d_model]
        x += proj;

        for (std::size_t head = 0; head < probs.size(); ++head)
            out.attention[std::size_t(l * c.n_heads) + head] = std::move(probs[head]);
    }

    const std::int64_t n_logits = options.all_logits ? n : 1;
    const Matrix last = x.bottomRows(n_logits);  // [n_logits][d_model]
    cpu::rmsNorm(last, w.output_norm, c.norm_eps, h);
    cpu::linear(h, w.classifier(c), out.logits, m_matmul);  // [n_logits][vocab]
}

}  // namespace kvscope
