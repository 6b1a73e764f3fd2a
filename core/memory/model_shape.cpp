#include "core/memory/model_shape.h"

#include <algorithm>

#include "core/util/checked_math.h"
#include "core/util/error.h"

namespace kvscope {

std::string_view toString(AttentionKind kind) {
    switch (kind) {
        case AttentionKind::MHA:
            return "MHA";
        case AttentionKind::GQA:
            return "GQA";
        case AttentionKind::MQA:
            return "MQA";
        case AttentionKind::MLA:
            return "MLA";
    }
    return "?";
}

AttentionKind attentionKindFromHeads(std::int64_t n_heads, std::int64_t n_kv_heads) {
    if (n_kv_heads == n_heads) return AttentionKind::MHA;
    if (n_kv_heads == 1) return AttentionKind::MQA;
    return AttentionKind::GQA;
}

std::string_view ModelShape::origin(std::string_view field) const {
    for (const FieldOrigin& entry : provenance) {
        if (entry.field == field) return entry.origin;
    }
    return {};
}

void ModelShape::setOrigin(std::string_view field, std::string origin) {
    for (FieldOrigin& entry : provenance) {
        if (entry.field == field) {
            entry.origin = std::move(origin);
            return;
        }
    }
    provenance.push_back({std::string(field), std::move(origin)});
}

std::int64_t ModelShape::nLocalLayers() const {
    return std::int64_t(std::count(layer_is_local.begin(), layer_is_local.end(), true));
}

std::int64_t ModelShape::nTokenLayers() const {
    return n_layers - std::int64_t(cross_attention_layers.size()) -
           std::int64_t(kv_free_layers.size());
}

std::int64_t ModelShape::nGlobalLayers() const {
    return nTokenLayers() - nLocalLayers() - nChunkedLayers();
}

bool ModelShape::isCrossAttention(std::int64_t layer) const {
    return std::binary_search(cross_attention_layers.begin(), cross_attention_layers.end(), layer);
}

bool ModelShape::isKvFree(std::int64_t layer) const {
    return std::binary_search(kv_free_layers.begin(), kv_free_layers.end(), layer);
}

bool ModelShape::isChunked(std::int64_t layer) const {
    return std::binary_search(chunked_layers.begin(), chunked_layers.end(), layer);
}

std::int64_t ModelShape::kvHeadsOf(std::int64_t layer) const {
    return layer_kv_heads.empty() ? n_kv_heads : layer_kv_heads[std::size_t(layer)];
}

std::int64_t ModelShape::headDimOf(std::int64_t layer) const {
    return layer_head_dim.empty() ? head_dim : layer_head_dim[std::size_t(layer)];
}

std::int64_t ModelShape::vHeadDimOf(std::int64_t layer) const {
    return layer_head_dim.empty() ? v_head_dim : layer_head_dim[std::size_t(layer)];
}

std::int64_t kvValuesPerTokenPerLayer(const ModelShape& shape) {
    if (shape.attention == AttentionKind::MLA) {
        return checkedAdd(shape.kv_lora_rank, shape.qk_rope_head_dim,
                          "MLA KV values per token (kv_lora_rank + qk_rope_head_dim)");
    }
    return expandedKvValuesPerTokenPerLayer(shape);
}

std::int64_t expandedKvValuesPerTokenPerLayer(const ModelShape& shape) {
    const char* what = "KV values per token and layer (n_kv_heads * (head_dim + v_head_dim))";
    return checkedMul(shape.n_kv_heads, checkedAdd(shape.head_dim, shape.v_head_dim, what), what);
}

std::int64_t kvValuesPerTokenOfLayer(const ModelShape& shape, std::int64_t layer) {
    if (!shape.holdsKv(layer)) return 0;
    if (shape.attention == AttentionKind::MLA || shape.uniformKv()) {
        return kvValuesPerTokenPerLayer(shape);
    }
    const char* what = "KV values per token of one layer";
    return checkedMul(shape.kvHeadsOf(layer),
                      checkedAdd(shape.headDimOf(layer), shape.vHeadDimOf(layer), what), what);
}

std::int64_t kvValuesPerToken(const ModelShape& shape) {
    const char* what = "KV values per token over all layers";
    if (shape.uniformKv()) {
        return checkedMul(kvValuesPerTokenPerLayer(shape), shape.nTokenLayers(), what);
    }
    std::int64_t total = 0;
    for (std::int64_t layer = 0; layer < shape.n_layers; ++layer)
        total = checkedAdd(total, kvValuesPerTokenOfLayer(shape, layer), what);
    return total;
}

std::int64_t stateValuesPerSequence(const ModelShape& shape) {
    return checkedMul(shape.nStateLayers(), shape.state.valuesPerLayer(),
                      "recurrent state values per sequence");
}

std::string layerSummary(const ModelShape& shape) {
    const auto num = [](std::int64_t v) { return std::to_string(v); };
    std::string text =
        num(shape.n_layers) + " layers: " + num(shape.nGlobalLayers()) + " global attention";
    if (shape.nLocalLayers() > 0) {
        text += ", " + num(shape.nLocalLayers()) + " sliding-window (" + num(shape.sliding_window) +
                " tokens)";
    }
    if (shape.nChunkedLayers() > 0) {
        text += ", " + num(shape.nChunkedLayers()) + " chunked (" + num(shape.attention_chunk) +
                "-token chunks)";
    }
    if (!shape.cross_attention_layers.empty()) {
        text += ", " + num(std::int64_t(shape.cross_attention_layers.size())) + " cross-attention";
    }
    if (!shape.kv_free_layers.empty()) {
        text += ", " + num(std::int64_t(shape.kv_free_layers.size())) + " " + shape.state.kind +
                " without K/V";
    } else if (shape.nStateLayers() > 0) {
        text += "; every layer also keeps a " + shape.state.kind + " state";
    }
    if (!shape.layer_kv_heads.empty()) text += "; KV heads per layer from a list";
    return text;
}

namespace {

class ShapeChecker {
public:
    explicit ShapeChecker(const ModelShape& shape) : m_shape(shape) {}

    [[noreturn]] void fail(const std::string& what) const {
        throw InputError("model shape " + m_shape.name + ": " + what);
    }

    void positive(std::int64_t value, const char* field) const {
        if (value <= 0) fail(std::string(field) + " must be > 0, got " + std::to_string(value));
    }

    void notNegative(std::int64_t value, const char* field) const {
        if (value < 0) {
            fail(std::string(field) + " must be >= 0 (0 = unknown), got " + std::to_string(value));
        }
    }

    std::string what(const char* quantity) const {
        return "model shape " + m_shape.name + ": " + quantity;
    }

private:
    const ModelShape& m_shape;
};

}  // namespace

void ModelShape::validate() const {
    const ShapeChecker check(*this);
    check.positive(n_layers, "n_layers");
    check.positive(d_model, "d_model");
    check.positive(n_heads, "n_heads");
    check.positive(n_kv_heads, "n_kv_heads");
    check.positive(head_dim, "head_dim");
    check.positive(v_head_dim, "v_head_dim");
    check.positive(vocab, "vocab");
    check.notNegative(d_ff, "d_ff");
    check.notNegative(max_context, "max_context");
    check.notNegative(weight_bits, "weight_bits");
    check.notNegative(sliding_window, "sliding_window");
    const bool mla = attention == AttentionKind::MLA;
    if (mla) {
        check.positive(kv_lora_rank, "kv_lora_rank");
        check.positive(qk_rope_head_dim, "qk_rope_head_dim");
    } else {
        if (kv_lora_rank != 0 || qk_rope_head_dim != 0) {
            check.fail("kv_lora_rank and qk_rope_head_dim must be 0 unless attention is MLA");
        }
        if (n_heads % n_kv_heads != 0) {
            check.fail("n_heads (" + std::to_string(n_heads) +
                       ") must be divisible by n_kv_heads (" + std::to_string(n_kv_heads) + ")");
        }
        if (attention != attentionKindFromHeads(n_heads, n_kv_heads)) {
            check.fail("attention " + std::string(toString(attention)) + " does not match " +
                       std::to_string(n_heads) + " heads and " + std::to_string(n_kv_heads) +
                       " KV heads");
        }
    }
    if (std::int64_t(layer_is_local.size()) != n_layers) {
        check.fail("layer_is_local has " + std::to_string(layer_is_local.size()) + " entries for " +
                   std::to_string(n_layers) + " layers");
    }
    if (nLocalLayers() > 0 && sliding_window == 0) {
        check.fail("local (sliding-window) layers need sliding_window > 0");
    }
    const auto indices = [&](const std::vector<std::int64_t>& list, const char* field) {
        for (std::size_t i = 0; i < list.size(); ++i) {
            const std::int64_t layer = list[i];
            if (layer < 0 || layer >= n_layers || (i > 0 && layer <= list[i - 1])) {
                check.fail(std::string(field) + " must be sorted, unique layer indices < n_layers");
            }
        }
    };
    indices(cross_attention_layers, "cross_attention_layers");
    indices(chunked_layers, "chunked_layers");
    indices(kv_free_layers, "kv_free_layers");
    indices(state_layers, "state_layers");
    check.notNegative(attention_chunk, "attention_chunk");
    if (!chunked_layers.empty() && attention_chunk == 0) {
        check.fail("chunked layers need attention_chunk > 0");
    }
    for (std::int64_t layer : chunked_layers) {
        if (isLocal(layer)) {
            check.fail("layer " + std::to_string(layer) + " is both chunked and sliding-window");
        }
    }
    for (std::int64_t layer : kv_free_layers) {
        if (isLocal(layer) || isChunked(layer) || isCrossAttention(layer)) {
            check.fail("layer " + std::to_string(layer) +
                       " has no attention but is marked local, chunked or cross-attention");
        }
    }
    if (!state_layers.empty()) {
        check.positive(state.valuesPerLayer(), "state values per layer");
        check.positive(state.dtype_bytes, "state dtype bytes");
        if (state.conv_values < 0 || state.ssm_values < 0) check.fail("state sizes must be >= 0");
    }
    if (nTokenLayers() <= 0) {
        check.fail("no layer holds K/V (a model without attention layers is not modelled)");
    }
    const auto perLayer = [&](const std::vector<std::int64_t>& list, const char* field,
                              std::int64_t expected_max) {
        if (list.empty()) return;
        if (std::int64_t(list.size()) != n_layers) {
            check.fail(std::string(field) + " has " + std::to_string(list.size()) +
                       " entries for " + std::to_string(n_layers) + " layers");
        }
        for (std::int64_t value : list)
            check.positive(value, field);
        if (*std::max_element(list.begin(), list.end()) != expected_max) {
            check.fail(std::string(field) + ": its largest entry must equal " +
                       std::to_string(expected_max));
        }
    };
    perLayer(layer_kv_heads, "layer_kv_heads", n_kv_heads);
    perLayer(layer_head_dim, "layer_head_dim", head_dim);
    if (!layer_head_dim.empty() && (mla || v_head_dim != head_dim)) {
        check.fail("layer_head_dim needs K and V heads of one size and no MLA");
    }
    if (!layer_kv_heads.empty() && mla) check.fail("layer_kv_heads does not apply to MLA");
    // The byte totals the estimator will form must be representable (fp32 is the widest type).
    const std::int64_t context = std::max<std::int64_t>(max_context, 1);
    const std::int64_t kv_token =
        checkedMul(kvValuesPerToken(*this), 4, check.what("fp32 KV bytes per token"));
    checkedMul(kv_token, context, check.what("fp32 KV cache bytes at max_context"));
    checkedMul(stateValuesPerSequence(*this), 8, check.what("recurrent state bytes"));
    const std::int64_t weight_bytes = 4;
    checkedMul(checkedMul(vocab, d_model, check.what("embedding size")), weight_bytes,
               check.what("fp32 embedding bytes"));
    const std::int64_t q_dim = checkedMul(n_heads, head_dim, check.what("query width"));
    checkedMul(checkedMul(checkedMul(q_dim, d_model, check.what("attention weights")), weight_bytes,
                          check.what("attention weight bytes")),
               checkedMul(n_layers, 4, check.what("attention matrices")),
               check.what("fp32 attention weight bytes over all layers"));
    checkedMul(checkedMul(checkedMul(d_ff, d_model, check.what("feed-forward weights")),
                          weight_bytes * 3, check.what("feed-forward weight bytes")),
               n_layers, check.what("fp32 feed-forward weight bytes over all layers"));
}

ModelShape shapeFromModelConfig(const ModelConfig& config, std::string_view origin) {
    config.validate();
    ModelShape shape;
    const std::string from(origin);
    shape.name = config.name;
    shape.source = from;
    shape.setOrigin("name", from);
    shape.setOrigin("source", from);
    const auto take = [&](std::int64_t& field, std::int64_t value, const char* name) {
        field = value;
        shape.setOrigin(name, from + ": model config " + name);
    };
    take(shape.n_layers, config.n_layers, "n_layers");
    take(shape.d_model, config.d_model, "d_model");
    take(shape.n_heads, config.n_heads, "n_heads");
    take(shape.n_kv_heads, config.n_kv_heads, "n_kv_heads");
    take(shape.head_dim, config.head_dim, "head_dim");
    shape.v_head_dim = config.head_dim;
    shape.setOrigin("v_head_dim", from + ": same as head_dim (K and V heads are equal)");
    shape.setOrigin("kv_lora_rank", from + ": not MLA");
    shape.setOrigin("qk_rope_head_dim", from + ": not MLA");
    shape.layer_is_local.assign(std::size_t(config.n_layers), false);
    for (std::int64_t l = 0; l < config.n_layers; ++l)
        shape.layer_is_local[std::size_t(l)] = config.layerWindow(l) > 0;
    if (shape.nLocalLayers() > 0) {
        take(shape.sliding_window, config.sliding_window, "sliding_window");
        shape.setOrigin("layer_is_local", from + ": model config local_layers");
    } else {
        shape.setOrigin("sliding_window", from + ": no sliding window");
        shape.setOrigin("layer_is_local", from + ": every layer global");
    }
    shape.setOrigin("cross_attention_layers", from + ": none");
    take(shape.max_context, config.max_context, "max_context");
    take(shape.vocab, config.vocab, "vocab");
    take(shape.d_ff, config.d_ff, "d_ff");
    shape.setOrigin("weight_bits", from + ": unknown (the model config does not record it)");
    shape.attention = attentionKindFromHeads(config.n_heads, config.n_kv_heads);
    shape.setOrigin("attention", from + ": derived from n_heads " + std::to_string(config.n_heads) +
                                     " and n_kv_heads " + std::to_string(config.n_kv_heads));
    shape.validate();
    return shape;
}

}  // namespace kvscope
