// See cuda_backend.h. The orchestration of the forward pass: host code only (the kernels are in
// the .cu files behind kernel_launch.cuh), compiled by the host compiler.
#include "kernels/cuda_backend.h"

#include <algorithm>
#include <cstring>
#include <vector>

#include "core/cache/contiguous_kv_cache.h"
#include "core/cache/paged_kv_cache.h"
#include "core/engine/cpu_rope.h"
#include "core/util/check.h"
#include "core/util/error.h"
#include "kernels/cuda_device.h"
#include "kernels/device_buffer.cuh"
#include "kernels/kernel_launch.cuh"

namespace kvscope {

namespace {

using cuda::DeviceBuffer;

/// A weight matrix on the device.
struct DeviceWeight {
    DeviceBuffer<std::uint8_t> bytes;
    cuda::DeviceMatrix matrix;
};

DeviceWeight upload(const WeightMatrix& w, cudaStream_t stream) {
    DeviceWeight d;
    d.matrix.rows = w.rows();
    d.matrix.cols = w.cols();
    const std::int64_t n = w.rows() * w.cols();
    if (w.type() == GgmlType::F16 || w.type() == GgmlType::BF16) {
        // Stored 16-bit rows, widened exactly in the kernel as the CPU widens them.
        d.matrix.type = w.type() == GgmlType::F16 ? cuda::WeightType::F16 : cuda::WeightType::BF16;
        d.bytes.upload(reinterpret_cast<const std::uint8_t*>(w.rowData(0)), w.storedBytes(),
                       stream);
    } else {
        // fp32, or a quantized type expanded exactly as the CPU decodes it.
        d.matrix.type = cuda::WeightType::F32;
        std::vector<float> values(static_cast<std::size_t>(n));  // [rows][cols]
        w.decodeRows(0, w.rows(), values.data());
        d.bytes.upload(reinterpret_cast<const std::uint8_t*>(values.data()), n * 4, stream);
        KVSCOPE_CUDA_CHECK(cudaStreamSynchronize(stream));  // `values` dies here
    }
    d.matrix.data = d.bytes.get();
    return d;
}

DeviceBuffer<float> upload(const Vector& v, cudaStream_t stream) {
    DeviceBuffer<float> d;
    d.upload(v.data(), v.size(), stream);
    return d;
}

struct DeviceLayer {
    DeviceBuffer<float> attn_norm, ffn_norm;
    DeviceWeight wq, wk, wv, wo, w_gate, w_up, w_down;
};

/// What of the model the kernels run, or InputError naming what they lack.
void checkModelSupported(const ModelConfig& c) {
    std::string missing;
    const auto need = [&](bool ok, const char* what) {
        if (!ok) missing += std::string(missing.empty() ? "" : ", ") + what;
    };
    need(!c.qkv_bias, "Q/K/V biases");
    need(!c.qk_norm, "Q/K norms");
    need(!c.post_norms, "post-norms");
    need(c.attn_softcap == 0.0f && c.final_softcap == 0.0f, "logit softcaps");
    need(c.sliding_window == 0 && c.local_layers.empty(), "sliding-window layers");
    need(c.head_dim <= 256, "head_dim > 256");
    if (!missing.empty()) {
        throw InputError("--backend cuda: model '" + c.name + "' needs " + missing +
                         ", which the CUDA kernels do not implement yet; use --backend cpu");
    }
}

/// The cache's spec and block geometry, or InputError for what the kernels do not read.
struct CacheShape {
    KvCacheSpec spec;
    std::int64_t block_size = 16, n_blocks = 0;
    const PagedKvCache* paged = nullptr;
};

CacheShape cacheShape(const KvCache& cache) {
    CacheShape s;
    if (const auto* paged = dynamic_cast<const PagedKvCache*>(&cache)) {
        s.spec = paged->spec();
        s.block_size = paged->blockSize();
        s.n_blocks = paged->allocator().nBlocks();
        s.paged = paged;
    } else if (const auto* contiguous = dynamic_cast<const ContiguousKvCache*>(&cache)) {
        // The device holds a contiguous cache as blocks of 16 behind an identity table: the
        // same rows, bytes per token and order.
        s.spec = contiguous->spec();
        s.n_blocks = (contiguous->capacity() + s.block_size - 1) / s.block_size;
    } else {
        throw InputError("--backend cuda: this KV cache type has no device copy");
    }
    const KvCacheSpec& spec = s.spec;
    if (spec.k_dtype != spec.v_dtype || spec.recent_window != 0 ||
        !cuda::cudaSupportsKvDtype(spec.k_dtype)) {
        throw InputError(
            "--backend cuda: the KV format (K " + std::string(toString(spec.k_dtype)) + ", V " +
            std::string(toString(spec.v_dtype)) + (spec.recent_window ? ", a recent window" : "") +
            ") has no CUDA kernel; the kernels read fp32, fp16, bf16, fp8, fp8_e5m2, int8, int4 "
            "and q8_0 with K and V alike and no window. Use --backend cpu");
    }
    return s;
}

}  // namespace

struct CudaBackend::Impl {
    cudaStream_t stream = nullptr;
    int n_sm = 1;
    std::string name;

    // The model on the device.
    const Model* model = nullptr;
    std::vector<DeviceLayer> layers;
    DeviceBuffer<float> output_norm;
    DeviceWeight classifier;

    // The device copy of the KV cache.
    const KvCache* cache = nullptr;
    SeqId seq = -1;
    cuda::KvLayout layout;
    DeviceBuffer<std::uint8_t> pool;
    std::vector<std::int64_t> synced_length;      // [n_layers] rows the device holds
    std::vector<std::vector<int>> synced_blocks;  // [n_layers][logical] block ids written
    std::int64_t resyncs = 0;

    // Scratch.
    DeviceBuffer<float> x, h, q, k, v, att, proj, gate, up, logits, cos, sin, rows_k, rows_v;
    DeviceBuffer<int> table, visible, seq_of_query;
    DeviceBuffer<float> partial_acc, partial_ml, final_ml, probs;

    ~Impl() {
        if (stream) cudaStreamDestroy(stream);
    }

    void uploadModel(const Model& m) {
        if (model == &m) return;
        checkModelSupported(m.config);
        layers.clear();
        for (const LayerWeights& lw : m.weights.layers) {
            DeviceLayer d;
            d.attn_norm = upload(lw.attn_norm, stream);
            d.ffn_norm = upload(lw.ffn_norm, stream);
            d.wq = upload(lw.wq, stream);
            d.wk = upload(lw.wk, stream);
            d.wv = upload(lw.wv, stream);
            d.wo = upload(lw.wo, stream);
            d.w_gate = upload(lw.w_gate, stream);
            d.w_up = upload(lw.w_up, stream);
            d.w_down = upload(lw.w_down, stream);
            layers.push_back(std::move(d));
        }
        output_norm = upload(m.weights.output_norm, stream);
        classifier = upload(m.weights.classifier(m.config), stream);
        KVSCOPE_CUDA_CHECK(cudaStreamSynchronize(stream));
        model = &m;
        cache = nullptr;  // the KV copy belongs to a model's shapes
    }

    void prepareCache(const Model& m, const KvCache& c, const CacheShape& shape) {
        const ModelConfig& cfg = m.config;
        const SeqId current = shape.paged ? shape.paged->current() : -1;
        if (cache == &c && layout.dtype == shape.spec.k_dtype &&
            layout.block_size == shape.block_size &&
            pool.size() >= shape.n_blocks * layout.blockBytes()) {
            if (seq != current) {
                std::fill(synced_length.begin(), synced_length.end(), -1);  // resync every layer
                seq = current;
            }
            return;
        }
        layout = cuda::makeKvLayout(shape.spec.k_dtype, cfg.n_layers, cfg.n_kv_heads, cfg.head_dim,
                                    shape.block_size);
        pool.resize(shape.n_blocks * layout.blockBytes());
        cache = &c;
        seq = current;
        synced_length.assign(std::size_t(cfg.n_layers), -1);
        synced_blocks.assign(std::size_t(cfg.n_layers), {});
    }

    /// The block ids of the current sequence's logical blocks (identity for contiguous).
    std::vector<int> hostTable(const CacheShape& shape, std::int64_t n_rows) const {
        std::vector<int> ids;
        if (shape.paged) {
            for (BlockId b : shape.paged->blockTable(shape.paged->current()).blocks())
                ids.push_back(int(b));
        } else {
            const std::int64_t n = (n_rows + shape.block_size - 1) / shape.block_size;
            for (std::int64_t b = 0; b < n; ++b)
                ids.push_back(int(b));
        }
        return ids;
    }

    /// Brings layer l of the device copy to the host's rows [0, slot) when it does not hold
    /// them already, then appends rows [slot, slot + n) from the device's k, v.
    void appendLayer(const KvCache& c, std::int64_t l, std::int64_t slot, std::int64_t n,
                     const std::vector<int>& ids) {
        table.upload(ids.data(), std::int64_t(ids.size()), stream);
        const std::vector<int>& written = synced_blocks[std::size_t(l)];
        const std::int64_t held_blocks = (slot + layout.block_size - 1) / layout.block_size;
        bool in_step =
            synced_length[std::size_t(l)] == slot && std::int64_t(written.size()) >= held_blocks;
        for (std::int64_t b = 0; in_step && b < held_blocks; ++b)
            in_step = written[std::size_t(b)] == ids[std::size_t(b)];
        const std::int64_t kv_dim = layout.n_kv_heads * layout.head_dim;
        if (!in_step && slot > 0) {
            // Undo, eviction, copy-on-write or another sequence: re-encode from the host rows.
            const std::vector<float> hk = c.copyKeys(l), hv = c.copyValues(l);  // [slot + n][kv]
            rows_k.upload(hk.data(), slot * kv_dim, stream);
            rows_v.upload(hv.data(), slot * kv_dim, stream);
            cuda::appendKv(layout, pool.get(), l, table.get(), 0, slot, rows_k.get(), rows_v.get(),
                           stream);
            KVSCOPE_CUDA_CHECK(cudaStreamSynchronize(stream));  // hk, hv die here
            ++resyncs;
        }
        cuda::appendKv(layout, pool.get(), l, table.get(), slot, n, k.get(), v.get(), stream);
        synced_length[std::size_t(l)] = slot + n;
        synced_blocks[std::size_t(l)] = ids;
    }
};

CudaBackend::CudaBackend() : m_impl(std::make_unique<Impl>()) {
    const CudaDeviceInfo info = probeCudaDevice();
    if (!info.usable) throw InputError("--backend cuda: CUDA is unavailable: " + info.reason);
    KVSCOPE_CUDA_CHECK(cudaSetDevice(0));
    KVSCOPE_CUDA_CHECK(cudaStreamCreateWithFlags(&m_impl->stream, cudaStreamNonBlocking));
    m_impl->n_sm = cuda::deviceSmCount();
    m_impl->name = "CUDA (" + info.name + ", sm_" + std::to_string(info.compute_major) +
                   std::to_string(info.compute_minor) + ")";
}

CudaBackend::~CudaBackend() = default;

std::string CudaBackend::name() const {
    return m_impl->name;
}

std::int64_t CudaBackend::deviceKvBytes() const {
    return m_impl->pool.size();
}

std::int64_t CudaBackend::resyncCount() const {
    return m_impl->resyncs;
}

void CudaBackend::forward(const Model& model, KvCache& cache, std::span<const TokenId> tokens,
                          std::int64_t start_pos, const ForwardOptions& options,
                          ForwardOutput& out) {
    Impl& d = *m_impl;
    const ModelConfig& c = model.config;
    const std::int64_t n = std::int64_t(tokens.size());
    KVSCOPE_EXPECTS(n > 0 && start_pos >= 0);
    KVSCOPE_EXPECTS(options.rope_start.empty() ||
                    std::int64_t(options.rope_start.size()) == c.n_layers);
    const CacheShape shape = cacheShape(cache);
    d.uploadModel(model);
    d.prepareCache(model, cache, shape);
    cudaStream_t s = d.stream;

    const std::int64_t dm = c.d_model, qd = c.qDim(), kvd = c.kvDim(), hd = c.head_dim;
    std::vector<float> host_x(std::size_t(n * dm));  // [n][d_model]
    for (std::int64_t i = 0; i < n; ++i) {
        KVSCOPE_EXPECTS(tokens[std::size_t(i)] >= 0 && tokens[std::size_t(i)] < c.vocab);
        model.weights.token_embd.decodeRows(tokens[std::size_t(i)], 1, host_x.data() + i * dm);
    }
    if (c.embedding_scale != 1.0f) {  // gemma: sqrt(d_model), as the CPU scales
        for (float& value : host_x)
            value *= c.embedding_scale;
    }
    d.x.upload(host_x.data(), n * dm, s);
    d.h.resize(n * dm);
    d.q.resize(n * qd);
    d.k.resize(n * kvd);
    d.v.resize(n * kvd);
    d.att.resize(n * qd);
    d.proj.resize(n * dm);
    d.gate.resize(n * c.d_ff);
    d.up.resize(n * c.d_ff);

    // Each layer's RoPE from the CPU's own spec and table (cpu_rope.h): the same cos/sin bits on
    // both sides; uploaded again only when a layer rotates differently from the last.
    cpu::RopeSpec rope_spec;
    std::int64_t rope_start = -1;
    const auto prepareRope = [&](std::int64_t layer, std::int64_t first) {
        cpu::RopeSpec spec = cpu::ropeSpec(c, layer, ropeFactorsFor(model, cache, options));
        if (first == rope_start && spec.freqs == rope_spec.freqs) return;
        const cpu::RopeTable t = cpu::ropeTable(spec, first, n);
        d.cos.upload(t.cos.data(), t.cos.size(), s);
        d.sin.upload(t.sin.data(), t.sin.size(), s);
        KVSCOPE_CUDA_CHECK(cudaStreamSynchronize(s));
        rope_spec = std::move(spec);
        rope_start = first;
    };

    out.attention.clear();
    if (options.want_attention) out.attention.resize(std::size_t(c.n_layers * c.n_heads));
    std::vector<float> host_k(std::size_t(n * kvd)), host_v(std::size_t(n * kvd));
    std::vector<int> host_visible(static_cast<std::size_t>(n)),
        host_seq(static_cast<std::size_t>(n), 0);
    const float scale = c.queryScale();

    for (std::int64_t l = 0; l < c.n_layers; ++l) {
        const DeviceLayer& w = d.layers[std::size_t(l)];
        const std::int64_t slot = cache.layerLength(l);
        KVSCOPE_EXPECTS(slot + n <= cache.capacity());
        prepareRope(l, options.rope_start.empty() ? start_pos : options.rope_start[std::size_t(l)]);
        const std::int64_t rotary = rope_spec.rope_dims;
        const hd::RopePairs pairs =
            rope_spec.style == RopeStyle::Halves ? hd::RopePairs::Neox : hd::RopePairs::Adjacent;
        cuda::rmsNorm(d.x.get(), w.attn_norm.get(), n, dm, c.norm_eps, d.h.get(), s);
        cuda::linear(d.h.get(), n, w.wq.matrix, d.q.get(), s);
        cuda::linear(d.h.get(), n, w.wk.matrix, d.k.get(), s);
        cuda::linear(d.h.get(), n, w.wv.matrix, d.v.get(), s);
        cuda::rope(d.q.get(), n, c.n_heads, hd, rotary, pairs, d.cos.get(), d.sin.get(), s);
        cuda::rope(d.k.get(), n, c.n_kv_heads, hd, rotary, pairs, d.cos.get(), d.sin.get(), s);

        // The host cache gets the same rows (its views, bytes, undo), then the device copy.
        d.k.download(host_k.data(), n * kvd, s);
        d.v.download(host_v.data(), n * kvd, s);
        KVSCOPE_CUDA_CHECK(cudaStreamSynchronize(s));
        cache.append(l, slot, n, host_k.data(), host_v.data());
        d.appendLayer(cache, l, slot, n, d.hostTable(shape, slot + n));

        // Attention of the n queries over slots [0, slot + i + 1).
        for (std::int64_t i = 0; i < n; ++i)
            host_visible[std::size_t(i)] = int(slot + i + 1);
        d.visible.upload(host_visible.data(), n, s);
        d.seq_of_query.upload(host_seq.data(), n, s);
        cuda::AttentionArgs a;
        a.layout = d.layout;
        a.pool = d.pool.get();
        a.layer = l;
        a.tables = d.table.get();
        a.table_stride = 0;  // one sequence
        a.q = d.q.get();
        a.n_queries = n;
        a.n_heads = c.n_heads;
        a.seq_of_query = d.seq_of_query.get();
        a.visible = d.visible.get();
        a.max_visible = slot + n;
        a.scale = scale;
        a.out = d.att.get();
        if (options.want_attention) {
            d.probs.resize(c.n_heads * n * (slot + n));
            d.probs.zero(c.n_heads * n * (slot + n), s);
            a.probs = d.probs.get();
            a.scores_stride = slot + n;
        }
        const cuda::AttentionPlan plan = cuda::planAttention(a, d.n_sm);
        d.partial_acc.resize(plan.accFloats(n, c.n_heads, hd));
        d.partial_ml.resize(plan.mlFloats(n, c.n_heads));
        d.final_ml.resize(2 * n * c.n_heads);
        cuda::attention(a, plan, {d.partial_acc.get(), d.partial_ml.get(), d.final_ml.get()}, s);
        if (options.want_attention) {
            for (std::int64_t head = 0; head < c.n_heads; ++head) {
                Matrix& m = out.attention[std::size_t(l * c.n_heads + head)];
                m.resize(n, slot + n);  // [n][held + n]
                KVSCOPE_CUDA_CHECK(cudaMemcpyAsync(m.data(), d.probs.get() + head * n * (slot + n),
                                                   std::size_t(n * (slot + n)) * sizeof(float),
                                                   cudaMemcpyDeviceToHost, s));
            }
        }
        cuda::linear(d.att.get(), n, w.wo.matrix, d.proj.get(), s);
        cuda::addInPlace(d.x.get(), d.proj.get(), n * dm, s);

        cuda::rmsNorm(d.x.get(), w.ffn_norm.get(), n, dm, c.norm_eps, d.h.get(), s);
        cuda::linear(d.h.get(), n, w.w_gate.matrix, d.gate.get(), s);
        cuda::linear(d.h.get(), n, w.w_up.matrix, d.up.get(), s);
        cuda::gatedActivation(d.gate.get(), d.up.get(), n * c.d_ff,
                              c.ffn_activation == FfnActivation::GeluTanh, s);
        cuda::linear(d.gate.get(), n, w.w_down.matrix, d.proj.get(), s);
        cuda::addInPlace(d.x.get(), d.proj.get(), n * dm, s);
    }

    const std::int64_t n_logits = options.all_logits ? n : 1;
    const float* last = d.x.get() + (n - n_logits) * dm;  // [n_logits][d_model]
    cuda::rmsNorm(last, d.output_norm.get(), n_logits, dm, c.norm_eps, d.h.get(), s);
    d.logits.resize(n_logits * c.vocab);
    cuda::linear(d.h.get(), n_logits, d.classifier.matrix, d.logits.get(), s);
    out.logits.resize(n_logits, c.vocab);
    d.logits.download(out.logits.data(), n_logits * c.vocab, s);
    KVSCOPE_CUDA_CHECK(cudaStreamSynchronize(s));
}

CudaAvailability cudaBackendAvailability() {
    const CudaDeviceInfo info = probeCudaDevice();
    return {info.usable, info.reason};
}

void registerCudaBackendHooks() {
    registerCudaBackend(
        {.probe = &cudaBackendAvailability,
         .make = []() -> std::unique_ptr<Backend> { return std::make_unique<CudaBackend>(); }});
}

}  // namespace kvscope
