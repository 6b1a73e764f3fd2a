#pragma once
// Reads a Hugging Face transformers config.json into a ModelShape, recording for every field the
// key (or default, or derivation) it came from.
//
// Key aliases across real configs: num_hidden_layers / n_layer / num_layers; num_attention_heads /
// n_head; hidden_size / n_embd / d_model; num_key_value_heads / num_kv_heads;
// max_position_embeddings / n_positions / n_ctx / seq_length; intermediate_size / n_inner /
// ffn_hidden_size; torch_dtype / dtype. JSON null counts as absent. Multimodal configs with a
// `text_config` object are read from it (torch_dtype falls back to the top level). A text_config of
// model_type gemma3_text may leave out keys that transformers' Gemma3TextConfig supplies defaults
// for (google/gemma-3-4b-it does): those defaults are used and named in the provenance.
//
// KV heads: num_key_value_heads; else Falcon's new_decoder_architecture -> num_kv_heads; else
// Falcon's multi_query = true -> 1; else num_kv_heads; else MHA (n_kv_heads = n_heads).
// Head size: MLA (kv_lora_rank present) -> K head qk_nope_head_dim + qk_rope_head_dim, V head
// v_head_dim; else an explicit head_dim key (Gemma, Qwen3); else hidden_size / num_attention_heads.
// Sliding windows, first rule that applies: `layer_types` ("sliding_attention"/"full_attention",
// authoritative); use_sliding_window = false -> none (Qwen2 configs carry an unused window);
// use_sliding_window = true -> layers >= max_window_layers are local (Qwen2 rule); no window ->
// none; model_type gemma2 -> even layers local, odd global (layer 0 is local);
// sliding_window_pattern P -> layer i global iff (i + 1) % P == 0 (Gemma 3: 5 local, 1 global);
// otherwise every layer local (Mistral 7B v0.1).
//
// Errors are InputError naming the key: "JSON <source>: $.num_attention_heads (line 5, column 26):
// expected an integer, got the string \"32\"" for a value, "HF config <source>: ..." for missing
// keys, inconsistent sizes and byte totals that overflow 64 bits.
#include <cstdint>
#include <string>
#include <string_view>

#include "core/memory/model_shape.h"
#include "core/util/json_value.h"

namespace kvscope {

/// readHfConfigFile() refuses larger files (real config.json files are a few KiB).
inline constexpr std::int64_t kMaxHfConfigBytes = std::int64_t(16) << 20;
/// The most layers a config may declare: a guard against absurd allocations (real models < 200).
inline constexpr std::int64_t kMaxHfConfigLayers = 65536;

/// Reads the shape from a parsed config.json. `source` names it in messages and is the shape's
/// name when the config has no `_name_or_path`.
ModelShape readHfConfig(const JsonValue& root, std::string_view source);

/// Parses the file at `path` and reads its shape. Without `_name_or_path`, the name is the
/// directory's name for a file called config.json (the model's folder), else the file's stem.
ModelShape readHfConfigFile(const std::string& path);
/// The same for a config.json already parsed from `path` (a caller that reads other fields too).
ModelShape readHfConfigFile(const JsonValue& root, const std::string& path);

}  // namespace kvscope
