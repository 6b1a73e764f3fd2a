#pragma once
// Parameter count of a dense transformer from its shape, and where the layout facts that shape
// does not carry (tied output, gated FFN) come from. Mixture-of-experts models are not modelled
// from the shape (the shape has no expert counts): presets give their published total instead.
#include <cstdint>
#include <string>

#include "core/memory/model_shape.h"
#include "core/util/json_value.h"

namespace kvscope {

struct WeightLayout {
    bool tied_output = false;       // the output matrix is the token embedding
    std::int64_t ffn_matrices = 3;  // 3: gated (SwiGLU/GeGLU: gate, up, down); 2: plain MLP
    std::string origin;             // where these two came from, in words
};

/// Reads tie_word_embeddings (text_config first; absent = true, transformers' default) and
/// model_type (gpt2, falcon, gpt_neox, opt, bloom, phi: 2-matrix MLP; otherwise gated).
WeightLayout weightLayoutFromConfig(const JsonValue& config);

/// Dense count: embeddings vocab*d_model; per layer attention (q, k, v, o; MLA: q, kv_a, kv_b,
/// o, without q_lora), FFN ffn_matrices*d_model*d_ff (d_ff = 4*d_model when unknown), two norms
/// of d_model; final norm d_model; output vocab*d_model unless tied. Biases are not counted.
/// Checked for overflow.
std::int64_t denseParameterCount(const ModelShape& shape, const WeightLayout& layout);
/// The formula of denseParameterCount with `shape`'s numbers substituted.
std::string denseParameterFormula(const ModelShape& shape, const WeightLayout& layout);

}  // namespace kvscope
