#pragma once
// The estimator's figures for a bounded KV cache (an eviction policy with a budget,
// core/cache/eviction_policy.h, and the model's own sliding-window layers): after a sequence has
// seen `tokens` tokens, a global layer holds min(tokens, its budget) entries and a local layer
// min(tokens, its budget, the window) whatever the policy (policies differ in WHICH entries, never
// in how many), so the bytes follow from the shapes alone and agree with the live cache
// (core/engine/cache_evictor.h) to the byte.
//
// Physical bytes are the live cache's storage, which does not know about windows: the contiguous
// layout reserves the session's max context in every layer, and the paged layout's blocks hold a
// slot of every layer, so the sequence's block table is as long as its longest layer needs.
#include <cstdint>
#include <vector>

#include "core/cache/eviction_policy.h"
#include "core/memory/kv_footprint.h"
#include "core/memory/model_shape.h"

namespace kvscope {

struct BoundedCacheBytes {
    std::vector<std::int64_t> held;  // [n_layers] entries each layer holds
    std::int64_t logical = 0;        // sum over layers of held entries x bytes per entry
    std::int64_t physical = 0;       // bytes allocated in spec.layout (reserved / blocks + rings)
};

/// One sequence that has seen `tokens` tokens (held after its last step). `spec.reserve_length`:
/// the contiguous layout's reservation (the session's max context).
BoundedCacheBytes boundedCacheBytes(const ModelShape& shape, const CacheSpec& spec,
                                    const EvictionSpec& eviction, std::int64_t tokens);

/// The most tokens a budget of `bytes` holds per layer in `spec` (logical bytes, every layer
/// holding the same count): `--budget-bytes`, so 8-bit entries hold twice the tokens of 16-bit
/// ones. Throws InputError naming `flag` when not even one token fits.
std::int64_t budgetTokensForBytes(const ModelShape& shape, const CacheSpec& spec,
                                  std::int64_t bytes, const char* flag);

}  // namespace kvscope
