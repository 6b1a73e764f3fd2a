#pragma once
// Weights of a Llama-architecture model, row-major so that y = W x reads W row by row. The
// matrices are WeightMatrix: owned fp32, or views of a mapped file's (quantized) bytes; the norm
// vectors are small and always fp32.
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
};

struct ModelWeights {
    WeightMatrix token_embd;           // [vocab][d_model]
    std::vector<LayerWeights> layers;  // [n_layers]
    Vector output_norm;                // [d_model]
    WeightMatrix output;               // [vocab][d_model]; empty when the config says tied_output

    /// Allocates every tensor at the shape `config` asks for, filled with zeros.
    static ModelWeights zeros(const ModelConfig& config);
    /// Throws InputError naming the first tensor whose shape does not match `config`.
    void checkShapes(const ModelConfig& config) const;
    /// Throws InputError naming the first tensor (GGUF name: "blk.3.attn_q") holding a NaN or an
    /// infinity, with its [row][column]: such a model computes nothing meaningful.
    void checkFinite() const;
    /// Bytes one decode step reads from the weights as they are stored (quantized blocks as
    /// blocks): every layer matrix and norm, one embedding row, the final norm, the classifier.
    std::int64_t storedBytesPerToken(const ModelConfig& config) const;
    /// The classifier: `output`, or `token_embd` when tied.
    const WeightMatrix& classifier(const ModelConfig& config) const;
};

}  // namespace kvscope
