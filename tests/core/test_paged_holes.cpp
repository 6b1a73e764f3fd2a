// The paged layout under eviction: evicted rows become holes, a block goes back to the pool once
// no layer (no KV head) holds a row of it, shared blocks stay for their other holders, undo puts
// rows and blocks back; the estimator's paged figure from held positions; and, on real models,
// logits bit-identical to the compacting contiguous layout under every policy.
#include <catch2/catch.hpp>
#include <cstring>
#include <set>
#include <string>

#include "core/cache/paged_kv_cache.h"
#include "core/engine/cache_evictor.h"
#include "core/engine/session.h"
#include "core/memory/bounded_cache.h"
#include "core/memory/live_cache_spec.h"
#include "core/memory/model_shape.h"
#include "core/model/model_source.h"
#include "tests/core/eviction_reference.h"
#include "tests/core/gguf_test_files.h"
#include "tests/core/test_util.h"
#include "tests/core/tiny_models.h"

using namespace kvscope;
using namespace kvscope::test;

namespace {

// 2 layers, 2 KV heads of 1 value, blocks of 4 positions: one block of one layer holds
// 4 rows x 2 values x 4 bytes for K and as much for V = 64 bytes.
constexpr std::int64_t kLayers = 2, kHeads = 2, kBlock = 4, kLayerBlockBytes = 64;

/// The value position p holds in `layer`, KV head h (K; V is its negative).
float valueOf(std::int64_t layer, std::int64_t p, std::int64_t h) {
    return float(100 * layer + 10 * p + h) + 0.5f;
}

/// A cache of 8 blocks with one sequence holding positions 0..n-1 in every layer.
PagedKvCache filled(std::int64_t n) {
    PagedKvCache cache(kLayers, kHeads, 1, kBlock, 8, KvCacheSpec{});
    cache.setCurrent(cache.addSequence());
    for (std::int64_t l = 0; l < kLayers; ++l) {
        std::vector<float> k, v;  // [n][2]
        for (std::int64_t p = 0; p < n; ++p) {
            for (std::int64_t h = 0; h < kHeads; ++h) {
                k.push_back(valueOf(l, p, h));
                v.push_back(-valueOf(l, p, h));
            }
        }
        cache.append(l, 0, n, k.data(), v.data());
    }
    return cache;
}

/// Positions [0, n) without those in `drop`.
V keptOf(std::int64_t n, const V& drop) {
    V out;
    for (std::int64_t p = 0; p < n; ++p)
        if (std::find(drop.begin(), drop.end(), p) == drop.end()) out.push_back(p);
    return out;
}

/// Keys the layer's runs hold, head by head: [slot][head].
std::vector<float> keysOf(const KvCache& cache, std::int64_t layer) {
    return cache.copyKeys(layer);
}

/// The keys a layer holding `positions` (every head) must return.
std::vector<float> expectedKeys(std::int64_t layer, const V& positions) {
    std::vector<float> out;
    for (std::int64_t p : positions)
        for (std::int64_t h = 0; h < kHeads; ++h)
            out.push_back(valueOf(layer, p, h));
    return out;
}

std::int64_t physical(const KvCache& cache) {
    std::int64_t total = 0;
    for (std::int64_t l = 0; l < cache.nLayers(); ++l)
        total += cache.bytesAllocated(l);
    return total;
}

}  // namespace

TEST_CASE("Evicting a whole block in every layer frees it; a partial one leaves holes",
          "[paged][holes]") {
    PagedKvCache cache = filled(12);  // 3 blocks
    REQUIRE(physical(cache) == kLayers * 3 * kLayerBlockBytes);
    const BlockId block0 = cache.blockTable(cache.current())[0];

    SECTION("positions 0..3 in every layer: block 0 goes back, physical drops by one block") {
        for (std::int64_t l = 0; l < kLayers; ++l)
            cache.compactLayer(l, {keptOf(12, {0, 1, 2, 3})});
        CHECK(cache.blockTable(cache.current())[0] == kNoBlock);
        CHECK(cache.allocator().isFree(block0));
        CHECK(physical(cache) == kLayers * 2 * kLayerBlockBytes);  // 256 bytes
        CHECK(cache.holes(0) == 0);
        for (std::int64_t l = 0; l < kLayers; ++l) {
            CHECK(cache.layerLength(l) == 8);
            CHECK(keysOf(cache, l) == expectedKeys(l, keptOf(12, {0, 1, 2, 3})));
        }
        // The next position goes at the tail (row 12, a new block), slot 8.
        std::vector<float> k = {1.0f, 2.0f}, v = {3.0f, 4.0f};
        cache.append(0, 8, 1, k.data(), v.data());
        CHECK(cache.layerRows(cache.current(), 0) == 13);
        CHECK(cache.blockTable(cache.current()).size() == 4);
        CHECK(keysOf(cache, 0).back() == 2.0f);
    }
    SECTION("positions 0..2 only: nothing freed, 3 holes in each layer") {
        for (std::int64_t l = 0; l < kLayers; ++l)
            cache.compactLayer(l, {keptOf(12, {0, 1, 2})});
        CHECK(cache.blockTable(cache.current())[0] == block0);
        CHECK(physical(cache) == kLayers * 3 * kLayerBlockBytes);
        CHECK(cache.holes(0) == 3);
        CHECK(cache.holes(1) == 3);
        std::vector<KvRun> runs;
        cache.collectRuns(1, runs);  // split at the hole and at block edges: {3}, {4..7}, {8..11}
        REQUIRE(runs.size() == 3);
        CHECK(runs[0].first_pos == 0);
        CHECK(runs[0].n_pos == 1);
        CHECK(runs[1].first_pos == 1);
        CHECK(runs[2].first_pos == 5);
        CHECK(runs[2].n_pos == 4);
        CHECK(keysOf(cache, 1) == expectedKeys(1, keptOf(12, {0, 1, 2})));
    }
    SECTION("one layer keeps position 1 while the other drops block 0: the block stays") {
        cache.compactLayer(0, {keptOf(12, {0, 2, 3})});
        cache.compactLayer(1, {keptOf(12, {0, 1, 2, 3})});
        CHECK(cache.blockTable(cache.current())[0] == block0);
        CHECK(physical(cache) == kLayers * 3 * kLayerBlockBytes);
        CHECK(cache.holes(0) == 3);
        CHECK(cache.holes(1) == 4);
        cache.compactLayer(0, {V{1, 2, 3, 4, 5, 6, 7, 8}});  // layer 0 drops position 1 (slot 0)
        CHECK(cache.blockTable(cache.current())[0] == kNoBlock);
        CHECK(physical(cache) == kLayers * 2 * kLayerBlockBytes);
    }
    SECTION("per KV head: a block stays while one head holds a row of it") {
        // Head 0 drops positions 0..3, head 1 drops 4..7: each keeps 8, the rows differ.
        for (std::int64_t l = 0; l < kLayers; ++l)
            cache.compactLayer(l, {keptOf(12, {0, 1, 2, 3}), keptOf(12, {4, 5, 6, 7})});
        CHECK(physical(cache) == kLayers * 3 * kLayerBlockBytes);  // both blocks still held
        CHECK(cache.holes(0) == 0);                                // every row is held by some head
        const std::vector<float> keys = keysOf(cache, 1);          // gathered head by head
        const V head0 = keptOf(12, {0, 1, 2, 3}), head1 = keptOf(12, {4, 5, 6, 7});
        for (std::size_t i = 0; i < 8; ++i) {
            CHECK(keys[2 * i] == valueOf(1, head0[i], 0));
            CHECK(keys[2 * i + 1] == valueOf(1, head1[i], 1));
        }
        // Head 1 now drops its positions 0..3 too (slots 0..3): no head holds block 0.
        for (std::int64_t l = 0; l < kLayers; ++l)
            cache.compactLayer(l, {V{0, 1, 2, 3}, V{4, 5, 6, 7}});
        CHECK(cache.blockTable(cache.current())[0] == kNoBlock);
        CHECK(physical(cache) == kLayers * 2 * kLayerBlockBytes);
    }
}

TEST_CASE("An int8 eviction keeps the held rows' bytes and frees blocks as fp32 does",
          "[paged][holes]") {
    // 2 layers, 2 KV heads of 4 values, int8: a row of one head is 4 B + an fp16 scale = 6 B, so
    // a block of 4 rows of one layer holds 4 x 2 x 6 = 48 B of K and as much of V = 96 B.
    constexpr std::int64_t head_dim = 4, row_values = kHeads * head_dim, n = 10;
    PagedKvCache cache(kLayers, kHeads, head_dim, kBlock, 8, parseKvCacheSpec("int8", "--test"));
    cache.setCurrent(cache.addSequence());
    for (std::int64_t l = 0; l < kLayers; ++l) {
        std::vector<float> k, v;  // [n][row_values], scales far from powers of two
        for (std::int64_t i = 0; i < n * row_values; ++i) {
            k.push_back(0.37f * float((i * 7 + l) % 23) - 3.1f);
            v.push_back(0.53f * float((i * 5 + l) % 19) - 4.3f);
        }
        cache.append(l, 0, n, k.data(), v.data());
    }
    const std::vector<float> before = keysOf(cache, 0);  // [n][row_values] decoded
    REQUIRE(physical(cache) == 3 * 96 * kLayers);        // blocks 0, 1, 2
    // Every layer drops block 0 (positions 0..3) and position 5: block 0 goes, one hole stays.
    const V kept = {4, 6, 7, 8, 9};
    for (std::int64_t l = 0; l < kLayers; ++l)
        cache.compactLayer(l, {kept});
    CHECK(cache.blockTable(0)[0] == kNoBlock);
    CHECK(physical(cache) == 2 * 96 * kLayers);
    CHECK(cache.holes(0) == 1);
    CHECK(cache.holes(1) == 1);
    // The kept rows were not decoded and encoded again: the same values, bit for bit.
    std::vector<float> want;
    for (std::int64_t p : kept)
        want.insert(want.end(), before.begin() + p * row_values,
                    before.begin() + (p + 1) * row_values);
    const std::vector<float> got = keysOf(cache, 0);
    REQUIRE(got.size() == want.size());
    CHECK(std::memcmp(got.data(), want.data(), got.size() * sizeof(float)) == 0);
}

TEST_CASE("Undo of an eviction puts the rows and the blocks back", "[paged][holes]") {
    PagedKvCache cache = filled(12);
    const std::int64_t before = physical(cache);
    const std::int64_t free_before = cache.allocator().nFree();
    std::vector<std::vector<float>> k_before, v_before;
    for (std::int64_t l = 0; l < kLayers; ++l) {
        k_before.push_back(cache.copyKeys(l));
        v_before.push_back(cache.copyValues(l));
        cache.compactLayer(l, {keptOf(12, {0, 1, 2, 3, 5})});
    }
    REQUIRE(physical(cache) == before - kLayers * kLayerBlockBytes);
    REQUIRE(cache.holes(0) == 1);
    const V all = keptOf(12, {});
    for (std::int64_t l = 0; l < kLayers; ++l) {
        cache.restoreLayer(l, {all}, 12, 12, k_before[std::size_t(l)].data(),
                           v_before[std::size_t(l)].data());
    }
    CHECK(physical(cache) == before);
    CHECK(cache.allocator().nFree() == free_before);
    CHECK(cache.holes(0) == 0);
    for (std::int64_t l = 0; l < kLayers; ++l) {
        CHECK(cache.copyKeys(l) == k_before[std::size_t(l)]);
        CHECK(cache.copyValues(l) == v_before[std::size_t(l)]);
        CHECK(cache.layerLength(l) == 12);
    }
}

TEST_CASE("A block shared by a fork stays for the sequence that still holds it", "[paged][holes]") {
    PagedKvCache cache = filled(12);
    const SeqId a = cache.current();
    const SeqId b = cache.fork(a);
    const BlockId block0 = cache.blockTable(a)[0];
    const std::int64_t free_before = cache.allocator().nFree();
    const std::vector<float> b_keys = [&] {
        cache.setCurrent(b);
        return cache.copyKeys(0);
    }();
    cache.setCurrent(a);
    for (std::int64_t l = 0; l < kLayers; ++l)
        cache.compactLayer(l, {keptOf(12, {0, 1, 2, 3})});
    CHECK(cache.blockTable(a)[0] == kNoBlock);
    CHECK(physical(cache) == kLayers * 2 * kLayerBlockBytes);  // a holds one block fewer
    CHECK(cache.blockTable(b)[0] == block0);                   // b still holds it
    CHECK(cache.allocator().refCount(block0) == 1);
    CHECK(cache.allocator().nFree() == free_before);  // nothing went back to the pool
    // A re-rotation that rewrites the kept keys of a shared block copies it first.
    cache.compactLayer(0, {V{1, 2, 3, 4, 5, 6, 7}},
                       [](float* rows, std::int64_t n, std::int64_t, std::int64_t, std::int64_t) {
                           for (std::int64_t i = 0; i < n; ++i)
                               rows[i * kHeads] += 1000.0f;  // head 0 of each row
                       });
    CHECK(cache.copyKeys(0).front() == valueOf(0, 5, 0) + 1000.0f);
    cache.setCurrent(b);
    CHECK(cache.copyKeys(0) == b_keys);
    cache.freeSequence(b);
    CHECK(cache.allocator().isFree(block0));
}

TEST_CASE("A cached prefix block released by an eviction still serves a prefix hit",
          "[paged][holes]") {
    // 2 layers, kv_dim 1, blocks of 4; each row holds its token id, so bytes say what they hold.
    PagedKvCache cache(2, 1, 4, 8);
    const SeqId a = cache.addSequence();
    const std::vector<TokenId> prompt = {10, 11, 12, 13, 14, 15, 16, 17, 18};
    std::vector<float> rows;  // [2 layers][9][1]
    for (int l = 0; l < 2; ++l)
        for (TokenId t : prompt)
            rows.push_back(float(t));
    cache.append(a, prompt, rows.data(), rows.data());
    const BlockId block0 = cache.blockTable(a)[0];
    REQUIRE(cache.allocator().isCached(block0));  // tokens 10..13, a full block
    cache.setCurrent(a);
    for (std::int64_t l = 0; l < 2; ++l)
        cache.compactLayer(l, {V{4, 5, 6, 7, 8}});
    CHECK(cache.blockTable(a)[0] == kNoBlock);
    CHECK(cache.allocator().isFree(block0));
    CHECK(cache.allocator().isCached(block0));  // released with its bytes and hash
    // A new sequence with the same first block reuses it: the bytes are the tokens' rows.
    const SeqId b = cache.addSequence();
    const std::vector<TokenId> other = {10, 11, 12, 13, 99};
    CHECK(cache.attachPrefix(b, other) == 4);
    CHECK(cache.blockTable(b)[0] == block0);
    cache.setCurrent(b);
    CHECK(cache.copyKeys(1) == std::vector<float>{10, 11, 12, 13});
    // a's holes never write: its kept rows are still there.
    cache.setCurrent(a);
    CHECK(cache.copyKeys(0) == std::vector<float>{14, 15, 16, 17, 18});
}

TEST_CASE("The estimator's paged figure from held positions, by hand", "[paged][holes]") {
    const ModelShape shape = shapeFromModelConfig(loadModel("builtin:demo")->config, "model");
    CacheSpec spec;
    spec.k_dtype = spec.v_dtype = KvDtype::F32;
    spec.layout = KvLayout::Paged;
    spec.block_size = 4;
    // One block of one layer: 4 slots x kv_dim values x 4 bytes, for K and for V.
    const std::int64_t block_layer = 4 * shape.n_kv_heads * shape.head_dim * 4 * 2;
    // 10 tokens: blocks 0 (0..3), 1 (4..7), 2 (8, 9: the tail, still filling).
    LayerPositions held(static_cast<std::size_t>(shape.n_layers), V{9});
    held[0] = V{1, 9};
    const PagedHoleBytes got = pagedHoleBytes(shape, spec, held, 10);
    CHECK(got.blocks == 2);  // block 1 is held by no layer; block 0 by layer 0's position 1
    CHECK(got.physical == 2 * block_layer * shape.n_layers);
    // Rows below the tail in blocks 0 and 2: 4 + 2 = 6; layer 0 holds 2, the others 1.
    CHECK(got.holes == 4 + 5 * (shape.n_layers - 1));
    // A window of 5 from the definition alone: positions 5..9 touch blocks 1 and 2.
    const BoundedCacheBytes window = boundedCacheBytes(
        shape, spec, EvictionSpec{.policy = EvictionPolicy::Window, .budget = 5}, 10);
    CHECK(window.physical_exact);
    CHECK(window.physical == 2 * block_layer * shape.n_layers);
    CHECK(window.holes == (6 - 5) * shape.n_layers);  // position 4 of block 1
    // h2o without its positions: an upper bound, every block below the tail.
    const BoundedCacheBytes h2o = boundedCacheBytes(
        shape, spec, EvictionSpec{.policy = EvictionPolicy::H2O, .budget = 5, .window = 2}, 10);
    CHECK_FALSE(h2o.physical_exact);
    CHECK(h2o.physical == 3 * block_layer * shape.n_layers);
}

TEST_CASE("Paged with holes gives the contiguous layout's logits under every policy",
          "[paged][holes][evict]") {
    std::vector<std::shared_ptr<const Model>> models = {loadModel("builtin:demo"), tinyModel(4, 2)};
    if (const auto path = realModelPath("stories260K.gguf")) models.push_back(loadModel(*path));
    // Every row-local codec, taken in turn in each position mode (each combination below runs
    // one, so each codec runs under several policies in both modes without multiplying the
    // test's time).
    const std::vector<std::string> codecs = {"f32",  "f16",  "bf16", "fp8",  "fp8_e5m2",
                                             "int8", "q8_0", "q4_0", "int4", "int2"};
    std::size_t turn[2] = {0, 0};               // [original, rerotate]
    std::set<std::string> rerotated, original;  // codecs that ran through holes in each mode
    for (const auto& model : models) {
        const auto tokens = testTokens(*model, 28);
        for (const EvictionSpec& spec : layoutTestSpecs()) {
            const EvictionPolicy p = spec.policy;
            const EvictionPositions pos = spec.positions;
            const std::string codec =
                codecs[turn[pos == EvictionPositions::Rerotate]++ % codecs.size()];
            INFO(model->config.name << " " << toString(p) << " " << toString(pos)
                                    << (spec.per_head ? " per-head " : " ") << codec);
            const KvCacheSpec kv = parseKvCacheSpec(codec, "--test");
            Session contiguous(model, {.cache_spec = kv, .eviction = spec, .max_context = 32});
            Session paged(model, {.cache_layout = CacheLayout::Paged,
                                  .block_size = 4,
                                  .cache_spec = kv,
                                  .eviction = spec,
                                  .max_context = 32});
            const std::int64_t most_holes =
                feedPagedBesideContiguous(contiguous, paged, tokens, model->config.n_layers);
            CHECK(most_holes > 0);  // the test ran through holes
            if (most_holes > 0)
                (pos == EvictionPositions::Rerotate ? rerotated : original).insert(codec);
            const auto& table = dynamic_cast<const PagedKvCache&>(paged.cache()).blockTable(0);
            CHECK(table.size() == 7);  // 28 positions, blocks of 4
            // A window of 7 holds positions 21..27: blocks 5 and 6 only.
            if (p == EvictionPolicy::Window) CHECK(table.nHeld() == 2);
            // Undo puts back the blocks: the same bytes, the same logits again.
            const std::int64_t bytes = physical(paged.cache());
            paged.undo();
            contiguous.undo();
            paged.stepForced(tokens.back());
            contiguous.stepForced(tokens.back());
            CHECK(physical(paged.cache()) == bytes);
            CHECK(paged.lastLogits() == contiguous.lastLogits());
        }
    }
    CHECK(rerotated.size() == codecs.size());
    CHECK(original.size() == codecs.size());
}
