// Paged policies on the real BlockAllocator: blocks are allocated as tokens are written, forks
// share blocks and copy a shared partly filled block on the first write (copy-on-write), and
// with prefix sharing full prompt blocks are registered in a PrefixIndex and reused.
#include <algorithm>
#include <span>

#include "core/cache/prefix_index.h"
#include "core/sim/kv_accountant.h"
#include "core/util/check.h"

namespace kvscope::sim {

namespace {

std::int64_t ceilDiv(std::int64_t a, std::int64_t b) {
    return (a + b - 1) / b;
}

class PagedAccountant final : public KvAccountant {
public:
    PagedAccountant(const SimConfig& c, bool prefix)
        : m_block_size(c.block_size),
          m_watermark(std::int64_t(c.watermark * double(c.kv_slots / c.block_size))),
          m_prefix(prefix),
          m_alloc(c.kv_slots / c.block_size),
          m_fill(std::size_t(c.kv_slots / c.block_size), 0) {}

    bool admit(const Request& r, std::int64_t generated, bool alone, GroupKv& kv) override {
        const std::int64_t need = ceilDiv(r.prompt_len, m_block_size) +
                                  r.samples * (ceilDiv(generated, m_block_size) + 1);
        const std::int64_t margin = alone ? 0 : m_watermark;
        if (std::min(need, m_alloc.nBlocks()) + margin > m_alloc.nFree()) return false;
        kv.lens.assign(std::size_t(r.samples), 0);
        kv.tables.assign(std::size_t(r.samples), BlockTable{});
        if (m_prefix) {
            kv.prompt_tokens.resize(std::size_t(r.prompt_len));
            for (std::int64_t p = 0; p < r.prompt_len; ++p)
                kv.prompt_tokens[std::size_t(p)] = promptToken(r, p);
        }
        return true;
    }

    std::int64_t reusePrefix(const Request& r, GroupKv& kv) override {
        if (!m_prefix) return 0;
        KVSCOPE_EXPECTS(kv.lens[0] == 0 && kv.tables[0].empty());
        PrefixMatch match = m_index.longestPrefix(kv.prompt_tokens, m_block_size);
        // Keep at least one prompt token to compute (it produces the first output token).
        while (!match.blocks.empty() &&
               std::int64_t(match.blocks.size()) * m_block_size >= r.prompt_len) {
            match.blocks.pop_back();
            match.hashes.pop_back();
        }
        for (BlockId b : match.blocks) {
            if (m_alloc.isFree(b)) m_held += m_fill[std::size_t(b)];  // revived from the cache
            m_alloc.retain(b);
            kv.tables[0].push(b);
        }
        kv.prompt_hashes = match.hashes;
        kv.lens[0] = std::int64_t(match.blocks.size()) * m_block_size;
        return kv.lens[0];
    }

    bool append(const Request& r, GroupKv& kv, std::size_t s) override {
        BlockTable& table = kv.tables[s];
        const std::int64_t len = kv.lens[s];
        if (len % m_block_size == 0) {
            const BlockId b = allocate();
            if (b < 0) return false;
            m_fill[std::size_t(b)] = 1;
            table.push(b);
        } else {
            const std::int64_t logical = len / m_block_size;
            const BlockId b = table[logical];
            if (m_alloc.refCount(b) > 1) {  // copy-on-write of a shared partly filled block
                const BlockId copy = allocate();
                if (copy < 0) return false;
                m_fill[std::size_t(copy)] = m_fill[std::size_t(b)] + 1;
                m_held += m_fill[std::size_t(b)];
                m_alloc.release(b);
                table.replace(logical, copy);
            } else {
                ++m_fill[std::size_t(b)];
            }
        }
        ++m_held;
        kv.lens[s] = len + 1;
        if (m_prefix && !kv.forked && s == 0 && kv.lens[0] <= r.prompt_len &&
            kv.lens[0] % m_block_size == 0)
            registerBlock(kv);
        return true;
    }

    void fork(GroupKv& kv) override {
        KVSCOPE_EXPECTS(!kv.forked);
        for (std::size_t s = 1; s < kv.tables.size(); ++s) {
            for (BlockId b : kv.tables[0].blocks())
                m_alloc.retain(b);
            kv.tables[s] = kv.tables[0];
            kv.lens[s] = kv.lens[0];
        }
        kv.forked = true;
    }

    void release(GroupKv& kv) override {
        for (const BlockTable& table : kv.tables) {
            for (BlockId b : table.blocks()) {
                m_alloc.release(b);
                if (m_alloc.isFree(b)) m_held -= m_fill[std::size_t(b)];
            }
        }
        kv = GroupKv{};
    }

    bool fits(const Request& r) const override {
        return r.samples * ceilDiv(r.prompt_len + r.output_len, m_block_size) <= m_alloc.nBlocks();
    }
    std::int64_t reserved() const override {
        return (m_alloc.nBlocks() - m_alloc.nFree()) * m_block_size;
    }

    void snapshot(std::span<const RunningGroup> running, PoolSnapshot& out) const override {
        out.block_size = m_block_size;
        out.cells.assign(std::size_t(m_alloc.nBlocks()), PoolCell{});
        for (BlockId b = 0; b < m_alloc.nBlocks(); ++b) {
            PoolCell& cell = out.cells[std::size_t(b)];
            cell.capacity = m_block_size;
            cell.ref_count = m_alloc.refCount(b);
            if (m_alloc.isCached(b)) cell.hash = m_alloc.hashOf(b);
            if (cell.ref_count > 0) {
                cell.state = CellState::InUse;
                cell.fill = m_fill[std::size_t(b)];
            } else if (cell.hash) {  // a cached block is full and keeps its tokens
                cell.state = CellState::CachedFree;
                cell.fill = m_fill[std::size_t(b)];
            }
        }
        out.seqs.clear();
        for (const RunningGroup& g : running) {
            for (std::size_t s = 0; s < g.kv->tables.size(); ++s) {
                const SimSeq seq{g.req->id, std::int64_t(s)};
                const BlockTable& table = g.kv->tables[s];
                out.seqs.push_back(
                    {seq, g.kv->lens[s], table.size() * m_block_size, table.blocks()});
                for (BlockId b : table.blocks())
                    out.cells[std::size_t(b)].owners.push_back(seq);
            }
        }
        out.held = m_held;
        out.reserved = reserved();
    }

private:
    // A free block, evicting the least recently freed cached one if needed; -1 when none.
    BlockId allocate() {
        if (m_alloc.nFree() == 0) return -1;
        const Allocation a = m_alloc.allocate();
        if (a.evicted) m_index.erase(*a.evicted);
        return a.block;
    }

    // Sample 0 just filled prompt block k: hash it and register it unless an equal block is.
    void registerBlock(GroupKv& kv) {
        const std::int64_t k = kv.lens[0] / m_block_size - 1;
        const BlockHash parent = k == 0 ? PrefixIndex::kRootHash : kv.prompt_hashes.back();
        const std::span<const TokenId> tokens(kv.prompt_tokens.data() + k * m_block_size,
                                              std::size_t(m_block_size));
        const BlockHash hash = PrefixIndex::hashBlock(parent, tokens);
        kv.prompt_hashes.push_back(hash);
        const BlockId b = kv.tables[0][k];
        if (!m_alloc.isCached(b) && m_index.find(parent, tokens) < 0 && m_index.blockOf(hash) < 0) {
            m_alloc.setHash(b, hash);
            m_index.insert(hash, parent, tokens, b);
        }
    }

    std::int64_t m_block_size;
    std::int64_t m_watermark;  // blocks kept free when admitting next to running requests
    bool m_prefix;
    BlockAllocator m_alloc;
    PrefixIndex m_index;
    std::vector<std::int64_t> m_fill;  // [n_blocks] tokens written in each block
};

}  // namespace

std::unique_ptr<KvAccountant> makeContiguousAccountant(const SimConfig& config, bool exact);

std::unique_ptr<KvAccountant> makeAccountant(const SimConfig& config) {
    switch (config.policy) {
        case PolicyKind::ContiguousMax:
            return makeContiguousAccountant(config, false);
        case PolicyKind::ContiguousExact:
            return makeContiguousAccountant(config, true);
        case PolicyKind::Paged:
            return std::make_unique<PagedAccountant>(config, false);
        case PolicyKind::PagedPrefix:
            return std::make_unique<PagedAccountant>(config, true);
    }
    return nullptr;
}

TokenId promptToken(const Request& r, std::int64_t pos) {
    if (pos < r.shared_prefix) return TokenId(1000 + pos);
    std::uint64_t x = std::uint64_t(r.id) * 0x9e3779b97f4a7c15ull + std::uint64_t(pos);
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
    return TokenId(std::int64_t((x ^ (x >> 31)) & 0x3fffffff) + 1000000);
}

}  // namespace kvscope::sim
