#include "app/cli/config_json.h"

namespace kvscope::cli {

void writeShapeFields(JsonWriter& json, const ModelConfig& c) {
    json.field("n_layers", c.n_layers);
    json.field("d_model", c.d_model);
    json.field("n_heads", c.n_heads);
    json.field("n_kv_heads", c.n_kv_heads);
    json.field("attention_variant", toString(c.attentionVariant()));
    json.field("kv_group_size", c.kvGroupSize());
    json.field("head_dim", c.head_dim);
    json.field("d_ff", c.d_ff);
    json.field("vocab", c.vocab);
}

}  // namespace kvscope::cli
