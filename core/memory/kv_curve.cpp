#include "core/memory/kv_curve.h"

#include <algorithm>

#include "core/util/checked_math.h"

namespace kvscope {

std::vector<std::int64_t> curveContexts(const ModelShape& shape, const CacheSpec& cache,
                                        std::int64_t x_max, std::int64_t marker, int n_steps) {
    std::vector<std::int64_t> out;
    out.reserve(std::size_t(n_steps) + 4);
    for (int i = 0; i <= n_steps; ++i) {
        // x_max * i / n_steps without overflow (x_max <= 2^32, n_steps small).
        out.push_back(x_max / n_steps * i + x_max % n_steps * i / n_steps);
    }
    const auto addInside = [&](std::int64_t c) {
        if (c > 0 && c <= x_max) out.push_back(c);
    };
    if (shape.nLocalLayers() > 0) addInside(shape.sliding_window);
    if (cache.k_dtype == KvDtype::KIVI2 || cache.v_dtype == KvDtype::KIVI2) {
        addInside(cache.kivi_window);
    }
    addInside(marker);
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
}

namespace {

/// Layers that hold the same bytes at every length: the global ones and the local ones (cross-
/// attention layers hold none). `layer` is the first of its kind.
struct LayerClass {
    std::int64_t layer = -1;
    std::int64_t count = 0;
};

}  // namespace

KvCurve kvSequenceCurve(const ModelShape& shape, const CacheSpec& cache,
                        const std::vector<std::int64_t>& contexts) {
    // kvSequenceBytes sums kvLayerBytes over the layers; a layer's bytes depend on the layer only
    // through whether it is local or cross-attention, so one layer of each kind times its count
    // gives the same total for a fraction of the work.
    LayerClass global, local;
    for (std::int64_t layer = 0; layer < shape.n_layers; ++layer) {
        if (std::binary_search(shape.cross_attention_layers.begin(),
                               shape.cross_attention_layers.end(), layer)) {
            continue;
        }
        LayerClass& c = shape.layer_is_local[std::size_t(layer)] ? local : global;
        if (c.count++ == 0) c.layer = layer;
    }
    KvCurve curve;
    curve.contexts = contexts;
    curve.bytes.reserve(contexts.size());
    for (const std::int64_t t : contexts) {
        std::int64_t total = 0;
        for (const LayerClass& c : {global, local}) {
            if (c.count == 0) continue;
            const std::int64_t one = kvLayerBytes(shape, cache, c.layer, shape.n_kv_heads,
                                                  heldTokens(shape, c.layer, t));
            total = checkedAdd(total, checkedMul(one, c.count, "KV bytes per sequence"),
                               "KV bytes per sequence");
        }
        curve.bytes.push_back(total);
    }
    return curve;
}

}  // namespace kvscope
