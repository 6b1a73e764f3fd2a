#include "core/cache/paged_kv_cache.h"

#include <algorithm>
#include <cstring>
#include <limits>
#include <string>
#include <utility>

#include "core/util/check.h"
#include "core/util/checked_math.h"
#include "core/util/error.h"

namespace kvscope {

namespace {

std::int64_t ceilDiv(std::int64_t a, std::int64_t b) {
    return (a + b - 1) / b;
}

std::int64_t checkedKvDim(std::int64_t n_layers, std::int64_t n_kv_heads, std::int64_t head_dim,
                          std::int64_t block_size, std::int64_t n_blocks) {
    if (n_layers <= 0 || n_kv_heads <= 0 || head_dim <= 0 || block_size <= 0 || n_blocks <= 0) {
        throw InputError(
            "paged KV cache: n_layers, kv_dim, block_size and n_blocks must be > 0 (got " +
            std::to_string(n_layers) + ", " + std::to_string(n_kv_heads * head_dim) + ", " +
            std::to_string(block_size) + ", " + std::to_string(n_blocks) + ")");
    }
    return checkedMul(n_kv_heads, head_dim, "paged KV cache kv_dim");
}

const KvCacheSpec& checkedSpec(const KvCacheSpec& spec, std::int64_t block_size) {
    checkKvCacheSpec(spec, "paged KV cache");
    if ((spec.k_dtype == KvDtype::KIVI2) && block_size % kKvGroupSize != 0) {
        throw InputError(
            "paged KV cache: kivi2 groups keys along 32 tokens, so its block size "
            "must be a multiple of 32, got " +
            std::to_string(block_size) + " (or use the contiguous layout)");
    }
    return spec;
}

}  // namespace

PagedKvCache::PagedKvCache(std::int64_t n_layers, std::int64_t kv_dim, std::int64_t block_size,
                           std::int64_t n_blocks)
    : PagedKvCache(n_layers, 1, kv_dim, block_size, n_blocks, KvCacheSpec{}) {}

PagedKvCache::PagedKvCache(std::int64_t n_layers, std::int64_t n_kv_heads, std::int64_t head_dim,
                           std::int64_t block_size, std::int64_t n_blocks, const KvCacheSpec& spec)
    : m_n_layers(n_layers),
      m_kv_dim(checkedKvDim(n_layers, n_kv_heads, head_dim, block_size, n_blocks)),
      m_block_size(block_size),
      m_spec(checkedSpec(spec, block_size)),
      m_k_codec(spec.keyFormat(), KvRole::Key, n_kv_heads, head_dim),
      m_v_codec(spec.valueFormat(), KvRole::Value, n_kv_heads, head_dim),
      m_allocator(n_blocks) {
    const char* what = "paged KV cache bytes";
    m_k_block_bytes = checkedMul(block_size / m_k_codec.unitTokens(), m_k_codec.unitBytes(), what);
    m_v_block_bytes = checkedMul(block_size / m_v_codec.unitTokens(), m_v_codec.unitBytes(), what);
    m_k_ring_bytes = checkedMul(m_k_codec.residualSlots(), m_k_codec.residualRowBytes(), what);
    m_v_ring_bytes = checkedMul(m_v_codec.residualSlots(), m_v_codec.residualRowBytes(), what);
    const std::int64_t per_block =
        checkedMul(checkedAdd(m_k_block_bytes, m_v_block_bytes, what), n_layers, what);
    const std::int64_t total = checkedMul(per_block, n_blocks, what);
    m_storage.assign(std::size_t((total + 3) / 4), 0.0f);
}

// ---- Sequences --------------------------------------------------------------------------

SeqId PagedKvCache::addSequence() {
    const SeqId id = m_next_seq++;
    Sequence& s = m_seqs[id];
    s.layer_length.assign(std::size_t(m_n_layers), 0);
    s.layer_rows.assign(std::size_t(m_n_layers), 0);
    s.slot_rows.resize(std::size_t(m_n_layers));
    s.ring.assign(std::size_t(m_n_layers * ringBytes()), std::byte{0});
    return id;
}

std::int64_t PagedKvCache::attachPrefix(SeqId seq, std::span<const TokenId> prompt) {
    Sequence& s = seqRef(seq);
    KVSCOPE_EXPECTS(length(seq) == 0 && s.table.empty() && s.tokens.empty());
    if (prompt.empty()) return 0;
    // The last prompt token is always computed: its logits give the first sampled token.
    const PrefixMatch match = m_prefix.longestPrefix(prompt.first(prompt.size() - 1), m_block_size);
    for (BlockId block : match.blocks) {
        m_allocator.retain(block);  // a free cached block leaves the free queue (a hit)
        s.table.push(block);
    }
    const std::int64_t n_hit = std::int64_t(match.blocks.size()) * m_block_size;
    std::fill(s.layer_length.begin(), s.layer_length.end(), n_hit);
    std::fill(s.layer_rows.begin(), s.layer_rows.end(), n_hit);
    s.tokens.assign(prompt.begin(), prompt.begin() + n_hit);
    s.hashes = match.hashes;
    // With a residual, the last tokens of the prefix belong in it: they are decoded from the
    // cached blocks, and blocks left with no low token go back.
    for (std::int64_t l = 0; l < m_n_layers; ++l) {
        for (KvRole role : {KvRole::Key, KvRole::Value}) {
            const KvTierCodec& codec = role == KvRole::Key ? m_k_codec : m_v_codec;
            reenterTiered(codec, storage(s, l, role), codec.lowTokens(n_hit), n_hit);
        }
    }
    const std::int64_t n_full = lowInEveryLayer(s) / m_block_size;
    if (std::int64_t(s.hashes.size()) > n_full) s.hashes.resize(std::size_t(n_full));
    while (s.table.size() > blocksFor(n_hit))
        m_allocator.release(s.table.pop());
    return n_hit;
}

SeqId PagedKvCache::fork(SeqId seq) {
    const Sequence& parent = seqRef(seq);
    KVSCOPE_EXPECTS(std::ranges::all_of(
        parent.layer_length, [&](std::int64_t n) { return n == parent.layer_length[0]; }));
    for (BlockId block : parent.table.blocks())
        if (block != kNoBlock) m_allocator.retain(block);
    const SeqId id = m_next_seq++;
    m_seqs[id] = parent;  // same blocks, lengths, tokens and hashes
    return id;
}

void PagedKvCache::freeSequence(SeqId seq) {
    Sequence& s = seqRef(seq);
    while (!s.table.empty())
        if (const BlockId b = s.table.pop(); b != kNoBlock) m_allocator.release(b);
    m_seqs.erase(seq);
    if (m_current == seq) m_current = -1;
}

void PagedKvCache::truncate(SeqId seq, std::int64_t new_length) {
    Sequence& s = seqRef(seq);
    KVSCOPE_EXPECTS(new_length >= 0 && new_length <= length(seq));
    // Tokens re-entering the residual are decoded from their blocks before any block goes.
    for (std::int64_t l = 0; l < m_n_layers; ++l)
        cutLayer(s, l, new_length);
    if (new_length == 0) s.shareable = true;  // empty again: its blocks may be a prefix again
    if (std::int64_t(s.tokens.size()) > new_length) s.tokens.resize(std::size_t(new_length));
    const std::int64_t n_full = s.shareable ? lowInEveryLayer(s) / m_block_size : 0;
    if (std::int64_t(s.hashes.size()) > n_full) s.hashes.resize(std::size_t(n_full));
    // A block cut in the middle stays; the next write into it copies it if it is shared or
    // cached, so the bytes other holders see never change.
    fitBlocks(s);
}

void PagedKvCache::truncateLayer(std::int64_t layer, std::int64_t new_length) {
    Sequence& s = seqRef(m_current);
    KVSCOPE_EXPECTS(layer >= 0 && layer < m_n_layers);
    KVSCOPE_EXPECTS(new_length >= 0 && new_length <= s.layer_length[std::size_t(layer)]);
    cutLayer(s, layer, new_length);
    // The layer's rows no longer hold the sequence's tokens in order: nothing of it is a
    // shareable prefix any more.
    s.tokens.clear();
    s.hashes.clear();
    s.shareable = false;
    // A block goes back to the pool once no layer holds a row in it.
    fitBlocks(s);
}

void PagedKvCache::appendRows(SeqId seq, std::int64_t layer, std::int64_t pos, std::int64_t n,
                              const float* k, const float* v) {
    Sequence& s = seqRef(seq);
    KVSCOPE_EXPECTS(layer >= 0 && layer < m_n_layers);
    KVSCOPE_EXPECTS(pos == s.layer_length[std::size_t(layer)] && "append only");
    KVSCOPE_EXPECTS(n >= 0);
    if (n == 0) return;
    // Slot pos goes into the layer's next row (the same index unless evictions left holes).
    const std::int64_t slot = pos;
    pos = s.layer_rows[std::size_t(layer)];
    // Plan: every block this write takes from the pool, before anything changes.
    const std::int64_t needed = blocksToTake(s, pos, n);
    if (needed > m_allocator.nFree()) {
        throw InputError("paged KV cache: out of KV blocks: appending " + std::to_string(n) +
                         " positions needs " + std::to_string(needed) + " free blocks, " +
                         std::to_string(m_allocator.nFree()) + " of " +
                         std::to_string(m_allocator.nBlocks()) + " are free");
    }
    // Apply: new blocks, private copies of the blocks written into, then the bytes.
    const auto [first_written, end_written] = blocksWritten(pos, n);
    for (std::int64_t b = first_written; b < end_written; ++b) {
        if (b == s.table.size())
            s.table.push(newBlock());
        else if (s.table[b] == kNoBlock)  // released with holes, written again after an undo
            s.table.replace(b, newBlock());
        else if (mustCopy(s.table[b]))
            copyOnWrite(s, b);
    }
    if (m_spec.isPlainFp32()) {
        std::byte* base = storageBytes();
        for (std::int64_t i = 0; i < n;) {
            const std::int64_t p = pos + i, logical = p / m_block_size, row = p % m_block_size;
            const std::int64_t count = std::min(n - i, m_block_size - row);
            const std::int64_t offset =
                layerOffset(s.table[logical], layer) + row * m_kv_dim * std::int64_t(sizeof(float));
            const std::size_t bytes = std::size_t(count * m_kv_dim) * sizeof(float);
            std::memcpy(base + offset, k + i * m_kv_dim, bytes);
            std::memcpy(base + offset + m_k_block_bytes, v + i * m_kv_dim, bytes);
            i += count;
        }
    } else {
        appendTiered(m_k_codec, storage(s, layer, KvRole::Key), pos, n, k);
        appendTiered(m_v_codec, storage(s, layer, KvRole::Value), pos, n, v);
    }
    s.layer_length[std::size_t(layer)] = slot + n;
    s.layer_rows[std::size_t(layer)] = pos + n;
    bool holes = false;
    for (std::vector<std::int64_t>& rows : s.slot_rows[std::size_t(layer)]) {
        holes = true;
        for (std::int64_t i = 0; i < n; ++i)
            rows.push_back(pos + i);
    }
    // A unit that left the residual with every row evicted took a block no row holds.
    if (holes)
        for (std::int64_t b = first_written; b < end_written; ++b)
            releaseUnheld(s, b);
    registerFullBlocks(s);
}

void PagedKvCache::appendTokens(SeqId seq, std::span<const TokenId> tokens) {
    Sequence& s = seqRef(seq);
    KVSCOPE_EXPECTS(std::int64_t(s.tokens.size() + tokens.size()) <= length(seq));
    s.tokens.insert(s.tokens.end(), tokens.begin(), tokens.end());
    registerFullBlocks(s);
}

void PagedKvCache::append(SeqId seq, std::span<const TokenId> tokens, const float* k,
                          const float* v) {
    const std::int64_t pos = length(seq), n = std::int64_t(tokens.size());
    KVSCOPE_EXPECTS(layerLength(seq, m_n_layers - 1) == pos && "layers must not lag");
    KVSCOPE_EXPECTS(layerRows(seq, m_n_layers - 1) == layerRows(seq, 0));
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
    KVSCOPE_EXPECTS(layer >= 0 && layer < m_n_layers);
    return seqRef(seq).layer_length[std::size_t(layer)];
}

const BlockTable& PagedKvCache::blockTable(SeqId seq) const {
    return seqRef(seq).table;
}

const std::vector<TokenId>& PagedKvCache::tokens(SeqId seq) const {
    return seqRef(seq).tokens;
}

std::int64_t PagedKvCache::layerRows(SeqId seq, std::int64_t layer) const {
    KVSCOPE_EXPECTS(layer >= 0 && layer < m_n_layers);
    return seqRef(seq).layer_rows[std::size_t(layer)];
}

bool PagedKvCache::slotsAreRows(SeqId seq) const {
    const Sequence& s = seqRef(seq);
    return std::all_of(s.slot_rows.begin(), s.slot_rows.end(),
                       [](const auto& rows) { return rows.empty(); });
}

void PagedKvCache::collectRuns(SeqId seq, std::int64_t layer, std::vector<KvRun>& out) const {
    const Sequence& s = seqRef(seq);
    KVSCOPE_EXPECTS(layer >= 0 && layer < m_n_layers);
    out.clear();
    const std::int64_t n = s.layer_length[std::size_t(layer)];
    if (n == 0) return;
    const std::vector<std::vector<std::int64_t>>& rows = s.slot_rows[std::size_t(layer)];
    if (!m_spec.isPlainFp32() && rows.empty()) {  // every row held: decoded in order
        m_scratch_k.resize(std::size_t(n * m_kv_dim));
        m_scratch_v.resize(std::size_t(n * m_kv_dim));
        decodeTiered(m_k_codec, storage(s, layer, KvRole::Key), n, m_scratch_k.data());
        decodeTiered(m_v_codec, storage(s, layer, KvRole::Value), n, m_scratch_v.data());
        out.push_back(KvRun{0, n, m_scratch_k.data(), m_scratch_v.data()});
        return;
    }
    if (!m_spec.isPlainFp32() || rows.size() > 1) {
        // Encoded rows with holes, or KV heads holding different rows: only the held rows,
        // decoded (copied) head group by head group into the scratch buffer.
        const std::int64_t n_groups = std::int64_t(rows.size()), width = m_kv_dim / n_groups;
        m_scratch_k.resize(std::size_t(n * m_kv_dim));
        m_scratch_v.resize(std::size_t(n * m_kv_dim));
        std::vector<float> row_k(static_cast<std::size_t>(m_kv_dim)), row_v(row_k.size());
        DecodedUnit unit_k, unit_v;
        for (std::int64_t g = 0; g < n_groups; ++g) {
            for (std::int64_t i = 0; i < n; ++i) {
                const std::int64_t row = rows[std::size_t(g)][std::size_t(i)];
                decodeRow(s, layer, row, KvRole::Key, row_k.data(), unit_k);
                decodeRow(s, layer, row, KvRole::Value, row_v.data(), unit_v);
                std::copy_n(row_k.data() + g * width, width,
                            m_scratch_k.data() + i * m_kv_dim + g * width);
                std::copy_n(row_v.data() + g * width, width,
                            m_scratch_v.data() + i * m_kv_dim + g * width);
            }
        }
        out.push_back(KvRun{0, n, m_scratch_k.data(), m_scratch_v.data()});
        return;
    }
    if (rows.size() == 1) {  // runs of adjacent held rows inside one block, in slot order
        const std::vector<std::int64_t>& r = rows[0];
        std::int64_t i = 0;
        while (i < n) {
            std::int64_t j = i + 1;
            while (j < n && r[std::size_t(j)] == r[std::size_t(j - 1)] + 1 &&
                   r[std::size_t(j)] % m_block_size != 0)
                ++j;
            const auto* at =
                reinterpret_cast<const float*>(lowUnit(s, layer, r[std::size_t(i)], KvRole::Key));
            out.push_back(KvRun{i, j - i, at, at + m_k_block_bytes / std::int64_t(sizeof(float))});
            i = j;
        }
        return;
    }
    const std::byte* base = storageBytes();
    for (std::int64_t first = 0, b = 0; first < n; first += m_block_size, ++b) {
        const std::byte* block = base + layerOffset(s.table[b], layer);
        out.push_back(KvRun{first, std::min(m_block_size, n - first),
                            reinterpret_cast<const float*>(block),
                            reinterpret_cast<const float*>(block + m_k_block_bytes)});
    }
}

std::int64_t PagedKvCache::blocksNeeded(SeqId seq, std::int64_t n) const {
    const Sequence& s = seqRef(seq);
    const std::int64_t rows = *std::min_element(s.layer_rows.begin(), s.layer_rows.end());
    return n > 0 ? blocksToTake(s, rows, n)
                 : std::max<std::int64_t>(0, blocksFor(rows) - s.table.size());
}

std::int64_t PagedKvCache::blocksFor(std::int64_t n) const {
    return ceilDiv(std::max(m_k_codec.lowTokens(n), m_v_codec.lowTokens(n)), m_block_size);
}

std::int64_t PagedKvCache::blockBytes() const {
    return m_n_layers * (m_k_block_bytes + m_v_block_bytes);
}

// ---- KvCache ----------------------------------------------------------------------------

void PagedKvCache::setCurrent(SeqId seq) {
    KVSCOPE_EXPECTS(hasSequence(seq));
    m_current = seq;
}

std::int64_t PagedKvCache::kBytesUsed(std::int64_t layer) const {
    return m_k_codec.bytesUsed(layerLength(layer));
}

std::int64_t PagedKvCache::vBytesUsed(std::int64_t layer) const {
    return m_v_codec.bytesUsed(layerLength(layer));
}

std::int64_t PagedKvCache::bytesAllocated([[maybe_unused]] std::int64_t layer) const {
    KVSCOPE_EXPECTS(layer >= 0 && layer < m_n_layers);
    return seqRef(m_current).table.nHeld() * (m_k_block_bytes + m_v_block_bytes) + ringBytes();
}

// ---- Private ----------------------------------------------------------------------------

PagedKvCache::Sequence& PagedKvCache::seqRef(SeqId seq) {
    const auto it = m_seqs.find(seq);
    KVSCOPE_EXPECTS(it != m_seqs.end() && "no such sequence");
    return it->second;
}

const PagedKvCache::Sequence& PagedKvCache::seqRef(SeqId seq) const {
    const auto it = m_seqs.find(seq);
    KVSCOPE_EXPECTS(it != m_seqs.end() && "no such sequence");
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
    std::byte* base = storageBytes();
    std::memcpy(base + layerOffset(to, 0), base + layerOffset(from, 0), std::size_t(blockBytes()));
    s.table.replace(logical, to);
    m_allocator.release(from);
}

void PagedKvCache::registerFullBlocks(Sequence& s) {
    if (!s.shareable) return;
    const std::int64_t known = std::min(lowInEveryLayer(s), std::int64_t(s.tokens.size()));
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
            KVSCOPE_EXPECTS(m_allocator.hashOf(block) == hash);
        }
        s.hashes.push_back(hash);
    }
}

std::int64_t PagedKvCache::layerOffset(BlockId block, std::int64_t layer) const {
    return (block * m_n_layers + layer) * (m_k_block_bytes + m_v_block_bytes);
}

std::byte* PagedKvCache::storageBytes() const {
    // The cache hands out writable views from const reads only to its own tier helpers.
    return reinterpret_cast<std::byte*>(const_cast<float*>(m_storage.data()));
}

KvTierStorage PagedKvCache::storage(const Sequence& s, std::int64_t layer, KvRole role) const {
    const bool key = role == KvRole::Key;
    std::byte* ring = s.ring.empty() ? nullptr
                                     : const_cast<std::byte*>(s.ring.data()) + layer * ringBytes() +
                                           (key ? 0 : m_k_ring_bytes);
    return KvTierStorage{
        .low = [this, &s, layer, role](std::int64_t u) { return lowUnit(s, layer, u, role); },
        .ring = ring,
        .ring_slots = codecOf(role).residualSlots()};
}

std::byte* PagedKvCache::lowUnit(const Sequence& s, std::int64_t layer, std::int64_t unit,
                                 KvRole role) const {
    const bool key = role == KvRole::Key;
    const KvTierCodec& codec = codecOf(role);
    const std::int64_t units_per_block = m_block_size / codec.unitTokens();
    const BlockId block = s.table[unit / units_per_block];
    if (block == kNoBlock) return nullptr;
    return storageBytes() + layerOffset(block, layer) + (key ? 0 : m_k_block_bytes) +
           (unit % units_per_block) * codec.unitBytes();
}

std::int64_t PagedKvCache::lowInEveryLayer(const Sequence& s) const {
    const std::int64_t rows = *std::min_element(s.layer_length.begin(), s.layer_length.end());
    return std::min(m_k_codec.lowTokens(rows), m_v_codec.lowTokens(rows));
}

std::int64_t PagedKvCache::blocksToTake(const Sequence& s, std::int64_t pos, std::int64_t n) const {
    const auto [first, end] = blocksWritten(pos, n);
    std::int64_t needed = std::max<std::int64_t>(0, end - s.table.size());
    for (std::int64_t b = first; b < std::min(end, s.table.size()); ++b)
        needed += s.table[b] == kNoBlock || mustCopy(s.table[b]) ? 1 : 0;
    return needed;
}

std::pair<std::int64_t, std::int64_t> PagedKvCache::blocksWritten(std::int64_t pos,
                                                                  std::int64_t n) const {
    std::int64_t first = std::numeric_limits<std::int64_t>::max(), end = 0;
    for (const KvTierCodec* codec : {&m_k_codec, &m_v_codec}) {
        const std::int64_t from = codec->lowTokens(pos), to = codec->lowTokens(pos + n);
        if (from == to) continue;  // no token of this role ages into a block
        first = std::min(first, from / m_block_size);
        end = std::max(end, ceilDiv(to, m_block_size));
    }
    return end == 0 ? std::pair<std::int64_t, std::int64_t>{0, 0}
                    : std::pair<std::int64_t, std::int64_t>{first, end};
}

void PagedKvCache::cutLayer(Sequence& s, std::int64_t layer, std::int64_t new_length) {
    const std::size_t l = std::size_t(layer);
    const std::int64_t held = s.layer_length[l];
    KVSCOPE_EXPECTS(new_length >= 0 && new_length <= held);
    std::vector<std::vector<std::int64_t>>& rows = s.slot_rows[l];
    std::int64_t new_rows = new_length;
    if (!rows.empty() && new_length < held) {  // holes: rows from the first slot cut go
        new_rows = s.layer_rows[l];
        for (std::vector<std::int64_t>& r : rows) {
            new_rows = std::min(new_rows, r[std::size_t(new_length)]);
            r.resize(std::size_t(new_length));
        }
    } else if (!rows.empty()) {
        new_rows = s.layer_rows[l];
    }
    cutRows(s, layer, new_rows);
    s.layer_length[l] = new_length;
    if (new_length == 0) {
        rows.clear();
        cutRows(s, layer, 0);
    }
}

void PagedKvCache::cutRows(Sequence& s, std::int64_t layer, std::int64_t new_rows) {
    const std::int64_t rows = s.layer_rows[std::size_t(layer)];
    KVSCOPE_EXPECTS(new_rows >= 0 && new_rows <= rows);
    // Rows that re-enter the residual are decoded from their low units first.
    truncateTiered(m_k_codec, storage(s, layer, KvRole::Key), rows, new_rows);
    truncateTiered(m_v_codec, storage(s, layer, KvRole::Value), rows, new_rows);
    s.layer_rows[std::size_t(layer)] = new_rows;
}

}  // namespace kvscope
