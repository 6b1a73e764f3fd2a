#include "core/cache/block_allocator.h"

#include <string>

#include "core/util/check.h"
#include "core/util/error.h"

namespace kvscope {

BlockAllocator::BlockAllocator(std::int64_t n_blocks) {
    if (n_blocks <= 0) {
        throw InputError("block allocator: the pool needs at least 1 block, got " +
                         std::to_string(n_blocks));
    }
    m_meta.resize(std::size_t(n_blocks));
    for (BlockId b = 0; b < n_blocks; ++b)
        pushBack(b);
}

Allocation BlockAllocator::allocate() {
    if (m_head < 0) {
        throw InputError("block allocator: out of KV blocks: all " + std::to_string(nBlocks()) +
                         " blocks of the pool are in use");
    }
    const BlockId block = m_head;
    unlink(block);
    BlockMeta& meta = m_meta[std::size_t(block)];
    KVSCOPE_EXPECTS(meta.ref_count == 0);
    Allocation out{block, std::nullopt};
    if (meta.cached) {  // the least recently used cached prefix is dropped
        out.evicted = meta.hash;
        meta.cached = false;
        meta.hash = 0;
        ++m_n_evictions;
    }
    meta.ref_count = 1;
    ++meta.handed_out;
    ++m_n_allocations;
    return out;
}

void BlockAllocator::reclaim(BlockId block) {
    KVSCOPE_EXPECTS(valid(block) && isFree(block));
    unlink(block);
    m_meta[std::size_t(block)].ref_count = 1;
}

std::int64_t BlockAllocator::handedOut(BlockId block) const {
    KVSCOPE_EXPECTS(valid(block));
    return m_meta[std::size_t(block)].handed_out;
}

void BlockAllocator::retain(BlockId block) {
    KVSCOPE_EXPECTS(valid(block));
    BlockMeta& meta = m_meta[std::size_t(block)];
    KVSCOPE_EXPECTS((meta.ref_count > 0 || meta.cached) &&
                    "only a cached free block can be revived");
    if (meta.ref_count == 0) unlink(block);
    ++meta.ref_count;
}

void BlockAllocator::release(BlockId block) {
    KVSCOPE_EXPECTS(valid(block));
    BlockMeta& meta = m_meta[std::size_t(block)];
    KVSCOPE_EXPECTS(meta.ref_count > 0 && "block released twice");
    if (--meta.ref_count == 0) pushBack(block);
}

void BlockAllocator::setHash(BlockId block, BlockHash hash) {
    KVSCOPE_EXPECTS(valid(block));
    BlockMeta& meta = m_meta[std::size_t(block)];
    KVSCOPE_EXPECTS(meta.ref_count > 0 && !meta.cached);
    meta.cached = true;
    meta.hash = hash;
}

bool BlockAllocator::isCached(BlockId block) const {
    KVSCOPE_EXPECTS(valid(block));
    return m_meta[std::size_t(block)].cached;
}

BlockHash BlockAllocator::hashOf(BlockId block) const {
    KVSCOPE_EXPECTS(isCached(block));
    return m_meta[std::size_t(block)].hash;
}

std::int64_t BlockAllocator::refCount(BlockId block) const {
    KVSCOPE_EXPECTS(valid(block));
    return m_meta[std::size_t(block)].ref_count;
}

BlockStats BlockAllocator::stats() const {
    return BlockStats{.n_total = nBlocks(),
                      .n_free = m_n_free,
                      .n_cached_free = m_n_cached_free,
                      .n_in_use = nBlocks() - m_n_free,
                      .n_allocations = m_n_allocations,
                      .n_evictions = m_n_evictions};
}

std::vector<BlockId> BlockAllocator::freeQueue() const {
    std::vector<BlockId> out;
    out.reserve(std::size_t(m_n_free));
    for (BlockId b = m_head; b >= 0; b = m_meta[std::size_t(b)].next)
        out.push_back(b);
    return out;
}

void BlockAllocator::pushBack(BlockId block) {
    BlockMeta& meta = m_meta[std::size_t(block)];
    meta.prev = m_tail;
    meta.next = -1;
    if (m_tail >= 0)
        m_meta[std::size_t(m_tail)].next = block;
    else
        m_head = block;
    m_tail = block;
    ++m_n_free;
    if (meta.cached) ++m_n_cached_free;
}

void BlockAllocator::unlink(BlockId block) {
    BlockMeta& meta = m_meta[std::size_t(block)];
    if (meta.prev >= 0)
        m_meta[std::size_t(meta.prev)].next = meta.next;
    else
        m_head = meta.next;
    if (meta.next >= 0)
        m_meta[std::size_t(meta.next)].prev = meta.prev;
    else
        m_tail = meta.prev;
    meta.prev = meta.next = -1;
    --m_n_free;
    if (meta.cached) --m_n_cached_free;
}

}  // namespace kvscope
