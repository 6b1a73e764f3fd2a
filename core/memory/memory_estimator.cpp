#include "core/memory/memory_estimator.h"

#include <cmath>
#include <stdexcept>

#include "core/util/checked_math.h"
#include "core/util/error.h"
#include "core/util/number_text.h"

namespace kvscope {

namespace {

std::string num(std::int64_t value) {
    return std::to_string(value);
}

/// "n_kv_heads = 8 (config.json key 'num_key_value_heads')".
std::string from(const ModelShape& shape, std::string_view field, std::int64_t value) {
    std::string text = std::string(field) + " = " + num(value);
    const std::string_view origin = shape.origin(field);
    return origin.empty() ? text : text + " (" + std::string(origin) + ")";
}

std::string user(std::string_view name, std::int64_t value) {
    return std::string(name) + " = " + num(value) + " (user input)";
}

class ReportBuilder {
public:
    ReportBuilder(const ModelShape& shape, const CacheSpec& cache, const Workload& workload)
        : m_shape(shape), m_cache(cache), m_workload(workload) {}

    void add(MemoryReport& report, std::string name, std::int64_t bytes, std::string formula,
             std::vector<std::string> sources) const {
        report.terms.push_back({std::move(name), bytes, std::move(formula), std::move(sources)});
    }

    std::vector<std::string> kvSources(std::int64_t heads) const {
        std::vector<std::string> s;
        if (m_shape.attention == AttentionKind::MLA) {
            s.push_back(from(m_shape, "kv_lora_rank", m_shape.kv_lora_rank));
            s.push_back(from(m_shape, "qk_rope_head_dim", m_shape.qk_rope_head_dim));
        } else {
            s.push_back(from(m_shape, "n_kv_heads", m_shape.n_kv_heads));
            s.push_back(from(m_shape, "head_dim", m_shape.head_dim));
            s.push_back(from(m_shape, "v_head_dim", m_shape.v_head_dim));
            if (heads != m_shape.n_kv_heads) {
                s.push_back("KV heads per GPU = " + num(heads) + " (tensor parallel " +
                            num(m_workload.tp) + ", user input)");
            }
        }
        s.push_back("K dtype " + std::string(toString(m_cache.k_dtype)) + ", V dtype " +
                    std::string(toString(m_cache.v_dtype)) + " (user input; kv_dtype.h)");
        return s;
    }

    std::string perLayerFormula(std::int64_t heads) const {
        if (m_shape.attention == AttentionKind::MLA) {
            return "MLA latent (kv_lora_rank " + num(m_shape.kv_lora_rank) +
                   " + qk_rope_head_dim " + num(m_shape.qk_rope_head_dim) +
                   ") = " + kvRowFormula(m_cache.k_dtype, kvValuesPerTokenPerLayer(m_shape)) +
                   " (one latent for K and V: no factor 2)";
        }
        return num(heads) + " KV heads x (K " + kvRowFormula(m_cache.k_dtype, m_shape.head_dim) +
               " + V " + kvRowFormula(m_cache.v_dtype, m_shape.v_head_dim) + ")";
    }

    std::string layersHeld(std::int64_t tokens) const {
        const std::int64_t local = m_shape.nLocalLayers();
        const std::int64_t chunked = m_shape.nChunkedLayers();
        std::string text =
            num(m_shape.nGlobalLayers()) + " global layers x " + num(tokens) + " tokens";
        if (local > 0) {
            text += " + " + num(local) + " sliding-window layers x min(" + num(tokens) +
                    ", window " + num(m_shape.sliding_window) + ") tokens";
        }
        if (chunked > 0) {
            text += " + " + num(chunked) + " chunked-attention layers x min(" + num(tokens) +
                    ", chunk " + num(m_shape.attention_chunk) + ") tokens";
        }
        if (!m_shape.kv_free_layers.empty()) {
            text += " (" + num(std::int64_t(m_shape.kv_free_layers.size())) +
                    " layers without attention hold no K/V)";
        }
        return text;
    }

    std::string perTokenFormula(std::int64_t per_layer, std::int64_t total) const {
        if (!m_shape.uniformKv()) {
            std::string text = "sum over the " + num(m_shape.nTokenLayers()) +
                               " K/V layers of their own KV heads x (K + V) x head size:";
            for (std::int64_t layer = 0; layer < m_shape.n_layers; ++layer) {
                if (!m_shape.holdsKv(layer)) continue;
                text += (layer ? " + " : " ") + num(m_shape.kvHeadsOf(layer)) + "x" +
                        num(m_shape.headDimOf(layer) + m_shape.vHeadDimOf(layer));
            }
            return text + " values, in " + std::string(toString(m_cache.k_dtype)) + " = " +
                   num(total) + " B";
        }
        return num(per_layer) + " B x " + num(m_shape.nTokenLayers()) +
               " layers (a position inside every window) = " + num(total) + " B";
    }

    std::vector<std::string> layerSources() const {
        std::vector<std::string> s{from(m_shape, "n_layers", m_shape.n_layers)};
        if (!m_shape.kv_free_layers.empty()) {
            s.push_back(num(std::int64_t(m_shape.kv_free_layers.size())) +
                        " layers without attention (" +
                        std::string(m_shape.origin("kv_free_layers")) + ")");
        }
        if (m_shape.nChunkedLayers() > 0) {
            s.push_back(from(m_shape, "attention_chunk", m_shape.attention_chunk));
            s.push_back(num(m_shape.nChunkedLayers()) + " chunked layers (" +
                        std::string(m_shape.origin("chunked_layers")) + ")");
        }
        if (!m_shape.layer_kv_heads.empty()) {
            s.push_back("per-layer KV heads (" + std::string(m_shape.origin("layer_kv_heads")) +
                        ")");
        }
        if (m_shape.nLocalLayers() > 0) {
            s.push_back(from(m_shape, "sliding_window", m_shape.sliding_window));
            s.push_back("layer_is_local: " + num(m_shape.nLocalLayers()) + " local layers (" +
                        std::string(m_shape.origin("layer_is_local")) + ")");
        }
        if (!m_shape.cross_attention_layers.empty()) {
            s.push_back(num(std::int64_t(m_shape.cross_attention_layers.size())) +
                        " cross-attention layers hold encoder states, not counted");
        }
        return s;
    }

private:
    const ModelShape& m_shape;
    const CacheSpec& m_cache;
    const Workload& m_workload;
};

std::int64_t usableBytes(const GpuSpec& gpu) {
    return checkedFloor(static_cast<long double>(gpu.bytes) * gpu.usable_fraction,
                        "usable GPU bytes");
}

void checkWeightAndGpu(const WeightSpec& weights, const GpuSpec& gpu) {
    if (weights.weight_bits < 0 || weights.weight_bits > 64) {
        throw InputError("memory estimate: weight bits must be in 1..64, got " +
                         num(weights.weight_bits));
    }
    if (weights.parameters < 0) throw InputError("memory estimate: parameters must be >= 0");
    if (gpu.bytes < 0) throw InputError("memory estimate: GPU memory must be >= 0 bytes");
    if (!(gpu.usable_fraction > 0.0 && gpu.usable_fraction <= 1.0)) {
        throw InputError("memory estimate: usable fraction must be in (0, 1]");
    }
}

}  // namespace

const MemoryTerm& MemoryReport::term(std::string_view name) const {
    for (const MemoryTerm& t : terms) {
        if (t.name == name) return t;
    }
    throw std::out_of_range("no memory term " + std::string(name));
}

MemoryReport estimateMemory(const ModelShape& shape, const CacheSpec& cache,
                            const Workload& workload, const WeightSpec& weights,
                            const GpuSpec& gpu) {
    checkKvInputs(shape, cache, workload);
    checkWeightAndGpu(weights, gpu);
    const ReportBuilder build(shape, cache, workload);
    MemoryReport r;
    const std::int64_t t = workload.context;
    const std::int64_t b = workload.batch;
    const std::int64_t tp = workload.tp;
    r.kv_heads_per_gpu = kvHeadsPerGpu(shape, tp);
    const std::vector<std::string> wl = {user("context", t), user("batch", b),
                                         user("shared_prefix", workload.shared_prefix),
                                         user("tp", tp)};

    // Per token and per sequence: the whole model (all KV heads).
    r.kv_bytes_per_token_per_layer = kvTokenLayerBytes(shape, cache, shape.n_kv_heads);
    build.add(r, "kv_bytes_per_token_per_layer", r.kv_bytes_per_token_per_layer,
              build.perLayerFormula(shape.n_kv_heads) + " = " +
                  num(r.kv_bytes_per_token_per_layer) + " B",
              build.kvSources(shape.n_kv_heads));
    r.kv_bytes_per_token = kvTokenBytes(shape, cache, 1);
    build.add(r, "kv_bytes_per_token", r.kv_bytes_per_token,
              build.perTokenFormula(r.kv_bytes_per_token_per_layer, r.kv_bytes_per_token),
              build.layerSources());
    r.kv_bytes_per_sequence = kvSequenceBytes(shape, cache, shape.n_kv_heads, t);
    std::string seq_formula =
        build.layersHeld(t) + ", " + num(r.kv_bytes_per_token_per_layer) + " B per token and layer";
    if (cache.k_dtype == KvDtype::KIVI2 || cache.v_dtype == KvDtype::KIVI2) {
        seq_formula += " (kivi2: the last min(tokens, " + num(cache.kivi_window) +
                       ") tokens of each layer in fp16)";
    }
    build.add(r, "kv_bytes_per_sequence", r.kv_bytes_per_sequence,
              seq_formula + " = " + num(r.kv_bytes_per_sequence) + " B", {wl[0]});

    // Recurrent state: fixed bytes per sequence, apart from K/V.
    r.state_bytes_per_sequence = stateBytesPerSequence(shape, 1);
    if (shape.nStateLayers() > 0) {
        const RecurrentState& st = shape.state;
        std::vector<std::string> sources = st.sources;
        sources.push_back("state layers: " + num(shape.nStateLayers()) + " (" +
                          std::string(shape.origin("state_layers")) + ")");
        sources.push_back("state dtype " + num(st.dtype_bytes) + " B per value (" +
                          st.dtype_origin + ")");
        std::string formula = num(shape.nStateLayers()) + " " + st.kind + " layers x (conv " +
                              st.conv_formula + " = " + num(st.conv_values);
        if (st.ssm_values > 0) {
            formula += " + state " + st.ssm_formula + " = " + num(st.ssm_values);
        }
        formula += ") values x " + num(st.dtype_bytes) + " B = " + num(r.state_bytes_per_sequence) +
                   " B, whatever the context";
        build.add(r, "state_bytes_per_sequence", r.state_bytes_per_sequence, formula, sources);
    }

    // The batch on one GPU.
    r.per_gpu = batchKvBytes(shape, cache, workload);
    const std::string heads_note = " (" + num(r.kv_heads_per_gpu) + " KV heads per GPU)";
    build.add(r, "kv_bytes_shared_prefix", r.per_gpu.shared,
              "prefix " + num(workload.shared_prefix) + " tokens stored once in the global layers" +
                  heads_note,
              {wl[2]});
    build.add(r, "kv_bytes_used", r.per_gpu.used,
              "shared " + num(r.per_gpu.shared) + " B + batch " + num(b) +
                  " x (sequence - shared prefix), token-exact" + heads_note,
              {wl[0], wl[1], wl[2]});
    if (cache.k_dtype != KvDtype::KIVI2 && cache.v_dtype != KvDtype::KIVI2) {
        build.add(r, "kv_bytes_paged", r.per_gpu.paged,
                  num(r.per_gpu.paged_blocks) + " blocks of " + num(cache.block_size) +
                      " tokens over all layers: per layer floor(prefix/" + num(cache.block_size) +
                      ") shared + batch x ceil(own tokens/" + num(cache.block_size) + ")" +
                      heads_note,
                  {user("block_size", cache.block_size), wl[1], wl[2]});
        build.add(r, "paged_waste", r.per_gpu.paged_waste,
                  "empty slots of the last block of each layer of each sequence", {});
    }
    const std::int64_t reserve = cache.reserve_length > 0 ? cache.reserve_length : t;
    build.add(r, "kv_bytes_contiguous", r.per_gpu.contiguous,
              "batch " + num(b) + " x (" + build.layersHeld(reserve) +
                  " reserved, no prefix sharing)" + heads_note,
              {cache.reserve_length > 0 ? user("reserve", reserve)
                                        : "reserve = context " + num(t) + " (user input)"});
    if (shape.nStateLayers() > 0) {
        build.add(r, "state_bytes_per_gpu", r.per_gpu.state,
                  "batch " + num(b) + " x " + num(stateBytesPerSequence(shape, tp)) +
                      " B of recurrent state per sequence on one GPU (split over " + num(tp) +
                      " GPUs)",
                  {wl[1], wl[3]});
    }
    r.kv_bytes_per_gpu = r.per_gpu.of(cache.layout);
    build.add(r, "kv_bytes_per_gpu", r.kv_bytes_per_gpu,
              std::string("the ") + std::string(toString(cache.layout)) + " layout's bytes",
              {"layout " + std::string(toString(cache.layout)) + " (user input)"});
    r.kv_bytes_total = checkedMul(r.kv_bytes_per_gpu, tp, "KV bytes over all GPUs");
    build.add(r, "kv_bytes_total", r.kv_bytes_total,
              num(r.kv_bytes_per_gpu) + " B per GPU x " + num(tp) +
                  " GPUs (replicated KV heads counted on each)",
              {wl[3]});

    // Weights.
    r.parameters =
        weights.parameters > 0 ? weights.parameters : denseParameterCount(shape, weights.layout);
    const std::string params_formula = weights.parameters > 0
                                           ? weights.parameters_origin
                                           : denseParameterFormula(shape, weights.layout);
    r.weight_bits = weights.weight_bits > 0 ? weights.weight_bits
                                            : (shape.weight_bits > 0 ? shape.weight_bits : 16);
    const std::string bits_origin = weights.weight_bits > 0 ? weights.weight_bits_origin
                                    : shape.weight_bits > 0
                                        ? std::string(shape.origin("weight_bits"))
                                        : "unknown in the config: 16 assumed";
    const std::int64_t bits_total = checkedMul(r.parameters, r.weight_bits, "weight bits");
    r.weights_bytes = bits_total / 8 + (bits_total % 8 != 0 ? 1 : 0);
    build.add(
        r, "weights_bytes", r.weights_bytes,
        num(r.parameters) + " parameters x " + num(r.weight_bits) + " bits / 8",
        {"parameters: " + params_formula,
         "weight bits " + num(r.weight_bits) + " (" + bits_origin + ")", weights.layout.origin});
    r.weights_bytes_per_gpu = r.weights_bytes / tp + (r.weights_bytes % tp != 0 ? 1 : 0);
    build.add(r, "weights_bytes_per_gpu", r.weights_bytes_per_gpu,
              "ceil(" + num(r.weights_bytes) + " / " + num(tp) +
                  " GPUs) (split evenly; replicated norms ignored)",
              {wl[3]});

    // The GPU and what fits on it.
    r.has_gpu = gpu.bytes > 0;
    if (!r.has_gpu) return r;
    r.gpu_bytes = gpu.bytes;
    build.add(r, "gpu_bytes", gpu.bytes, gpu.name, {gpu.origin});
    r.usable_bytes = usableBytes(gpu);
    build.add(
        r, "gpu_usable_bytes", r.usable_bytes,
        "floor(" + num(gpu.bytes) + " x usable fraction " + numberText(gpu.usable_fraction) + ")",
        {"usable fraction (default 0.9, vLLM's gpu_memory_utilization)"});
    r.free_for_kv = r.usable_bytes - r.weights_bytes_per_gpu;
    build.add(r, "free_for_kv_per_gpu", r.free_for_kv,
              num(r.usable_bytes) + " - weights " + num(r.weights_bytes_per_gpu), {});
    r.fits = r.kv_bytes_per_gpu <= r.free_for_kv - r.per_gpu.state;
    r.max_seq = maxContextForBatch(shape, cache, workload, r.free_for_kv);
    r.max_batch = maxBatchForContext(shape, cache, workload, r.free_for_kv);
    r.max_total_tokens = maxTotalTokens(shape, cache, workload, r.free_for_kv);
    return r;
}

}  // namespace kvscope
