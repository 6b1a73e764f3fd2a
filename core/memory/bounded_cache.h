#pragma once
// The estimator's figures for a bounded KV cache (an eviction policy with a budget,
// core/cache/eviction_policy.h, and the model's own sliding-window layers): after a sequence has
// seen `tokens` tokens, a global layer holds min(tokens, its budget) entries and a local layer
// min(tokens, its budget, the window) whatever the policy (policies differ in WHICH entries, never
// in how many), so the bytes follow from the shapes alone and agree with the live cache
// (core/engine/cache_evictor.h) to the byte.
//
// Physical bytes are the live cache's storage, which does not know about windows: the contiguous
// layout reserves the session's max context in every layer. The paged layout's blocks hold a slot
// of every layer. An eviction leaves holes (paged_kv_cache.h) for every precision:
// row r holds position r, blocks hold the rows older than the residual (every row of a row-local
// format), and block b (positions [b * block, (b + 1) * block)) stays allocated while some layer
// (some KV head) holds a position in it, or while a layer or role still fills it (it is not below
// the fewest low rows of a role); then WHICH positions are held matters. window, streaming and
// full hold positions known from their definitions (heldByDefinition); h2o, tova, snapkv and knorm
// hold what their scores chose, so the caller passes the live positions (pagedHoleBytes), or gets
// an upper bound (no block released).
//
// Holes: per layer, the rows below the tail whose bytes are allocated (in a held block, or past
// the blocks in the residual rings) that no KV head of the layer holds (the same count
// PagedKvCache::holes gives), summed over layers.
#include <cstdint>
#include <vector>

#include "core/cache/eviction_policy.h"
#include "core/memory/kv_footprint.h"
#include "core/memory/model_shape.h"

namespace kvscope {

/// [n_layers][n_held] the positions each layer holds, ascending (per head: the union of its KV
/// heads' positions, a position some head holds).
using LayerPositions = std::vector<std::vector<std::int64_t>>;

struct BoundedCacheBytes {
    std::vector<std::int64_t> held;  // [n_layers] entries each layer holds
    std::int64_t logical = 0;        // sum over layers of held entries x bytes per entry
    std::int64_t physical = 0;       // bytes allocated in spec.layout (reserved / blocks + rings)
    std::int64_t holes = 0;          // paged with holes: entries allocated but held by no layer
    bool physical_exact = true;      // false: an upper bound (a score policy's positions not given)
};

/// Whether an eviction in `spec` leaves holes (the paged layout, every precision) rather than
/// compacts (the contiguous layout).
bool leavesHoles(const CacheSpec& spec);

/// One sequence that has seen `tokens` tokens (held after its last step). `spec.reserve_length`:
/// the contiguous layout's reservation (the session's max context). `held`: the positions each
/// layer holds, needed for an exact physical figure of the paged layout with holes under a score
/// policy (h2o, tova, snapkv, knorm); without it that figure is an upper bound.
BoundedCacheBytes boundedCacheBytes(const ModelShape& shape, const CacheSpec& spec,
                                    const EvictionSpec& eviction, std::int64_t tokens,
                                    const LayerPositions* held = nullptr);

/// The positions each layer holds after `tokens` tokens when the policy's definition says which
/// (full, window, streaming; a local layer's window); empty when the scores decide (h2o, tova,
/// snapkv, knorm), or streaming sinks inside a window narrower than the budget.
LayerPositions heldByDefinition(const ModelShape& shape, const EvictionSpec& eviction,
                                std::int64_t tokens);

struct PagedHoleBytes {
    std::int64_t blocks = 0;    // blocks the sequence holds
    std::int64_t physical = 0;  // blocks x bytes of a block over every layer, + residual rings
    std::int64_t holes = 0;     // entries in those blocks below the tail that no layer holds
};
/// The paged layout with holes after `tokens` rows (positions 0..tokens-1 appended), layers
/// holding `held`: block b is allocated while a layer holds a position in it or it is still being
/// filled (not below the fewest low rows of a role). Pre: held.size() == shape.n_layers, positions
/// ascending and < tokens.
PagedHoleBytes pagedHoleBytes(const ModelShape& shape, const CacheSpec& spec,
                              const LayerPositions& held, std::int64_t tokens);

/// The most tokens a budget of `bytes` holds per layer in `spec` (logical bytes, every layer
/// holding the same count): `--budget-bytes`, so 8-bit entries hold twice the tokens of 16-bit
/// ones. Throws InputError naming `flag` when not even one token fits.
std::int64_t budgetTokensForBytes(const ModelShape& shape, const CacheSpec& spec,
                                  std::int64_t bytes, const char* flag);

}  // namespace kvscope
