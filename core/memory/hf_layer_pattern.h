#pragma once
// Which layers of a config.json model keep only a sliding window of tokens, and which attend to
// an encoder's states instead of the text (the rules are listed in hf_config.h).
#include <string_view>

#include "core/memory/hf_config_keys.h"
#include "core/memory/model_shape.h"

namespace kvscope {

/// Sets shape.sliding_window and shape.layer_is_local with their origins. Pre: shape.n_layers is
/// set; `layers_key` is the key it came from (for messages).
void readSlidingWindows(const ConfigKeys& keys, std::string_view layers_key, ModelShape& shape);

/// Sets shape.cross_attention_layers from `cross_attention_layers` (Llama 3.2 Vision), checking
/// that the indices are in range and unique. Pre: shape.n_layers is set.
void readCrossAttentionLayers(const ConfigKeys& keys, ModelShape& shape);

}  // namespace kvscope
