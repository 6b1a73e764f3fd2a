// KV storage formats: bytes for n values, scales and zero points included, counted by hand.
#include <algorithm>
#include <catch2/catch.hpp>

#include "core/cache/kv_dtype.h"
#include "core/util/error.h"

using namespace kvscope;

TEST_CASE("Plain formats cost their width per value", "[memory]") {
    CHECK(kvRowBytes(KvDtype::F32, 128) == 512);
    CHECK(kvRowBytes(KvDtype::F16, 128) == 256);
    CHECK(kvRowBytes(KvDtype::BF16, 128) == 256);
    CHECK(kvRowBytes(KvDtype::FP8_E4M3, 128) == 128);
    CHECK(kvRowBytes(KvDtype::FP8_E5M2, 128) == 128);
    // int8: one fp16 scale per token per KV head: 128 + 2.
    CHECK(kvRowBytes(KvDtype::INT8, 128) == 130);
    CHECK(kvRowBytes(KvDtype::INT8, 0) == 0);
}

TEST_CASE("Grouped formats round partial groups up to whole groups", "[memory]") {
    // q8_0: fp16 scale (2) + 32 int8 (32) = 34 B per 32 values.
    CHECK(kvRowBytes(KvDtype::Q8_0, 32) == 34);
    CHECK(kvRowBytes(KvDtype::Q8_0, 33) == 68);  // 2 blocks
    CHECK(kvRowBytes(KvDtype::Q8_0, 128) == 4 * 34);
    // q4_0: fp16 scale (2) + 32 nibbles (16) = 18 B per 32.
    CHECK(kvRowBytes(KvDtype::Q4_0, 32) == 18);
    CHECK(kvRowBytes(KvDtype::Q4_0, 64) == 36);
    CHECK(kvRowBytes(KvDtype::Q4_0, 1) == 18);
    // int4 group-wise asymmetric: 16 B nibbles + fp16 scale + fp16 zero = 20 B per 32.
    CHECK(kvRowBytes(KvDtype::INT4, 128) == 80);
    CHECK(kvRowBytes(KvDtype::INT4, 96 + 1) == 4 * 20);
    // kivi2 value row: 8 B of 2-bit codes + 2 + 2 = 12 B per 32.
    CHECK(kvRowBytes(KvDtype::KIVI2, 128) == 48);
}

TEST_CASE("KIVI keeps its recent window in fp16 and groups keys along tokens", "[memory]") {
    const std::int64_t d = 128;
    // Inside the window: fp16 only.
    CHECK(kvBytesForTokens(KvDtype::KIVI2, KvRole::Key, d, 100, 128) == 100 * 256);
    CHECK(kvBytesForTokens(KvDtype::KIVI2, KvRole::Value, d, 128, 128) == 128 * 256);
    // 200 tokens, R = 128: 128 fp16 rows (128 * 256 = 32768) + 72 quantized tokens.
    // Values per token: 72 * 48 = 3456.
    CHECK(kvBytesForTokens(KvDtype::KIVI2, KvRole::Value, d, 200, 128) == 32768 + 3456);
    // Keys per channel: 72 older tokens = 2 whole token groups (2 x 128 channels x 12 B = 3072)
    // + 8 tokens that wait in fp16 until their group fills (8 x 256 = 2048).
    CHECK(kvBytesForTokens(KvDtype::KIVI2, KvRole::Key, d, 200, 128) == 32768 + 2048 + 3072);
    CHECK(kvResidualTokens({.dtype = KvDtype::KIVI2}, KvRole::Key, 200) == 136);
    CHECK(kvResidualTokens({.dtype = KvDtype::KIVI2}, KvRole::Value, 200) == 128);
    // A whole number of groups: 128 + 64 tokens -> 2 groups x 128 x 12 = 3072 = 64 x 48.
    CHECK(kvBytesForTokens(KvDtype::KIVI2, KvRole::Key, d, 192, 128) == 32768 + 3072);
    // Other formats are linear in tokens.
    CHECK(kvBytesForTokens(KvDtype::Q8_0, KvRole::Key, d, 10) == 10 * 136);
}

TEST_CASE("A mixed-precision window keeps the last W tokens in its dtype", "[memory]") {
    const KvRoleFormat int4_w32{.dtype = KvDtype::INT4, .recent_window = 32};
    // 100 tokens, rows of 64: 32 fp16 rows (32 x 128 B) + 68 int4 rows (68 x 40 B).
    CHECK(kvBytesForTokens(int4_w32, KvRole::Key, 64, 100) == 32 * 128 + 68 * 40);
    CHECK(kvBytesForTokens(int4_w32, KvRole::Value, 64, 20) == 20 * 128);
    // A contiguous reservation of 100 tokens: the ring of 32 + the low part of 100 tokens.
    CHECK(kvReservedBytes(int4_w32, KvRole::Key, 64, 100) == 32 * 128 + 68 * 40);
    // kivi2 keys reserve R + 31 fp16 slots: the most the residual ever holds.
    const KvRoleFormat kivi{.dtype = KvDtype::KIVI2, .kivi_window = 16};
    CHECK(kvResidualSlots(kivi, KvRole::Key) == 47);
    CHECK(kvReservedBytes(kivi, KvRole::Key, 64, 100) == 47 * 128 + 2 * 64 * 12);
    std::int64_t most = 0;
    for (std::int64_t n = 0; n <= 100; ++n)
        most = std::max(most, kvBytesForTokens(kivi, KvRole::Key, 64, n));
    CHECK(most <= kvReservedBytes(kivi, KvRole::Key, 64, 100));
    CHECK_THROWS_AS(
        kvBytesForTokens({.dtype = KvDtype::INT8, .recent_window = -1}, KvRole::Key, 64, 10),
        InputError);
    CHECK_THROWS_AS(
        kvBytesForTokens(
            {.dtype = KvDtype::INT8, .recent_window = 4, .recent_dtype = KvDtype::KIVI2},
            KvRole::Key, 64, 10),
        InputError);
}

TEST_CASE("KV dtype names parse and bad ones are refused", "[memory]") {
    CHECK(parseKvDtype("fp16") == KvDtype::F16);
    CHECK(parseKvDtype("fp8") == KvDtype::FP8_E4M3);
    CHECK(parseKvDtype("q4_0") == KvDtype::Q4_0);
    CHECK(parseKvDtype("kivi2") == KvDtype::KIVI2);
    for (const KvDtypeInfo& info : kvDtypes())
        CHECK(parseKvDtype(info.name) == info.dtype);
    CHECK_THROWS_WITH(parseKvDtype("fp12"), Catch::Contains("unknown KV dtype 'fp12'"));
    CHECK_THROWS_AS(kvRowBytes(KvDtype::F16, -1), InputError);
    CHECK_THROWS_AS(kvRowBytes(KvDtype::F32, std::int64_t(1) << 62), InputError);
}

TEST_CASE("kvRowFormula spells out each format's row bytes", "[kv-dtype]") {
    CHECK(kvRowFormula(KvDtype::F16, 128) == "128 x 2 B");
    CHECK(kvRowFormula(KvDtype::INT8, 8) == "8 x 1 B + 2 B fp16 scale");
    // q8_0: 32 int8 codes + an fp16 scale = 34 B per group; q4_0: 16 B + 2 B = 18 B.
    CHECK(kvRowFormula(KvDtype::Q8_0, 128) == "ceil(128/32) = 4 groups x 34 B");
    CHECK(kvRowFormula(KvDtype::Q4_0, 8) == "ceil(8/32) = 1 group x 18 B");
}
