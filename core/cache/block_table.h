#pragma once
// One sequence's map from logical blocks to physical blocks: position p of the sequence lives in
// physical block blocks()[p / block_size], row p % block_size. Metadata only. An entry may be
// kNoBlock: a block whose rows were all evicted went back to the pool (the paged layout's holes,
// paged_kv_cache.h); its logical index stays so that later rows keep their places.
#include <cstdint>
#include <vector>

#include "core/cache/block_allocator.h"
#include "core/util/check.h"

namespace kvscope {

/// A logical block whose physical block went back to the pool.
inline constexpr BlockId kNoBlock = -1;

class BlockTable {
public:
    std::int64_t size() const { return std::int64_t(m_blocks.size()); }
    bool empty() const { return m_blocks.empty(); }
    /// Pre: 0 <= logical < size().
    BlockId operator[](std::int64_t logical) const {
        KVSCOPE_EXPECTS(logical >= 0 && logical < size());
        return m_blocks[std::size_t(logical)];
    }
    /// Points `logical` at another physical block (copy-on-write). Pre: 0 <= logical < size().
    void replace(std::int64_t logical, BlockId block) {
        KVSCOPE_EXPECTS(logical >= 0 && logical < size());
        m_blocks[std::size_t(logical)] = block;
    }
    /// Logical blocks that hold a physical block (not kNoBlock).
    std::int64_t nHeld() const {
        std::int64_t n = 0;
        for (BlockId b : m_blocks)
            n += b != kNoBlock ? 1 : 0;
        return n;
    }
    void push(BlockId block) { m_blocks.push_back(block); }
    /// Pre: !empty(). May return kNoBlock.
    BlockId pop() {
        KVSCOPE_EXPECTS(!empty());
        const BlockId b = m_blocks.back();
        m_blocks.pop_back();
        return b;
    }
    const std::vector<BlockId>& blocks() const { return m_blocks; }

private:
    std::vector<BlockId> m_blocks;  // [n_logical_blocks] physical block ids
};

}  // namespace kvscope
