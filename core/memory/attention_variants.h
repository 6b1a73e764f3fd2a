#pragma once
// The same model with its attention swapped for the other kinds, for side-by-side KV comparisons:
// everything but the KV head count (and, for MLA, the latent) stays as the model has it, so the
// differences in KV bytes come from the attention kind alone.
//
//   as-is   the model's own shape
//   MHA     n_kv_heads = n_heads (an MLA model: its "MHA equivalent", the decompressed heads)
//   GQA-8   n_kv_heads = 8, when n_heads is a multiple of 8 greater than 8
//   MQA     n_kv_heads = 1
//   MLA     the model's own latent when it is MLA; otherwise a hypothetical DeepSeek-V2-like latent
//           of kv_lora_rank 512 + qk_rope_head_dim 64 (head_dim grows by the 64 RoPE values)
// A variant equal in kind and KV heads to the model itself is left out (the as-is row covers it).
#include <cstdint>
#include <string>
#include <vector>

#include "core/memory/model_shape.h"

namespace kvscope {

/// DeepSeek-V2's latent sizes (config.json kv_lora_rank, qk_rope_head_dim), used for the
/// hypothetical MLA variant of a model that is not MLA.
inline constexpr std::int64_t kVariantMlaLatent = 512;
inline constexpr std::int64_t kVariantMlaRope = 64;
/// KV heads of the GQA variant (Llama 2 70B, Llama 3, Mistral use 8).
inline constexpr std::int64_t kVariantGqaHeads = 8;

struct AttentionVariantShape {
    std::string label;        // "as-is (MHA)", "MHA", "GQA-8", "MQA", "MLA (512+64, hypothetical)"
    std::string short_label;  // for tight spaces: "as-is", "MHA", "GQA-8", "MQA", "MLA"
    std::string note;         // how the shape was changed, in words
    bool as_is = false;
    ModelShape shape;  // validated
};

/// The model first (as_is), then MHA, GQA-8, MQA, MLA as they apply (see above). Every shape is
/// validated; throws InputError when `shape` itself is invalid.
std::vector<AttentionVariantShape> attentionVariants(const ModelShape& shape);

}  // namespace kvscope
