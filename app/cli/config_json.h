#pragma once
// The shape of a model as JSON fields, shared by `info` and `bench`.
#include "core/model/model_config.h"
#include "core/util/json_writer.h"

namespace kvscope::cli {

/// Writes n_layers, d_model, n_heads, n_kv_heads, attention_variant, kv_group_size, head_dim, d_ff
/// and vocab into the object `json` is inside (the caller opens and closes it).
void writeShapeFields(JsonWriter& json, const ModelConfig& c);

}  // namespace kvscope::cli
