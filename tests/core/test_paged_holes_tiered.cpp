// Paged holes for the formats with a residual (a mixed window `+wN`, kivi2's fp16 window) and
// groups along tokens (kivi2 keys): rows stay where they are, an evicted row is a hole, a group
// of 32 key rows leaves the residual quantized with its evicted rows as they were, so every kept
// row decodes to the bits a cache without eviction holds; blocks go back once no row in them is
// held; undo restores rows, bytes and blocks.
#include <catch2/catch.hpp>
#include <cstring>
#include <string>

#include "core/cache/paged_kv_cache.h"
#include "core/engine/session.h"
#include "core/model/model_source.h"
#include "tests/core/eviction_reference.h"

using namespace kvscope;
using namespace kvscope::test;

namespace {

constexpr std::int64_t kLayers = 2;

/// Rows a deterministic walk writes: [n][kv_dim], values in [-4, 4), layer and role apart.
std::vector<float> rowsFor(std::int64_t layer, bool key, std::int64_t first, std::int64_t n,
                           std::int64_t kv_dim) {
    std::vector<float> out;
    for (std::int64_t p = first; p < first + n; ++p) {
        for (std::int64_t c = 0; c < kv_dim; ++c) {
            std::uint64_t x = std::uint64_t(((p * 131 + c) * 7 + layer) * 2 + (key ? 1 : 0));
            x = x * 6364136223846793005ULL + 1442695040888963407ULL;
            out.push_back(float((x >> 40) % 8192) / 1024.0f - 4.0f);
        }
    }
    return out;
}

/// Appends positions [from, to) to every layer (slots follow the layer's length).
void appendTo(PagedKvCache& cache, std::int64_t from, std::int64_t to) {
    const std::int64_t d = cache.kvDim();
    for (std::int64_t l = 0; l < kLayers; ++l) {
        const std::vector<float> k = rowsFor(l, true, from, to - from, d);
        const std::vector<float> v = rowsFor(l, false, from, to - from, d);
        cache.append(l, cache.layerLength(l), to - from, k.data(), v.data());
    }
}

PagedKvCache makeCache(const char* spec, std::int64_t heads, std::int64_t block,
                       std::int64_t n_blocks) {
    PagedKvCache cache(kLayers, heads, 32, block, n_blocks, parseKvCacheSpec(spec, "--test"));
    cache.setCurrent(cache.addSequence());
    return cache;
}

std::int64_t physical(const KvCache& cache) {
    std::int64_t total = 0;
    for (std::int64_t l = 0; l < cache.nLayers(); ++l)
        total += cache.bytesAllocated(l);
    return total;
}

/// Positions [0, n) without those in `drop`.
V keptOf(std::int64_t n, const V& drop) {
    V out;
    for (std::int64_t p = 0; p < n; ++p)
        if (std::find(drop.begin(), drop.end(), p) == drop.end()) out.push_back(p);
    return out;
}

/// The rows of `all` ([rows][kv_dim]) at `positions`, head group g of n_groups: [n][width].
std::vector<float> pick(const std::vector<float>& all, const V& positions, std::int64_t d,
                        std::int64_t g = 0, std::int64_t n_groups = 1) {
    const std::int64_t width = d / n_groups;
    std::vector<float> out;
    for (std::int64_t p : positions)
        out.insert(out.end(), all.begin() + p * d + g * width,
                   all.begin() + p * d + (g + 1) * width);
    return out;
}

bool sameBits(const std::vector<float>& a, const std::vector<float>& b) {
    return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0;
}

}  // namespace

TEST_CASE("kivi2 keys by hand: a hole inside a group, a whole block freed", "[paged][holes]") {
    // kivi2 with window 0 (+r0), 1 KV head of 32 values, blocks of 32 tokens:
    //   K low unit: one group of 32 tokens per channel = 32 channels x 12 B = 384 B per block;
    //   V: every row quantized at once, 1 group of 32 values = 12 B, x 32 rows = 384 B per block;
    //   so one block of one layer = 768 B. K ring (keys waiting for their group): 0 + 31 slots x
    //   32 fp16 values x 2 B = 1984 B per layer; V has no ring.
    // 64 tokens: both key groups quantized (64 % 32 = 0 wait in fp16), 2 blocks:
    //   2 layers x (2 x 768 + 1984) = 7040 B.
    PagedKvCache cache = makeCache("kivi2+r0", 1, 32, 4);
    appendTo(cache, 0, 64);
    REQUIRE(physical(cache) == 7040);
    std::vector<std::vector<float>> k_before, v_before;
    for (std::int64_t l = 0; l < kLayers; ++l) {
        k_before.push_back(cache.copyKeys(l));
        v_before.push_back(cache.copyValues(l));
    }
    const std::int64_t d = cache.kvDim();

    SECTION("3 rows inside key group 0: 3 holes, nothing freed, kept rows keep their bits") {
        const V kept = keptOf(64, {5, 6, 7});
        for (std::int64_t l = 0; l < kLayers; ++l)
            cache.compactLayer(l, {kept});
        CHECK(cache.holes(0) == 3);
        CHECK(cache.holes(1) == 3);
        CHECK(physical(cache) == 7040);
        for (std::int64_t l = 0; l < kLayers; ++l) {
            CHECK(sameBits(cache.copyKeys(l), pick(k_before[std::size_t(l)], kept, d)));
            CHECK(sameBits(cache.copyValues(l), pick(v_before[std::size_t(l)], kept, d)));
        }
    }
    SECTION("every row of block 0 in every layer: physical drops by 2 layers x 768 B") {
        V kept;
        for (std::int64_t p = 32; p < 64; ++p)
            kept.push_back(p);
        for (std::int64_t l = 0; l < kLayers; ++l)
            cache.compactLayer(l, {kept});
        CHECK(cache.blockTable(cache.current())[0] == kNoBlock);
        CHECK(physical(cache) == 7040 - 2 * 768);  // 5504 B
        CHECK(cache.holes(0) == 0);
        CHECK(sameBits(cache.copyKeys(1), pick(k_before[1], kept, d)));
    }
    SECTION("one layer still holds row 0: block 0 stays") {
        cache.compactLayer(0, {keptOf(64, keptOf(32, {0}))});  // layer 0 keeps 0 and 32..63
        cache.compactLayer(1, {keptOf(64, keptOf(32, {}))});
        CHECK(physical(cache) == 7040);
        CHECK(cache.holes(0) == 31);
        CHECK(cache.holes(1) == 32);
    }
}

TEST_CASE("A kivi2 key group leaves the fp16 window quantized with its evicted rows as they were",
          "[paged][holes]") {
    // kivi2+r0 as above, 40 tokens: key group 0 (rows 0..31) is quantized in block 0, rows
    // 32..39 wait in the fp16 ring; every value row is quantized (block 1 holds rows 32..39).
    PagedKvCache evicting = makeCache("kivi2+r0", 1, 32, 4);
    PagedKvCache full = makeCache("kivi2+r0", 1, 32, 4);
    appendTo(evicting, 0, 40);
    appendTo(full, 0, 40);
    const V kept = keptOf(40, {33, 35});  // two rows in the ring
    for (std::int64_t l = 0; l < kLayers; ++l)
        evicting.compactLayer(l, {kept});
    // Holes: rows below the tail whose bytes are allocated (block 0: 32, block 1: rows 32..39
    // of V and the K ring), 40, less the 38 held = 2.
    CHECK(evicting.holes(0) == 2);
    // Rows 40..63 fill key group 1, which leaves the ring at 64 tokens with rows 33 and 35 in it
    // as they were: every kept row decodes to the bits of the cache that evicted nothing.
    appendTo(evicting, 40, 64);
    appendTo(full, 40, 64);
    const V held = keptOf(64, {33, 35});
    const std::int64_t d = evicting.kvDim();
    for (std::int64_t l = 0; l < kLayers; ++l) {
        CHECK(sameBits(evicting.copyKeys(l), pick(full.copyKeys(l), held, d)));
        CHECK(sameBits(evicting.copyValues(l), pick(full.copyValues(l), held, d)));
    }
    CHECK(evicting.holes(1) == 2);
    CHECK(physical(evicting) == physical(full));
}

TEST_CASE("Random evictions keep every held row's bits, for kivi2 and mixed windows",
          "[paged][holes]") {
    struct Case {
        const char* spec;
        std::int64_t block;
    };
    for (const Case c :
         {Case{"kivi2+r32", 32}, Case{"kivi2", 32}, Case{"int4+w4", 4}, Case{"q4_0+w8:f16", 8}}) {
        for (std::int64_t n_groups : {1, 2}) {
            INFO(c.spec << " groups " << n_groups);
            PagedKvCache evicting = makeCache(c.spec, 2, c.block, 64);
            PagedKvCache full = makeCache(c.spec, 2, c.block, 64);
            const std::int64_t d = evicting.kvDim(), budget = 20;
            // [layer][group] the positions each group holds
            std::vector<std::vector<V>> held(kLayers, std::vector<V>(std::size_t(n_groups)));
            std::uint64_t x = 99;
            const auto next = [&](std::uint64_t n) {
                x = x * 6364136223846793005ULL + 1442695040888963407ULL;
                return std::int64_t((x >> 33) % n);
            };
            std::int64_t evictions = 0, undone = 0, released = 0;
            for (std::int64_t t = 0; t < 260; ++t) {
                appendTo(evicting, t, t + 1);
                appendTo(full, t, t + 1);
                for (auto& layer : held)
                    for (V& g : layer)
                        g.push_back(t);
                const std::int64_t n = std::int64_t(held[0][0].size());
                if (n <= budget) continue;
                // Before: what undo must give back.
                std::vector<std::vector<float>> k_before, v_before;
                for (std::int64_t l = 0; l < kLayers; ++l) {
                    k_before.push_back(evicting.copyKeys(l));
                    v_before.push_back(evicting.copyValues(l));
                }
                const std::int64_t bytes_before = physical(evicting);
                const std::int64_t free_before = evicting.allocator().nFree();
                const std::vector<std::vector<V>> held_before = held;
                // Each layer (each group) keeps a random `budget - 4` of its n slots.
                for (std::int64_t l = 0; l < kLayers; ++l) {
                    std::vector<V> keep(static_cast<std::size_t>(n_groups));
                    for (std::int64_t g = 0; g < n_groups; ++g) {
                        V slots = keptOf(n, {});
                        while (std::int64_t(slots.size()) > budget - 4)
                            slots.erase(slots.begin() + next(slots.size()));
                        V& h = held[std::size_t(l)][std::size_t(g)];
                        V now;
                        for (std::int64_t s : slots)
                            now.push_back(h[std::size_t(s)]);
                        h = now;
                        keep[std::size_t(g)] = slots;
                    }
                    evicting.compactLayer(l, keep);
                }
                const BlockTable& table = evicting.blockTable(evicting.current());
                released = std::max(released, table.size() - table.nHeld());
                // Every held row decodes to the bits of the cache that evicted nothing.
                for (std::int64_t l = 0; l < kLayers; ++l) {
                    const std::vector<float> k_all = full.copyKeys(l), v_all = full.copyValues(l);
                    const std::vector<float> k = evicting.copyKeys(l), v = evicting.copyValues(l);
                    for (std::int64_t g = 0; g < n_groups; ++g) {
                        const V& h = held[std::size_t(l)][std::size_t(g)];
                        REQUIRE(
                            sameBits(pick(k, keptOf(std::int64_t(h.size()), {}), d, g, n_groups),
                                     pick(k_all, h, d, g, n_groups)));
                        REQUIRE(
                            sameBits(pick(v, keptOf(std::int64_t(h.size()), {}), d, g, n_groups),
                                     pick(v_all, h, d, g, n_groups)));
                    }
                }
                // Every third eviction is undone (rows, bits, bytes and blocks come back).
                if (++evictions % 3 != 0) continue;
                for (std::int64_t l = 0; l < kLayers; ++l) {
                    const std::int64_t rows = evicting.layerRows(evicting.current(), l);
                    evicting.restoreLayer(l, held_before[std::size_t(l)], rows, n,
                                          k_before[std::size_t(l)].data(),
                                          v_before[std::size_t(l)].data());
                    REQUIRE(sameBits(evicting.copyKeys(l), k_before[std::size_t(l)]));
                    REQUIRE(sameBits(evicting.copyValues(l), v_before[std::size_t(l)]));
                }
                REQUIRE(physical(evicting) == bytes_before);
                REQUIRE(evicting.allocator().nFree() == free_before);
                held = held_before;
                ++undone;
            }
            CHECK(undone > 15);
            CHECK(released > 0);  // blocks went back to the pool along the way (kNoBlock)
        }
    }
}

TEST_CASE("A paged kivi2 session: layer 0's held rows keep the bits of the full cache",
          "[paged][holes][evict]") {
    // Layer 0's K and V depend on the tokens only, so a session that evicts holds, at every step,
    // exactly the full session's layer-0 rows at the positions it keeps (original positions).
    const auto model = loadModel("builtin:demo");
    const auto tokens = testTokens(*model, 80);
    for (const char* codec : {"kivi2+r32", "int4+w4"}) {
        for (EvictionPolicy p : {EvictionPolicy::Window, EvictionPolicy::Streaming,
                                 EvictionPolicy::H2O, EvictionPolicy::Tova}) {
            INFO(codec << " " << toString(p));
            const KvCacheSpec kv = parseKvCacheSpec(codec, "--test");
            const std::int64_t block = std::string(codec) == "int4+w4" ? 4 : 32;
            Session full(model, {.cache_layout = CacheLayout::Paged,
                                 .block_size = block,
                                 .cache_spec = kv,
                                 .max_context = 96});
            Session paged(model, {.cache_layout = CacheLayout::Paged,
                                  .block_size = block,
                                  .cache_spec = kv,
                                  .eviction = {.policy = p, .budget = 12, .sinks = 2, .window = 4},
                                  .max_context = 96});
            std::vector<std::vector<float>> k_full, v_full;  // [step] layer 0, every position
            feed(full, tokens, [&] {
                k_full.push_back(full.cache().copyKeys(0));
                v_full.push_back(full.cache().copyValues(0));
            });
            std::size_t step = 0;
            std::int64_t most_holes = 0;
            const std::int64_t d = paged.cache().kvDim();
            feed(paged, tokens, [&] {
                const V held = paged.evictor()->positions(0);
                REQUIRE(sameBits(paged.cache().copyKeys(0), pick(k_full[step], held, d)));
                REQUIRE(sameBits(paged.cache().copyValues(0), pick(v_full[step], held, d)));
                most_holes = std::max(most_holes, paged.cache().holes(0));
                ++step;
            });
            CHECK(most_holes > 0);
        }
    }
}

TEST_CASE("Paged holes with a residual give the contiguous layout's logits where both are exact",
          "[paged][holes][evict]") {
    // The contiguous layout compacts a residual format by decoding and encoding every kept row
    // again; that is exact for f16 rows under an f32 window (f16 -> f32 -> f16) and for kivi2
    // while every row is still fp16 (32 tokens: values wait for 32, keys for 32 + 31). There the
    // paged holes (ring rows by row, re-rotated ones written back alone) must give the same bits.
    // With the f32 window only for window and streaming: a policy that evicts a row among the 4
    // most recent makes the contiguous slots age a step later than the paged rows (a row is in
    // the window by its slot there, by its row here), so the two hold different precisions for
    // a step; kivi2 rows never age in 32 tokens.
    const auto model = loadModel("builtin:demo");
    const auto tokens = testTokens(*model, 32);
    for (const char* codec : {"f16+w4:f32", "kivi2+r32"}) {
        const std::int64_t block = std::string(codec) == "kivi2+r32" ? 32 : 4;
        for (const EvictionSpec& spec : layoutTestSpecs()) {
            const bool oldest_first =
                spec.policy == EvictionPolicy::Window || spec.policy == EvictionPolicy::Streaming;
            if (block == 4 && !oldest_first) continue;
            INFO(codec << " " << toString(spec.policy) << " " << toString(spec.positions)
                       << (spec.per_head ? " per-head" : ""));
            const KvCacheSpec kv = parseKvCacheSpec(codec, "--test");
            Session contiguous(model, {.cache_spec = kv, .eviction = spec, .max_context = 32});
            Session paged(model, {.cache_layout = CacheLayout::Paged,
                                  .block_size = block,
                                  .cache_spec = kv,
                                  .eviction = spec,
                                  .max_context = 32});
            CHECK(feedPagedBesideContiguous(contiguous, paged, tokens, 1) > 0);
        }
    }
}
