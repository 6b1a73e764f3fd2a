#pragma once
// Where K and V live, per layer, for one sequence. The engine appends the K/V rows of new
// positions and reads back every held position in attention, as runs of consecutive positions
// (one run for a contiguous layout, one per block for a paged one). Metadata (how many positions
// are held) is kept apart from tensor storage (the bytes).
//
// Rows are held in SLOTS: slot i of a layer is its i-th held row. Without eviction slot i holds
// position i. With an eviction policy (core/engine/cache_evictor.h) a layer holds an arbitrary
// subset of the positions seen, as slots [0, layerLength) in position order; which position each
// slot holds is the evictor's metadata (KvCells), never the storage's. The contiguous layout
// compacts the kept rows into those slots; the paged layout leaves them where they are and maps
// slots to rows (evicted rows become holes, PagedKvCache).
#include <algorithm>
#include <cstdint>
#include <functional>
#include <vector>

namespace kvscope {

/// Called by a compaction on every run of kept K rows that move together (consecutive slots, the
/// same shift, one group of KV heads), after the move: rows (the group's segment of the run's
/// first row, writable fp32; the next row's is kvDim() further), the run's length, the group, the
/// new slot of the first row and its old one (re-rotation of keys to their new slots).
using KeptKeysFn = std::function<void(float* rows, std::int64_t n_rows, std::int64_t group,
                                      std::int64_t new_slot, std::int64_t old_slot)>;

/// Splits `keep` (ascending slots) into runs of consecutive slots: calls run(i, n) for each run
/// keep[i .. i + n) (keep[i + t] == keep[i] + t).
template <class Run>
void forEachKeptRun(const std::vector<std::int64_t>& keep, Run run) {
    std::size_t i = 0;
    while (i < keep.size()) {
        std::size_t j = i + 1;
        while (j < keep.size() && keep[j] == keep[j - 1] + 1)
            ++j;
        run(std::int64_t(i), std::int64_t(j - i));
        i = j;
    }
}

/// Slots [first_pos, first_pos + n_pos) of one layer, stored row after row.
struct KvRun {
    std::int64_t first_pos, n_pos;
    const float* k;  // [n_pos][kv_dim]
    const float* v;  // [n_pos][kv_dim]
};

class KvCache {
public:
    virtual ~KvCache() = default;

    virtual std::int64_t nLayers() const = 0;
    /// Values per position per layer for K (and for V): n_kv_heads * head_dim.
    virtual std::int64_t kvDim() const = 0;
    /// Positions held (the same in every layer once a forward pass completes).
    virtual std::int64_t length() const = 0;
    /// Most positions the cache can hold.
    virtual std::int64_t capacity() const = 0;

    /// Stores K and V rows for positions [pos, pos + n) of `layer`.
    /// Pre: pos == layerLength(layer) (append only), pos + n <= capacity().
    /// k, v: [n][kvDim()] fp32.
    virtual void append(std::int64_t layer, std::int64_t pos, std::int64_t n, const float* k,
                        const float* v) = 0;
    /// Replaces `out` with the runs holding positions [0, layerLength(layer)) of `layer`, in
    /// position order, each run starting where the previous one ends.
    virtual void collectRuns(std::int64_t layer, std::vector<KvRun>& out) const = 0;
    /// Positions held by one layer (during a forward pass, layers ahead of the current one lag).
    virtual std::int64_t layerLength(std::int64_t layer) const = 0;

    /// Forgets positions >= new_length in every layer: the real undo. Pre: new_length <= length().
    virtual void truncate(std::int64_t new_length) = 0;
    void clear() { truncate(0); }
    /// Forgets slots >= new_length of one layer only (the others keep theirs). Blocks of a paged
    /// layout go back to the pool once no layer holds a row in them.
    /// Pre: new_length <= layerLength(layer).
    virtual void truncateLayer(std::int64_t layer, std::int64_t new_length) = 0;
    /// Keeps, in each group g of KV heads (the row's columns [g, g + 1) x kvDim() / n_groups with
    /// n_groups = keep.size()), only the slots keep[g] (ascending; every group the same count),
    /// compacted to slots [0, count) in that order: one group is the whole row (a layer-wise
    /// eviction); n_kv_heads groups let each KV head keep its own positions. `kept_keys` (when
    /// set) may rewrite every run of kept K rows (re-rotated keys). The default reads the rows
    /// back decoded, truncates the layer and appends the kept rows again (a codec re-encodes
    /// them).
    virtual void compactLayer(std::int64_t layer,
                              const std::vector<std::vector<std::int64_t>>& keep,
                              const KeptKeysFn& kept_keys = {});
    /// Replaces every row of `layer` with `n` rows: k, v: [n][kvDim()] fp32 (undo of an eviction).
    void replaceLayer(std::int64_t layer, std::int64_t n, const float* k, const float* v) {
        truncateLayer(layer, 0);
        if (n > 0) append(layer, 0, n, k, v);
    }

    /// Undo of an eviction: `layer` holds again, in each group g, the positions positions[g]
    /// (ascending, n in every group, all below `end`), rows k, v: [n][kvDim()] in slot order, and
    /// forgets every row appended from position `end` on. The default replaces the layer's rows
    /// (a compacting layout); the paged layout puts the rows back where they were
    /// (PagedKvCache::restoreLayer).
    virtual void restoreLayer(
        std::int64_t layer,
        [[maybe_unused]] const std::vector<std::vector<std::int64_t>>& positions,
        [[maybe_unused]] std::int64_t end, std::int64_t n, const float* k, const float* v) {
        replaceLayer(layer, n, k, v);
    }
    /// Entries of `layer` whose bytes stay allocated although the layer no longer holds them
    /// (the paged layout's holes, see paged_kv_cache.h); 0 for a layout that compacts.
    virtual std::int64_t holes([[maybe_unused]] std::int64_t layer) const { return 0; }

    /// Bytes of K (or of V) that hold live positions of `layer`.
    virtual std::int64_t kBytesUsed(std::int64_t layer) const = 0;
    virtual std::int64_t vBytesUsed(std::int64_t layer) const = 0;
    /// Bytes of K + V reserved for `layer`, live or not.
    virtual std::int64_t bytesAllocated(std::int64_t layer) const = 0;

    /// Copies of the K (V) rows of `layer`, gathered from the runs: [layerLength][kvDim()].
    /// For tests and views; the engine reads the runs in place.
    std::vector<float> copyKeys(std::int64_t layer) const { return copyRows(layer, true); }
    std::vector<float> copyValues(std::int64_t layer) const { return copyRows(layer, false); }

protected:
    std::vector<float> copyRows(std::int64_t layer, bool keys) const {
        std::vector<KvRun> runs;
        collectRuns(layer, runs);
        std::vector<float> out;
        for (const KvRun& run : runs) {
            const float* rows = keys ? run.k : run.v;
            out.insert(out.end(), rows, rows + run.n_pos * kvDim());
        }
        return out;
    }
};

inline void KvCache::compactLayer(std::int64_t layer,
                                  const std::vector<std::vector<std::int64_t>>& keep,
                                  const KeptKeysFn& kept_keys) {
    const std::int64_t d = kvDim(), n_groups = std::int64_t(keep.size());
    const std::int64_t width = d / n_groups;  // values of one group in a row
    const std::int64_t count = std::int64_t(keep[0].size());
    const std::vector<float> k_all = copyKeys(layer);    // [layerLength][kv_dim]
    const std::vector<float> v_all = copyValues(layer);  // [layerLength][kv_dim]
    std::vector<float> k(std::size_t(count * d)), v(std::size_t(count * d));  // [count][kv_dim]
    for (std::int64_t g = 0; g < n_groups; ++g) {
        const std::vector<std::int64_t>& group_slots = keep[std::size_t(g)];
        for (std::int64_t i = 0; i < count; ++i) {
            const std::int64_t from = group_slots[std::size_t(i)] * d + g * width,
                               to = i * d + g * width;
            std::copy_n(k_all.begin() + from, width, k.begin() + to);
            std::copy_n(v_all.begin() + from, width, v.begin() + to);
        }
        if (kept_keys) {
            forEachKeptRun(group_slots, [&](std::int64_t i, std::int64_t n) {
                kept_keys(k.data() + i * d + g * width, n, g, i, group_slots[std::size_t(i)]);
            });
        }
    }
    replaceLayer(layer, count, k.data(), v.data());
}

}  // namespace kvscope
