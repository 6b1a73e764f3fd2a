#include "core/engine/cpu_backend.h"

#include <algorithm>

#include "core/engine/cpu_attention.h"
#include "core/engine/cpu_layer_ops.h"
#include "core/engine/cpu_math.h"
#include "core/engine/cpu_rope.h"
#include "core/engine/cpu_threads.h"
#include "core/util/check.h"

namespace kvscope {

namespace {

/// Causal attention of every query head over the layer's cached K/V, row by row; a
/// sliding-window layer (window > 0) sees only the last `window` slots up to each query.
/// q: [n][n_heads * head_dim]; runs: the layer's [n_keys][kv_dim] rows, in slot order;
/// out: [n][n_heads * head_dim]; probs (optional): [n_heads] of [n][n_keys], zero right of the
/// diagonal and left of the window.
void attend(const ModelConfig& c, std::int64_t window, const Matrix& q, std::span<const KvRun> runs,
            std::int64_t start_slot, Matrix& out, std::vector<Matrix>* probs, int n_threads) {
    const std::int64_t n = q.rows(), hd = c.head_dim, n_keys = start_slot + n;
    const cpu::AttendSpec spec{hd, c.queryScale(), c.attn_softcap};
    out.resize(n, c.qDim());
    // q.k and a.v over the visible keys of every query row and head.
    const std::int64_t visible =
        window > 0 ? std::min(window, n_keys) : (start_slot + 1 + n_keys) / 2;
    const int threads = cpu::threadsFor(2 * c.qDim() * visible * n, n_threads);
#pragma omp parallel for num_threads(threads) schedule(dynamic) if (threads > 1)
    for (std::int64_t h = 0; h < c.n_heads; ++h) {
        const std::int64_t kv_offset = (h / c.kvGroupSize()) * hd;  // shared KV head, not copied
        // Recorded: every row kept, [n][n_keys]. Not recorded: one row of scratch, [1][n_keys].
        Matrix scores = Matrix::Zero(probs ? n : 1, n_keys);
        for (std::int64_t i = 0; i < n; ++i) {
            float* row = scores.data() + (probs ? i * n_keys : 0);
            const std::int64_t slot = start_slot + i;
            cpu::attendRow(q.data() + i * q.cols() + h * hd, runs, kv_offset, c.kvDim(), spec,
                           cpu::firstVisibleSlot(slot, window), slot + 1, row,
                           out.data() + i * out.cols() + h * hd);
        }
        if (probs) (*probs)[std::size_t(h)] = std::move(scores);
    }
}

/// The RoPE table of one layer, rebuilt only when the layer rotates differently from the last
/// one (another base, scale or start).
class LayerRope {
public:
    const cpu::RopeSpec& spec() const { return m_spec; }
    const cpu::RopeTable& table() const { return m_table; }
    void prepare(const ModelConfig& c, const Vector& factors, std::int64_t layer,
                 std::int64_t start, std::int64_t n) {
        cpu::RopeSpec spec = cpu::ropeSpec(c, layer, factors);
        if (m_ready && start == m_start && spec.freqs == m_spec.freqs &&
            spec.mscale == m_spec.mscale)
            return;
        m_spec = std::move(spec);
        m_table = cpu::ropeTable(m_spec, start, n);
        m_start = start;
        m_ready = true;
    }

private:
    bool m_ready = false;
    std::int64_t m_start = 0;
    cpu::RopeSpec m_spec;
    cpu::RopeTable m_table;
};

/// y = x W^T (+ bias when the model has one).
void project(const Matrix& x, const WeightMatrix& w, const Vector& bias, Matrix& y,
             const cpu::MatmulOptions& matmul) {
    cpu::linear(x, w, y, matmul);
    if (bias.size() != 0) cpu::addBias(y, bias);
}

}  // namespace

CpuBackend::CpuBackend(int n_threads, cpu::Activations activations)
    : m_n_threads(n_threads > 0 ? n_threads : defaultThreads()),
      m_matmul{.n_threads = m_n_threads, .activations = activations} {}

std::string CpuBackend::name() const {
    return "CPU (Eigen, " + std::to_string(m_n_threads) + " thread" +
           (m_n_threads == 1 ? "" : "s") +
           (m_matmul.activations == cpu::Activations::LlamaCpp ? ", 8-bit activations" : "") + ")";
}

void CpuBackend::forward(const Model& model, KvCache& cache, std::span<const TokenId> tokens,
                         std::int64_t start_pos, const ForwardOptions& options,
                         ForwardOutput& out) {
    const ModelConfig& c = model.config;
    const ModelWeights& w = model.weights;
    const std::int64_t n = std::int64_t(tokens.size());
    const int threads = m_n_threads;
    KVSCOPE_EXPECTS(n > 0 && start_pos >= 0);
    KVSCOPE_EXPECTS(options.rope_start.empty() ||
                    std::int64_t(options.rope_start.size()) == c.n_layers);

    Matrix x(n, c.d_model);  // [n][d_model] residual stream
    for (std::int64_t i = 0; i < n; ++i) {
        KVSCOPE_EXPECTS(tokens[std::size_t(i)] >= 0 && tokens[std::size_t(i)] < c.vocab);
        w.token_embd.decodeRows(tokens[std::size_t(i)], 1, x.data() + i * c.d_model);
    }
    if (c.embedding_scale != 1.0f) x *= c.embedding_scale;  // gemma: sqrt(d_model)
    out.attention.clear();
    if (options.want_attention) out.attention.resize(std::size_t(c.n_layers * c.n_heads));

    LayerRope rope;
    const Vector& rope_factors = ropeFactorsFor(model, cache, options);  // [rope_dims / 2] or empty
    Matrix h, q, k, v, att, proj, gate, up;  // scratch, resized by the helpers
    std::vector<KvRun> runs;                 // where this layer's K/V rows live
    std::vector<Matrix> probs(options.want_attention ? std::size_t(c.n_heads) : 0);
    for (std::int64_t l = 0; l < c.n_layers; ++l) {
        const LayerWeights& lw = w.layers[std::size_t(l)];
        const std::int64_t slot = cache.layerLength(l);  // rows held before this pass
        KVSCOPE_EXPECTS(slot + n <= cache.capacity());
        const std::int64_t rope_at =
            options.rope_start.empty() ? start_pos : options.rope_start[std::size_t(l)];
        rope.prepare(c, rope_factors, l, rope_at, n);
        cpu::rmsNorm(x, lw.attn_norm, c.norm_eps, h);  // [n][d_model]
        project(h, lw.wq, lw.bq, q, m_matmul);         // [n][n_heads * head_dim]
        project(h, lw.wk, lw.bk, k, m_matmul);         // [n][kv_dim]
        project(h, lw.wv, lw.bv, v, m_matmul);         // [n][kv_dim]
        if (c.qk_norm) {
            cpu::rmsNormHeads(q, lw.q_norm, c.norm_eps);
            cpu::rmsNormHeads(k, lw.k_norm, c.norm_eps);
        }
        cpu::applyRope(q, rope.table(), rope.spec());
        cpu::applyRope(k, rope.table(), rope.spec());
        cache.append(l, slot, n, k.data(), v.data());
        cache.collectRuns(l, runs);
        attend(c, c.layerWindow(l), q, runs, slot, att, options.want_attention ? &probs : nullptr,
               threads);
        project(att, lw.wo, lw.bo, proj, m_matmul);  // [n][d_model]
        if (c.post_norms) cpu::rmsNorm(proj, lw.attn_post_norm, c.norm_eps, proj);
        x += proj;

        cpu::rmsNorm(x, lw.ffn_norm, c.norm_eps, h);
        cpu::linear(h, lw.w_gate, gate, m_matmul);  // [n][d_ff]
        cpu::linear(h, lw.w_up, up, m_matmul);      // [n][d_ff]
        if (c.ffn_activation == FfnActivation::GeluTanh) {
            cpu::geGlu(gate, up);
        } else {
            cpu::swiGlu(gate, up);
        }
        cpu::linear(gate, lw.w_down, proj, m_matmul);  // [n][d_model]
        if (c.post_norms) cpu::rmsNorm(proj, lw.ffn_post_norm, c.norm_eps, proj);
        x += proj;

        for (std::size_t head = 0; head < probs.size(); ++head)
            out.attention[std::size_t(l * c.n_heads) + head] = std::move(probs[head]);
    }

    const std::int64_t n_logits = options.all_logits ? n : 1;
    const Matrix last = x.bottomRows(n_logits);  // [n_logits][d_model]
    cpu::rmsNorm(last, w.output_norm, c.norm_eps, h);
    project(h, w.classifier(c), w.output_bias, out.logits, m_matmul);  // [n_logits][vocab]
    if (c.final_softcap > 0.0f) cpu::softcap(out.logits, c.final_softcap);
}

}  // namespace kvscope
