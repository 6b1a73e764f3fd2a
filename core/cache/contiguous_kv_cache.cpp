#include "core/cache/contiguous_kv_cache.h"

#include <algorithm>
#include <cstring>
#include <string>

#include "core/util/check.h"
#include "core/util/checked_math.h"
#include "core/util/error.h"

namespace kvscope {

namespace {

std::int64_t checkedSizes(std::int64_t n_layers, std::int64_t n_kv_heads, std::int64_t head_dim,
                          std::int64_t capacity) {
    if (n_layers <= 0 || n_kv_heads <= 0 || head_dim <= 0 || capacity <= 0) {
        throw InputError("KV cache: n_layers, kv_dim and capacity must be > 0 (got " +
                         std::to_string(n_layers) + ", " + std::to_string(n_kv_heads * head_dim) +
                         ", " + std::to_string(capacity) + ")");
    }
    return checkedMul(n_kv_heads, head_dim, "KV cache kv_dim");
}

}  // namespace

ContiguousKvCache::ContiguousKvCache(std::int64_t n_layers, std::int64_t kv_dim,
                                     std::int64_t capacity)
    : ContiguousKvCache(n_layers, 1, kv_dim, capacity, KvCacheSpec{}) {}

ContiguousKvCache::ContiguousKvCache(std::int64_t n_layers, std::int64_t n_kv_heads,
                                     std::int64_t head_dim, std::int64_t capacity,
                                     const KvCacheSpec& spec)
    : m_n_layers(n_layers),
      m_kv_dim(checkedSizes(n_layers, n_kv_heads, head_dim, capacity)),
      m_capacity(capacity),
      m_spec(spec),
      m_k_codec((checkKvCacheSpec(spec, "KV cache"), spec.keyFormat()), KvRole::Key, n_kv_heads,
                head_dim),
      m_v_codec(spec.valueFormat(), KvRole::Value, n_kv_heads, head_dim) {
    const char* what = "KV cache bytes";
    m_k_ring_slots = std::min(capacity, m_k_codec.residualSlots());
    m_v_ring_slots = std::min(capacity, m_v_codec.residualSlots());
    const auto lowBytes = [&](const KvTierCodec& c) {
        return checkedMul(c.lowTokens(capacity) / c.unitTokens(), c.unitBytes(), what);
    };
    m_k_low_bytes = lowBytes(m_k_codec);
    m_v_low_bytes = lowBytes(m_v_codec);
    m_k_ring_bytes = checkedMul(m_k_ring_slots, m_k_codec.residualRowBytes(), what);
    m_v_ring_bytes = checkedMul(m_v_ring_slots, m_v_codec.residualRowBytes(), what);
    m_layer_bytes = checkedAdd(checkedAdd(m_k_low_bytes, m_k_ring_bytes, what),
                               checkedAdd(m_v_low_bytes, m_v_ring_bytes, what), what);
    const std::int64_t total = checkedMul(m_layer_bytes, n_layers, what);
    m_layer_length.assign(std::size_t(n_layers), 0);
    m_storage.assign(std::size_t((total + 3) / 4), 0.0f);
}

std::int64_t ContiguousKvCache::length() const {
    return *std::min_element(m_layer_length.begin(), m_layer_length.end());
}

std::byte* ContiguousKvCache::layerBytes(std::int64_t layer) const {
    // The cache hands out writable views from const reads only to its own tier helpers.
    auto* base = reinterpret_cast<std::byte*>(const_cast<float*>(m_storage.data()));
    return base + layer * m_layer_bytes;
}

KvTierStorage ContiguousKvCache::storage(std::int64_t layer, KvRole role) const {
    std::byte* base = layerBytes(layer);
    const bool key = role == KvRole::Key;
    std::byte* low = key ? base : base + m_k_low_bytes + m_k_ring_bytes;
    const std::int64_t unit_bytes = key ? m_k_codec.unitBytes() : m_v_codec.unitBytes();
    return KvTierStorage{.low = [low, unit_bytes](std::int64_t u) { return low + u * unit_bytes; },
                         .ring = low + (key ? m_k_low_bytes : m_v_low_bytes),
                         .ring_slots = key ? m_k_ring_slots : m_v_ring_slots};
}

void ContiguousKvCache::append(std::int64_t layer, std::int64_t pos, std::int64_t n, const float* k,
                               const float* v) {
    KVSCOPE_EXPECTS(layer >= 0 && layer < m_n_layers);
    KVSCOPE_EXPECTS(pos == m_layer_length[std::size_t(layer)] && "append only");
    KVSCOPE_EXPECTS(n >= 0 && pos + n <= m_capacity);
    if (m_spec.isPlainFp32()) {
        std::byte* base = layerBytes(layer);
        const std::size_t offset = std::size_t(pos * m_kv_dim) * sizeof(float);
        const std::size_t bytes = std::size_t(n * m_kv_dim) * sizeof(float);
        std::memcpy(base + offset, k, bytes);
        std::memcpy(base + m_k_low_bytes + offset, v, bytes);
    } else {
        appendTiered(m_k_codec, storage(layer, KvRole::Key), pos, n, k);
        appendTiered(m_v_codec, storage(layer, KvRole::Value), pos, n, v);
    }
    m_layer_length[std::size_t(layer)] = pos + n;
}

void ContiguousKvCache::collectRuns(std::int64_t layer, std::vector<KvRun>& out) const {
    KVSCOPE_EXPECTS(layer >= 0 && layer < m_n_layers);
    out.clear();
    const std::int64_t n = m_layer_length[std::size_t(layer)];
    if (n == 0) return;
    if (m_spec.isPlainFp32()) {
        const std::byte* base = layerBytes(layer);
        out.push_back(KvRun{0, n, reinterpret_cast<const float*>(base),
                            reinterpret_cast<const float*>(base + m_k_low_bytes)});
        return;
    }
    m_scratch_k.resize(std::size_t(n * m_kv_dim));
    m_scratch_v.resize(std::size_t(n * m_kv_dim));
    decodeTiered(m_k_codec, storage(layer, KvRole::Key), n, m_scratch_k.data());
    decodeTiered(m_v_codec, storage(layer, KvRole::Value), n, m_scratch_v.data());
    out.push_back(KvRun{0, n, m_scratch_k.data(), m_scratch_v.data()});
}

std::int64_t ContiguousKvCache::layerLength(std::int64_t layer) const {
    KVSCOPE_EXPECTS(layer >= 0 && layer < m_n_layers);
    return m_layer_length[std::size_t(layer)];
}

void ContiguousKvCache::truncate(std::int64_t new_length) {
    KVSCOPE_EXPECTS(new_length >= 0 && new_length <= length());
    // Plain fp32: metadata only, the forgotten rows are overwritten by the next append. Other
    // specs: tokens that re-enter the residual are decoded from their low bytes.
    if (!m_spec.isPlainFp32()) {
        for (std::int64_t l = 0; l < m_n_layers; ++l) {
            const std::int64_t held = m_layer_length[std::size_t(l)];
            truncateTiered(m_k_codec, storage(l, KvRole::Key), held, new_length);
            truncateTiered(m_v_codec, storage(l, KvRole::Value), held, new_length);
        }
    }
    std::fill(m_layer_length.begin(), m_layer_length.end(), new_length);
}

void ContiguousKvCache::truncateLayer(std::int64_t layer, std::int64_t new_length) {
    KVSCOPE_EXPECTS(layer >= 0 && layer < m_n_layers);
    const std::int64_t held = m_layer_length[std::size_t(layer)];
    KVSCOPE_EXPECTS(new_length >= 0 && new_length <= held);
    if (!m_spec.isPlainFp32()) {
        truncateTiered(m_k_codec, storage(layer, KvRole::Key), held, new_length);
        truncateTiered(m_v_codec, storage(layer, KvRole::Value), held, new_length);
    }
    m_layer_length[std::size_t(layer)] = new_length;
}

void ContiguousKvCache::compactLayer(std::int64_t layer,
                                     const std::vector<std::vector<std::int64_t>>& keep,
                                     const KeptKeysFn& kept_keys) {
    if (!m_spec.isRowLocal()) {
        KvCache::compactLayer(layer, keep, kept_keys);
        return;
    }
    KVSCOPE_EXPECTS(layer >= 0 && layer < m_n_layers && !keep.empty());
    const std::int64_t held = m_layer_length[std::size_t(layer)];
    const std::int64_t n_groups = std::int64_t(keep.size()), width = m_kv_dim / n_groups;
    const std::int64_t count = std::int64_t(keep[0].size());
    const bool plain = m_spec.isPlainFp32();
    std::byte* k = storage(layer, KvRole::Key).low(0);    // [capacity][K row bytes]
    std::byte* v = storage(layer, KvRole::Value).low(0);  // [capacity][V row bytes]
    const std::int64_t k_row = m_k_codec.unitBytes(), v_row = m_v_codec.unitBytes();
    std::vector<float> rows, before;  // [run][kv_dim] decoded keys (not plain)
    for (std::int64_t g = 0; g < n_groups; ++g) {
        const std::vector<std::int64_t>& slots = keep[std::size_t(g)];
        KVSCOPE_EXPECTS(std::int64_t(slots.size()) == count);
        const auto [k_at, k_bytes] = m_k_codec.groupBytes(g, n_groups);
        const auto [v_at, v_bytes] = m_v_codec.groupBytes(g, n_groups);
        // Runs of consecutive kept rows move together, still encoded (no row is re-quantized):
        // one memmove per run for a whole row (a window cut moves one run), row by row for one
        // head group's bytes.
        forEachKeptRun(slots, [&](std::int64_t i, std::int64_t n) {
            const std::int64_t from = slots[std::size_t(i)];
            KVSCOPE_EXPECTS(from >= i && from + n <= held);
            KVSCOPE_EXPECTS(i == 0 || from > slots[std::size_t(i) - 1]);
            if (from != i) {
                if (n_groups == 1) {
                    std::memmove(k + i * k_row, k + from * k_row, std::size_t(n * k_row));
                    std::memmove(v + i * v_row, v + from * v_row, std::size_t(n * v_row));
                } else {
                    for (std::int64_t r = 0; r < n; ++r) {
                        std::memmove(k + (i + r) * k_row + k_at, k + (from + r) * k_row + k_at,
                                     std::size_t(k_bytes));
                        std::memmove(v + (i + r) * v_row + v_at, v + (from + r) * v_row + v_at,
                                     std::size_t(v_bytes));
                    }
                }
            }
            if (!kept_keys) return;
            if (plain) {  // rotated in place
                kept_keys(reinterpret_cast<float*>(k + i * k_row) + g * width, n, g, i, from);
                return;
            }
            // Decoded, rotated, and only the group's heads of a row it changed re-encoded (as
            // PagedKvCache does, so both layouts hold the same bytes).
            rows.resize(std::size_t(n * m_kv_dim));
            for (std::int64_t r = 0; r < n; ++r)
                m_k_codec.decodeLow(k + (i + r) * k_row, rows.data() + r * m_kv_dim);
            before = rows;
            kept_keys(rows.data() + g * width, n, g, i, from);
            for (std::int64_t r = 0; r < n; ++r) {
                const float* now = rows.data() + r * m_kv_dim;
                if (std::memcmp(now + g * width, before.data() + r * m_kv_dim + g * width,
                                std::size_t(width) * sizeof(float)) != 0)
                    m_k_codec.encodeGroup(now, g, n_groups, k + (i + r) * k_row + k_at);
            }
        });
    }
    m_layer_length[std::size_t(layer)] = count;
}

std::int64_t ContiguousKvCache::kBytesUsed(std::int64_t layer) const {
    return m_k_codec.bytesUsed(layerLength(layer));
}

std::int64_t ContiguousKvCache::vBytesUsed(std::int64_t layer) const {
    return m_v_codec.bytesUsed(layerLength(layer));
}

std::int64_t ContiguousKvCache::bytesAllocated([[maybe_unused]] std::int64_t layer) const {
    KVSCOPE_EXPECTS(layer >= 0 && layer < m_n_layers);
    return m_layer_bytes;
}

}  // namespace kvscope
