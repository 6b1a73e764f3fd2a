#pragma once
// What one Session step produced: the unit every view and exporter consumes.
#include <cstdint>
#include <string>
#include <vector>

#include "core/engine/sampler.h"
#include "core/engine/step_cost.h"
#include "core/model/model_weights.h"

namespace kvscope {

enum class Phase { Prefill, Decode };
std::string_view toString(Phase phase);

enum class CacheMode { Cached, Recompute };
std::string_view toString(CacheMode mode);
/// Parses "cached" / "recompute"; throws InputError naming the value otherwise.
CacheMode parseCacheMode(std::string_view text);
/// Recompute for Cached, Cached for Recompute.
CacheMode otherMode(CacheMode mode);

struct LayerRecord {
    /// [n_heads]; each [n_query][first_pos + n_query]: the attention rows computed in this step
    /// for query positions first_pos .. first_pos + n_query - 1 (causal: zero right of diagonal).
    /// Empty when the session does not record attention.
    std::vector<Matrix> attention;
    /// Original positions the layer holds after the step, ascending; empty when no layer is
    /// bounded (no eviction policy and no sliding-window layers: every position held) or the
    /// session records no attention. With a bounded cache every layer has its list: a global
    /// layer under policy full lists every position, a sliding-window layer its window.
    std::vector<std::int64_t> held_positions;
    /// [n_kv_heads][n_held] the original positions each KV head holds, ascending, when the
    /// heads keep their own entries (EvictionSpec::per_head); then held_positions is their union
    /// (a position some head holds). Empty otherwise: every KV head holds held_positions.
    std::vector<std::vector<std::int64_t>> held_positions_per_head;
    std::int64_t k_bytes = 0;          // K bytes held after the step
    std::int64_t v_bytes = 0;          // V bytes held after the step
    std::int64_t bytes_allocated = 0;  // K + V bytes reserved after the step
    /// Entries of the layer whose bytes stay allocated though it no longer holds them: the paged
    /// layout's holes after an eviction (KvCache::holes); 0 for a layout that compacts.
    std::int64_t holes = 0;
};

struct StepRecord {
    Phase phase = Phase::Prefill;
    std::int64_t first_pos = 0;       // position of tokens[0]
    std::vector<TokenId> tokens;      // tokens fed in this step (the prompt, or one token)
    TokenId next_token = 0;           // sampled from the last position's logits
    float next_prob = 0.0f;           // its probability (softmax at temperature 1)
    std::vector<TokenProb> top_k;     // most probable next tokens, highest first
    std::vector<LayerRecord> layers;  // [n_layers]
    StepCost cost;                    // analytic, for the work this step actually did
    double wall_ms = 0.0;
    double evict_ms = 0.0;  // of wall_ms: the bounded cache's own bookkeeping (cut, scores)

    std::int64_t positionsAfter() const { return first_pos + std::int64_t(tokens.size()); }
    std::int64_t kvBytesHeld() const;
};

}  // namespace kvscope
