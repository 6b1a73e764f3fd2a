// Encoded sizes of every codec against core/memory/kv_dtype, and kivi2's window and grouping.
#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <cstring>
#include <random>
#include <stdexcept>
#include <vector>

#include "core/cache/fp16_bf16_codec.h"
#include "core/cache/kv_codec.h"
#include "core/cache/kv_dtype.h"
#include "core/model/dequantize.h"

using namespace kvscope;

namespace {

constexpr std::byte kCanary{0xa5};
constexpr std::size_t kPad = 16;

std::vector<float> normalValues(std::size_t n, unsigned seed) {
    std::mt19937 rng(seed);
    std::normal_distribution<float> normal(0.0f, 1.0f);
    std::vector<float> values(n);
    for (float& v : values)
        v = normal(rng);
    return values;
}

/// A buffer of `n` bytes with canaries either side; intact() says encode stayed inside.
struct GuardedBytes {
    explicit GuardedBytes(std::size_t n) : storage(n + 2 * kPad, kCanary), size(n) {}
    std::span<std::byte> inner() { return std::span(storage).subspan(kPad, size); }
    bool intact() const {
        return std::all_of(storage.begin(), storage.begin() + kPad,
                           [](std::byte b) { return b == kCanary; }) &&
               std::all_of(storage.end() - kPad, storage.end(),
                           [](std::byte b) { return b == kCanary; });
    }
    std::vector<std::byte> storage;
    std::size_t size;
};

float loadFp16(std::span<const std::byte> bytes, std::size_t offset) {
    std::uint16_t bits;
    std::memcpy(&bits, bytes.data() + offset, sizeof bits);
    return fp16ToFp32(bits);
}

float roundedToFp16(float v) {
    return fp16ToFp32(fp32ToFp16(v));
}

}  // namespace

TEST_CASE("every codec encodes a row of n = 1..300 into exactly kvRowBytes(n)", "[codec]") {
    const std::vector<float> values = normalValues(300, 7);
    for (const KvDtypeInfo& info : kvDtypes()) {
        const auto codec = makeKvCodec(info.dtype);
        REQUIRE(codec->dtype() == info.dtype);
        REQUIRE(codec->name() == info.name);
        for (std::int64_t n = 1; n <= 300; ++n) {
            INFO(info.name << " n=" << n);
            const std::int64_t expected = kvRowBytes(info.dtype, n);
            REQUIRE(codec->encodedBytes(n) == expected);
            const auto row = std::span(values).first(std::size_t(n));
            GuardedBytes bytes{std::size_t(expected)};
            codec->encode(row, bytes.inner());
            REQUIRE(bytes.intact());
            std::vector<float> back(row.size());
            codec->decode(bytes.inner(), back);
            for (std::size_t i = 0; i < row.size(); ++i)
                REQUIRE(std::fabs(back[i] - row[i]) <= 2.5f);  // sanity; bounds: other tests
            std::vector<std::byte> short_by_one(std::size_t(expected - 1));
            REQUIRE_THROWS_AS(codec->encode(row, short_by_one), std::invalid_argument);
        }
    }
}

TEST_CASE("every codec encodes blocks of tokens into exactly kvBytesForTokens()", "[codec]") {
    for (const KvDtypeInfo& info : kvDtypes()) {
        for (std::int64_t window : {std::int64_t(0), std::int64_t(5), kKiviDefaultWindow}) {
            const auto codec = makeKvCodec(info.dtype, window);
            for (std::int64_t row : {1, 31, 32, 40, 64}) {
                for (std::int64_t n_tokens : {0, 1, 5, 6, 31, 32, 33, 37, 70, 129, 200}) {
                    for (KvRole role : {KvRole::Key, KvRole::Value}) {
                        INFO(info.name << " window=" << window << " row=" << row
                                       << " tokens=" << n_tokens);
                        const std::int64_t expected =
                            kvBytesForTokens(info.dtype, role, row, n_tokens, window);
                        REQUIRE(codec->encodedBytesForTokens(role, row, n_tokens) == expected);
                        const std::vector<float> src =
                            normalValues(std::size_t(row * n_tokens), 11);
                        GuardedBytes bytes{std::size_t(expected)};
                        codec->encodeTokens(role, row, src, bytes.inner());
                        REQUIRE(bytes.intact());
                        std::vector<float> back(src.size());
                        codec->decodeTokens(role, row, bytes.inner(), back);
                        for (std::size_t i = 0; i < src.size(); ++i)
                            REQUIRE(std::fabs(back[i] - src[i]) <= 3.0f);
                    }
                }
            }
        }
    }
}

TEST_CASE("kivi2: recent window exact in fp16, older tokens within d/2 of their group", "[codec]") {
    constexpr std::int64_t kRow = 64, kTokens = 200, kWindow = 128;
    // Values: 72 old tokens quantized. Keys: the 64 of them that fill token groups of 32; the
    // other 8 wait in fp16 until their group fills.
    std::vector<float> src = normalValues(std::size_t(kRow * kTokens), 21);
    for (float& v : src)
        v = roundedToFp16(v);  // so the fp16 window is exact
    const auto codec = makeKvCodec(KvDtype::KIVI2, kWindow);
    for (KvRole role : {KvRole::Key, KvRole::Value}) {
        std::vector<std::byte> bytes(
            std::size_t(codec->encodedBytesForTokens(role, kRow, kTokens)));
        codec->encodeTokens(role, kRow, src, bytes);
        std::vector<float> back(src.size());
        codec->decodeTokens(role, kRow, bytes, back);
        const std::int64_t n_old = role == KvRole::Key ? 64 : 72;
        for (std::int64_t t = 0; t < kTokens; ++t) {
            for (std::int64_t c = 0; c < kRow; ++c) {
                const auto i = std::size_t(t * kRow + c);
                INFO((role == KvRole::Key ? "key" : "value") << " token " << t << " ch " << c);
                if (t >= n_old) {
                    REQUIRE(back[i] == src[i]);
                    continue;
                }
                // Keys: group (token group, channel); values: group (token, channel group).
                const std::size_t group = role == KvRole::Key
                                              ? std::size_t((t / 32) * kRow + c)
                                              : std::size_t(t * (kRow / 32) + c / 32);
                const float d = loadFp16(bytes, group * 12);
                REQUIRE(std::fabs(back[i] - src[i]) <= d / 2 * (1 + 1e-6f) + 1e-30f);
            }
        }
    }
}

TEST_CASE("kivi2 keys are grouped per channel: channel outliers cost nothing", "[codec]") {
    // Each channel has its own large offset (as real key caches do); within a channel the tokens
    // vary little. Per-channel groups see only that small spread, per-token groups the offsets.
    constexpr std::int64_t kRow = 32, kTokens = 64;
    std::vector<float> src = normalValues(std::size_t(kRow * kTokens), 5);
    for (std::int64_t t = 0; t < kTokens; ++t) {
        for (std::int64_t c = 0; c < kRow; ++c)
            src[std::size_t(t * kRow + c)] = 0.01f * src[std::size_t(t * kRow + c)] + float(c);
    }
    const auto codec = makeKvCodec(KvDtype::KIVI2, 0);
    const auto maxError = [&](KvRole role) {
        std::vector<std::byte> bytes(
            std::size_t(codec->encodedBytesForTokens(role, kRow, kTokens)));
        codec->encodeTokens(role, kRow, src, bytes);
        std::vector<float> back(src.size());
        codec->decodeTokens(role, kRow, bytes, back);
        float worst = 0.0f;
        for (std::size_t i = 0; i < src.size(); ++i)
            worst = std::max(worst, std::fabs(back[i] - src[i]));
        return worst;
    };
    const float key_error = maxError(KvRole::Key), value_error = maxError(KvRole::Value);
    CHECK(key_error < 0.05f);
    CHECK(value_error > 1.0f);  // 31 / 3 / 2 ~ 5 at worst
}

TEST_CASE("kivi2: fewer tokens than the window stay entirely fp16", "[codec]") {
    std::vector<float> src = normalValues(10 * 16, 3);
    for (float& v : src)
        v = roundedToFp16(v);
    const auto codec = makeKvCodec(KvDtype::KIVI2, 128);
    for (KvRole role : {KvRole::Key, KvRole::Value}) {
        std::vector<std::byte> bytes(std::size_t(codec->encodedBytesForTokens(role, 16, 10)));
        CHECK(bytes.size() == 10 * 16 * 2);
        codec->encodeTokens(role, 16, src, bytes);
        std::vector<float> back(src.size());
        codec->decodeTokens(role, 16, bytes, back);
        CHECK(back == src);
    }
}
