// PagedKvCache under eviction: holes (paged_kv_cache.h, "Eviction"). One rule for every KV
// precision: row r of a layer holds the r-th position appended to it and never moves; an evicted
// row is a hole; a block goes back to the pool once every layer's low tail has passed it and no
// layer (no KV head) holds a row of it.
//
// Rows in a residual (a mixed window `+wN`, kivi2's fp16 window and its keys waiting for their
// group of 32 tokens) follow the same rule by row: ring slot r % slots holds row r, and a row
// leaves the ring for its low unit when the layer's tail makes it old enough (kv_tier.h), evicted
// or not. An evicted row's ring slot simply stays unused until row r + slots takes it (by then r
// has left the ring). A kivi2 key group of 32 rows is one quantization unit: when it leaves the
// ring it is quantized from the ring's bytes of all 32 rows, the evicted ones as they were (they
// are still stored), so every kept row of it gets the bytes it would have without eviction (the
// group's scale and zero point do not depend on which rows a policy dropped); zeroing the evicted
// rows instead would move the group's range and re-quantize the kept rows. An evicted row inside
// a quantized group stays a hole: its bytes are part of the group.
#include <algorithm>
#include <cstring>
#include <string>

#include "core/cache/paged_kv_cache.h"
#include "core/util/check.h"
#include "core/util/error.h"

namespace kvscope {

void PagedKvCache::compactLayer(std::int64_t layer,
                                const std::vector<std::vector<std::int64_t>>& keep,
                                const KeptKeysFn& kept_keys) {
    Sequence& s = seqRef(m_current);
    KVSCOPE_EXPECTS(layer >= 0 && layer < m_n_layers && !keep.empty());
    const std::int64_t n_groups = std::int64_t(keep.size());
    const std::int64_t n = s.layer_length[std::size_t(layer)];
    std::vector<std::vector<std::int64_t>>& rows = s.slot_rows[std::size_t(layer)];
    if (rows.empty()) {  // slot i holds row i
        std::vector<std::int64_t> all(static_cast<std::size_t>(n));
        for (std::int64_t i = 0; i < n; ++i)
            all[std::size_t(i)] = i;
        rows.assign(std::size_t(n_groups), all);
    } else if (std::int64_t(rows.size()) != n_groups) {  // one shared group, now per head
        KVSCOPE_EXPECTS(rows.size() == 1);
        rows.assign(std::size_t(n_groups), rows[0]);
    }
    std::vector<std::vector<std::int64_t>> kept_rows(static_cast<std::size_t>(n_groups));
    std::vector<std::int64_t> emptied;  // blocks of the rows this layer drops (candidates)
    for (std::int64_t g = 0; g < n_groups; ++g) {
        const std::vector<std::int64_t>& ks = keep[std::size_t(g)];
        const std::vector<std::int64_t>& old = rows[std::size_t(g)];
        KVSCOPE_EXPECTS(ks.size() == keep[0].size());
        std::size_t next = 0;
        for (std::int64_t slot = 0; slot < n; ++slot) {
            if (next < ks.size() && ks[next] == slot) {
                kept_rows[std::size_t(g)].push_back(old[std::size_t(slot)]);
                ++next;
            } else if (const std::int64_t b = old[std::size_t(slot)] / m_block_size;
                       emptied.empty() || emptied.back() != b) {
                emptied.push_back(b);
            }
        }
        KVSCOPE_EXPECTS(next == ks.size() && "kept slots ascending and < layerLength");
    }
    if (kept_keys) rotateKeptKeys(s, layer, keep, kept_rows, kept_keys);
    // One group when every KV head keeps the same rows.
    if (std::all_of(kept_rows.begin(), kept_rows.end(),
                    [&](const std::vector<std::int64_t>& r) { return r == kept_rows[0]; }))
        kept_rows.resize(1);
    rows = std::move(kept_rows);
    s.layer_length[std::size_t(layer)] = std::int64_t(keep[0].size());
    s.tokens.clear();
    s.hashes.clear();
    s.shareable = false;
    // Only a block this layer dropped a row of can have become empty.
    std::sort(emptied.begin(), emptied.end());
    emptied.erase(std::unique(emptied.begin(), emptied.end()), emptied.end());
    for (std::int64_t b : emptied)
        releaseUnheld(s, b);
}

void PagedKvCache::rotateKeptKeys(Sequence& s, std::int64_t layer,
                                  const std::vector<std::vector<std::int64_t>>& keep,
                                  const std::vector<std::vector<std::int64_t>>& kept_rows,
                                  const KeptKeysFn& kept_keys) {
    // Every run of kept rows adjacent in one block, decoded and rotated in a copy; only the heads
    // of a row it changed are written back (its block copied first if shared or cached): a row
    // in the ring or a one-token unit alone, a kivi2 key group whole (a rotated row moves the
    // group's range, so its other rows are quantized again, as the contiguous layout does).
    const std::int64_t n_groups = std::int64_t(keep.size()), width = m_kv_dim / n_groups;
    std::vector<RowWrite> writes;
    std::vector<float> copy, before;  // [run][kv_dim] decoded
    DecodedUnit unit;
    for (std::int64_t g = 0; g < n_groups; ++g) {
        const std::vector<std::int64_t>& kr = kept_rows[std::size_t(g)];
        const std::vector<std::int64_t>& ks = keep[std::size_t(g)];
        std::size_t i = 0;
        while (i < kr.size()) {
            std::size_t j = i + 1;
            while (j < kr.size() && kr[j] == kr[j - 1] + 1 && ks[j] == ks[j - 1] + 1 &&
                   kr[j] % m_block_size != 0)
                ++j;
            const std::int64_t m = std::int64_t(j - i);
            copy.resize(std::size_t(m * m_kv_dim));
            for (std::int64_t t = 0; t < m; ++t)
                decodeRow(s, layer, kr[i] + t, KvRole::Key, copy.data() + t * m_kv_dim, unit);
            before = copy;
            kept_keys(copy.data() + g * width, m, g, std::int64_t(i), ks[i]);
            for (std::int64_t t = 0; t < m; ++t) {
                const float* now = copy.data() + t * m_kv_dim;
                if (std::memcmp(now + g * width, before.data() + t * m_kv_dim + g * width,
                                std::size_t(width) * sizeof(float)) != 0)
                    writes.push_back({kr[i] + t, g, std::vector<float>(now, now + m_kv_dim)});
            }
            i = j;
        }
    }
    prepareWrites(s, layer, writes, {}, "re-rotating kept keys");
    applyWrites(s, layer, KvRole::Key, writes, n_groups);
}

void PagedKvCache::restoreLayer(std::int64_t layer,
                                const std::vector<std::vector<std::int64_t>>& positions,
                                std::int64_t end, std::int64_t n, const float* k, const float* v) {
    Sequence& s = seqRef(m_current);
    KVSCOPE_EXPECTS(layer >= 0 && layer < m_n_layers && !positions.empty());
    KVSCOPE_EXPECTS(end <= s.layer_rows[std::size_t(layer)]);
    const std::int64_t n_groups = std::int64_t(positions.size()), width = m_kv_dim / n_groups;
    // The rows appended from `end` on go first (rows re-entering a residual are decoded from
    // their units; blocks past every layer's tail go with them).
    std::vector<std::vector<std::int64_t>>& rows = s.slot_rows[std::size_t(layer)];
    for (std::vector<std::int64_t>& r : rows)
        r.erase(std::lower_bound(r.begin(), r.end(), end), r.end());
    cutRows(s, layer, end);
    s.layer_length[std::size_t(layer)] = rows.empty()
                                             ? std::min(end, s.layer_length[std::size_t(layer)])
                                             : std::int64_t(rows[0].size());
    fitBlocks(s);
    // Plan: a block again for every released block a row goes back into, and (at most) a copy
    // of every shared or cached block a row lives in; InputError before any change.
    const std::int64_t low = std::min(m_k_codec.lowTokens(end), m_v_codec.lowTokens(end));
    std::vector<std::int64_t> taken, shared;  // logical blocks
    for (const std::vector<std::int64_t>& group : positions) {
        for (std::int64_t r : group) {
            const std::int64_t b = r / m_block_size;
            if (r >= low) continue;  // in the rings (a role still low is in a held block)
            std::vector<std::int64_t>& list = s.table[b] == kNoBlock ? taken : shared;
            if ((s.table[b] == kNoBlock || mustCopy(s.table[b])) &&
                std::find(list.begin(), list.end(), b) == list.end())
                list.push_back(b);
        }
    }
    if (std::int64_t(taken.size() + shared.size()) > m_allocator.nFree()) {
        throw InputError("paged KV cache: out of KV blocks: undoing an eviction takes " +
                         std::to_string(taken.size() + shared.size()) + " blocks, " +
                         std::to_string(m_allocator.nFree()) + " are free");
    }
    for (std::int64_t b : taken)
        takeBack(s, b);
    // A row is written back when its decoded K or V heads of the group differ from the ones to
    // restore (a row still held, an evicted row whose block and ring slot stayed, or a block
    // taken back untouched, keeps its bytes).
    std::vector<float> row(static_cast<std::size_t>(m_kv_dim));  // [kv_dim]
    std::vector<RowWrite> k_writes, v_writes;
    DecodedUnit k_unit, v_unit;
    const auto check = [&](std::int64_t r, std::int64_t g, const float* want, KvRole role,
                           DecodedUnit& unit, std::vector<RowWrite>& writes) {
        decodeRow(s, layer, r, role, row.data(), unit);
        if (std::memcmp(row.data() + g * width, want + g * width,
                        std::size_t(width) * sizeof(float)) != 0)
            writes.push_back({r, g, std::vector<float>(want, want + m_kv_dim)});
    };
    for (std::int64_t g = 0; g < n_groups; ++g) {
        KVSCOPE_EXPECTS(std::int64_t(positions[std::size_t(g)].size()) == n);
        for (std::int64_t i = 0; i < n; ++i) {
            const std::int64_t r = positions[std::size_t(g)][std::size_t(i)];
            KVSCOPE_EXPECTS(r >= 0 && r < end);
            check(r, g, k + i * m_kv_dim, KvRole::Key, k_unit, k_writes);
            check(r, g, v + i * m_kv_dim, KvRole::Value, v_unit, v_writes);
        }
    }
    prepareWrites(s, layer, k_writes, v_writes, "undoing an eviction");
    applyWrites(s, layer, KvRole::Key, k_writes, n_groups);
    applyWrites(s, layer, KvRole::Value, v_writes, n_groups);
    std::vector<std::vector<std::int64_t>> held = positions;
    if (std::all_of(held.begin(), held.end(),
                    [&](const std::vector<std::int64_t>& r) { return r == held[0]; }))
        held.resize(1);
    const bool identity = held.size() == 1 && n == end &&
                          (n == 0 || (held[0].front() == 0 && held[0].back() == n - 1));
    rows = identity ? std::vector<std::vector<std::int64_t>>() : std::move(held);
    s.layer_length[std::size_t(layer)] = n;
    fitBlocks(s);
}

std::int64_t PagedKvCache::holes(SeqId seq, std::int64_t layer) const {
    const Sequence& s = seqRef(seq);
    KVSCOPE_EXPECTS(layer >= 0 && layer < m_n_layers);
    const std::vector<std::vector<std::int64_t>>& rows = s.slot_rows[std::size_t(layer)];
    if (rows.empty()) return 0;
    // Rows below the tail whose bytes are allocated: in a block the sequence holds, or past the
    // blocks (in the residual rings).
    const std::int64_t tail = s.layer_rows[std::size_t(layer)];
    std::int64_t allocated = 0;
    for (std::int64_t b = 0; b * m_block_size < tail; ++b)
        if (b >= s.table.size() || s.table[b] != kNoBlock)
            allocated += std::min(m_block_size, tail - b * m_block_size);
    if (rows.size() == 1) return allocated - std::int64_t(rows[0].size());
    std::vector<std::int64_t> held;  // rows some KV head holds
    for (const std::vector<std::int64_t>& r : rows)
        held.insert(held.end(), r.begin(), r.end());
    std::sort(held.begin(), held.end());
    return allocated - std::int64_t(std::unique(held.begin(), held.end()) - held.begin());
}

void PagedKvCache::fitBlocks(Sequence& s) {
    const std::int64_t longest = *std::max_element(s.layer_rows.begin(), s.layer_rows.end());
    while (s.table.size() > blocksFor(longest))
        if (const BlockId b = s.table.pop(); b != kNoBlock) m_allocator.release(b);
    const bool any_holes = std::any_of(s.slot_rows.begin(), s.slot_rows.end(),
                                       [](const auto& rows) { return !rows.empty(); });
    if (!any_holes) return;
    for (std::int64_t b = 0; b < std::min(lowTail(s) / m_block_size, s.table.size()); ++b)
        releaseUnheld(s, b);
}

void PagedKvCache::releaseUnheld(Sequence& s, std::int64_t block) {
    if (block >= s.table.size() || s.table[block] == kNoBlock) return;
    if ((block + 1) * m_block_size > lowTail(s)) return;  // a layer still writes into it
    for (std::int64_t l = 0; l < m_n_layers; ++l)
        if (holdsRowIn(s, l, block)) return;
    const BlockId id = s.table[block];
    m_allocator.release(id);  // a shared or cached block stays for its other holders
    s.table.replace(block, kNoBlock);
    if (m_allocator.isFree(id)) s.released[block] = {id, m_allocator.handedOut(id)};
}

void PagedKvCache::takeBack(Sequence& s, std::int64_t block) {
    KVSCOPE_EXPECTS(s.table[block] == kNoBlock);
    const auto it = s.released.find(block);
    if (it != s.released.end() && m_allocator.isFree(it->second.first) &&
        m_allocator.handedOut(it->second.first) == it->second.second) {
        m_allocator.reclaim(it->second.first);
        s.table.replace(block, it->second.first);
    } else {  // zeroed: a group's rows nobody restores decode to 0
        const BlockId id = newBlock();
        std::memset(storageBytes() + layerOffset(id, 0), 0, std::size_t(blockBytes()));
        s.table.replace(block, id);
    }
    if (it != s.released.end()) s.released.erase(it);
}

std::int64_t PagedKvCache::lowTail(const Sequence& s) const {
    std::int64_t tail = *std::min_element(s.layer_rows.begin(), s.layer_rows.end());
    return std::min(m_k_codec.lowTokens(tail), m_v_codec.lowTokens(tail));
}

bool PagedKvCache::holdsRowIn(const Sequence& s, std::int64_t layer, std::int64_t block) const {
    const std::vector<std::vector<std::int64_t>>& rows = s.slot_rows[std::size_t(layer)];
    if (rows.empty()) return block * m_block_size < s.layer_rows[std::size_t(layer)];
    for (const std::vector<std::int64_t>& r : rows) {
        const auto it = std::lower_bound(r.begin(), r.end(), block * m_block_size);
        if (it != r.end() && *it < (block + 1) * m_block_size) return true;
    }
    return false;
}

std::byte* PagedKvCache::ringRow(const Sequence& s, std::int64_t layer, std::int64_t row,
                                 KvRole role) const {
    const bool key = role == KvRole::Key;
    const KvTierCodec& codec = codecOf(role);
    KVSCOPE_EXPECTS(codec.residualSlots() > 0);
    auto* ring = const_cast<std::byte*>(s.ring.data());  // the cache's own scratch of its bytes
    return ring + layer * ringBytes() + (key ? 0 : m_k_ring_bytes) +
           (row % codec.residualSlots()) * codec.residualRowBytes();
}

void PagedKvCache::decodeRow(const Sequence& s, std::int64_t layer, std::int64_t row, KvRole role,
                             float* out, DecodedUnit& unit) const {
    const KvTierCodec& codec = codecOf(role);
    if (row >= codec.lowTokens(s.layer_rows[std::size_t(layer)])) {
        codec.decodeResidual(ringRow(s, layer, row, role), out);
        return;
    }
    const std::int64_t tokens = codec.unitTokens(), u = row / tokens;
    const std::byte* bytes = lowUnit(s, layer, u, role);
    KVSCOPE_EXPECTS(bytes && "a held row lives in a held block");
    if (tokens == 1) {
        codec.decodeLow(bytes, out);
        return;
    }
    if (unit.bytes != bytes) {  // a group along tokens: decoded once for its rows
        unit.rows.resize(std::size_t(tokens * m_kv_dim));
        codec.decodeLow(bytes, unit.rows.data());
        unit.bytes = bytes;
    }
    std::copy_n(unit.rows.data() + (row - u * tokens) * m_kv_dim, m_kv_dim, out);
}

void PagedKvCache::prepareWrites(Sequence& s, std::int64_t layer,
                                 const std::vector<RowWrite>& k_writes,
                                 const std::vector<RowWrite>& v_writes, const char* what) {
    std::vector<std::int64_t> copied;  // logical blocks
    const auto plan = [&](const std::vector<RowWrite>& writes, KvRole role) {
        const std::int64_t low = codecOf(role).lowTokens(s.layer_rows[std::size_t(layer)]);
        for (const RowWrite& w : writes) {
            if (w.row >= low) continue;  // in the ring
            const std::int64_t b = w.row / m_block_size;
            KVSCOPE_EXPECTS(s.table[b] != kNoBlock);
            if (mustCopy(s.table[b]) && std::find(copied.begin(), copied.end(), b) == copied.end())
                copied.push_back(b);
        }
    };
    plan(k_writes, KvRole::Key);
    plan(v_writes, KvRole::Value);
    if (std::int64_t(copied.size()) > m_allocator.nFree()) {
        throw InputError("paged KV cache: out of KV blocks: " + std::string(what) + " copies " +
                         std::to_string(copied.size()) + " shared blocks, " +
                         std::to_string(m_allocator.nFree()) + " are free");
    }
    for (std::int64_t b : copied)
        copyOnWrite(s, b);
}

void PagedKvCache::applyWrites(Sequence& s, std::int64_t layer, KvRole role,
                               std::vector<RowWrite>& writes, std::int64_t n_groups) {
    const KvTierCodec& codec = codecOf(role);
    const std::int64_t tokens = codec.unitTokens(), width = m_kv_dim / n_groups;
    const std::int64_t low = codec.lowTokens(s.layer_rows[std::size_t(layer)]);
    std::stable_sort(writes.begin(), writes.end(),
                     [](const RowWrite& a, const RowWrite& b) { return a.row < b.row; });
    std::vector<float> unit_rows;  // [unitTokens][kv_dim] a kivi2 key group, decoded
    std::vector<char> touched;     // [n_groups] head groups written into that unit
    for (std::size_t i = 0; i < writes.size();) {
        const RowWrite& w = writes[i];
        if (w.row >= low) {
            codec.encodeResidualGroup(w.values.data(), w.group, n_groups,
                                      ringRow(s, layer, w.row, role));
            ++i;
            continue;
        }
        const std::int64_t u = w.row / tokens;
        std::byte* bytes = lowUnit(s, layer, u, role);
        KVSCOPE_EXPECTS(bytes && "prepareWrites took the block");
        if (tokens == 1) {
            codec.encodeGroup(w.values.data(), w.group, n_groups,
                              bytes + codec.groupBytes(w.group, n_groups).first);
            ++i;
            continue;
        }
        // Every write into this group of tokens, then each head group written encoded once.
        unit_rows.resize(std::size_t(tokens * m_kv_dim));
        codec.decodeLow(bytes, unit_rows.data());
        touched.assign(std::size_t(n_groups), 0);
        for (; i < writes.size() && writes[i].row < low && writes[i].row / tokens == u; ++i) {
            const RowWrite& x = writes[i];
            std::copy_n(x.values.data() + x.group * width, width,
                        unit_rows.data() + (x.row - u * tokens) * m_kv_dim + x.group * width);
            touched[std::size_t(x.group)] = 1;
        }
        for (std::int64_t g = 0; g < n_groups; ++g)
            if (touched[std::size_t(g)])
                codec.encodeGroup(unit_rows.data(), g, n_groups,
                                  bytes + codec.groupBytes(g, n_groups).first);
    }
}

}  // namespace kvscope
