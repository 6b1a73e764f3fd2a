#pragma once
// fp32 weights of a Llama-architecture model, row-major so that y = W x reads W row by row.
#include <Eigen/Core>
#include <vector>

#include "core/model/model_config.h"

namespace kvscope {

using Matrix = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using Vector = Eigen::VectorXf;

struct LayerWeights {
    Vector attn_norm;  // [d_model]
    Matrix wq;         // [n_heads * head_dim][d_model]
    Matrix wk;         // [n_kv_heads * head_dim][d_model]
    Matrix wv;         // [n_kv_heads * head_dim][d_model]
    Matrix wo;         // [d_model][n_heads * head_dim]
    Vector ffn_norm;   // [d_model]
    Matrix w_gate;     // [d_ff][d_model]   (llama2.c w1)
    Matrix w_up;       // [d_ff][d_model]   (llama2.c w3)
    Matrix w_down;     // [d_model][d_ff]   (llama2.c w2)
};

struct ModelWeights {
    Matrix token_embd;                 // [vocab][d_model]
    std::vector<LayerWeights> layers;  // [n_layers]
    Vector output_norm;                // [d_model]
    Matrix output;                     // [vocab][d_model]; empty when the config says tied_output

    /// Allocates every tensor at the shape `config` asks for, filled with zeros.
    static ModelWeights zeros(const ModelConfig& config);
    /// Throws InputError naming the first tensor whose shape does not match `config`.
    void checkShapes(const ModelConfig& config) const;
    /// Throws InputError naming the first tensor (GGUF name: "blk.3.attn_q") holding a NaN or an
    /// infinity, with its [row][column]: such a model computes nothing meaningful.
    void checkFinite() const;
    /// The classifier: `output`, or `token_embd` when tied.
    const Matrix& classifier(const ModelConfig& config) const;
};

}  // namespace kvscope
