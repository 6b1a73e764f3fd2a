#include "core/cache/contiguous_kv_cache.h"

#include <algorithm>
#include <cassert>
#include <cstring>
#include <string>

#include "core/util/checked_math.h"
#include "core/util/error.h"

namespace kvscope {

namespace {
constexpr std::int64_t kBytesPerValue = sizeof(float);
}

ContiguousKvCache::ContiguousKvCache(std::int64_t n_layers, std::int64_t kv_dim,
                                     std::int64_t capacity)
    : m_n_layers(n_layers), m_kv_dim(kv_dim), m_capacity(capacity) {
    if (n_layers <= 0 || kv_dim <= 0 || capacity <= 0) {
        throw InputError("KV cache: n_layers, kv_dim and capacity must be > 0 (got " +
                         std::to_string(n_layers) + ", " + std::to_string(kv_dim) + ", " +
                         std::to_string(capacity) + ")");
    }
    const std::int64_t values =
        checkedMul(checkedMul(n_layers, capacity, "KV cache positions"), kv_dim, "KV cache values");
    checkedMul(checkedMul(values, 2, "KV cache values"), kBytesPerValue, "KV cache bytes");
    m_layer_length.assign(std::size_t(n_layers), 0);
    m_k.assign(std::size_t(values), 0.0f);
    m_v.assign(std::size_t(values), 0.0f);
}

std::int64_t ContiguousKvCache::length() const {
    return *std::min_element(m_layer_length.begin(), m_layer_length.end());
}

void ContiguousKvCache::append(std::int64_t layer, std::int64_t pos, std::int64_t n, const float* k,
                               const float* v) {
    assert(layer >= 0 && layer < m_n_layers);
    assert(pos == m_layer_length[std::size_t(layer)] && "append only");
    assert(n >= 0 && pos + n <= m_capacity);
    const std::size_t offset = std::size_t((layer * m_capacity + pos) * m_kv_dim);
    const std::size_t count = std::size_t(n * m_kv_dim);
    std::memcpy(m_k.data() + offset, k, count * sizeof(float));
    std::memcpy(m_v.data() + offset, v, count * sizeof(float));
    m_layer_length[std::size_t(layer)] = pos + n;
}

void ContiguousKvCache::collectRuns(std::int64_t layer, std::vector<KvRun>& out) const {
    assert(layer >= 0 && layer < m_n_layers);
    out.clear();
    const std::int64_t n = m_layer_length[std::size_t(layer)];
    if (n == 0) return;
    const std::size_t offset = std::size_t(layer * m_capacity * m_kv_dim);
    out.push_back(KvRun{0, n, m_k.data() + offset, m_v.data() + offset});
}

std::int64_t ContiguousKvCache::layerLength(std::int64_t layer) const {
    assert(layer >= 0 && layer < m_n_layers);
    return m_layer_length[std::size_t(layer)];
}

void ContiguousKvCache::truncate(std::int64_t new_length) {
    assert(new_length >= 0 && new_length <= length());
    // Metadata only: the forgotten rows are overwritten by the next append.
    std::fill(m_layer_length.begin(), m_layer_length.end(), new_length);
}

std::int64_t ContiguousKvCache::kBytesUsed(std::int64_t layer) const {
    return layerLength(layer) * m_kv_dim * kBytesPerValue;
}

std::int64_t ContiguousKvCache::vBytesUsed(std::int64_t layer) const {
    return layerLength(layer) * m_kv_dim * kBytesPerValue;
}

std::int64_t ContiguousKvCache::bytesAllocated([[maybe_unused]] std::int64_t layer) const {
    assert(layer >= 0 && layer < m_n_layers);
    return 2 * m_capacity * m_kv_dim * kBytesPerValue;
}

}  // namespace kvscope
