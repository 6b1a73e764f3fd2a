#pragma once
// The numbers the cache-growth chart plots, taken from a Trace: K + V bytes each layer holds after
// every step, their total (the logical figure: entries held x bytes per entry), the bytes the
// cache has allocated (the physical figure: the contiguous reservation, or the paged blocks) and
// the paged layout's holes (entries evicted from blocks still allocated), all as recorded,
// and what the same positions would hold if the model's attention were MHA or MQA (from the
// memory estimator, at the live cache's precision and with its bounded cache's budget).
#include <QString>
#include <cstdint>
#include <vector>

#include "core/trace/trace.h"

namespace kvscope {

struct CacheGrowthData {
    std::vector<double> steps;                // [n_records] 0 = the prefill
    std::vector<double> positions;            // [n_records] positions held after each step
    std::vector<std::vector<double>> layers;  // [n_layers][n_records] K + V bytes held
    std::vector<double> total;                // [n_records] sum over layers: logical bytes
    std::vector<double> allocated;            // [n_records] bytes allocated: physical
    std::vector<std::int64_t> holes;  // [n_records] paged: entries allocated, held by no layer
    struct Overlay {
        QString label;              // "as MHA (8 KV heads)"
        std::vector<double> total;  // [n_records]
    };
    std::vector<Overlay> overlays;  // the other attention kinds that differ from the model's
};

/// Pre: the records belong to trace.model_info.config. The overlays use the trace's cache spec
/// (codecs, windows) as the live cache stores them.
CacheGrowthData cacheGrowthData(const Trace& trace);

}  // namespace kvscope
