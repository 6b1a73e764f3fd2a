#pragma once
// The naive baseline layout: one region reserved per layer up front, big enough for max_length
// positions, in the precision of a KvCacheSpec. Plain fp32 (the default): K and V of position p
// in layer l sit at row p of that layer's region and attention reads them in place. Any other
// spec: each role of a layer reserves the low units of max_length tokens and a residual ring
// (kv_tier.h); attention reads the layer decoded into a scratch buffer of one layer.
#include <vector>

#include "core/cache/kv_cache.h"
#include "core/cache/kv_cache_spec.h"
#include "core/cache/kv_tier.h"

namespace kvscope {

class ContiguousKvCache final : public KvCache {
public:
    /// fp32, K and V rows of kv_dim values. Throws InputError when the byte total overflows 64
    /// bits or a size is not positive.
    ContiguousKvCache(std::int64_t n_layers, std::int64_t kv_dim, std::int64_t capacity);
    /// K and V stored as `spec` says, rows of n_kv_heads heads of head_dim values. Throws
    /// InputError as above and for a bad spec.
    ContiguousKvCache(std::int64_t n_layers, std::int64_t n_kv_heads, std::int64_t head_dim,
                      std::int64_t capacity, const KvCacheSpec& spec);

    std::int64_t nLayers() const override { return m_n_layers; }
    std::int64_t kvDim() const override { return m_kv_dim; }
    std::int64_t length() const override;
    std::int64_t capacity() const override { return m_capacity; }
    const KvCacheSpec& spec() const { return m_spec; }

    void append(std::int64_t layer, std::int64_t pos, std::int64_t n, const float* k,
                const float* v) override;
    /// One run: the layer's rows in place (plain fp32) or decoded into the scratch buffer, valid
    /// until the next collectRuns().
    void collectRuns(std::int64_t layer, std::vector<KvRun>& out) const override;
    std::int64_t layerLength(std::int64_t layer) const override;
    void truncate(std::int64_t new_length) override;
    void truncateLayer(std::int64_t layer, std::int64_t new_length) override;
    /// Row-local K and V (every codec but kivi2, no mixed window; kvRowLocal): the kept rows move
    /// down in place, still encoded (no decode, no re-quantization, no copy of the whole layer).
    /// `kept_keys` rewrites plain fp32 K rows in place; encoded K rows are decoded, rotated, and
    /// only the heads of a row it changed are encoded again. Otherwise KvCache::compactLayer.
    void compactLayer(std::int64_t layer, const std::vector<std::vector<std::int64_t>>& keep,
                      const KeptKeysFn& kept_keys = {}) override;

    std::int64_t kBytesUsed(std::int64_t layer) const override;
    std::int64_t vBytesUsed(std::int64_t layer) const override;
    std::int64_t bytesAllocated(std::int64_t layer) const override;

private:
    /// Where `role` of `layer` keeps its bytes.
    KvTierStorage storage(std::int64_t layer, KvRole role) const;
    std::byte* layerBytes(std::int64_t layer) const;

    std::int64_t m_n_layers;
    std::int64_t m_kv_dim;
    std::int64_t m_capacity;
    KvCacheSpec m_spec;
    KvTierCodec m_k_codec;
    KvTierCodec m_v_codec;
    std::int64_t m_k_ring_slots, m_v_ring_slots;  // min(capacity, residual slots)
    std::int64_t m_k_low_bytes, m_k_ring_bytes;   // per layer
    std::int64_t m_v_low_bytes, m_v_ring_bytes;   // per layer
    std::int64_t m_layer_bytes;                   // K low + K ring + V low + V ring
    std::vector<std::int64_t> m_layer_length;     // [n_layers] metadata: positions held
    // [n_layers][K low units | K ring | V low units | V ring] bytes, held as floats so that
    // plain fp32 rows ([capacity][kv_dim] per role) are read in place.
    std::vector<float> m_storage;
    mutable std::vector<float> m_scratch_k;  // [layer length][kv_dim] decoded (not plain)
    mutable std::vector<float> m_scratch_v;  // [layer length][kv_dim] decoded (not plain)
};

}  // namespace kvscope
