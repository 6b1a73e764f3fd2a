#pragma once
// The paged layout (vLLM's PagedAttention): K/V live in fixed-size physical blocks handed out by
// a BlockAllocator; each sequence maps its logical blocks to physical ones through a BlockTable.
// Sequences share blocks (fork, prefix reuse) by reference count; the first write into a shared
// or cached block copies it (copy-on-write). Full blocks whose tokens are known are registered in
// a PrefixIndex, and a new sequence reuses the cached blocks of its longest cached prefix.
//
// Metadata (allocator, tables, per-layer lengths, tokens, hashes) is kept apart from storage
// (m_k, m_v). Every mutating operation checks that enough blocks are free BEFORE it changes
// anything (plan, then apply), so running out of blocks throws InputError and leaves the cache
// as it was.
//
// As a KvCache the engine sees one "current" sequence (setCurrent); attention reads it as one
// run per block, in position order (plain fp32), or as one run decoded into a scratch buffer of
// one layer (any other KvCacheSpec).
//
// Precision (KvCacheSpec, kv_tier.h): blocks hold the LOW part of each role (tokens older than
// the residual), block_size token slots per block in the role's codec; each sequence owns a
// residual ring per layer and role (its most recent tokens in higher precision: a mixed window
// or kivi2's fp16 window), reserved when the sequence is created. A block is full, and can be
// shared as a cached prefix, once all its tokens are low in every layer. kivi2 keys are grouped
// along 32 tokens, so kivi2 needs a block size that is a multiple of 32.
//
// Eviction (compactLayer, core/engine/cache_evictor.h), every precision: nothing moves. Row r of
// a sequence's layer holds the r-th position appended to it (block r / block_size, row
// r % block_size, or ring slot r % slots while r is in a residual); a layer keeps a map from its
// slots to the rows they hold, per group of KV heads when the heads keep their own subsets, and
// an evicted row becomes a HOLE: its bytes stay until no layer (and no KV head) holds a row of
// its block, then the block goes back to the pool and its block-table entry becomes kNoBlock.
// New rows go at the tail; holes are never refilled. A block is released only below the low tail
// of every layer (a block a layer or role still writes into stays), and only this sequence's
// reference: a forked or cached block stays for its other holders.
// A residual ages by row, evicted rows included: row r leaves the ring when the layer's tail makes
// it old enough, as without eviction; an evicted row's ring slot is unused until row r + slots
// takes it. A kivi2 key group of 32 rows leaves the ring quantized from all 32 rows' fp16 bytes,
// the evicted ones as they were (still stored), so a kept row gets the bytes it would have without
// eviction; an evicted row inside a quantized group is a hole (its bytes are in the group). A
// unit that leaves the ring with every row evicted takes a block that goes back at once.
// Attention reads the held rows, in slot order (the same keys in the same order as the compacting
// layout): plain fp32 as runs split at holes and block edges, read in place; encoded rows, or KV
// heads holding different rows, decoded (gathered) into a scratch buffer. Kept rows keep their
// bytes (never re-quantized), so for row-local K and V (kvRowLocal) the logits equal the
// contiguous layout's; with a residual the contiguous layout re-encodes the kept rows and ages
// them by slot, so the two agree only where that is exact (test_paged_holes_tiered.cpp).
// Re-rotated keys are decoded, rotated, and only the heads of a row the rotation changed are
// written back: a ring row or a one-token unit alone, a kivi2 key group decoded and encoded whole
// (its other rows are quantized again); a shared or cached block is copied first. Undo
// (restoreLayer) takes back the very block a step released when nobody took it since (bytes and
// all; else a zeroed one), then writes back the rows whose decoded values differ. holes() counts,
// per layer, the rows below the layer's tail whose bytes are allocated (in a held block or a
// ring) that no KV head of the layer holds. Code: paged_kv_holes.cpp.
#include <cstdint>
#include <map>
#include <span>
#include <utility>
#include <vector>

#include "core/cache/block_allocator.h"
#include "core/cache/block_table.h"
#include "core/cache/kv_cache.h"
#include "core/cache/kv_cache_spec.h"
#include "core/cache/kv_tier.h"
#include "core/cache/prefix_index.h"
#include "core/model/tokenizer.h"

namespace kvscope {

using SeqId = std::int64_t;

class PagedKvCache final : public KvCache {
public:
    /// A pool of n_blocks blocks of block_size positions, fp32, for K and for V. Throws
    /// InputError when a size is not positive or the byte total overflows 64 bits.
    PagedKvCache(std::int64_t n_layers, std::int64_t kv_dim, std::int64_t block_size,
                 std::int64_t n_blocks);
    /// The same, K and V stored as `spec` says, rows of n_kv_heads heads of head_dim values.
    /// Throws InputError as above, for a bad spec, and for kivi2 with block_size % 32 != 0.
    PagedKvCache(std::int64_t n_layers, std::int64_t n_kv_heads, std::int64_t head_dim,
                 std::int64_t block_size, std::int64_t n_blocks, const KvCacheSpec& spec);

    // ---- Sequences ----------------------------------------------------------------------
    /// A new empty sequence.
    SeqId addSequence();
    /// Attaches to the empty sequence `seq` the cached blocks of the longest cached prefix of
    /// `prompt` (full blocks only, and never the prompt's last token, whose logits the caller
    /// needs). Returns the positions attached (a multiple of blockSize()); the caller appends
    /// the rest. Pre: hasSequence(seq), length(seq) == 0.
    std::int64_t attachPrefix(SeqId seq, std::span<const TokenId> prompt);
    /// A new sequence sharing every block of `seq` (reference counts + 1): parallel sampling,
    /// beam search. Pre: hasSequence(seq), every layer of seq at the same length.
    SeqId fork(SeqId seq);
    /// Releases the blocks of `seq`, last block first (so its tail is evicted first), and forgets
    /// it. Pre: hasSequence(seq).
    void freeSequence(SeqId seq);
    /// Forgets positions >= new_length of `seq` in every layer, releasing whole blocks past it:
    /// the real undo. Pre: hasSequence(seq), new_length <= length(seq).
    void truncate(SeqId seq, std::int64_t new_length);

    /// Stores K/V rows for positions [pos, pos + n) of one layer of `seq`, allocating blocks
    /// and copying a shared or cached block before writing into it. Throws InputError when the
    /// pool lacks the blocks. Pre: pos == layerLength(seq, layer). k, v: [n][kvDim()].
    void appendRows(SeqId seq, std::int64_t layer, std::int64_t pos, std::int64_t n, const float* k,
                    const float* v);
    /// Records the token ids of the next positions of `seq` and registers every block that is
    /// now full (in every layer, tokens known) in the prefix index.
    /// Pre: tokens(seq).size() + tokens.size() <= length(seq).
    void appendTokens(SeqId seq, std::span<const TokenId> tokens);
    /// appendRows for every layer, then appendTokens. k, v: [n_layers][tokens.size()][kvDim()].
    /// Pre: every layer of seq at the same length.
    void append(SeqId seq, std::span<const TokenId> tokens, const float* k, const float* v);

    bool hasSequence(SeqId seq) const { return m_seqs.count(seq) != 0; }
    std::vector<SeqId> sequences() const;
    /// Positions held by every layer of `seq`. Pre: hasSequence(seq).
    std::int64_t length(SeqId seq) const;
    std::int64_t layerLength(SeqId seq, std::int64_t layer) const;
    const BlockTable& blockTable(SeqId seq) const;
    /// Token ids recorded for the positions of `seq` (may lag its rows).
    const std::vector<TokenId>& tokens(SeqId seq) const;
    /// Runs of `seq`'s layer: one per block, in position order.
    void collectRuns(SeqId seq, std::int64_t layer, std::vector<KvRun>& out) const;
    /// Blocks appendRows would take from the pool to grow `seq` (whose layers are all at the
    /// same length) by n positions: new blocks plus copy-on-write copies.
    std::int64_t blocksNeeded(SeqId seq, std::int64_t n) const;

    std::int64_t blockSize() const { return m_block_size; }
    const KvCacheSpec& spec() const { return m_spec; }
    /// Bytes of K + V of one block over all layers.
    std::int64_t blockBytes() const;
    /// Bytes of one sequence's residual rings of one layer (K + V); 0 without a residual.
    std::int64_t ringBytes() const { return m_k_ring_bytes + m_v_ring_bytes; }
    /// Blocks a sequence whose layers hold n positions keeps: ceil(low tokens / block_size).
    std::int64_t blocksFor(std::int64_t n) const;
    const BlockAllocator& allocator() const { return m_allocator; }
    const PrefixIndex& prefixIndex() const { return m_prefix; }

    // ---- KvCache: the engine's view of the current sequence ------------------------------
    /// Pre: hasSequence(seq).
    void setCurrent(SeqId seq);
    SeqId current() const { return m_current; }

    std::int64_t nLayers() const override { return m_n_layers; }
    std::int64_t kvDim() const override { return m_kv_dim; }
    std::int64_t length() const override { return length(m_current); }
    /// The most positions one sequence could hold: the whole pool.
    std::int64_t capacity() const override { return m_allocator.nBlocks() * m_block_size; }
    void append(std::int64_t layer, std::int64_t pos, std::int64_t n, const float* k,
                const float* v) override {
        appendRows(m_current, layer, pos, n, k, v);
    }
    void collectRuns(std::int64_t layer, std::vector<KvRun>& out) const override {
        collectRuns(m_current, layer, out);
    }
    std::int64_t layerLength(std::int64_t layer) const override {
        return layerLength(m_current, layer);
    }
    void truncate(std::int64_t new_length) override { truncate(m_current, new_length); }
    void truncateLayer(std::int64_t layer, std::int64_t new_length) override;
    /// Keeps the rows in place (holes, see above); `kept_keys` sees decoded copies of the kept K
    /// rows, split at holes and block edges, and only the heads of rows it changes are encoded and
    /// written back (copying a shared or cached block first; InputError, before any change, when
    /// the pool lacks the copies).
    void compactLayer(std::int64_t layer, const std::vector<std::vector<std::int64_t>>& keep,
                      const KeptKeysFn& kept_keys = {}) override;
    /// Rows back in their places. Pre: row r of the layer held position r (appended in position
    /// order from 0, as a Session does). InputError when the pool lacks a block to take again.
    void restoreLayer(std::int64_t layer, const std::vector<std::vector<std::int64_t>>& positions,
                      std::int64_t end, std::int64_t n, const float* k, const float* v) override;
    std::int64_t holes(std::int64_t layer) const override { return holes(m_current, layer); }
    std::int64_t holes(SeqId seq, std::int64_t layer) const;
    /// Rows written to `seq`'s layer (held or holes): the next row's index.
    std::int64_t layerRows(SeqId seq, std::int64_t layer) const;
    /// Whether slot i of every layer of `seq` is row i (no eviction left holes): then position p
    /// of the slots lives at blockTable(seq)[p / blockSize()], row p % blockSize().
    bool slotsAreRows(SeqId seq) const;
    std::int64_t kBytesUsed(std::int64_t layer) const override;
    std::int64_t vBytesUsed(std::int64_t layer) const override;
    /// Blocks held by the current sequence (kNoBlock entries not counted) * the K + V bytes of
    /// one block of one layer, + the sequence's residual rings of the layer.
    std::int64_t bytesAllocated(std::int64_t layer) const override;

private:
    struct Sequence {
        BlockTable table;
        std::vector<std::int64_t> layer_length;  // [n_layers] positions held per layer
        std::vector<TokenId> tokens;             // [n_known] ids of positions 0..
        std::vector<BlockHash> hashes;           // [n_hashed] chained hashes of its full blocks
        std::vector<std::byte> ring;  // [n_layers][K ring | V ring] residual bytes (may be empty)
        std::vector<std::int64_t> layer_rows;  // [n_layers] rows written (held or holes)
        // [n_layers][n_groups][layer_length] the row each slot holds, ascending (row-local, after
        // an eviction); empty: slot i holds row i. One group: every KV head the same rows.
        std::vector<std::vector<std::vector<std::int64_t>>> slot_rows;
        bool shareable = true;  // false once a layer lost rows: no block is a cached prefix then
        // logical block -> {the block an eviction released, its handedOut() then}: undo takes it
        // back, bytes and all, when nobody took it since.
        std::map<std::int64_t, std::pair<BlockId, std::int64_t>> released;
    };

    Sequence& seqRef(SeqId seq);
    const Sequence& seqRef(SeqId seq) const;
    /// Whether a write into `block` must copy it first: shared, or holding a cached prefix.
    bool mustCopy(BlockId block) const;
    /// allocate() that keeps the prefix index in step with evictions.
    BlockId newBlock();
    /// A private copy of logical block `logical` of `seq` (every layer), replacing it.
    void copyOnWrite(Sequence& s, std::int64_t logical);
    void registerFullBlocks(Sequence& s);
    /// Byte offset of `layer` of `block` in m_storage: [K low units | V low units].
    std::int64_t layerOffset(BlockId block, std::int64_t layer) const;
    std::byte* storageBytes() const;
    /// Where `role` of `layer` of `s` keeps its bytes.
    KvTierStorage storage(const Sequence& s, std::int64_t layer, KvRole role) const;
    /// Positions of `s` whose K and V are low in every layer (those blocks are complete).
    std::int64_t lowInEveryLayer(const Sequence& s) const;
    /// Blocks a write of positions [pos, pos + n) into one layer takes from the pool.
    /// Logical blocks [first, end) that such a write stores low units into ({0, 0}: none).
    std::pair<std::int64_t, std::int64_t> blocksWritten(std::int64_t pos, std::int64_t n) const;
    std::int64_t blocksToTake(const Sequence& s, std::int64_t pos, std::int64_t n) const;
    /// Forgets slots >= new_length of one layer of `s` (rows past the first forgotten one).
    void cutLayer(Sequence& s, std::int64_t layer, std::int64_t new_length);
    /// Forgets rows >= new_rows of one layer of `s`: rows that re-enter a residual are decoded
    /// from their low units first (paged_kv_holes.cpp has the rest of the holes machinery).
    void cutRows(Sequence& s, std::int64_t layer, std::int64_t new_rows);
    /// Releases blocks past the longest layer's rows, and (holes) blocks below every layer's low
    /// tail that no layer holds a row of.
    void fitBlocks(Sequence& s);
    /// Releases logical block `block` when every layer's low tail has passed it and no layer (no
    /// KV head) holds a row of it (holes).
    void releaseUnheld(Sequence& s, std::int64_t block);
    /// Rows low (in blocks) in both roles of every layer: the blocks below are complete.
    std::int64_t lowTail(const Sequence& s) const;
    /// Whether `layer` of `s` (some KV head of it) holds a row of logical block `block`.
    bool holdsRowIn(const Sequence& s, std::int64_t layer, std::int64_t block) const;
    const KvTierCodec& codecOf(KvRole role) const {
        return role == KvRole::Key ? m_k_codec : m_v_codec;
    }
    /// The bytes of low unit `unit` of `role` of `layer` of `s` (one-token units: one encoded
    /// row, all heads; plain fp32: [kv_dim] floats); nullptr when its block was released.
    std::byte* lowUnit(const Sequence& s, std::int64_t layer, std::int64_t unit, KvRole role) const;
    /// The residual ring slot of row `row` (row % slots). Pre: the role has a residual.
    std::byte* ringRow(const Sequence& s, std::int64_t layer, std::int64_t row, KvRole role) const;
    /// A decoded kivi2 key group, reused while decodeRow reads rows of the same unit.
    struct DecodedUnit {
        const std::byte* bytes = nullptr;
        std::vector<float> rows;  // [unitTokens][kv_dim]
    };
    /// Decodes row `row` of `role` (all heads) into out: [kv_dim], from the ring while the row is
    /// in it, else from its low unit. Pre: the row's block is held.
    void decodeRow(const Sequence& s, std::int64_t layer, std::int64_t row, KvRole role, float* out,
                   DecodedUnit& unit) const;
    /// New values for the heads of KV-head group `group` of one row: values [kv_dim] (only the
    /// group's heads are read).
    struct RowWrite {
        std::int64_t row, group;
        std::vector<float> values;
    };
    /// Copies every shared or cached block a low row of the writes goes into; InputError naming
    /// `what`, before any change, when the pool lacks the copies. Pre: those blocks are held.
    void prepareWrites(Sequence& s, std::int64_t layer, const std::vector<RowWrite>& k_writes,
                       const std::vector<RowWrite>& v_writes, const char* what);
    /// A block again for released logical block `block`: the one released, bytes and all, when
    /// nobody took it since, else a zeroed one. Pre: a block is free.
    void takeBack(Sequence& s, std::int64_t block);
    /// Encodes the writes of `role` in place: a ring row or a one-token unit alone (the group's
    /// heads), a kivi2 key group decoded, overwritten and encoded whole (the touched heads).
    void applyWrites(Sequence& s, std::int64_t layer, KvRole role, std::vector<RowWrite>& writes,
                     std::int64_t n_groups);
    /// Re-rotation of the kept keys (compactLayer): decoded, rotated, changed heads written.
    void rotateKeptKeys(Sequence& s, std::int64_t layer,
                        const std::vector<std::vector<std::int64_t>>& keep,
                        const std::vector<std::vector<std::int64_t>>& kept_rows,
                        const KeptKeysFn& kept_keys);

    std::int64_t m_n_layers;
    std::int64_t m_kv_dim;
    std::int64_t m_block_size;
    KvCacheSpec m_spec;
    KvTierCodec m_k_codec;
    KvTierCodec m_v_codec;
    std::int64_t m_k_block_bytes, m_v_block_bytes;  // one layer of one block
    std::int64_t m_k_ring_bytes, m_v_ring_bytes;    // one layer of one sequence
    BlockAllocator m_allocator;                     // metadata: reference counts, free queue
    PrefixIndex m_prefix;                           // metadata: hash -> block
    std::map<SeqId, Sequence> m_seqs;
    SeqId m_next_seq = 0;
    SeqId m_current = -1;
    // [n_blocks][n_layers][K low units | V low units] bytes, held as floats so that plain fp32
    // rows ([block_size][kv_dim] per role) are read in place.
    std::vector<float> m_storage;
    mutable std::vector<float> m_scratch_k;  // [layer length][kv_dim] decoded (not plain)
    mutable std::vector<float> m_scratch_v;  // [layer length][kv_dim] decoded (not plain)
};

}  // namespace kvscope
