#include "core/memory/bounded_cache.h"

#include <algorithm>
#include <string>
#include <utility>

#include "core/util/check.h"
#include "core/util/checked_math.h"
#include "core/util/error.h"
#include "core/util/format_bytes.h"

namespace kvscope {

bool leavesHoles(const CacheSpec& spec) {
    return spec.layout == KvLayout::Paged;
}

LayerPositions heldByDefinition(const ModelShape& shape, const EvictionSpec& eviction,
                                std::int64_t tokens) {
    const bool defined = eviction.policy == EvictionPolicy::Full ||
                         eviction.policy == EvictionPolicy::Window ||
                         eviction.policy == EvictionPolicy::Streaming;
    if (!defined) return {};
    const std::vector<std::int64_t> budgets = layerBudgets(eviction, shape.n_layers);
    LayerPositions out(static_cast<std::size_t>(shape.n_layers));
    for (std::int64_t l = 0; l < shape.n_layers; ++l) {
        const std::int64_t window = heldTokens(shape, l, tokens);  // the last ones
        const std::int64_t budget = eviction.bounded() ? budgets[std::size_t(l)] : window;
        std::vector<std::int64_t>& p = out[std::size_t(l)];
        if (budget >= window) {  // the window (a local layer's, or every token) is held
            for (std::int64_t q = tokens - window; q < tokens; ++q)
                p.push_back(q);
            continue;
        }
        if (eviction.policy == EvictionPolicy::Window) {
            for (std::int64_t q = tokens - budget; q < tokens; ++q)
                p.push_back(q);
            continue;
        }
        // Streaming: sinks [0, S) and the most recent budget - S; inside a local layer's window
        // the sinks slide with the cut, which only the live cells know.
        if (window < tokens) return {};
        const std::int64_t sinks = std::min(eviction.sinks, budget);
        for (std::int64_t q = 0; q < sinks; ++q)
            p.push_back(q);
        for (std::int64_t q = tokens - (budget - sinks); q < tokens; ++q)
            p.push_back(q);
    }
    return out;
}

PagedHoleBytes pagedHoleBytes(const ModelShape& shape, const CacheSpec& spec,
                              const LayerPositions& held, std::int64_t tokens) {
    KVSCOPE_EXPECTS(std::int64_t(held.size()) == shape.n_layers);
    const std::int64_t block = spec.block_size;
    // Blocks hold the rows older than the residual (every row of a row-local format): the
    // table covers the most low rows of a role, and a block is complete (may be released) below
    // the fewest.
    std::int64_t low_most = 0, low_fewest = tokens;
    for (const auto& [format, role] :
         {std::pair(keyFormat(spec), KvRole::Key), std::pair(valueFormat(spec), KvRole::Value)}) {
        const std::int64_t low = tokens - kvResidualTokens(format, role, tokens);
        low_most = std::max(low_most, low);
        low_fewest = std::min(low_fewest, low);
    }
    const std::int64_t n_blocks = (low_most + block - 1) / block;
    std::vector<char> used(static_cast<std::size_t>(n_blocks), 0);  // [n_blocks]
    for (std::int64_t b = low_fewest / block; b < n_blocks; ++b)
        used[std::size_t(b)] = 1;  // still being filled
    for (const std::vector<std::int64_t>& layer : held) {
        for (std::int64_t p : layer) {
            KVSCOPE_EXPECTS(p >= 0 && p < tokens);
            if (p / block < n_blocks) used[std::size_t(p / block)] = 1;
        }
    }
    PagedHoleBytes out;
    // Rows below the tail whose bytes are allocated: in allocated blocks, or past the blocks (in
    // the residual rings).
    std::int64_t rows = std::max<std::int64_t>(0, tokens - n_blocks * block);
    for (std::int64_t b = 0; b < n_blocks; ++b) {
        if (!used[std::size_t(b)]) continue;
        ++out.blocks;
        rows += std::min(block, tokens - b * block);
    }
    const char* what = "paged KV bytes";
    for (std::int64_t l = 0; l < shape.n_layers; ++l) {
        if (!shape.holdsKv(l)) continue;
        const std::int64_t layer_bytes = checkedAdd(
            checkedMul(out.blocks, kvBlockLayerBytes(shape, spec, shape.n_kv_heads, l), what),
            kvRingLayerBytes(shape, spec, shape.n_kv_heads, l), what);
        out.physical = checkedAdd(out.physical, layer_bytes, what);
        out.holes += rows - std::int64_t(held[std::size_t(l)].size());
    }
    return out;
}

BoundedCacheBytes boundedCacheBytes(const ModelShape& shape, const CacheSpec& spec,
                                    const EvictionSpec& eviction, std::int64_t tokens,
                                    const LayerPositions* held) {
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
    if (!leavesHoles(spec) || tokens == 0) return out;
    // The paged layout with holes: which positions are held decides which blocks stay.
    const LayerPositions defined =
        held ? LayerPositions() : heldByDefinition(shape, eviction, tokens);
    const LayerPositions* positions = held ? held : defined.empty() ? nullptr : &defined;
    if (!positions) {  // the scores decide: no block released, an upper bound
        out.physical_exact = false;
        out.physical = batchKvBytes(storage, spec, {.context = tokens}).paged;
        return out;
    }
    const PagedHoleBytes paged = pagedHoleBytes(shape, spec, *positions, tokens);
    out.physical = paged.physical;
    out.holes = paged.holes;
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
