#include "core/cache/paged_kv_cache.h"

#include <algorithm>
#include <cassert>
#include <cstring>
#include <string>

#include "core/util/checked_math.h"
#include "core/util/error.h"

namespace kvscope {

namespace {

constexpr std::int64_t kBytesPerValue = sizeof(float);

std::int64_t ceilDiv(std::int64_t a, std::int64_t b) {
    return (a + b - 1) / b;
}

}  // namespace

PagedKvCache::PagedKvCache(std::int64_t n_layers, std::int64_t kv_dim, std::int64_t block_size,
                           std::int64_t n_blocks)
    : m_n_layers(n_layers),
      m_kv_dim(kv_dim),
      m_block_size(block_size),
      m_allocator(n_blocks > 0 ? n_blocks : 1) {
    if (n_layers <= 0 || kv_dim <= 0 || block_size <= 0 || n_blocks <= 0) {
        throw InputError(
            "paged KV cache: n_layers, kv_dim, block_size and n_blocks must be > 0 (got " +
            std::to_string(n_layers) + ", " + std::to_string(kv_dim) + ", " +
            std::to_string(block_size) + ", " + std::to_string(n_blocks) + ")");
    }
    const std::int64_t rows = checkedMul(checkedMul(n_blocks, n_layers, "paged KV cache blocks"),
                                         block_size, "paged KV cache positions");
    const std::int64_t values = checkedMul(rows, kv_dim, "paged KV cache values");
    checkedMul(checkedMul(values, 2, "paged KV cache values"), kBytesPerValue,
               "paged KV cache bytes");
    m_k.assign(std::size_t(values), 0.0f);
    m_v.assign(std::size_t(values), 0.0f);
}

// ---- Sequences --------------------------------------------------------------------------

SeqId PagedKvCache::addSequence() {
    const SeqId id = m_next_seq++;
    m_seqs[id].layer_length.assign(std::size_t(m_n_layers), 0);
    return id;
}

std::int64_t PagedKvCache::attachPrefix(SeqId seq, std::span<const TokenId> prompt) {
    Sequence& s = seqRef(seq);
    assert(length(seq) == 0 && s.table.empty() && s.tokens.empty());
    if (prompt.empty()) return 0;
    // The last prompt token is always computed: its logits give the first sampled token.
    const PrefixMatch match = m_prefix.longestPrefix(prompt.first(prompt.size() - 1), m_block_size);
    for (BlockId block : match.blocks) {
        m_allocator.retain(block);  // a free cached block leaves the free queue (a hit)
        s.table.push(block);
    }
    const std::int64_t n_hit = std::int64_t(match.blocks.size()) * m_block_size;
    std::fill(s.layer_length.begin(), s.layer_length.end(), n_hit);
    s.tokens.assign(prompt.begin(), prompt.begin() + n_hit);
    s.hashes = match.hashes;
    return n_hit;
}

SeqId PagedKvCache::fork(SeqId seq) {
    const Sequence& parent = seqRef(seq);
    assert(std::ranges::all_of(parent.layer_length,
                               [&](std::int64_t n) { return n == parent.layer_length[0]; }));
    for (BlockId block : parent.table.blocks())
        m_allocator.retain(block);
    const SeqId id = m_next_seq++;
    m_seqs[id] = parent;  // same blocks, lengths, tokens and hashes
    return id;
}

void PagedKvCache::freeSequence(SeqId seq) {
    Sequence& s = seqRef(seq);
    while (!s.table.empty())
        m_allocator.release(s.table.pop());
    m_seqs.erase(seq);
    if (m_current == seq) m_current = -1;
}

void PagedKvCache::truncate(SeqId seq, std::int64_t new_length) {
    Sequence& s = seqRef(seq);
    assert(new_length >= 0 && new_length <= length(seq));
    std::fill(s.layer_length.begin(), s.layer_length.end(), new_length);
    if (std::int64_t(s.tokens.size()) > new_length) s.tokens.resize(std::size_t(new_length));
    const std::int64_t n_full = new_length / m_block_size;
    if (std::int64_t(s.hashes.size()) > n_full) s.hashes.resize(std::size_t(n_full));
    // A block cut in the middle stays; the next write into it copies it if it is shared or
    // cached, so the bytes other holders see never change.
    while (s.table.size() > ceilDiv(new_length, m_block_size))
        m_allocator.release(s.table.pop());
}

void PagedKvCache::appendRows(SeqId seq, std::int64_t layer, std::int64_t pos, std::int64_t n,
                              const float* k, const float* v) {
    Sequence& s = seqRef(seq);
    assert(layer >= 0 && layer < m_n_layers);
    assert(pos == s.layer_length[std::size_t(layer)] && "append only");
    assert(n >= 0);
    if (n == 0) return;
    // Plan: every block this write takes from the pool, before anything changes.
    const std::int64_t last_block = ceilDiv(pos + n, m_block_size);  // blocks held afterwards
    std::int64_t needed = std::max<std::int64_t>(0, last_block - s.table.size());
    for (std::int64_t b = pos / m_block_size; b < std::min(last_block, s.table.size()); ++b)
        needed += mustCopy(s.table[b]) ? 1 : 0;
    if (needed > m_allocator.nFree()) {
        throw InputError("paged KV cache: out of KV blocks: appending " + std::to_string(n) +
                         " positions needs " + std::to_string(needed) + " free blocks, " +
                         std::to_string(m_allocator.nFree()) + " of " +
                         std::to_string(m_allocator.nBlocks()) + " are free");
    }
    // Apply.
    for (std::int64_t i = 0; i < n;) {
        const std::int64_t p = pos + i, logical = p / m_block_size, row = p % m_block_size;
        if (logical == s.table.size())
            s.table.push(newBlock());
        else if (mustCopy(s.table[logical]))
            copyOnWrite(s, logical);
        const std::int64_t count = std::min(n - i, m_block_size - row);
        const std::int64_t offset = rowOffset(s.table[logical], layer, row);
        const std::size_t bytes = std::size_t(count * m_kv_dim) * sizeof(float);
        std::memcpy(m_k.data() + offset, k + i * m_kv_dim, bytes);
        std::memcpy(m_v.data() + offset, v + i * m_kv_dim, bytes);
        i += count;
    }
    s.layer_length[std::size_t(layer)] = pos + n;
    registerFullBlocks(s);
}

void PagedKvCache::appendTokens(SeqId seq, std::span<const TokenId> tokens) {
    Sequence& s = seqRef(seq);
    assert(std::int64_t(s.tokens.size() + tokens.size()) <= length(seq));
    s.tokens.insert(s.tokens.end(), tokens.begin(), tokens.end());
    registerFullBlocks(s);
}

void PagedKvCache::append(SeqId seq, std::span<const TokenId> tokens, const float* k,
                          const float* v) {
    const std::int64_t pos = length(seq), n = std::int64_t(tokens.size());
    assert(layerLength(seq, m_n_layers - 1) == pos && "layers must not lag");
    // Layer 0 takes every block needed (and throws before any change); the others reuse them.
    for (std::int64_t l = 0; l < m_n_layers; ++l)
        appendRows(seq, l, pos, n, k + l * n * m_kv_dim, v + l * n * m_kv_dim);
    appendTokens(seq, tokens);
}

std::vector<SeqId> PagedKvCache::sequences() const {
    std::vector<SeqId> out;
    for (const auto& [id, s] : m_seqs)
        out.push_back(id);
    return out;
}

std::int64_t PagedKvCache::length(SeqId seq) const {
    const Sequence& s = seqRef(seq);
    return *std::min_element(s.layer_length.begin(), s.layer_length.end());
}

std::int64_t PagedKvCache::layerLength(SeqId seq, std::int64_t layer) const {
    assert(layer >= 0 && layer < m_n_layers);
    return seqRef(seq).layer_length[std::size_t(layer)];
}

const BlockTable& PagedKvCache::blockTable(SeqId seq) const {
    return seqRef(seq).table;
}

const std::vector<TokenId>& PagedKvCache::tokens(SeqId seq) const {
    return seqRef(seq).tokens;
}

void PagedKvCache::collectRuns(SeqId seq, std::int64_t layer, std::vector<KvRun>& out) const {
    const Sequence& s = seqRef(seq);
    assert(layer >= 0 && layer < m_n_layers);
    out.clear();
    const std::int64_t n = s.layer_length[std::size_t(layer)];
    for (std::int64_t first = 0, b = 0; first < n; first += m_block_size, ++b) {
        const std::int64_t offset = rowOffset(s.table[b], layer, 0);
        out.push_back(KvRun{first, std::min(m_block_size, n - first), m_k.data() + offset,
                            m_v.data() + offset});
    }
}

std::int64_t PagedKvCache::blocksNeeded(SeqId seq, std::int64_t n) const {
    const Sequence& s = seqRef(seq);
    const std::int64_t pos = length(seq), last_block = ceilDiv(pos + n, m_block_size);
    std::int64_t needed = std::max<std::int64_t>(0, last_block - s.table.size());
    if (n > 0) {
        for (std::int64_t b = pos / m_block_size; b < std::min(last_block, s.table.size()); ++b)
            needed += mustCopy(s.table[b]) ? 1 : 0;
    }
    return needed;
}

std::int64_t PagedKvCache::blockBytes() const {
    return 2 * m_n_layers * m_block_size * m_kv_dim * kBytesPerValue;
}

// ---- KvCache ----------------------------------------------------------------------------

void PagedKvCache::setCurrent(SeqId seq) {
    assert(hasSequence(seq));
    m_current = seq;
}

std::int64_t PagedKvCache::kBytesUsed(std::int64_t layer) const {
    return layerLength(layer) * m_kv_dim * kBytesPerValue;
}

std::int64_t PagedKvCache::vBytesUsed(std::int64_t layer) const {
    return layerLength(layer) * m_kv_dim * kBytesPerValue;
}

std::int64_t PagedKvCache::bytesAllocated([[maybe_unused]] std::int64_t layer) const {
    assert(layer >= 0 && layer < m_n_layers);
    return seqRef(m_current).table.size() * 2 * m_block_size * m_kv_dim * kBytesPerValue;
}

// ---- Private ----------------------------------------------------------------------------

PagedKvCache::Sequence& PagedKvCache::seqRef(SeqId seq) {
    const auto it = m_seqs.find(seq);
    assert(it != m_seqs.end() && "no such sequence");
    return it->second;
}

const PagedKvCache::Sequence& PagedKvCache::seqRef(SeqId seq) const {
    const auto it = m_seqs.find(seq);
    assert(it != m_seqs.end() && "no such sequence");
    return it->second;
}

bool PagedKvCache::mustCopy(BlockId block) const {
    return m_allocator.refCount(block) > 1 || m_allocator.isCached(block);
}

BlockId PagedKvCache::newBlock() {
    const Allocation a = m_allocator.allocate();
    if (a.evicted) m_prefix.erase(*a.evicted);
    return a.block;
}

void PagedKvCache::copyOnWrite(Sequence& s, std::int64_t logical) {
    const BlockId from = s.table[logical];
    const BlockId to = newBlock();  // `from` is held by s, so this never evicts it
    const std::int64_t values = m_n_layers * m_block_size * m_kv_dim;  // one block, all layers
    std::memcpy(m_k.data() + rowOffset(to, 0, 0), m_k.data() + rowOffset(from, 0, 0),
                std::size_t(values) * sizeof(float));
    std::memcpy(m_v.data() + rowOffset(to, 0, 0), m_v.data() + rowOffset(from, 0, 0),
                std::size_t(values) * sizeof(float));
    s.table.replace(logical, to);
    m_allocator.release(from);
}

void PagedKvCache::registerFullBlocks(Sequence& s) {
    const std::int64_t rows = *std::min_element(s.layer_length.begin(), s.layer_length.end());
    const std::int64_t known = std::min(rows, std::int64_t(s.tokens.size()));
    for (std::int64_t b = std::int64_t(s.hashes.size()); (b + 1) * m_block_size <= known; ++b) {
        const BlockHash parent = b == 0 ? PrefixIndex::kRootHash : s.hashes.back();
        const std::span<const TokenId> block_tokens(s.tokens.data() + b * m_block_size,
                                                    std::size_t(m_block_size));
        const BlockHash hash = PrefixIndex::hashBlock(parent, block_tokens);
        const BlockId block = s.table[b];
        if (!m_allocator.isCached(block)) {
            // An equal block cached already keeps its place; this one stays private.
            if (m_prefix.insert(hash, parent, block_tokens, block))
                m_allocator.setHash(block, hash);
        } else {
            assert(m_allocator.hashOf(block) == hash);
        }
        s.hashes.push_back(hash);
    }
}

std::int64_t PagedKvCache::rowOffset(BlockId block, std::int64_t layer, std::int64_t row) const {
    return ((block * m_n_layers + layer) * m_block_size + row) * m_kv_dim;
}

}  // namespace kvscope
