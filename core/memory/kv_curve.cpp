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
    if (shape.nChunkedLayers() > 0) addInside(shape.attention_chunk);
    if (cache.k_dtype == KvDtype::KIVI2 || cache.v_dtype == KvDtype::KIVI2) {
        addInside(cache.kivi_window);
    }
    addInside(marker);
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
}

namespace {

/// Layers that hold the same bytes at every length: the same kind (global, local, chunked) and,
/// with per-layer arrays, the same heads and head size. `layer` is the first of its class.
struct LayerClass {
    int kind = 0;
    std::int64_t heads = 0;
    std::int64_t head_dim = 0;
    std::int64_t layer = -1;
    std::int64_t count = 0;
};

}  // namespace

KvCurve kvSequenceCurve(const ModelShape& shape, const CacheSpec& cache,
                        const std::vector<std::int64_t>& contexts) {
    // kvSequenceBytes sums kvLayerBytes over the layers; a layer's bytes depend on the layer only
    // through its kind and head sizes, so one layer of each class times its count gives the same
    // total for a fraction of the work.
    std::vector<LayerClass> classes;
    for (std::int64_t layer = 0; layer < shape.n_layers; ++layer) {
        if (!shape.holdsKv(layer)) continue;
        const int kind = shape.isLocal(layer) ? 1 : shape.isChunked(layer) ? 2 : 0;
        const std::int64_t heads = shape.kvHeadsOf(layer);
        const std::int64_t head_dim = shape.headDimOf(layer);
        auto it = std::find_if(classes.begin(), classes.end(), [&](const LayerClass& c) {
            return c.kind == kind && c.heads == heads && c.head_dim == head_dim;
        });
        if (it == classes.end()) {
            classes.push_back({kind, heads, head_dim, layer, 0});
            it = classes.end() - 1;
        }
        ++it->count;
    }
    KvCurve curve;
    curve.contexts = contexts;
    curve.bytes.reserve(contexts.size());
    for (const std::int64_t t : contexts) {
        std::int64_t total = 0;
        for (const LayerClass& c : classes) {
            const std::int64_t one =
                kvLayerBytes(shape, cache, c.layer, c.heads, heldTokens(shape, c.layer, t));
            total = checkedAdd(total, checkedMul(one, c.count, "KV bytes per sequence"),
                               "KV bytes per sequence");
        }
        curve.bytes.push_back(total);
    }
    return curve;
}

}  // namespace kvscope
