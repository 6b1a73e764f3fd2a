#include "core/memory/bounded_cache.h"

#include <algorithm>
#include <string>

#include "core/util/checked_math.h"
#include "core/util/error.h"
#include "core/util/format_bytes.h"

namespace kvscope {

BoundedCacheBytes boundedCacheBytes(const ModelShape& shape, const CacheSpec& spec,
                                    const EvictionSpec& eviction, std::int64_t tokens) {
    BoundedCacheBytes out;
    const std::vector<std::int64_t> budgets = layerBudgets(eviction, shape.n_layers);
    std::int64_t longest = 0;
    for (std::int64_t l = 0; l < shape.n_layers; ++l) {
        const std::int64_t budget = budgets[std::size_t(l)];
        std::int64_t held = heldTokens(shape, l, tokens);  // the window of a local layer
        if (eviction.bounded()) held = std::min(held, budget);
        out.held.push_back(held);
        longest = std::max(longest, held);
        out.logical = checkedAdd(out.logical, kvLayerBytes(shape, spec, l, shape.n_kv_heads, held),
                                 "bounded KV bytes");
    }
    // Every layer shares the sequence's blocks: the table is as long as the longest layer needs;
    // the contiguous reservation is the same in every layer, local ones included.
    ModelShape storage = shape;
    storage.sliding_window = 0;
    storage.layer_is_local.assign(storage.layer_is_local.size(), false);
    const BatchKvBytes batch =
        batchKvBytes(storage, spec, {.context = std::max<std::int64_t>(longest, 1)});
    out.physical = batch.of(spec.layout);
    return out;
}

std::int64_t budgetTokensForBytes(const ModelShape& shape, const CacheSpec& spec,
                                  std::int64_t bytes, const char* flag) {
    // The largest n with sum over layers of kvLayerBytes(n) <= bytes (monotone in n).
    const auto cost = [&](std::int64_t n) {
        return kvSequenceBytes(shape, spec, shape.n_kv_heads, n);
    };
    if (bytes <= 0 || cost(1) > bytes) {
        throw InputError(std::string(flag) + ": " + formatBytes(bytes) +
                         " does not hold one token (one token takes " + formatBytes(cost(1)) + ")");
    }
    std::int64_t lo = 1, hi = 2;
    while (hi < kMaxEstimatorContext && cost(hi) <= bytes)
        lo = hi, hi *= 2;
    while (hi - lo > 1) {
        const std::int64_t mid = lo + (hi - lo) / 2;
        (cost(mid) <= bytes ? lo : hi) = mid;
    }
    return lo;
}

}  // namespace kvscope
