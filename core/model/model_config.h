#pragma once
// The shape of a Llama-architecture model. Everything the engine, the cache and the memory
// estimator need to know about a model, and nothing about its weights.
#include <cstdint>
#include <string>
#include <string_view>

namespace kvscope {

/// Derived from the head counts: MHA (n_kv_heads == n_heads), GQA (1 < n_kv_heads < n_heads),
/// MQA (n_kv_heads == 1).
enum class AttentionVariant { MHA, GQA, MQA };
std::string_view toString(AttentionVariant variant);

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

    AttentionVariant attentionVariant() const;
    std::int64_t qDim() const { return n_heads * head_dim; }
    std::int64_t kvDim() const { return n_kv_heads * head_dim; }
    /// Query heads per KV head (llama2.c's kv_mul).
    std::int64_t kvGroupSize() const { return n_heads / n_kv_heads; }
    /// K and V bytes of one token in one layer: 2 * n_kv_heads * head_dim * bytes_per_value.
    std::int64_t kvBytesPerTokenPerLayer(std::int64_t bytes_per_value) const;
    /// Number of weights (embedding, per-layer matrices and norms, final norm, output if untied).
    std::int64_t parameterCount() const;

    /// Throws InputError naming the first bad field: sizes > 0, n_heads divisible by n_kv_heads,
    /// head_dim even, finite positive rope_theta and norm_eps, and no 64-bit overflow in the fp32
    /// byte totals (weights, and KV cache at max_context).
    void validate() const;
};

}  // namespace kvscope
