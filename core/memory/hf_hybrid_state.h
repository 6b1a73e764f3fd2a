#pragma once
// The parts of a 2025-26 config.json that are neither heads nor windows: chunked local attention
// (Llama 4) and the fixed-size state of layers without attention (gated DeltaNet, short
// convolution, Mamba, Mamba-2), read with the keys each architecture names them by.
#include "core/memory/hf_config_keys.h"
#include "core/memory/model_shape.h"

namespace kvscope {

/// Llama 4: attention_chunk_size C (> 0; null or absent: no chunking). The chunked layers are the
/// ones `layer_types` lists as "chunked_attention" when it does; else those whose no_rope_layers
/// entry is 1 (the flag reads inverted: 1 = the layer uses RoPE = it is chunked; 0 = a NoPE global
/// layer), a list of n_layers 0/1 entries; else (empty or absent list) layer i is chunked when
/// (i + 1) % no_rope_layer_interval != 0 (Llama4TextConfig's rule, its default interval 4 for
/// model_type llama4_text, named in the provenance). Pre: readSlidingWindows ran.
void readChunkedAttention(const ConfigKeys& keys, ModelShape& shape);

/// Sizes shape.state for shape.state_layers (kind = the layer_types name: "linear_attention",
/// "conv", "mamba"), as vLLM's MambaStateShapeCalculator does (values per sequence and layer):
///   linear_attention (gated DeltaNet, Qwen3-Next): conv (linear_conv_kernel_dim - 1) x
///     (2 x linear_num_key_heads x linear_key_head_dim + linear_num_value_heads x
///     linear_value_head_dim); state linear_num_value_heads x linear_key_head_dim x
///     linear_value_head_dim.
///   conv (LFM2 short convolution): conv (conv_L_cache - 1) x hidden_size; no other state.
///   mamba, model_type jamba (Mamba-1): I = mamba_expand x hidden_size; conv (mamba_d_conv - 1)
///     x I; state I x mamba_d_state.
///   mamba otherwise (Mamba-2: Granite-4.0-H, Falcon-H1): I = mamba_d_ssm, else mamba_expand x
///     hidden_size (which must equal mamba_n_heads x mamba_d_head); conv (mamba_d_conv - 1) x
///     (I + 2 x mamba_n_groups x mamba_d_state); state mamba_n_heads x mamba_d_head x
///     mamba_d_state.
/// Values are stored in the model's dtype (vLLM's default mamba_ssm_cache_dtype "auto"): 4 B for
/// float32, else 2 B (16-bit, also assumed when the config names no dtype). A missing size key
/// throws naming it. Pre: readWeightType ran. No state layers: nothing to do.
void readRecurrentState(const ConfigKeys& keys, ModelShape& shape);

}  // namespace kvscope
