#include "core/model/gguf_architecture.h"

#include <array>
#include <cmath>
#include <limits>
#include <utility>

#include "core/util/error.h"
#include "core/util/number_text.h"

namespace kvscope {

namespace {

constexpr std::array kRunnable = {Architecture::Llama,  Architecture::Qwen2,  Architecture::Qwen3,
                                  Architecture::Gemma2, Architecture::Gemma3, Architecture::Phi3};

/// A float key: nullopt when absent; InputError naming it when not finite or negative.
std::optional<float> nonNegativeFloat(const GgufFile& file, const std::string& key) {
    const std::optional<double> value = file.findFloat(key);
    if (!value) return std::nullopt;
    if (!std::isfinite(*value) || *value < 0.0 || *value > std::numeric_limits<float>::max())
        file.failAtKey(key, "value " + numberText(*value) + " is not a finite float >= 0");
    return float(*value);
}

/// A count key below 2^31 (llama.cpp reads these as uint32).
std::optional<std::int64_t> smallCount(const GgufFile& file, const std::string& key) {
    const std::optional<std::uint64_t> value = file.findUint(key);
    if (!value) return std::nullopt;
    if (*value > std::uint64_t(std::numeric_limits<std::int32_t>::max()))
        file.failAtKey(key, "value " + std::to_string(*value) + " is out of range");
    return std::int64_t(*value);
}

/// The file's context_length when it is a count below 2^63; nullopt otherwise (the shape reader
/// reports a bad one, naming the key; here it only bounds windows and LongRoPE's threshold).
std::optional<std::int64_t> trainedContext(const GgufFile& file, const std::string& p) {
    const std::optional<std::uint64_t> value = file.findUint(p + "context_length");
    if (!value || *value > std::uint64_t(std::numeric_limits<std::int64_t>::max()))
        return std::nullopt;
    return std::int64_t(*value);
}

void readRope(const GgufFile& file, const std::string& p, ModelConfig& c) {
    c.rope_style = c.arch == Architecture::Llama ? RopeStyle::Pairs : RopeStyle::Halves;
    const std::string dims_key = p + "rope.dimension_count";
    if (const std::optional<std::int64_t> dims = smallCount(file, dims_key)) {
        if (*dims == 0 || *dims > c.head_dim || *dims % 2 != 0) {
            file.failAtKey(dims_key, "rope.dimension_count " + std::to_string(*dims) +
                                         " must be even and in [2, head_dim = " +
                                         std::to_string(c.head_dim) + "]");
        }
        c.rope_dims = *dims == c.head_dim ? 0 : *dims;
    }
    // The original context (LongRoPE's threshold, YaRN's correction dims) and the factor on cos
    // and sin: llama.cpp applies rope.scaling.attn_factor whatever the scaling type.
    // (llama.cpp's n_ctx_orig_yarn: the key, else the trained context_length)
    c.rope_orig_context = smallCount(file, p + "rope.scaling.original_context_length")
                              .value_or(trainedContext(file, p).value_or(0));
    const std::string attn_key = p + "rope.scaling.attn_factor";
    if (const std::optional<float> attn = nonNegativeFloat(file, attn_key)) {
        if (*attn == 0.0f) file.failAtKey(attn_key, "a RoPE attention factor of 0");
        c.rope_attn_factor = *attn;
    }
    // rope.scaling.factor, else the older rope.scale_linear: positions rotate as p / factor;
    // never with rope.scaling.type "none" (llama.cpp: "never scale if scaling type is none").
    const std::optional<std::string> type = file.findString(p + "rope.scaling.type");
    if (type == std::optional<std::string>("none")) return;
    for (const std::string& key : {p + "rope.scaling.factor", p + "rope.scale_linear"}) {
        if (const std::optional<float> factor = nonNegativeFloat(file, key)) {
            if (*factor > 0.0f) c.rope_freq_scale = 1.0f / *factor;
            break;
        }
    }
    // LongRoPE: Phi-3's converter writes the factor tensors and no type; llama files say
    // "longrope". YaRN: "yarn" (ext_factor 1), its ramp between the correction dims of
    // rope.scaling.yarn_beta_fast and yarn_beta_slow when the file has them (Hugging Face's
    // rope_scaling beta_fast / beta_slow), else 32 and 1. llama.cpp declares these keys but reads
    // neither from a file (its defaults or its context parameters win; tests/data/arch
    // feature_checks.txt shows its output does not move), so on a file that sets them KVScope
    // follows the file where llama.cpp does not.
    if (type == std::optional<std::string>("yarn")) {
        c.rope_scaling = RopeScaling::Yarn;
        for (auto [key, beta] : {std::pair{p + "rope.scaling.yarn_beta_fast", &c.yarn_beta_fast},
                                 std::pair{p + "rope.scaling.yarn_beta_slow", &c.yarn_beta_slow}}) {
            if (const std::optional<float> value = nonNegativeFloat(file, key)) {
                if (*value == 0.0f) file.failAtKey(key, "a YaRN beta of 0 (it must be > 0)");
                *beta = *value;
            }
        }
    } else if (type == std::optional<std::string>("longrope") ||
               file.findTensor("rope_factors_long.weight") ||
               file.findTensor("rope_factors_short.weight")) {
        c.rope_scaling = RopeScaling::LongRope;
    } else if (c.rope_freq_scale != 1.0f) {
        c.rope_scaling = RopeScaling::Linear;
    }
}

void readSwaPattern(const GgufFile& file, const std::string& p, std::int64_t default_period,
                    ModelConfig& c) {
    c.local_layers = ggufSlidingWindowPattern(file, p, c.n_layers, default_period);
}

/// Phi-3's attention.sliding_window, on every layer as Hugging Face's Phi-3 applies it (llama.cpp
/// ignores it since PR 13676). 0 (Phi-4) or a window no shorter than the context (Phi-3 128k:
/// 262144) bounds nothing: no local layers.
void readPhi3Window(const GgufFile& file, const std::string& p, ModelConfig& c) {
    const std::optional<std::int64_t> window = smallCount(file, p + "attention.sliding_window");
    const std::optional<std::int64_t> context = trainedContext(file, p);
    if (!window || *window == 0 || (context && *window >= *context)) return;
    c.sliding_window = *window;
    readSwaPattern(file, p, 0, c);  // period 0: every layer local, unless the file says otherwise
}

void readGemma(const GgufFile& file, const std::string& p, ModelConfig& c) {
    const bool gemma2 = c.arch == Architecture::Gemma2;
    c.post_norms = true;
    c.qk_norm = !gemma2;
    c.ffn_activation = FfnActivation::GeluTanh;
    c.embedding_scale = std::sqrt(float(c.d_model));
    // llama.cpp (after gemma_pytorch): the 27B models scale queries by d_model / n_heads, the
    // others by head_dim; the 27B models are told apart by their layer count.
    const bool is_27b = c.n_layers == (gemma2 ? 46 : 62);
    c.attn_scale = 1.0f / std::sqrt(float(is_27b ? c.d_model / c.n_heads : c.head_dim));
    c.final_softcap =
        nonNegativeFloat(file, p + "final_logit_softcapping").value_or(gemma2 ? 30.0f : 0.0f);
    if (gemma2)
        c.attn_softcap = nonNegativeFloat(file, p + "attn_logit_softcapping").value_or(50.0f);

    const std::optional<std::int64_t> window = smallCount(file, p + "attention.sliding_window");
    if (gemma2 || (window && *window > 0)) {
        c.sliding_window = window.value_or(4096);
        if (c.sliding_window == 0)
            file.failAtKey(p + "attention.sliding_window", "a window of 0 keys");
        readSwaPattern(file, p, gemma2 ? 2 : 6, c);
        const std::optional<float> local_base = nonNegativeFloat(file, p + "rope.freq_base_swa");
        if (local_base && *local_base == 0.0f)
            file.failAtKey(p + "rope.freq_base_swa", "a RoPE base of 0");
        c.rope_theta_local = local_base.value_or(gemma2 ? c.rope_theta : 10000.0f);
        c.rope_freq_scale_local = gemma2 ? c.rope_freq_scale : 1.0f;
    }
}

}  // namespace

std::vector<bool> ggufSlidingWindowPattern(const GgufFile& file, const std::string& prefix,
                                           std::int64_t n_layers, std::int64_t default_period) {
    const std::string key = prefix + "attention.sliding_window_pattern";
    constexpr std::int64_t kMaxPatternLayers = 65536;  // as many layers as KVScope runs
    if (n_layers > kMaxPatternLayers) {
        file.failAtKey(prefix + "block_count",
                       std::to_string(n_layers) + " layers are more than the " +
                           std::to_string(kMaxPatternLayers) +
                           " whose sliding-window pattern KVScope lays out");
    }
    std::vector<bool> local(std::size_t(n_layers), false);
    if (const GgufMetadataEntry* entry = file.findEntry(key);
        entry && entry->type == GgufType::Array) {
        const GgufValue value = file.value(*entry);
        if (value.elementType() != GgufType::Bool ||
            std::int64_t(value.asArray().size()) != n_layers)
            file.failAtKey(key, "expected an array of " + std::to_string(n_layers) + " bools");
        for (std::int64_t l = 0; l < n_layers; ++l)
            local[std::size_t(l)] = value.asArray()[std::size_t(l)].asBool();
        return local;
    }
    const std::int64_t period = smallCount(file, key).value_or(default_period);
    for (std::int64_t l = 0; l < n_layers; ++l)
        local[std::size_t(l)] = period == 0 || l % period < period - 1;
    return local;
}

std::optional<Architecture> runnableArchitecture(std::string_view name) {
    for (Architecture arch : kRunnable)
        if (toString(arch) == name) return arch;
    return std::nullopt;
}

std::string runnableArchitectureNames() {
    std::string names;
    for (Architecture arch : kRunnable)
        names += (names.empty() ? "" : ", ") + std::string(toString(arch));
    return names;
}

void readArchitectureConfig(const GgufFile& file, Architecture arch, ModelConfig& c) {
    const std::string p = std::string(toString(arch)) + ".";
    c.arch = arch;
    readRope(file, p, c);
    c.qkv_bias = file.findTensor("blk.0.attn_q.bias") || file.findTensor("blk.0.attn_qkv.bias");
    switch (arch) {
        case Architecture::Qwen3:
            c.qk_norm = true;
            break;
        case Architecture::Gemma2:
        case Architecture::Gemma3:
            readGemma(file, p, c);
            break;
        case Architecture::Phi3:
            readPhi3Window(file, p, c);
            break;
        case Architecture::Llama:
        case Architecture::Qwen2:
            break;
    }
}

void checkArchitectureRunnable(const GgufFile& file, Architecture arch) {
    const std::string key = std::string(toString(arch)) + ".rope.scaling.type";
    if (const std::optional<std::string> type = file.findString(key);
        type && *type != "none" && *type != "linear" && *type != "yarn" && *type != "longrope") {
        file.failAtKey(key, "RoPE scaling '" + *type +
                                "' is not supported for running (only none, linear, yarn and "
                                "longrope)");
    }
}

}  // namespace kvscope
