// The live KV cache in every precision: encoded bytes in both layouts, attention reading them back
// through decode, mixed-precision and KIVI residuals, truncate as a real undo, and the memory
// estimator agreeing with the live cache to the byte.
#include <catch2/catch.hpp>
#include <cmath>
#include <memory>
#include <random>
#include <vector>

#include "core/cache/contiguous_kv_cache.h"
#include "core/cache/fp16_bf16_codec.h"
#include "core/cache/kv_cache_spec.h"
#include "core/cache/kv_codec.h"
#include "core/cache/paged_kv_cache.h"
#include "core/engine/session.h"
#include "core/memory/live_cache_spec.h"
#include "core/memory/memory_estimator.h"
#include "core/model/dequantize.h"
#include "core/model/model_source.h"
#include "core/util/error.h"
#include "tests/core/gguf_test_files.h"

using namespace kvscope;

namespace {

constexpr std::int64_t kLayers = 2, kHeads = 2, kHeadDim = 40, kKvDim = kHeads * kHeadDim;

std::vector<float> normalRows(std::int64_t n_rows, unsigned seed) {
    std::mt19937 rng(seed);
    std::normal_distribution<float> normal(0.0f, 1.0f);
    std::vector<float> rows(std::size_t(n_rows * kKvDim));  // [n_rows][kv_dim]
    for (float& v : rows)
        v = normal(rng);
    return rows;
}

/// Every single-codec spec, plus K != V, mixed windows and KIVI windows.
std::vector<KvCacheSpec> specsUnderTest() {
    std::vector<KvCacheSpec> specs;
    for (const KvDtypeInfo& info : kvDtypes())
        specs.push_back(KvCacheSpec{.k_dtype = info.dtype, .v_dtype = info.dtype});
    for (const char* text : {"q8_0/q4_0", "int8/int4", "fp8_e4m3/fp16", "int4+w8", "int4+w8:bf16",
                             "q4_0+w5", "int2+w16", "kivi2+r8", "kivi2+r0", "kivi2/int8+w4"})
        specs.push_back(parseKvCacheSpec(text, "--test"));
    return specs;
}

std::unique_ptr<PagedKvCache> pagedCache(const KvCacheSpec& spec, std::int64_t block_size,
                                         std::int64_t n_blocks) {
    auto cache =
        std::make_unique<PagedKvCache>(kLayers, kHeads, kHeadDim, block_size, n_blocks, spec);
    cache->setCurrent(cache->addSequence());
    return cache;
}

/// Appends rows [from, to) of k and v ([n][kv_dim]) to every layer.
void appendRange(KvCache& cache, const std::vector<float>& k, const std::vector<float>& v,
                 std::int64_t from, std::int64_t to) {
    for (std::int64_t l = 0; l < kLayers; ++l)
        cache.append(l, from, to - from, k.data() + from * kKvDim, v.data() + from * kKvDim);
}

/// The value a fresh token of `role` holds once it has aged into the low part: fp32 -> residual
/// -> low, per KV head (kivi2 keys are checked elsewhere: they depend on the group).
std::vector<float> roundTrip(KvDtype dtype, const float* row, std::int64_t n = kKvDim) {
    const auto codec = makeKvCodec(dtype);
    std::vector<float> out(static_cast<std::size_t>(n));
    for (std::int64_t h = 0; h < n / kHeadDim; ++h) {
        const std::span<const float> head(row + h * kHeadDim, std::size_t(kHeadDim));
        const std::vector<float> back = codec->decoded(codec->encoded(head), kHeadDim);
        std::copy(back.begin(), back.end(), out.begin() + h * kHeadDim);
    }
    return out;
}

std::int64_t usedBytes(const KvCache& cache) {
    std::int64_t total = 0;
    for (std::int64_t l = 0; l < cache.nLayers(); ++l)
        total += cache.kBytesUsed(l) + cache.vBytesUsed(l);
    return total;
}

}  // namespace

TEST_CASE("KvCacheSpec spells K/V codecs, mixed windows and KIVI windows", "[cache][quant]") {
    const KvCacheSpec kv = parseKvCacheSpec("q8_0/q4_0", "--codecs");
    CHECK(kv.k_dtype == KvDtype::Q8_0);
    CHECK(kv.v_dtype == KvDtype::Q4_0);
    const KvCacheSpec mixed = parseKvCacheSpec("int4+w32:bf16", "--codecs");
    CHECK(mixed.recent_window == 32);
    CHECK(mixed.recent_dtype == KvDtype::BF16);
    CHECK(parseKvCacheSpec("fp8", "--codecs").k_dtype == KvDtype::FP8_E4M3);
    CHECK(parseKvCacheSpec("kivi2+r32", "--codecs").kivi_window == 32);
    for (const KvCacheSpec& spec : specsUnderTest())
        CHECK(parseKvCacheSpec(spec.label(), "--codecs") == spec);
    CHECK(KvCacheSpec{}.isPlainFp32());
    CHECK_FALSE(parseKvCacheSpec("fp32+w4", "--codecs").isPlainFp32());
    for (const char* bad : {"int3", "int4+w", "int4+wx", "int4+w-1", "int4+r8", "kivi2+w8",
                            "int4+w8:kivi2", "kivi2+r8:fp16", "int4/", "+w8"}) {
        INFO(bad);
        CHECK_THROWS_WITH(parseKvCacheSpec(bad, "--codecs"), Catch::Contains("--codecs"));
    }
    CHECK_THROWS_WITH(PagedKvCache(1, 1, 32, 16, 4, parseKvCacheSpec("kivi2", "--codecs")),
                      Catch::Contains("multiple of 32"));
}

TEST_CASE("Every spec stores encoded bytes in both layouts and reads them back decoded",
          "[cache][quant]") {
    constexpr std::int64_t kTokens = 70;
    const std::vector<float> k = normalRows(kTokens, 1), v = normalRows(kTokens, 2);
    for (const KvCacheSpec& spec : specsUnderTest()) {
        INFO(spec.label());
        ContiguousKvCache contiguous(kLayers, kHeads, kHeadDim, kTokens, spec);
        ContiguousKvCache one_by_one(kLayers, kHeads, kHeadDim, kTokens, spec);
        auto paged = pagedCache(spec, 32, 8);
        // Batched in uneven pieces, token by token, and in the paged layout.
        for (auto [from, to] : {std::pair{0, 1}, std::pair{1, 33}, std::pair{33, 70}}) {
            appendRange(contiguous, k, v, from, to);
            appendRange(*paged, k, v, from, to);
        }
        for (std::int64_t t = 0; t < kTokens; ++t)
            appendRange(one_by_one, k, v, t, t + 1);
        for (std::int64_t l = 0; l < kLayers; ++l) {
            REQUIRE(contiguous.copyKeys(l) == one_by_one.copyKeys(l));
            REQUIRE(contiguous.copyValues(l) == one_by_one.copyValues(l));
            REQUIRE(contiguous.copyKeys(l) == paged->copyKeys(l));
            REQUIRE(contiguous.copyValues(l) == paged->copyValues(l));
            // Bytes: the formula of every role, residual and low part.
            const std::int64_t k_bytes =
                kHeads * kvBytesForTokens(spec.keyFormat(), KvRole::Key, kHeadDim, kTokens);
            const std::int64_t v_bytes =
                kHeads * kvBytesForTokens(spec.valueFormat(), KvRole::Value, kHeadDim, kTokens);
            CHECK(contiguous.kBytesUsed(l) == k_bytes);
            CHECK(contiguous.vBytesUsed(l) == v_bytes);
            CHECK(paged->kBytesUsed(l) == k_bytes);
            CHECK(paged->vBytesUsed(l) == v_bytes);
        }
        // Without a residual, each row decodes exactly as its codec does on its own.
        if (spec.recent_window == 0 && spec.k_dtype != KvDtype::KIVI2 &&
            spec.v_dtype != KvDtype::KIVI2) {
            const std::vector<float> keys = contiguous.copyKeys(1),
                                     values = contiguous.copyValues(0);
            for (std::int64_t t = 0; t < kTokens; t += 7) {
                const std::vector<float> ek = roundTrip(spec.k_dtype, k.data() + t * kKvDim);
                const std::vector<float> ev = roundTrip(spec.v_dtype, v.data() + t * kKvDim);
                REQUIRE(std::equal(ek.begin(), ek.end(), keys.begin() + t * kKvDim));
                REQUIRE(std::equal(ev.begin(), ev.end(), values.begin() + t * kKvDim));
            }
        }
    }
}

TEST_CASE("Mixed window: the last W tokens stay high, older ones age into the low codec",
          "[cache][quant]") {
    constexpr std::int64_t kTokens = 30, kWindow = 8;
    const KvCacheSpec spec = parseKvCacheSpec("int4+w8", "--codecs");
    const std::vector<float> k = normalRows(kTokens, 3), v = normalRows(kTokens, 4);
    for (int layout = 0; layout < 2; ++layout) {
        INFO((layout == 0 ? "contiguous" : "paged"));
        std::unique_ptr<KvCache> cache;
        if (layout == 0)
            cache = std::make_unique<ContiguousKvCache>(kLayers, kHeads, kHeadDim, kTokens, spec);
        else
            cache = pagedCache(spec, 4, 16);
        appendRange(*cache, k, v, 0, kTokens);
        const std::vector<float> keys = cache->copyKeys(0);
        for (std::int64_t t = 0; t < kTokens; ++t) {
            INFO("token " << t);
            const std::vector<float> fp16 = roundTrip(KvDtype::F16, k.data() + t * kKvDim);
            const std::vector<float> expected =
                t >= kTokens - kWindow ? fp16 : roundTrip(KvDtype::INT4, fp16.data());
            REQUIRE(std::equal(expected.begin(), expected.end(), keys.begin() + t * kKvDim));
        }
        // 8 fp16 rows + 22 int4 rows per head: 8 x 80 B + 22 x 40 B.
        CHECK(cache->kBytesUsed(0) == kHeads * (8 * 80 + 22 * 40));

        // Truncate to 20: tokens 12..19 re-enter the window (fp16) from their int4 bytes; the
        // precision they lost when they aged out stays lost (only counted bytes are kept).
        cache->truncate(20);
        CHECK(cache->kBytesUsed(0) == kHeads * (8 * 80 + 12 * 40));
        const std::vector<float> after = cache->copyKeys(0);
        REQUIRE(after.size() == std::size_t(20 * kKvDim));
        for (std::size_t i = 0; i < after.size(); ++i) {
            const float expected =
                i < std::size_t(12 * kKvDim) ? keys[i] : fp16ToFp32(fp32ToFp16(keys[i]));
            REQUIRE(after[i] == expected);
        }
        // Appending again ages them back out; tokens that never moved keep their bytes.
        appendRange(*cache, k, v, 20, kTokens);
        const std::vector<float> again = cache->copyKeys(0);
        for (std::size_t i = 0; i < std::size_t(20 * kKvDim); ++i) {
            if (i < std::size_t(12 * kKvDim))
                REQUIRE(again[i] == keys[i]);
            else
                REQUIRE(std::fabs(again[i] - keys[i]) <= 0.5f);  // int4 of an int4 value
        }
        CHECK(cache->kBytesUsed(0) == kHeads * (8 * 80 + 22 * 40));
    }
}

TEST_CASE("kivi2 keys wait in fp16 until a group of 32 fills; truncate un-fills it",
          "[cache][quant]") {
    constexpr std::int64_t kTokens = 80, kWindow = 8;
    const KvCacheSpec spec = parseKvCacheSpec("kivi2+r8", "--codecs");
    const std::vector<float> k = normalRows(kTokens, 5), v = normalRows(kTokens, 6);
    ContiguousKvCache cache(kLayers, kHeads, kHeadDim, kTokens, spec);
    auto paged = pagedCache(spec, 32, 4);
    const KvRoleFormat key_format = spec.keyFormat();
    for (std::int64_t t = 0; t < kTokens; ++t) {
        appendRange(cache, k, v, t, t + 1);
        appendRange(*paged, k, v, t, t + 1);
        const std::int64_t n = t + 1;
        INFO("tokens " << n);
        // Keys: fp16 for the last 8 and for the older tokens that do not fill a group of 32.
        const std::int64_t residual = kvResidualTokens(key_format, KvRole::Key, n);
        CHECK(residual == std::min(n, kWindow) + (n - std::min(n, kWindow)) % 32);
        CHECK(cache.kBytesUsed(0) ==
              kHeads * (residual * kHeadDim * 2 + (n - residual) / 32 * kHeadDim * 12));
        CHECK(paged->kBytesUsed(0) == cache.kBytesUsed(0));
        CHECK(paged->bytesAllocated(0) == paged->blockTable(paged->current()).size() *
                                                  (kHeads * kHeadDim * 12 + 32 * kHeads * 12 * 2) +
                                              paged->ringBytes());
    }
    REQUIRE(cache.copyKeys(1) == paged->copyKeys(1));
    // 80 tokens: 64 keys quantized (2 groups), 16 in fp16. Truncating to 60 leaves 52 old keys:
    // group 2 (tokens 32..63) un-fills, its tokens 32..51 return to fp16 from their 2-bit bytes.
    const std::vector<float> before = cache.copyKeys(0);
    cache.truncate(60);
    CHECK(kvResidualTokens(key_format, KvRole::Key, 60) == 8 + 20);
    CHECK(cache.kBytesUsed(0) == kHeads * (28 * kHeadDim * 2 + kHeadDim * 12));
    const std::vector<float> after = cache.copyKeys(0);
    REQUIRE(after.size() == std::size_t(60 * kKvDim));
    for (std::size_t i = 0; i < after.size(); ++i) {
        // Group 1 (tokens 0..31) keeps its bytes; the rest is fp16 (of the 2-bit value).
        const float expected =
            i < std::size_t(32 * kKvDim) ? before[i] : fp16ToFp32(fp32ToFp16(before[i]));
        REQUIRE(after[i] == expected);
    }
}

namespace {

/// Prefill BOS, then step to `steps` tokens; logits after each step.
std::vector<Vector> runLogits(std::shared_ptr<const Model> model, SessionOptions options,
                              int steps) {
    Session session(model, options);
    std::vector<Vector> logits;
    session.prefill(std::vector<TokenId>{model->tokenizer->bos(), 5, 9});
    logits.push_back(session.lastLogits());
    for (int i = 0; i < steps; ++i) {
        session.step();
        logits.push_back(session.lastLogits());
    }
    return logits;
}

}  // namespace

TEST_CASE("Paged and contiguous give bit-identical logits in every precision", "[cache][quant]") {
    const auto model = loadModel("builtin:demo");
    for (const char* text : {"fp32", "fp16", "int8", "q4_0/q8_0", "int4+w8", "kivi2+r8", "int2"}) {
        INFO(text);
        SessionOptions options{.cache_spec = parseKvCacheSpec(text, "--test"),
                               .max_context = 64,
                               .record_attention = false};
        const std::vector<Vector> contiguous = runLogits(model, options, 40);
        options.cache_layout = CacheLayout::Paged;
        options.block_size = 32;
        const std::vector<Vector> paged = runLogits(model, options, 40);
        for (std::size_t i = 0; i < contiguous.size(); ++i)
            REQUIRE((contiguous[i].array() == paged[i].array()).all());
        if (std::string(text) != "fp32") {
            options.cache_spec = KvCacheSpec{};
            const std::vector<Vector> fp32 = runLogits(model, options, 40);
            CHECK_FALSE((fp32.back().array() == paged.back().array()).all());  // really encoded
        }
    }
}

TEST_CASE("Per-token codecs: undo then step reproduces the step exactly", "[cache][quant]") {
    const auto model = loadModel("builtin:demo");
    for (const char* text : {"int8", "q4_0", "fp8_e5m2/int4"}) {
        for (CacheLayout layout : {CacheLayout::Contiguous, CacheLayout::Paged}) {
            INFO(text);
            Session session(model, SessionOptions{.cache_layout = layout,
                                                  .block_size = 4,
                                                  .cache_spec = parseKvCacheSpec(text, "--t"),
                                                  .max_context = 32});
            session.prefill(std::vector<TokenId>{1, 7, 3});
            for (int i = 0; i < 5; ++i)
                session.step();
            const Vector logits = session.lastLogits();
            const std::int64_t bytes = usedBytes(session.cache());
            session.undo();
            session.undo();
            CHECK(usedBytes(session.cache()) < bytes);
            session.step();
            session.step();
            CHECK((session.lastLogits().array() == logits.array()).all());
            CHECK(usedBytes(session.cache()) == bytes);
        }
    }
}

namespace {

/// The estimator's spec for a session's cache.
CacheSpec estimatorSpec(const SessionOptions& options, std::int64_t reserve) {
    return estimatorCacheSpec(options.cache_spec, options.cache_layout, options.block_size,
                              reserve);
}

/// After N tokens, for N in {1, 5, 31, 32, 33, 100}: the live cache's allocated and used bytes
/// equal the estimator's, for every spec and both layouts.
void checkEstimatorAgainstLiveCache(std::shared_ptr<const Model> model) {
    const ModelShape shape = shapeFromModelConfig(model->config, "model");
    constexpr std::int64_t kMaxContext = 128;
    for (const KvCacheSpec& cache_spec : specsUnderTest()) {
        for (CacheLayout layout : {CacheLayout::Contiguous, CacheLayout::Paged}) {
            const SessionOptions options{.cache_layout = layout,
                                         .block_size = 32,
                                         .cache_spec = cache_spec,
                                         .max_context = kMaxContext,
                                         .record_attention = false,
                                         .record_top_k = 0};
            Session session(model, options);
            const CacheSpec spec = estimatorSpec(options, kMaxContext);
            session.prefill(std::vector<TokenId>{model->tokenizer->bos()});
            for (std::int64_t n : {1, 5, 31, 32, 33, 100}) {
                while (session.position() < n)
                    session.step();
                INFO(cache_spec.label()
                     << ", " << (layout == CacheLayout::Paged ? "paged" : "contiguous") << ", " << n
                     << " tokens");
                std::int64_t allocated = 0;
                for (std::int64_t l = 0; l < shape.n_layers; ++l)
                    allocated += session.cache().bytesAllocated(l);
                const BatchKvBytes est = batchKvBytes(shape, spec, {.context = n});
                CHECK(allocated == est.of(spec.layout));
                CHECK(usedBytes(session.cache()) ==
                      kvSequenceBytes(shape, spec, shape.n_kv_heads, n));
            }
        }
    }
}

}  // namespace

TEST_CASE("The estimator equals the live cache to the byte in every precision and layout",
          "[memory][quant]") {
    checkEstimatorAgainstLiveCache(loadModel("builtin:demo"));
    if (const auto path = test::realModelPath("stories260K.gguf"))
        checkEstimatorAgainstLiveCache(loadModel(*path));
}
