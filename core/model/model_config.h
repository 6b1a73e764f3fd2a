#pragma once
// The shape of a Llama-architecture model. Everything the engine, the cache and the memory
// estimator need to know about a model, and nothing about its weights.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace kvscope {

/// Derived from the head counts: MHA (n_kv_heads == n_heads), GQA (1 < n_kv_heads < n_heads),
/// MQA (n_kv_heads == 1).
enum class AttentionVariant { MHA, GQA, MQA };
std::string_view toString(AttentionVariant variant);

/// general.architecture values the engine runs. Each is the llama block with the differences the
/// fields below name (docs/architecture.md, "Architectures").
enum class Architecture { Llama, Qwen2, Qwen3, Gemma2, Gemma3, Phi3 };
std::string_view toString(Architecture arch);  // the GGUF name: "llama", "qwen2", ...

/// Which dimensions RoPE rotates together. Pairs: (2i, 2i+1), llama.cpp's LLAMA_ROPE_TYPE_NORM
/// (llama). Halves: (i, i + rope_dims/2), LLAMA_ROPE_TYPE_NEOX (qwen2/3, gemma2/3, phi3).
enum class RopeStyle { Pairs, Halves };
/// How RoPE reaches past the trained context (llama.cpp's rope scaling types). None and Linear:
/// positions rotate as position * rope_freq_scale. LongRope (Phi-3 128k, Phi-3.5, Phi-4-mini):
/// per-pair frequency divisors, rope_factors_short.weight for a context up to
/// rope_orig_context and rope_factors_long.weight above it (ModelWeights::ropeFactors). Yarn:
/// ggml's rope_yarn, interpolation blended with extrapolation per pair between the correction
/// dims of yarn_beta_fast and yarn_beta_slow, magnitudes times 1 + 0.1 ln(1 / rope_freq_scale).
enum class RopeScaling { None, Linear, Yarn, LongRope };
std::string_view toString(RopeScaling scaling);  // "none", "linear", "yarn", "longrope"
/// The FFN gate: SiLU (SwiGLU) or tanh-approximated GELU (GeGLU, gemma).
enum class FfnActivation { Silu, GeluTanh };

struct ModelConfig {
    std::string name;
    std::int64_t n_layers = 0;
    std::int64_t d_model = 0;
    std::int64_t n_heads = 0;     // query heads
    std::int64_t n_kv_heads = 0;  // key/value heads; divides n_heads
    std::int64_t head_dim = 0;    // even (RoPE rotates adjacent pairs)
    std::int64_t d_ff = 0;        // SwiGLU hidden size
    std::int64_t vocab = 0;
    std::int64_t max_context = 0;
    float rope_theta = 10000.0f;
    float norm_eps = 1e-5f;
    bool tied_output = false;  // output matrix shares token_embd

    // Architecture differences (defaults: llama).
    Architecture arch = Architecture::Llama;
    RopeStyle rope_style = RopeStyle::Pairs;
    std::int64_t rope_dims = 0;     // dimensions rotated per head (even, <= head_dim); 0 = head_dim
    float rope_theta_local = 0.0f;  // RoPE base of sliding-window layers (gemma3); 0 = rope_theta
    float rope_freq_scale = 1.0f;   // linear RoPE scaling: a position rotates as position * scale
    float rope_freq_scale_local =
        0.0f;  // the same for sliding-window layers (gemma3: 1); 0 = global
    RopeScaling rope_scaling = RopeScaling::None;
    /// rope.scaling.original_context_length (llama.cpp's n_ctx_orig_yarn): LongRoPE's long
    /// factors are used above it, YaRN's correction dims come from it. 0 = max_context.
    std::int64_t rope_orig_context = 0;
    /// rope.scaling.attn_factor: RoPE's cos and sin are multiplied by it, so every q.k by its
    /// square (LongRoPE: sqrt(1 + ln(s) / ln(original context)), s = context / original).
    float rope_attn_factor = 1.0f;
    float yarn_beta_fast = 32.0f;  // YaRN: pairs turning this often in the original context
    float yarn_beta_slow = 1.0f;   // extrapolate, pairs turning this seldom interpolate
    bool qkv_bias = false;         // qwen2: Q, K and V projections add a bias
    bool qk_norm = false;          // qwen3, gemma3: RMSNorm over each head of Q and of K
    bool post_norms = false;       // gemma2/3: RMSNorm after attention and after the FFN too
    float embedding_scale = 1.0f;  // gemma: embeddings multiplied by sqrt(d_model)
    float attn_scale = 0.0f;       // query scale; 0 = 1/sqrt(head_dim) (gemma: query_pre_attn)
    float attn_softcap = 0.0f;     // gemma2: logits -> c * tanh(logits / c); 0 = none
    float final_softcap = 0.0f;    // gemma2: the same on the output logits; 0 = none
    FfnActivation ffn_activation = FfnActivation::Silu;
    /// Sliding-window attention: a local layer's query at position p sees the keys of positions
    /// (p - sliding_window, p] (llama.cpp's n_swa, LLAMA_SWA_TYPE_STANDARD), and the layer holds
    /// only those. 0 = no local layers.
    std::int64_t sliding_window = 0;
    /// [n_layers] which layers are local (use sliding_window); empty = every layer is global.
    std::vector<bool> local_layers;

    /// Keys the query of `layer` sees at most: sliding_window for a local layer, 0 (unbounded)
    /// for a global one.
    std::int64_t layerWindow(std::int64_t layer) const;
    /// RoPE base of `layer`: rope_theta_local for a local layer when set, else rope_theta.
    float layerRopeTheta(std::int64_t layer) const;
    /// Linear RoPE scale of `layer`: rope_freq_scale_local for a local layer when set, else
    /// rope_freq_scale.
    float layerRopeFreqScale(std::int64_t layer) const;
    std::int64_t ropeDims() const { return rope_dims > 0 ? rope_dims : head_dim; }
    /// rope_orig_context, or max_context when it is 0.
    std::int64_t ropeOrigContext() const {
        return rope_orig_context > 0 ? rope_orig_context : max_context;
    }
    /// The RoPE scaling a run with a context of n_ctx positions uses, in words: "" for none;
    /// "LongRoPE long factors (context 8192 > original 4096), attention factor 1.27" style.
    std::string ropeScalingText(std::int64_t n_ctx) const;
    /// The query scale: attn_scale, or 1/sqrt(head_dim) when it is 0.
    float queryScale() const;
    /// "5 local (window 512) : 1 global, from layer 0: LLLLLG..." style summary of local_layers;
    /// "all global" when there is no sliding window.
    std::string layerPatternText() const;

    AttentionVariant attentionVariant() const;
    std::int64_t qDim() const { return n_heads * head_dim; }
    std::int64_t kvDim() const { return n_kv_heads * head_dim; }
    /// Query heads per KV head (llama2.c's kv_mul).
    std::int64_t kvGroupSize() const { return n_heads / n_kv_heads; }
    /// K and V bytes of one token in one layer: 2 * n_kv_heads * head_dim * bytes_per_value.
    std::int64_t kvBytesPerTokenPerLayer(std::int64_t bytes_per_value) const;
    /// Number of weights (embedding, per-layer matrices, biases and norms, final norm, output if
    /// untied).
    std::int64_t parameterCount() const;

    /// Throws InputError naming the first bad field: sizes > 0, n_heads divisible by n_kv_heads,
    /// head_dim even, finite positive rope_theta and norm_eps, rope_dims even and <= head_dim,
    /// finite non-negative scales and softcaps, and no 64-bit overflow in the fp32 byte totals
    /// (weights, and KV cache at max_context).
    void validate() const;
};

}  // namespace kvscope
