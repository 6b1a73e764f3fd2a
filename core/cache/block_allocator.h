#pragma once
// The pool of fixed-size physical KV blocks: who holds each block (a reference count) and which
// blocks are free, in eviction order. Metadata only: the K/V bytes of a block live in the cache's
// storage (PagedKvCache), indexed by BlockId.
//
// The free queue follows vLLM's design: a released block goes to the END of the queue and
// allocate() takes from the FRONT, so the least recently released block is reused first. A free
// block that still holds a cached prefix (it has a hash, see PrefixIndex) keeps its bytes until it
// is taken from the front (an eviction) or revived by retain() (a prefix-cache hit).
//
// Every operation is O(1): the free queue is a doubly linked list threaded through the block
// metadata, so no operation loops over the pool (only the diagnostic freeQueue() does).
#include <cstdint>
#include <optional>
#include <vector>

namespace kvscope {

using BlockId = std::int64_t;
using BlockHash = std::uint64_t;

struct BlockStats {
    std::int64_t n_total = 0;        // blocks in the pool
    std::int64_t n_free = 0;         // in the free queue (cached or not)
    std::int64_t n_cached_free = 0;  // free but still holding a cached prefix
    std::int64_t n_in_use = 0;       // reference count > 0
    std::int64_t n_allocations = 0;  // allocate() calls that succeeded
    std::int64_t n_evictions = 0;    // allocations that dropped a cached prefix
};

/// What allocate() handed out: the block, and the hash it was cached under if taking it evicted
/// a cached prefix (the caller removes that hash from its PrefixIndex).
struct Allocation {
    BlockId block = -1;
    std::optional<BlockHash> evicted;
};

class BlockAllocator {
public:
    /// A pool of n_blocks free blocks, ids 0..n_blocks-1, queued in id order. Throws InputError
    /// when n_blocks <= 0.
    explicit BlockAllocator(std::int64_t n_blocks);

    std::int64_t nBlocks() const { return std::int64_t(m_meta.size()); }
    std::int64_t nFree() const { return m_n_free; }

    /// Takes the block at the front of the free queue with reference count 1 and no hash.
    /// Throws InputError (naming the pool size) when no block is free.
    Allocation allocate();
    /// One more holder of `block`. A free block leaves the free queue (a prefix-cache hit).
    /// Pre: block in range; in use, or free and cached (a free uncached block holds garbage).
    void retain(BlockId block);
    /// One holder fewer. At zero the block goes to the end of the free queue, keeping its hash.
    /// Pre: block in range, refCount(block) > 0 (never freed twice).
    void release(BlockId block);

    /// Takes the free block `block` back with reference count 1 (the undo of a release: when
    /// handedOut(block) has not moved since, nobody held it in between, so its bytes are the
    /// releaser's). Pre: block in range, isFree(block).
    void reclaim(BlockId block);
    /// How many times allocate() has handed `block` out.
    std::int64_t handedOut(BlockId block) const;

    /// Marks `block` as holding the full block identified by `hash`.
    /// Pre: block in use and not cached yet.
    void setHash(BlockId block, BlockHash hash);
    bool isCached(BlockId block) const;
    /// Pre: isCached(block).
    BlockHash hashOf(BlockId block) const;

    std::int64_t refCount(BlockId block) const;
    bool isFree(BlockId block) const { return refCount(block) == 0; }
    BlockStats stats() const;
    /// The free queue front (next to allocate) to back. O(n_free): diagnostics and tests only.
    std::vector<BlockId> freeQueue() const;

private:
    struct BlockMeta {
        std::int64_t ref_count = 0;
        std::int64_t handed_out = 0;  // allocate() calls that returned it
        bool cached = false;
        BlockHash hash = 0;
        BlockId prev = -1;  // free-queue neighbours; -1 = none (also when not in the queue)
        BlockId next = -1;
    };

    bool valid(BlockId block) const { return block >= 0 && block < nBlocks(); }
    void pushBack(BlockId block);
    void unlink(BlockId block);

    std::vector<BlockMeta> m_meta;  // [n_blocks]
    BlockId m_head = -1;            // front of the free queue (next to allocate)
    BlockId m_tail = -1;            // back of the free queue (most recently released)
    std::int64_t m_n_free = 0;
    std::int64_t m_n_cached_free = 0;
    std::int64_t m_n_allocations = 0;
    std::int64_t m_n_evictions = 0;
};

}  // namespace kvscope
