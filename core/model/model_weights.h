#pragma once
// Weights of a Llama-architecture model, row-major so that y = W x reads W row by row. The
// matrices are WeightMatrix: owned fp32, or views of a mapped file's (quantized) bytes; the norm
// vectors are small and always fp32. The optional tensors of an architecture (ModelConfig says
// which) are empty when it does not have them.
#include <vector>

#include "core/model/model_config.h"
#include "core/model/weight_matrix.h"

namespace kvscope {

struct LayerWeights {
    Vector attn_norm;     // [d_model]
    WeightMatrix wq;      // [n_heads * head_dim][d_model]
    WeightMatrix wk;      // [n_kv_heads * head_dim][d_model]
    WeightMatrix wv;      // [n_kv_heads * head_dim][d_model]
    WeightMatrix wo;      // [d_model][n_heads * head_dim]
    Vector ffn_norm;      // [d_model]
    WeightMatrix w_gate;  // [d_ff][d_model]   (llama2.c w1)
    WeightMatrix w_up;    // [d_ff][d_model]   (llama2.c w3)
    WeightMatrix w_down;  // [d_model][d_ff]   (llama2.c w2)

    // Optional, by architecture (empty when absent).
    Vector bq, bk, bv;      // [n_heads * head_dim], [kv_dim], [kv_dim]: qwen2 (config.qkv_bias)
    Vector bo;              // [d_model]: attn_output.bias (llama, phi3 files may have it)
    Vector q_norm, k_norm;  // [head_dim]: per-head RMSNorm of Q and K (config.qk_norm)
    Vector attn_post_norm;  // [d_model]: after attention, before the residual (config.post_norms)
    Vector ffn_post_norm;   // [d_model]: after the FFN, before the residual (config.post_norms)
};

struct ModelWeights {
    WeightMatrix token_embd;           // [vocab][d_model]
    std::vector<LayerWeights> layers;  // [n_layers]
    Vector output_norm;                // [d_model]
    WeightMatrix output;               // [vocab][d_model]; empty when the config says tied_output
    Vector output_bias;                // [vocab] or empty (qwen2, phi3 files may have it)
    /// [ropeDims() / 2] or empty: Llama 3's per-pair RoPE frequency divisors (rope_freqs.weight).
    Vector rope_freqs;
    /// [ropeDims() / 2] each, or both empty: LongRoPE's per-pair divisors (Phi-3 128k,
    /// rope_factors_short.weight and rope_factors_long.weight; config.rope_scaling LongRope).
    Vector rope_factors_short, rope_factors_long;

    /// The per-pair RoPE frequency divisors of a run whose context is n_ctx positions, as
    /// llama.cpp's get_rope_factors chooses: rope_freqs when there, else the LongRoPE long set
    /// when n_ctx > config.ropeOrigContext(), else the short set; empty when there are none.
    const Vector& ropeFactors(const ModelConfig& config, std::int64_t n_ctx) const;

    /// Allocates every tensor at the shape `config` asks for (the optional ones it names too),
    /// filled with zeros.
    static ModelWeights zeros(const ModelConfig& config);
    /// Throws InputError naming the first tensor whose shape does not match `config` (an optional
    /// tensor the config asks for must be there; one it does not is empty or of its shape).
    void checkShapes(const ModelConfig& config) const;
    /// Throws InputError naming the first tensor (GGUF name: "blk.3.attn_q") holding a NaN or an
    /// infinity, with its [row][column]: such a model computes nothing meaningful.
    void checkFinite() const;
    /// Bytes one decode step reads from the weights as they are stored (quantized blocks as
    /// blocks): every layer matrix, bias and norm, one embedding row, the final norm, the
    /// classifier and its bias.
    std::int64_t storedBytesPerToken(const ModelConfig& config) const;
    /// The classifier: `output`, or `token_embd` when tied.
    const WeightMatrix& classifier(const ModelConfig& config) const;
};

}  // namespace kvscope
