#include "core/model/model_config.h"

#include <cmath>
#include <cstdio>
#include <string>
#include <utility>

#include "core/util/checked_math.h"
#include "core/util/error.h"

namespace kvscope {

std::string_view toString(AttentionVariant variant) {
    switch (variant) {
        case AttentionVariant::MHA:
            return "MHA";
        case AttentionVariant::GQA:
            return "GQA";
        case AttentionVariant::MQA:
            return "MQA";
    }
    return "?";
}

std::string_view toString(Architecture arch) {
    switch (arch) {
        case Architecture::Llama:
            return "llama";
        case Architecture::Qwen2:
            return "qwen2";
        case Architecture::Qwen3:
            return "qwen3";
        case Architecture::Gemma2:
            return "gemma2";
        case Architecture::Gemma3:
            return "gemma3";
        case Architecture::Phi3:
            return "phi3";
    }
    return "?";
}

std::string_view toString(RopeScaling scaling) {
    switch (scaling) {
        case RopeScaling::None:
            return "none";
        case RopeScaling::Linear:
            return "linear";
        case RopeScaling::Yarn:
            return "yarn";
        case RopeScaling::LongRope:
            return "longrope";
    }
    return "?";
}

namespace {

/// A factor in messages: four significant digits ("1.275", "32").
std::string factorText(double value) {
    char text[32];
    std::snprintf(text, sizeof text, "%.4g", value);
    return text;
}

}  // namespace

std::string ModelConfig::ropeScalingText(std::int64_t n_ctx) const {
    const std::string orig = std::to_string(ropeOrigContext());
    std::string text;
    switch (rope_scaling) {
        case RopeScaling::None:
            break;
        case RopeScaling::Linear:
            text = "linear, positions x " + factorText(rope_freq_scale);
            break;
        case RopeScaling::Yarn:
            // ggml's rope_yarn: magnitudes x 1 + 0.1 ln(factor) on top of the attention factor.
            text = "YaRN, factor " + factorText(1.0 / rope_freq_scale) + " over original " + orig +
                   " (beta fast " + factorText(yarn_beta_fast) + ", slow " +
                   factorText(yarn_beta_slow) + "; cos and sin x " +
                   factorText(1.0 + 0.1 * std::log(1.0 / rope_freq_scale)) + ")";
            break;
        case RopeScaling::LongRope:
            // llama.cpp's choice (llama_model::get_rope_factors): long when n_ctx > original.
            text = n_ctx > ropeOrigContext()
                       ? "LongRoPE long factors (context " + std::to_string(n_ctx) +
                             " > original " + orig + ")"
                       : "LongRoPE short factors (context " + std::to_string(n_ctx) +
                             " <= original " + orig + "; long above)";
            break;
    }
    if (rope_attn_factor != 1.0f) {
        text += (text.empty() ? "" : ", ") + std::string("attention factor ") +
                factorText(rope_attn_factor) + " (cos and sin scaled)";
    }
    return text;
}

std::int64_t ModelConfig::layerWindow(std::int64_t layer) const {
    const bool local =
        layer >= 0 && std::size_t(layer) < local_layers.size() && local_layers[std::size_t(layer)];
    return local ? sliding_window : 0;
}

float ModelConfig::layerRopeTheta(std::int64_t layer) const {
    return layerWindow(layer) > 0 && rope_theta_local > 0.0f ? rope_theta_local : rope_theta;
}

float ModelConfig::layerRopeFreqScale(std::int64_t layer) const {
    return layerWindow(layer) > 0 && rope_freq_scale_local > 0.0f ? rope_freq_scale_local
                                                                  : rope_freq_scale;
}

float ModelConfig::queryScale() const {
    return attn_scale > 0.0f ? attn_scale : 1.0f / std::sqrt(float(head_dim));
}

std::string ModelConfig::layerPatternText() const {
    // Only local_layers is walked (empty when every layer is global): a header may claim 2^32
    // layers, and describing it must stay instant.
    std::int64_t n_local = 0;
    std::string pattern;  // one letter per layer: L local, G global
    for (std::size_t l = 0; l < local_layers.size(); ++l) {
        const bool local = layerWindow(std::int64_t(l)) > 0;
        n_local += local ? 1 : 0;
        if (l < 64) pattern += local ? 'L' : 'G';
    }
    if (n_local == 0) return "all " + std::to_string(n_layers) + " global";
    if (local_layers.size() > 64) pattern += "...";
    return std::to_string(n_local) + " local (window " + std::to_string(sliding_window) + "), " +
           std::to_string(n_layers - n_local) + " global: " + pattern;
}

AttentionVariant ModelConfig::attentionVariant() const {
    if (n_kv_heads == n_heads) return AttentionVariant::MHA;
    if (n_kv_heads == 1) return AttentionVariant::MQA;
    return AttentionVariant::GQA;
}

std::int64_t ModelConfig::kvBytesPerTokenPerLayer(std::int64_t bytes_per_value) const {
    return checkedMul(checkedMul(2, kvDim(), "KV values per token"), bytes_per_value,
                      "KV bytes per token");
}

std::int64_t ModelConfig::parameterCount() const {
    const char* what = "parameter count";
    std::int64_t attn = checkedAdd(checkedMul(d_model, qDim(), what),
                                   checkedMul(2, checkedMul(d_model, kvDim(), what), what), what);
    attn = checkedAdd(attn, checkedMul(qDim(), d_model, what), what);  // wq wk wv + wo
    const std::int64_t ffn = checkedMul(3, checkedMul(d_model, d_ff, what), what);
    std::int64_t norms = checkedMul(post_norms ? 4 : 2, d_model, what);  // + post-norms (gemma)
    if (qk_norm) norms = checkedAdd(norms, checkedMul(2, head_dim, what), what);
    if (qkv_bias)
        attn = checkedAdd(attn, checkedAdd(qDim(), checkedMul(2, kvDim(), what), what), what);
    const std::int64_t per_layer = checkedAdd(checkedAdd(attn, ffn, what), norms, what);
    const std::int64_t embd = checkedMul(vocab, d_model, what);
    std::int64_t total = checkedAdd(checkedMul(n_layers, per_layer, what), embd, what);
    total = checkedAdd(total, d_model, what);  // output_norm
    if (!tied_output) total = checkedAdd(total, embd, what);
    return total;
}

namespace {

void requirePositive(std::int64_t value, const char* field) {
    if (value <= 0) {
        throw InputError(std::string("model config: ") + field + " must be > 0, got " +
                         std::to_string(value));
    }
}

void requireFinitePositive(float value, const char* field) {
    if (!std::isfinite(value) || value <= 0.0f) {
        throw InputError(std::string("model config: ") + field +
                         " must be a finite number > 0, got " + std::to_string(value));
    }
}

}  // namespace

void ModelConfig::validate() const {
    requirePositive(n_layers, "n_layers");
    requirePositive(d_model, "d_model");
    requirePositive(n_heads, "n_heads");
    requirePositive(n_kv_heads, "n_kv_heads");
    requirePositive(head_dim, "head_dim");
    requirePositive(d_ff, "d_ff");
    requirePositive(vocab, "vocab");
    requirePositive(max_context, "max_context");
    requireFinitePositive(rope_theta, "rope_theta");
    requireFinitePositive(norm_eps, "norm_eps");
    if (n_heads % n_kv_heads != 0) {
        throw InputError("model config: n_heads (" + std::to_string(n_heads) +
                         ") must be divisible by n_kv_heads (" + std::to_string(n_kv_heads) + ")");
    }
    if (head_dim % 2 != 0) {
        throw InputError("model config: head_dim must be even for RoPE (rotates pairs), got " +
                         std::to_string(head_dim));
    }
    if (rope_dims < 0 || rope_dims > head_dim || rope_dims % 2 != 0) {
        throw InputError("model config: rope_dims must be even and in [0, head_dim = " +
                         std::to_string(head_dim) + "], got " + std::to_string(rope_dims));
    }
    for (const auto& [value, field] :
         {std::pair{rope_freq_scale, "rope_freq_scale"},
          std::pair{rope_freq_scale_local, "rope_freq_scale_local"},
          std::pair{rope_theta_local, "rope_theta_local"},
          std::pair{embedding_scale, "embedding_scale"}, std::pair{attn_scale, "attn_scale"},
          std::pair{attn_softcap, "attn_softcap"}, std::pair{final_softcap, "final_softcap"},
          std::pair{rope_attn_factor, "rope_attn_factor"},
          std::pair{yarn_beta_fast, "yarn_beta_fast"},
          std::pair{yarn_beta_slow, "yarn_beta_slow"}}) {
        if (!std::isfinite(value) || value < 0.0f) {
            throw InputError(std::string("model config: ") + field +
                             " must be a finite number >= 0, got " + std::to_string(value));
        }
    }
    requireFinitePositive(rope_freq_scale, "rope_freq_scale");
    requireFinitePositive(embedding_scale, "embedding_scale");
    if (rope_orig_context < 0) {
        throw InputError("model config: rope_orig_context must be >= 0, got " +
                         std::to_string(rope_orig_context));
    }
    if (sliding_window < 0) {
        throw InputError("model config: sliding_window must be >= 0, got " +
                         std::to_string(sliding_window));
    }
    if (!local_layers.empty() && std::int64_t(local_layers.size()) != n_layers) {
        throw InputError("model config: local_layers names " + std::to_string(local_layers.size()) +
                         " layers, the model has " + std::to_string(n_layers));
    }
    // The fp32 byte totals the engine will allocate must be representable.
    checkedMul(parameterCount(), 4, "model config: fp32 weight bytes");
    checkedMul(checkedMul(n_layers, max_context, "model config: KV cache positions"),
               kvBytesPerTokenPerLayer(4), "model config: fp32 KV cache bytes at max_context");
}

}  // namespace kvscope
