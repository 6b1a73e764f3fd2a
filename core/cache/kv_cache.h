#pragma once
// Where K and V live, per layer, for one sequence. The engine appends the K/V rows of new
// positions and reads back every held position in attention, as runs of consecutive positions
// (one run for a contiguous layout, one per block for a paged one). Metadata (how many positions
// are held) is kept apart from tensor storage (the bytes).
#include <cstdint>
#include <vector>

namespace kvscope {

/// Positions [first_pos, first_pos + n_pos) of one layer, stored row after row.
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

    /// Bytes of K (or of V) that hold live positions of `layer`.
    virtual std::int64_t kBytesUsed(std::int64_t layer) const = 0;
    virtual std::int64_t vBytesUsed(std::int64_t layer) const = 0;
    /// Bytes of K + V reserved for `layer`, live or not.
    virtual std::int64_t bytesAllocated(std::int64_t layer) const = 0;

    /// Copies of the K (V) rows of `layer`, gathered from the runs: [layerLength][kvDim()].
    /// For tests and views; the engine reads the runs in place.
    std::vector<float> copyKeys(std::int64_t layer) const { return copyRows(layer, true); }
    std::vector<float> copyValues(std::int64_t layer) const { return copyRows(layer, false); }

private:
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

}  // namespace kvscope
