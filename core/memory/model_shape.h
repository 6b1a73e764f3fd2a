#pragma once
// The shape of a transformer as the memory calculator sees it: sizes that decide weight and KV
// cache bytes, which layers keep only a sliding window of tokens, and for every field where its
// value came from (a config.json key, a default, a derivation), so the GUI can show its sources.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/model/model_config.h"

namespace kvscope {

/// How a layer caches keys and values. MHA, GQA and MQA follow from the head counts (as
/// ModelConfig's AttentionVariant); MLA (DeepSeek V2/V3 multi-head latent attention) caches one
/// compressed latent of kv_lora_rank values plus one shared RoPE key of qk_rope_head_dim values
/// per token and layer, whatever the head count.
enum class AttentionKind { MHA, GQA, MQA, MLA };
std::string_view toString(AttentionKind kind);
/// MHA when n_kv_heads == n_heads, MQA when n_kv_heads == 1 (< n_heads), GQA otherwise.
AttentionKind attentionKindFromHeads(std::int64_t n_heads, std::int64_t n_kv_heads);

/// Where one ModelShape field came from, in words: "config.json key 'num_key_value_heads'",
/// "config.json: absent, MHA assumed", "derived: hidden_size / num_attention_heads = 4096 / 32".
struct FieldOrigin {
    std::string field;  // the ModelShape member: "n_kv_heads"
    std::string origin;
};

struct ModelShape {
    std::string name;
    std::string source;  // the file or model reference the shape was read from
    std::int64_t n_layers = 0;
    std::int64_t d_model = 0;
    std::int64_t n_heads = 0;       // query heads
    std::int64_t n_kv_heads = 0;    // key/value heads (MLA: the heads its latent expands to)
    std::int64_t head_dim = 0;      // K head size; MLA: qk_nope_head_dim + qk_rope_head_dim
    std::int64_t v_head_dim = 0;    // V head size; equals head_dim unless the config says otherwise
    std::int64_t kv_lora_rank = 0;  // MLA compressed KV latent size; 0 when not MLA
    std::int64_t qk_rope_head_dim = 0;  // MLA decoupled RoPE key size; 0 when not MLA
    /// Tokens a local (sliding-window) layer keeps; 0 when no layer is windowed.
    std::int64_t sliding_window = 0;
    std::vector<bool> layer_is_local;  // [n_layers] true: the layer attends to a sliding window
    /// Layers whose K/V hold encoder (image) states instead of text tokens (Llama 3.2 Vision's
    /// cross-attention layers): they do not grow with the text. Sorted, unique, < n_layers.
    std::vector<std::int64_t> cross_attention_layers;
    std::int64_t max_context = 0;  // trained context length; 0 = unknown
    std::int64_t vocab = 0;
    std::int64_t d_ff = 0;         // (dense) feed-forward hidden size; 0 = unknown
    std::int64_t weight_bits = 0;  // bits per stored weight; 0 = unknown
    std::string weight_dtype;      // as the source names it ("bfloat16"); empty = unknown
    AttentionKind attention = AttentionKind::MHA;
    std::vector<FieldOrigin> provenance;  // one entry per field, in the order they were read

    /// Where `field` came from; empty when no origin was recorded.
    std::string_view origin(std::string_view field) const;
    /// Records (or replaces) the origin of `field`.
    void setOrigin(std::string_view field, std::string origin);

    std::int64_t nLocalLayers() const;
    /// Layers whose cache grows with the text: n_layers minus the cross-attention layers.
    std::int64_t nTokenLayers() const;

    /// Throws InputError "model shape <name>: ..." naming the first bad field: sizes > 0 (d_ff,
    /// max_context and weight_bits may be 0 = unknown), n_heads divisible by n_kv_heads (not MLA),
    /// MLA fields set exactly when attention is MLA, layer_is_local of size n_layers, a window when
    /// a layer is local, cross-attention layers in range, and no 64-bit overflow in the fp32 KV
    /// bytes at max_context or in the fp32 bytes of the largest weight matrices.
    void validate() const;
};

/// K and V values one token adds to one layer's cache: n_kv_heads * (head_dim + v_head_dim)
/// (= 2 * n_kv_heads * head_dim when K and V heads match); for MLA kv_lora_rank +
/// qk_rope_head_dim (one latent serves both K and V, so no factor 2). Checked for overflow.
std::int64_t kvValuesPerTokenPerLayer(const ModelShape& shape);
/// What a cache holding per-head K and V would store per token and layer:
/// n_kv_heads * (head_dim + v_head_dim), also for MLA (its "MHA equivalent", as an implementation
/// that decompresses the latent before caching stores it).
std::int64_t expandedKvValuesPerTokenPerLayer(const ModelShape& shape);
/// kvValuesPerTokenPerLayer() over the layers that grow with the text (nTokenLayers()), ignoring
/// sliding windows: the per-token cost while the context is shorter than every window.
std::int64_t kvValuesPerToken(const ModelShape& shape);

/// The shape of a loaded model (GGUF, llama2.c, built-in). `origin` names where the config came
/// from in the provenance ("GGUF", "builtin"). Llama-architecture: no windows, K and V heads equal,
/// weight_bits unknown (the config does not record how its weights are stored).
ModelShape shapeFromModelConfig(const ModelConfig& config, std::string_view origin);

}  // namespace kvscope
