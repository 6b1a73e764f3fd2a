// int8, int4, q8_0, q4_0: per-element error bounds on random and adversarial rows, ggml
// bit-compatibility, non-finite inputs.
#include <algorithm>
#include <bit>
#include <catch2/catch.hpp>
#include <cmath>
#include <cstring>
#include <functional>
#include <limits>
#include <random>
#include <vector>

#include "core/cache/kv_codec.h"
#include "core/cache/kv_codec_affine.h"
#include "core/cache/round_half_away.h"
#include "core/model/dequantize.h"
#include "core/model/ggml_type.h"

using namespace kvscope;

namespace {

using Rows = std::vector<std::vector<float>>;

float loadFp16(const std::vector<std::byte>& bytes, std::size_t offset) {
    std::uint16_t bits;
    std::memcpy(&bits, bytes.data() + offset, sizeof bits);
    return fp16ToFp32(bits);
}

/// Seeded random and adversarial rows: zeros, constants, one huge outlier, negative-only, tiny,
/// and lengths that leave partial groups.
Rows testRows() {
    std::mt19937 rng(1234);
    std::normal_distribution<float> normal(0.0f, 1.0f);
    std::uniform_real_distribution<float> negative(-5.0f, -1.0f);
    Rows rows;
    for (std::size_t n : {1, 7, 31, 32, 33, 64, 100, 128, 300}) {
        std::vector<float> row(n);
        for (float& v : row)
            v = normal(rng);
        rows.push_back(row);
    }
    rows.push_back(std::vector<float>(64, 0.0f));
    rows.push_back(std::vector<float>(64, 3.5f));
    rows.push_back(std::vector<float>(40, -0.1f));
    rows.push_back(std::vector<float>(5, 1e-7f));
    std::vector<float> outlier(128);
    for (float& v : outlier)
        v = normal(rng);
    outlier[77] = 1000.0f;
    rows.push_back(outlier);
    outlier[77] = -60000.0f;
    rows.push_back(outlier);
    std::vector<float> neg(96);
    for (float& v : neg)
        v = negative(rng);
    rows.push_back(neg);
    std::vector<float> scaled(64);
    for (float& v : scaled)
        v = 1e4f * normal(rng);
    rows.push_back(scaled);
    return rows;
}

/// Checks |x - decoded| <= bound(element) for every element of every row.
using BoundFn =
    std::function<double(const std::vector<std::byte>&, const std::vector<float>&, std::size_t)>;

double checkRows(KvDtype dtype, const BoundFn& bound) {
    const auto codec = makeKvCodec(dtype);
    double worst_ratio = 0.0;
    for (const std::vector<float>& row : testRows()) {
        const std::vector<std::byte> bytes = codec->encoded(row);
        const std::vector<float> back = codec->decoded(bytes, std::int64_t(row.size()));
        for (std::size_t i = 0; i < row.size(); ++i) {
            const double err = std::fabs(double(row[i]) - double(back[i]));
            const double b = bound(bytes, row, i) + 1e-6 * std::fabs(row[i]) + 1e-30;
            INFO(codec->name() << " n=" << row.size() << " i=" << i << " x=" << row[i]
                               << " decoded=" << back[i] << " bound=" << b);
            REQUIRE(err <= b);
            worst_ratio = std::max(worst_ratio, err / b);
        }
    }
    return worst_ratio;
}

/// max |x| over the 32-value block holding element i.
float blockAmax(const std::vector<float>& row, std::size_t i) {
    const std::size_t first = i / 32 * 32, last = std::min(row.size(), first + 32);
    float amax = 0.0f;
    for (std::size_t j = first; j < last; ++j)
        amax = std::max(amax, std::fabs(row[j]));
    return amax;
}

/// The value of largest magnitude in the block of element i (the first one, as ggml).
float blockMax(const std::vector<float>& row, std::size_t i) {
    const std::size_t first = i / 32 * 32, last = std::min(row.size(), first + 32);
    float amax = 0.0f, max = 0.0f;
    for (std::size_t j = first; j < last; ++j) {
        if (amax < std::fabs(row[j])) {
            amax = std::fabs(row[j]);
            max = row[j];
        }
    }
    return max;
}

std::vector<float> nonFiniteRow() {
    const float nan = std::numeric_limits<float>::quiet_NaN();
    const float inf = std::numeric_limits<float>::infinity();
    std::vector<float> row = {1.0f, nan, -2.0f, inf, 0.5f, -inf, 3.0f};
    row.resize(40, 0.25f);
    row[35] = nan;
    return row;
}

}  // namespace

TEST_CASE("int8: every element within d/2 of its value (d = stored per-row scale)", "[codec]") {
    checkRows(KvDtype::INT8,
              [](const auto& bytes, const auto&, std::size_t) { return loadFp16(bytes, 0) / 2.0; });
}

TEST_CASE("int4: every element within d/2 of its value (d = stored group scale)", "[codec]") {
    checkRows(KvDtype::INT4, [](const auto& bytes, const auto&, std::size_t i) {
        return loadFp16(bytes, i / 32 * 20) / 2.0;
    });
}

TEST_CASE("q8_0: every element within d/2 + 127 |d - fp16(d)|", "[codec]") {
    checkRows(KvDtype::Q8_0, [](const auto& bytes, const auto& row, std::size_t i) {
        const double d = blockAmax(row, i) / 127.0f;
        const double d16 = loadFp16(bytes, i / 32 * 34);
        return d / 2.0 + 127.0 * std::fabs(d - d16) + 1e-6 * d;
    });
}

TEST_CASE("q4_0: within |d|/2 + 8 |d - fp16(d)| (|d| where x/d > 7.5)", "[codec]") {
    checkRows(KvDtype::Q4_0, [](const auto& bytes, const auto& row, std::size_t i) {
        const double d = std::fabs(blockMax(row, i) / -8.0f);
        const double d16 = std::fabs(loadFp16(bytes, i / 32 * 18));
        const double step = (d > 0 && row[i] / blockMax(row, i) * -8.0 > 7.5) ? d : d / 2.0;
        return step + 8.0 * std::fabs(d - d16) + 1e-6 * d;
    });
}

TEST_CASE("q8_0 block is bit-identical to a hand-built ggml block and dequantizes", "[codec]") {
    // amax 127 -> d = 1.0 exactly (fp16 0x3c00); q = roundf(x), ties away from zero.
    std::vector<float> x(32, 0.0f);
    x[0] = -127.0f;
    x[1] = 2.5f;
    x[2] = -2.5f;
    x[3] = 126.4f;
    x[4] = 0.49f;
    x[31] = 64.0f;
    std::vector<std::byte> expected(34, std::byte{0});
    expected[0] = std::byte{0x00};
    expected[1] = std::byte{0x3c};
    const int codes[] = {-127, 3, -3, 126, 0};
    for (int i = 0; i < 5; ++i)
        expected[2 + i] = std::byte(std::uint8_t(std::int8_t(codes[i])));
    expected[2 + 31] = std::byte{64};
    const auto codec = makeKvCodec(KvDtype::Q8_0);
    const std::vector<std::byte> bytes = codec->encoded(x);
    CHECK(bytes == expected);
    std::vector<float> via_ggml(32);
    dequantize(GgmlType::Q8_0, bytes, via_ggml);
    CHECK(via_ggml == codec->decoded(bytes, 32));
    CHECK(via_ggml[1] == 3.0f);
    CHECK(via_ggml[0] == -127.0f);
}

TEST_CASE("q4_0 block is bit-identical to a hand-built ggml block and dequantizes", "[codec]") {
    // max = -8 (largest magnitude) -> d = max / -8 = 1.0 (fp16 0x3c00); q = min(15, trunc(x/d +
    // 8.5)): element j = j - 8 gives code j; element 16 + j = 7 - j gives code 15 - j.
    std::vector<float> x(32);
    for (int j = 0; j < 16; ++j) {
        x[std::size_t(j)] = float(j - 8);
        x[std::size_t(16 + j)] = float(7 - j);
    }
    x[1] = -6.5f;  // -6.5 + 8.5 = 2: code 2 (round half up)
    std::vector<std::byte> expected = {std::byte{0x00}, std::byte{0x3c}};
    for (int j = 0; j < 16; ++j)
        expected.push_back(std::byte(std::uint8_t(j | ((15 - j) << 4))));
    expected[2 + 1] = std::byte(std::uint8_t(2 | (14 << 4)));  // x[1] = -6.5
    const auto codec = makeKvCodec(KvDtype::Q4_0);
    const std::vector<std::byte> bytes = codec->encoded(x);
    CHECK(bytes == expected);
    std::vector<float> via_ggml(32);
    dequantize(GgmlType::Q4_0, bytes, via_ggml);
    CHECK(via_ggml == codec->decoded(bytes, 32));
    CHECK(via_ggml[0] == -8.0f);
    CHECK(via_ggml[1] == -6.0f);
    CHECK(via_ggml[16] == 7.0f);
}

TEST_CASE("q8_0/q4_0 rows of whole blocks decode identically through dequantize()", "[codec]") {
    std::mt19937 rng(99);
    std::normal_distribution<float> normal(0.0f, 2.0f);
    std::vector<float> row(128);
    for (float& v : row)
        v = normal(rng);
    for (auto [dtype, type] :
         {std::pair{KvDtype::Q8_0, GgmlType::Q8_0}, std::pair{KvDtype::Q4_0, GgmlType::Q4_0}}) {
        const auto codec = makeKvCodec(dtype);
        const std::vector<std::byte> bytes = codec->encoded(row);
        std::vector<float> via_ggml(row.size());
        dequantize(type, bytes, via_ggml);
        CHECK(via_ggml == codec->decoded(bytes, std::int64_t(row.size())));
    }
}

TEST_CASE("integer codecs: NaN and inf inputs decode finite, as stated", "[codec]") {
    const std::vector<float> row = nonFiniteRow();
    for (KvDtype dtype :
         {KvDtype::INT8, KvDtype::INT4, KvDtype::Q8_0, KvDtype::Q4_0, KvDtype::KIVI2}) {
        const auto codec = makeKvCodec(dtype);
        INFO(codec->name());
        const std::vector<float> back =
            codec->decoded(codec->encoded(row), std::int64_t(row.size()));
        for (float v : back)
            REQUIRE(std::isfinite(v));
        // The finite values' range is [-2, 3]: +inf decodes near 3, -inf near -2, NaN near 0.
        CHECK(back[3] >= 2.0f);
        CHECK(back[5] <= -1.0f);
        CHECK(std::fabs(back[1]) <= 1.0f);
        CHECK(std::fabs(back[0] - 1.0f) <= 1.0f);
    }
    // int8, q8_0 and q4_0 store NaN as exactly 0.
    for (KvDtype dtype : {KvDtype::INT8, KvDtype::Q8_0, KvDtype::Q4_0}) {
        const auto codec = makeKvCodec(dtype);
        CHECK(codec->decoded(codec->encoded(row), std::int64_t(row.size()))[1] == 0.0f);
    }
    // All-NaN and huge rows: no crash, finite output.
    const std::vector<float> all_nan(33, std::numeric_limits<float>::quiet_NaN());
    const std::vector<float> huge = {1e30f, -3e38f, 5.0f, std::numeric_limits<float>::max()};
    for (KvDtype dtype :
         {KvDtype::INT8, KvDtype::INT4, KvDtype::Q8_0, KvDtype::Q4_0, KvDtype::KIVI2}) {
        const auto codec = makeKvCodec(dtype);
        INFO(codec->name());
        for (const auto* input : {&all_nan, &huge}) {
            for (float v : codec->decoded(codec->encoded(*input), std::int64_t(input->size())))
                REQUIRE(std::isfinite(v));
        }
        for (float v : codec->decoded(codec->encoded(all_nan), 33))
            CHECK(v == 0.0f);
    }
}

TEST_CASE("roundHalfAway is std::round bit for bit", "[codec]") {
    std::int64_t checked = 0;
    const auto same = [&](float q) {
        const float want = std::round(q), got = affine::roundHalfAway(q);
        INFO("q = " << q << " bits " << std::bit_cast<std::uint32_t>(q));
        if (std::isnan(want)) {
            REQUIRE(std::isnan(got));
        } else {
            REQUIRE(std::bit_cast<std::uint32_t>(got) == std::bit_cast<std::uint32_t>(want));
        }
        ++checked;
    };
    for (std::uint64_t bits = 0; bits < (1ull << 32); bits += 4093)  // every binade, both signs
        same(std::bit_cast<float>(std::uint32_t(bits)));
    // Ties and their neighbours around every integer a codec meets, and the float specials.
    for (int i = -300; i <= 300; ++i) {
        const float tie = float(i) + 0.5f;
        same(tie);
        same(std::nextafter(tie, -1e9f));
        same(std::nextafter(tie, 1e9f));
    }
    for (float q :
         {0.0f, -0.0f, 0.49999997f, -0.49999997f, 8388607.5f, 16777216.0f,
          std::numeric_limits<float>::infinity(), -std::numeric_limits<float>::infinity(),
          std::numeric_limits<float>::quiet_NaN(), std::numeric_limits<float>::denorm_min()})
        same(q);
    CHECK(checked > 1000000);
}
