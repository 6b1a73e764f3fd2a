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

/// The fixed-size state a recurrent layer (gated DeltaNet linear attention, short convolution,
/// Mamba, Mamba-2) keeps per sequence instead of K/V rows: it does not grow with the text. Values
/// per sequence and layer, as vLLM sizes its state tensors (vllm/model_executor/layers/mamba/
/// mamba_utils.py, MambaStateShapeCalculator): conv = the last (kernel - 1) inputs of the causal
/// convolution, ssm = the recurrent (SSM or linear-attention) state.
struct RecurrentState {
    std::string kind;              // "gated DeltaNet", "short convolution", "Mamba-2", "Mamba"
    std::int64_t conv_values = 0;  // per sequence and layer
    std::string conv_formula;      // "(linear_conv_kernel_dim 4 - 1) x conv_dim 8192 (...)"
    std::int64_t ssm_values = 0;   // per sequence and layer; 0 for a short convolution
    std::string ssm_formula;
    std::int64_t dtype_bytes = 2;      // bytes per state value
    std::string dtype_origin;          // "the model dtype bfloat16 (vLLM's default ...)"
    std::vector<std::string> sources;  // the config keys the sizes came from
    /// conv_values + ssm_values; 0 when there is no state.
    std::int64_t valuesPerLayer() const { return conv_values + ssm_values; }
};

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
    /// Chunked local attention (Llama 4): a chunked layer attends within chunks of attention_chunk
    /// tokens and holds at most one chunk. Sorted, unique, < n_layers, not local.
    std::int64_t attention_chunk = 0;
    std::vector<std::int64_t> chunked_layers;
    /// Layers with no attention at all (linear attention, convolution, Mamba): no K/V. Sorted,
    /// unique, < n_layers, neither local, chunked nor cross-attention.
    std::vector<std::int64_t> kv_free_layers;
    /// Layers that keep `state` per sequence (Falcon-H1: every layer, beside its attention).
    std::vector<std::int64_t> state_layers;
    RecurrentState state;
    /// Per-layer KV heads and head size (OpenELM): [n_layers] or empty (every layer has
    /// n_kv_heads heads of head_dim / v_head_dim). n_kv_heads is then their maximum.
    std::vector<std::int64_t> layer_kv_heads;
    std::vector<std::int64_t> layer_head_dim;  // K and V head size per layer; empty = uniform
    std::int64_t max_context = 0;              // trained context length; 0 = unknown
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
    /// Layers that hold K/V of the text: n_layers minus the cross-attention and KV-free layers.
    std::int64_t nTokenLayers() const;
    std::int64_t nChunkedLayers() const { return std::int64_t(chunked_layers.size()); }
    std::int64_t nStateLayers() const { return std::int64_t(state_layers.size()); }
    /// Global attention layers: token layers that are neither local nor chunked.
    std::int64_t nGlobalLayers() const;
    bool isCrossAttention(std::int64_t layer) const;
    bool isKvFree(std::int64_t layer) const;
    bool isChunked(std::int64_t layer) const;
    bool isLocal(std::int64_t layer) const { return layer_is_local[std::size_t(layer)]; }
    /// The layer holds K/V rows of the text (not cross-attention, not KV-free).
    bool holdsKv(std::int64_t layer) const { return !isCrossAttention(layer) && !isKvFree(layer); }
    /// True when every layer has n_kv_heads heads of head_dim (no per-layer arrays).
    bool uniformKv() const { return layer_kv_heads.empty() && layer_head_dim.empty(); }
    std::int64_t kvHeadsOf(std::int64_t layer) const;
    std::int64_t headDimOf(std::int64_t layer) const;
    std::int64_t vHeadDimOf(std::int64_t layer) const;

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
/// K and V values one token adds to `layer` (its own heads and head size; 0 when it holds none).
std::int64_t kvValuesPerTokenOfLayer(const ModelShape& shape, std::int64_t layer);
/// kvValuesPerTokenOfLayer() summed over the layers (for uniform shapes kvValuesPerTokenPerLayer()
/// x nTokenLayers()), ignoring windows and chunks: the per-token cost while the context is shorter
/// than every window and chunk.
std::int64_t kvValuesPerToken(const ModelShape& shape);
/// Recurrent state values one sequence keeps: nStateLayers() x state.valuesPerLayer().
std::int64_t stateValuesPerSequence(const ModelShape& shape);

/// The layers by kind, in words: "48 layers: 12 global attention, 36 gated DeltaNet (linear
/// attention) without K/V" (sliding, chunked, cross-attention and per-layer heads when present).
std::string layerSummary(const ModelShape& shape);

/// The shape of a loaded model (GGUF, llama2.c, built-in). `origin` names where the config came
/// from in the provenance ("GGUF", "builtin"). Llama-architecture: no windows, K and V heads equal,
/// weight_bits unknown (the config does not record how its weights are stored).
ModelShape shapeFromModelConfig(const ModelConfig& config, std::string_view origin);

}  // namespace kvscope
