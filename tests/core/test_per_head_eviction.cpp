// Per-head eviction (EvictionSpec::per_head): each KV head keeps its own positions, scored by its
// GQA query group. On hand-built attention patterns (the expected kept positions worked out in
// the comments), on the storage (each head's segment holds its own position's entry), through
// undo, and on a real session against an independent reference that masks each KV head to the
// positions it holds.
#include <catch2/catch.hpp>

#include "core/cache/contiguous_kv_cache.h"
#include "core/engine/cache_evictor.h"
#include "core/engine/session.h"
#include "core/model/model_source.h"
#include "tests/core/eviction_reference.h"
#include "tests/core/tiny_models.h"

using namespace kvscope;
using namespace kvscope::test;

namespace {

/// One layer, 4 query heads over 2 KV heads (query heads 0, 1 read KV head 0; 2, 3 read KV
/// head 1), head_dim 2.
ModelConfig groupedConfig() {
    ModelConfig c;
    c.name = "grouped";
    c.n_layers = 1;
    c.d_model = 8;
    c.n_heads = 4;
    c.n_kv_heads = 2;
    c.head_dim = 2;
    c.d_ff = 8;
    c.vocab = 8;
    c.max_context = 16;
    return c;
}

/// K of position p: head 0 [100p, 100p + 1], head 1 [100p + 10, 100p + 11]; V: K + 1000.
void appendPositions(KvCache& cache, std::int64_t first, std::int64_t n) {
    std::vector<float> k, v;  // [n][4]
    for (std::int64_t p = first; p < first + n; ++p) {
        for (float x : {0.0f, 1.0f, 10.0f, 11.0f}) {
            k.push_back(100.0f * float(p) + x);
            v.push_back(100.0f * float(p) + x + 1000.0f);
        }
    }
    cache.append(0, cache.layerLength(0), n, k.data(), v.data());
}

/// The positions whose entries each head's segment holds, slot by slot, read back from the K
/// rows: [2 heads][n_held].
std::vector<V> storedPositions(const KvCache& cache) {
    const std::vector<float> k = cache.copyKeys(0), v = cache.copyValues(0);
    std::vector<V> out(2);
    for (std::int64_t s = 0; s < cache.layerLength(0); ++s) {
        for (std::int64_t h = 0; h < 2; ++h) {
            const float key = k[std::size_t(s * 4 + h * 2)];
            out[std::size_t(h)].push_back(std::int64_t(key / 100.0f));
            CHECK(key == 100.0f * float(out[std::size_t(h)].back()) + 10.0f * float(h));
            CHECK(v[std::size_t(s * 4 + h * 2)] == key + 1000.0f);
        }
    }
    return out;
}

/// [4 heads] of [4][4]: the prompt's attention; only the last row matters to tova.
std::vector<Matrix> promptAttention() {
    const float last[4][4] = {{0.5f, 0.1f, 0.3f, 0.1f},
                              {0.4f, 0.05f, 0.5f, 0.05f},
                              {0.1f, 0.6f, 0.1f, 0.2f},
                              {0.0f, 0.7f, 0.2f, 0.1f}};
    std::vector<Matrix> out;
    for (const auto& row : last) {
        Matrix a = Matrix::Zero(4, 4);
        for (int j = 0; j < 4; ++j)
            a(3, j) = row[j];
        out.push_back(a);
    }
    return out;
}

}  // namespace

TEST_CASE("tova per head: each KV head keeps the positions its query group attends",
          "[evict][perhead]") {
    const ModelConfig c = groupedConfig();
    ContiguousKvCache cache(1, 4, 16);
    // The last query's attention summed over each group:
    //   KV head 0 (heads 0, 1): [0.9, 0.15, 0.8, 0.15] -> top 3: 0, 2, then 3 (tie with 1: the
    //   more recent);  KV head 1 (heads 2, 3): [0.1, 1.3, 0.3, 0.3] -> top 3: 1, 2, 3.
    //   Layer-wise (all four heads): [1.0, 1.45, 1.1, 0.45] -> 0, 1, 2.
    SECTION("layer-wise: one subset") {
        CacheEvictor ev(c, {.policy = EvictionPolicy::Tova, .budget = 3}, true);
        REQUIRE_FALSE(ev.perHead());
        appendPositions(cache, 0, 4);
        ev.afterForward(cache, promptAttention(), 0, 4, true, 4);
        CHECK(ev.positions(0) == V{0, 1, 2});
        CHECK(storedPositions(cache) == std::vector<V>{{0, 1, 2}, {0, 1, 2}});
    }
    SECTION("per head: two subsets, each head's segment holding its own entries") {
        CacheEvictor ev(c, {.policy = EvictionPolicy::Tova, .budget = 3, .per_head = true}, true);
        REQUIRE(ev.perHead());
        appendPositions(cache, 0, 4);
        ev.afterForward(cache, promptAttention(), 0, 4, true, 4);
        CHECK(ev.headPositions(0, 0) == V{0, 2, 3});
        CHECK(ev.headPositions(0, 1) == V{1, 2, 3});
        CHECK(ev.positions(0) == V{0, 1, 2, 3});  // the union
        CHECK(storedPositions(cache) == std::vector<V>{{0, 2, 3}, {1, 2, 3}});
        const std::int64_t bytes = cache.kBytesUsed(0) + cache.vBytesUsed(0);
        CHECK(bytes == 3 * 2 * 4 * 4);  // 3 rows of K and V, 4 fp32 each

        // A decode step at position 4 cuts each head to budget - 1 = 2 by the scores above:
        // head 0 keeps 0 (0.9) and 2 (0.8); head 1 keeps 1 (1.3) and 3 (0.3, tie with 2: the
        // more recent).
        ev.beforeStep(cache, 4, 1);
        CHECK(ev.headPositions(0, 0) == V{0, 2});
        CHECK(ev.headPositions(0, 1) == V{1, 3});
        CHECK(storedPositions(cache) == std::vector<V>{{0, 2}, {1, 3}});
        // Undo puts back each head's entries and the bytes.
        ev.undo(cache);
        CHECK(ev.headPositions(0, 0) == V{0, 2, 3});
        CHECK(ev.headPositions(0, 1) == V{1, 2, 3});
        CHECK(storedPositions(cache) == std::vector<V>{{0, 2, 3}, {1, 2, 3}});
        CHECK(cache.kBytesUsed(0) + cache.vBytesUsed(0) == bytes);
    }
    SECTION("per head with a policy that is not head-wise changes nothing") {
        CacheEvictor ev(c, {.policy = EvictionPolicy::Window, .budget = 3, .per_head = true}, true);
        CHECK_FALSE(ev.perHead());
    }
}

TEST_CASE("A per-head session attends through each KV head's own positions", "[evict][perhead]") {
    // (On the random tiny model h2o's accumulated scores rank the positions the same in both
    // heads, so only tova runs there.)
    const auto demo = loadModel("builtin:demo"), tiny = tinyModel(4, 2);
    for (const auto& [model, p] :
         {std::pair{demo, EvictionPolicy::H2O}, std::pair{demo, EvictionPolicy::Tova},
          std::pair{demo, EvictionPolicy::KNorm}, std::pair{tiny, EvictionPolicy::Tova}}) {
        {
            for (EvictionPositions pos :
                 {EvictionPositions::Original, EvictionPositions::Rerotate}) {
                INFO(model->config.name << " " << toString(p) << " " << toString(pos));
                const auto tokens = testTokens(*model, 24);
                Session s(model, {.eviction = {.policy = p,
                                               .budget = 6,
                                               .window = 2,
                                               .positions = pos,
                                               .per_head = true}});
                // Query p sees, through KV head h, the positions h holds after step p (what it
                // held before the step, and p). Rerotate: key at its index in that list, the
                // query at the last index.
                const auto seen = [&](std::int64_t l, std::int64_t h, std::int64_t q) {
                    return s.records()[std::size_t(q)]
                        .layers[std::size_t(l)]
                        .held_positions_per_head[std::size_t(h)];
                };
                MaskedReference ref{*model, nullptr,
                                    [&](std::int64_t, std::int64_t j) { return j; },
                                    [](std::int64_t q) { return q; }};
                std::int64_t cur_l = 0, cur_h = 0;
                ref.head_visible = [&](std::int64_t l, std::int64_t h, std::int64_t q) {
                    cur_l = l, cur_h = h;
                    return seen(l, h, q);
                };
                if (pos == EvictionPositions::Rerotate) {
                    ref.key_pos = [&](std::int64_t q, std::int64_t j) {
                        const V v = seen(cur_l, cur_h, q);
                        return std::int64_t(std::find(v.begin(), v.end(), j) - v.begin());
                    };
                    ref.query_pos = [&](std::int64_t q) {
                        return std::int64_t(seen(0, 0, q).size()) - 1;
                    };
                }
                bool heads_differ = false;
                std::size_t i = 0;
                feed(s, tokens, [&] {
                    const LayerRecord& layer0 = s.records().back().layers[0];
                    REQUIRE(std::int64_t(layer0.held_positions_per_head.size()) ==
                            model->config.n_kv_heads);
                    for (const V& held : layer0.held_positions_per_head)
                        CHECK(held.size() == std::min<std::size_t>(6, std::size_t(s.position())));
                    for (const LayerRecord& layer : s.records().back().layers)
                        for (const V& held : layer.held_positions_per_head)
                            heads_differ = heads_differ || held != layer.held_positions_per_head[0];
                    CHECK(maxAbsDiff(s.lastLogits(), ref.step(tokens[i++])) < 1e-3);
                });
                CHECK(heads_differ);  // the test means something: some heads kept different sets
            }
        }
    }
}
