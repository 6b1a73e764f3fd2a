#pragma once
// A model's shape in words, for the side panel: read from its ModelConfig.
#include <QString>

#include "core/model/model_config.h"

namespace kvscope {

/// Rich text: the name, then a table of heads, layers, d_model, head_dim, context, KV per token
/// and RoPE (its base, and its scaling at a session context of `n_ctx` positions when it has
/// one: YaRN, LongRoPE's short or long factors; ModelConfig::ropeScalingText; Llama 3's
/// frequency factors when `rope_freqs`, the weights have rope_freqs.weight). n_ctx 0: the
/// model's max_context.
QString modelSummaryHtml(const ModelConfig& config, std::int64_t n_ctx = 0,
                         bool rope_freqs = false);

/// Which KV head query head `head` reads and which query heads share it (GQA/MQA), or that it
/// has its own (MHA). Pre: 0 <= head < n_heads.
QString kvHeadNote(const ModelConfig& config, int head);

}  // namespace kvscope
