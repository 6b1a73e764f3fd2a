#include "ui/generate/cache_growth_data.h"

#include "core/memory/attention_variants.h"
#include "core/memory/bounded_cache.h"
#include "core/memory/kv_footprint.h"
#include "core/memory/live_cache_spec.h"

namespace kvscope {

CacheGrowthData cacheGrowthData(const Trace& trace) {
    CacheGrowthData data;
    const ModelConfig& config = trace.model_info.config;
    data.layers.assign(std::size_t(config.n_layers), {});
    for (std::size_t r = 0; r < trace.records.size(); ++r) {
        const StepRecord& record = trace.records[r];
        data.steps.push_back(double(r));
        data.positions.push_back(double(record.positionsAfter()));
        double total = 0;
        double allocated = 0;
        std::int64_t holes = 0;
        for (std::size_t l = 0; l < data.layers.size() && l < record.layers.size(); ++l) {
            const double held = double(record.layers[l].k_bytes + record.layers[l].v_bytes);
            data.layers[l].push_back(held);
            total += held;
            allocated += double(record.layers[l].bytes_allocated);
            holes += record.layers[l].holes;
        }
        data.total.push_back(total);
        data.allocated.push_back(allocated);
        data.holes.push_back(holes);
    }

    if (data.steps.empty()) return data;  // no records: no model to compare against
    // The live cache's codecs and layout: the overlays count bytes as the cache does.
    const Scenario& scenario = trace.scenario;
    const CacheSpec spec = estimatorCacheSpec(scenario.cache_spec, scenario.cache_layout,
                                              scenario.block_size, config.max_context);
    const ModelShape shape = shapeFromModelConfig(config, "trace");
    for (const AttentionVariantShape& variant : attentionVariants(shape)) {
        if (variant.as_is || (variant.label != "MHA" && variant.label != "MQA")) continue;
        CacheGrowthData::Overlay overlay;
        overlay.label = QStringLiteral("%1 (%2 KV)")
                            .arg(QString::fromStdString(variant.label))
                            .arg(variant.shape.n_kv_heads);
        for (double positions : data.positions) {
            // A bounded cache holds the same entries whatever the attention kind: its budget.
            overlay.total.push_back(
                scenario.eviction.bounded()
                    ? double(boundedCacheBytes(variant.shape, spec, scenario.eviction,
                                               std::int64_t(positions))
                                 .logical)
                    : double(kvSequenceBytes(variant.shape, spec, variant.shape.n_kv_heads,
                                             std::int64_t(positions))));
        }
        data.overlays.push_back(std::move(overlay));
    }
    return data;
}

}  // namespace kvscope
