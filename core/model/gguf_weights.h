#pragma once
// GGUF tensors -> ModelWeights for a ModelConfig read from the same file: every tensor the
// config's architecture needs, checked for name, dims and type, viewed in place (quantized
// blocks stay blocks); fused tensors (attn_qkv, phi3's ffn_up) split into row ranges.
#include "core/model/gguf_file.h"
#include "core/model/model_weights.h"

namespace kvscope {

/// The weights of `c` from `file`. Throws InputError naming the tensor when one is missing, has
/// other dims than the expected ones (both named, GGUF order [ne0, ne1]), has a type that cannot
/// be dequantized, holds a non-finite value, or is one the architecture does not use (running
/// without it would compute another model). check_values false skips the scan for non-finite
/// values (GgufModelOptions::check_values).
ModelWeights loadGgufWeights(const GgufFile& file, const ModelConfig& c, bool check_values = true);

}  // namespace kvscope
