#include "core/memory/weight_count.h"

#include <array>

#include "core/util/checked_math.h"

namespace kvscope {

namespace {

const JsonValue* findKey(const JsonValue& config, std::string_view key, std::string& where) {
    if (const JsonValue* text = config.find("text_config"); text && text->isObject()) {
        if (const JsonValue* value = text->find(key); value && !value->isNull()) {
            where = "text_config." + std::string(key);
            return value;
        }
    }
    const JsonValue* value = config.find(key);
    where = std::string(key);
    return value && !value->isNull() ? value : nullptr;
}

std::int64_t feedForward(const ModelShape& shape) {
    return shape.d_ff > 0 ? shape.d_ff : checkedMul(shape.d_model, 4, "assumed d_ff");
}

std::int64_t attentionPerLayer(const ModelShape& s) {
    const char* what = "attention parameters";
    const auto mul = [&](std::int64_t a, std::int64_t b) { return checkedMul(a, b, what); };
    const std::int64_t q = mul(s.d_model, mul(s.n_heads, s.head_dim));
    const std::int64_t o = mul(mul(s.n_heads, s.v_head_dim), s.d_model);
    if (s.attention == AttentionKind::MLA) {
        const std::int64_t kv_a = mul(s.d_model, s.kv_lora_rank + s.qk_rope_head_dim);
        const std::int64_t nope = s.head_dim - s.qk_rope_head_dim;
        const std::int64_t kv_b = mul(s.kv_lora_rank, mul(s.n_heads, nope + s.v_head_dim));
        return checkedAdd(checkedAdd(q, kv_a, what), checkedAdd(kv_b, o, what), what);
    }
    const std::int64_t kv = mul(s.d_model, mul(s.n_kv_heads, s.head_dim + s.v_head_dim));
    return checkedAdd(checkedAdd(q, kv, what), o, what);
}

}  // namespace

WeightLayout weightLayoutFromConfig(const JsonValue& config) {
    WeightLayout layout;
    std::string where;
    if (const JsonValue* tie = findKey(config, "tie_word_embeddings", where)) {
        layout.tied_output = tie->asBool();
        layout.origin = "tied output from config.json key '" + where + "'";
    } else {
        layout.tied_output = true;
        layout.origin = "tied output: tie_word_embeddings absent, transformers' default true";
    }
    std::string type;
    if (const JsonValue* model_type = findKey(config, "model_type", where)) {
        type = model_type->asString();
    }
    static constexpr std::array<std::string_view, 6> kPlainMlp = {"gpt2", "falcon", "gpt_neox",
                                                                  "opt",  "bloom",  "phi"};
    layout.ffn_matrices = 3;
    for (std::string_view plain : kPlainMlp) {
        if (type == plain) layout.ffn_matrices = 2;
    }
    layout.origin +=
        "; FFN " +
        std::string(layout.ffn_matrices == 2 ? "plain MLP (2 matrices)" : "gated (3 matrices)") +
        " from model_type '" + type + "'";
    return layout;
}

std::int64_t denseParameterCount(const ModelShape& s, const WeightLayout& layout) {
    const char* what = "parameter count";
    const std::int64_t embed = checkedMul(s.vocab, s.d_model, what);
    const std::int64_t ffn =
        checkedMul(layout.ffn_matrices, checkedMul(s.d_model, feedForward(s), what), what);
    const std::int64_t norms = checkedMul(2, s.d_model, what);
    const std::int64_t per_layer =
        checkedAdd(checkedAdd(attentionPerLayer(s), ffn, what), norms, what);
    std::int64_t total = checkedAdd(embed, checkedMul(s.n_layers, per_layer, what), what);
    total = checkedAdd(total, s.d_model, what);
    if (!layout.tied_output) total = checkedAdd(total, embed, what);
    return total;
}

std::string denseParameterFormula(const ModelShape& s, const WeightLayout& layout) {
    const std::string v = std::to_string(s.vocab), d = std::to_string(s.d_model);
    std::string f = "embed " + v + "*" + d + " + " + std::to_string(s.n_layers) +
                    " layers * (attention " + std::to_string(attentionPerLayer(s)) + " + FFN " +
                    std::to_string(layout.ffn_matrices) + "*" + d + "*" +
                    std::to_string(feedForward(s)) +
                    (s.d_ff > 0 ? "" : " (d_ff = 4*d_model assumed)") + " + norms 2*" + d +
                    ") + final norm " + d;
    f += layout.tied_output ? " (output tied to the embedding)" : " + output " + v + "*" + d;
    return f;
}

}  // namespace kvscope
