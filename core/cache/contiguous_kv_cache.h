#pragma once
// The naive baseline layout: one region of max_length positions reserved per layer up front,
// fp32, contiguous. K and V of position p in layer l sit at row p of that layer's buffers.
#include <vector>

#include "core/cache/kv_cache.h"

namespace kvscope {

class ContiguousKvCache final : public KvCache {
public:
    /// Reserves n_layers * capacity * kv_dim fp32 values for K and the same for V. Throws
    /// InputError when the byte total overflows 64 bits or a size is not positive.
    ContiguousKvCache(std::int64_t n_layers, std::int64_t kv_dim, std::int64_t capacity);

    std::int64_t nLayers() const override { return m_n_layers; }
    std::int64_t kvDim() const override { return m_kv_dim; }
    std::int64_t length() const override;
    std::int64_t capacity() const override { return m_capacity; }

    void append(std::int64_t layer, std::int64_t pos, std::int64_t n, const float* k,
                const float* v) override;
    /// One run: the layer's rows are contiguous.
    void collectRuns(std::int64_t layer, std::vector<KvRun>& out) const override;
    std::int64_t layerLength(std::int64_t layer) const override;
    void truncate(std::int64_t new_length) override;

    std::int64_t kBytesUsed(std::int64_t layer) const override;
    std::int64_t vBytesUsed(std::int64_t layer) const override;
    std::int64_t bytesAllocated(std::int64_t layer) const override;

private:
    std::int64_t m_n_layers;
    std::int64_t m_kv_dim;
    std::int64_t m_capacity;
    std::vector<std::int64_t> m_layer_length;  // [n_layers] metadata: positions held
    std::vector<float> m_k;                    // [n_layers][capacity][kv_dim]
    std::vector<float> m_v;                    // [n_layers][capacity][kv_dim]
};

}  // namespace kvscope
