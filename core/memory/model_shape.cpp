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
    return n_layers - std::int64_t(cross_attention_layers.size());
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

std::int64_t kvValuesPerToken(const ModelShape& shape) {
    return checkedMul(kvValuesPerTokenPerLayer(shape), shape.nTokenLayers(),
                      "KV values per token over all layers");
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
    for (std::size_t i = 0; i < cross_attention_layers.size(); ++i) {
        const std::int64_t layer = cross_attention_layers[i];
        if (layer < 0 || layer >= n_layers || (i > 0 && layer <= cross_attention_layers[i - 1])) {
            check.fail("cross_attention_layers must be sorted, unique layer indices < n_layers");
        }
    }
    // The byte totals the estimator will form must be representable (fp32 is the widest type).
    const std::int64_t context = std::max<std::int64_t>(max_context, 1);
    const std::int64_t kv_token =
        checkedMul(kvValuesPerToken(*this), 4, check.what("fp32 KV bytes per token"));
    checkedMul(kv_token, context, check.what("fp32 KV cache bytes at max_context"));
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
    shape.setOrigin("sliding_window", from + ": no sliding window (Llama architecture)");
    shape.setOrigin("layer_is_local", from + ": every layer global (Llama architecture)");
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
