#pragma once
// How a config.json model stores its weights: torch_dtype (or dtype, its newer name) and, for
// quantized checkpoints, quantization_config.
#include "core/memory/hf_config_keys.h"
#include "core/memory/model_shape.h"

namespace kvscope {

/// Sets shape.weight_dtype and shape.weight_bits with its origin. torch_dtype is looked up in the
/// text model's keys, then at the top level; an unknown dtype name leaves weight_bits 0 (unknown).
/// A quantization_config with `bits`, quant_method "fp8", load_in_4bit or load_in_8bit overrides
/// the bits (scales and zero points are not counted); any other one makes them unknown.
void readWeightType(const ConfigKeys& keys, ModelShape& shape);

}  // namespace kvscope
