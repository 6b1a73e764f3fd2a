// The integer dot products (core/engine/int_dot.h) of every weight type, against a reference
// written here: the weights dequantized (dequantize(), bit-identical to ggml, tested in
// test_dequantize_golden.cpp) times the activations dequantized (d * q), summed in double. The
// weight blocks are ggml's: tests/data/ggml/<type>.raw (quantized Gaussian rows, then random
// bytes with extreme fp16 scales: +-65504, subnormals, zeros). The SIMD path (AVX2 builds) must
// give the scalar path's bits.
#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <vector>

#include "core/engine/int_dot.h"
#include "core/engine/q8_activations.h"
#include "core/model/dequantize.h"

using namespace kvscope;
using namespace kvscope::cpu;

namespace {

std::vector<std::byte> readGolden(const std::string& name) {
    std::ifstream in(std::string(KVSCOPE_TEST_DATA_DIR) + "/ggml/" + name, std::ios::binary);
    REQUIRE(in.good());
    const std::vector<char> c{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    std::vector<std::byte> out(c.size());
    std::memcpy(out.data(), c.data(), c.size());
    return out;
}

std::string lower(std::string s) {
    for (char& c : s)
        c = char(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

/// An activation row of n values quantized to the type's activation format, and its values
/// dequantized (d * q) in double.
struct ActRow {
    std::vector<Q8Block32> b32;
    std::vector<Q8BlockK> bk;
    std::vector<double> values;  // [n]
    const void* data() const {
        return bk.empty() ? static_cast<const void*>(b32.data()) : bk.data();
    }
};

ActRow quantizedRow(GgmlType weight_type, const std::vector<float>& x) {
    ActRow r;
    const GgmlType a = activationType(weight_type);
    if (a == GgmlType::Q8_K) {
        r.bk.resize(x.size() / 256);
        quantizeRowQ8K(x, r.bk);
        for (const Q8BlockK& b : r.bk)
            for (std::int8_t q : b.qs)
                r.values.push_back(double(b.d) * q);
    } else {
        r.b32.resize(x.size() / 32);
        if (a == GgmlType::Q8_1)
            quantizeRowQ8_1(x, r.b32);
        else
            quantizeRowQ8_0(x, r.b32);
        for (const Q8Block32& b : r.b32)
            for (std::int8_t q : b.qs)
                r.values.push_back(double(b.d) * q);
    }
    return r;
}

constexpr GgmlType kTypes[] = {GgmlType::Q4_0, GgmlType::Q4_1,   GgmlType::Q5_0, GgmlType::Q5_1,
                               GgmlType::Q8_0, GgmlType::IQ4_NL, GgmlType::Q2_K, GgmlType::Q3_K,
                               GgmlType::Q4_K, GgmlType::Q5_K,   GgmlType::Q6_K, GgmlType::IQ4_XS};

}  // namespace

TEST_CASE("integer dot products equal the dequantized product in double", "[intdot][golden]") {
    const GgmlType type = GENERATE(from_range(std::begin(kTypes), std::end(kTypes)));
    const std::string name = ggmlTypeName(type);
    INFO("type " << name);
    REQUIRE(hasIntDot(type));
    const GgmlTypeTraits traits = ggmlTypeTraits(type);
    const std::vector<std::byte> raw = readGolden(lower(name) + ".raw");
    const std::int64_t n_blocks = std::int64_t(raw.size()) / traits.type_size;
    std::vector<float> w(std::size_t(n_blocks * traits.block_size));  // [n_blocks * block]
    dequantize(type, raw, w);

    // Rows of 256 values (one super-block or eight 32-blocks) over the whole file: the
    // quantized Gaussian blocks first, then the adversarial ones.
    constexpr std::int64_t n = 256;
    const std::int64_t row_bytes = n / traits.block_size * traits.type_size;
    std::mt19937 rng(7);
    std::normal_distribution<float> gauss(0.0f, 1.0f);
    int rows = 0;
    for (std::int64_t r = 0; (r + 1) * n <= std::int64_t(w.size()); ++r, ++rows) {
        std::vector<float> x(n);
        for (float& v : x)
            v = gauss(rng) * (r % 3 == 0 ? 1e-3f : r % 3 == 1 ? 1.0f : 50.0f);
        const ActRow a = quantizedRow(type, x);
        double ref = 0, magnitude = 0, max_w = 0, sum_a = 0;
        for (std::int64_t i = 0; i < n; ++i) {
            ref += double(w[std::size_t(r * n + i)]) * a.values[std::size_t(i)];
            max_w = std::max(max_w, std::fabs(double(w[std::size_t(r * n + i)])));
            sum_a += std::fabs(a.values[std::size_t(i)]);
        }
        magnitude = max_w * sum_a;
        if (activationType(type) == GgmlType::Q8_1) {
            // A Q8_1 block carries s = fp16(d * sum q), and ggml multiplies the weights' offset m
            // by s, not by the exact sum: w . a = sum d_w q_w a + m * s per block.
            for (std::int64_t b = 0; b < n / 32; ++b) {
                std::uint16_t m_bits;
                std::memcpy(&m_bits, raw.data() + r * row_bytes + b * traits.type_size + 2, 2);
                double exact = 0;
                for (int i = 0; i < 32; ++i)
                    exact += a.values[std::size_t(32 * b + i)];
                ref += double(fp16ToFp32(m_bits)) * (double(a.b32[std::size_t(b)].s) - exact);
            }
        }
        const std::byte* wr = raw.data() + r * row_bytes;
        const float got = intDot(type, wr, a.data(), n, IntDotPath::Scalar);
        INFO("row " << r << ": integer dot " << got << ", reference " << ref);
        // Float rounding: the scales' products, the int -> float conversion, four accumulators;
        // one weight off by one level would be ~1e-3 of `magnitude` on these rows.
        CHECK(std::fabs(double(got) - ref) <= 1e-5 * magnitude + 1e-30);
        if (hasSimdIntDot(type)) {
            const float simd = intDot(type, wr, a.data(), n, IntDotPath::Simd);
            CHECK(std::memcmp(&simd, &got, 4) == 0);
        }
    }
    CHECK(rows >= 8);
}

TEST_CASE("intDotRows is intDot row by row", "[intdot]") {
    const GgmlType type = GENERATE(GgmlType::Q4_K, GgmlType::Q8_0, GgmlType::Q5_1);
    const GgmlTypeTraits traits = ggmlTypeTraits(type);
    const std::vector<std::byte> raw = readGolden(lower(ggmlTypeName(type)) + ".raw");
    constexpr std::int64_t n = 512, n_rows = 3;
    const std::int64_t row_bytes = n / traits.block_size * traits.type_size;
    REQUIRE(std::int64_t(raw.size()) >= n_rows * row_bytes);
    std::vector<float> x(n);
    for (std::int64_t i = 0; i < n; ++i)
        x[std::size_t(i)] = std::sin(0.37f * float(i));
    const ActRow a = quantizedRow(type, x);
    float out[n_rows];
    intDotRows(type, raw.data(), row_bytes, n_rows, a.data(), n, out);
    for (std::int64_t r = 0; r < n_rows; ++r)
        CHECK(out[r] == intDot(type, raw.data() + r * row_bytes, a.data(), n));
}

TEST_CASE("integer dot products at the extremes of the integers", "[intdot]") {
    // Q8_0 weights all -128 (the one int8 that has no positive twin) times activations all
    // +-127: 32 * 128 * 127 = 520192 per block, exactly, with scales 1 (fp16 0x3C00).
    std::vector<std::byte> w(2 * 34);
    for (int b = 0; b < 2; ++b) {
        w[std::size_t(34 * b)] = std::byte(0x00);
        w[std::size_t(34 * b + 1)] = std::byte(0x3c);
        for (int j = 0; j < 32; ++j)
            w[std::size_t(34 * b + 2 + j)] = std::byte(0x80);
    }
    std::vector<Q8Block32> a(2);
    for (int j = 0; j < 32; ++j) {
        a[0].qs[j] = 127;
        a[1].qs[j] = -127;
    }
    a[0].d = a[1].d = 1.0f;
    for (IntDotPath path : {IntDotPath::Scalar, IntDotPath::Simd}) {
        if (path == IntDotPath::Simd && !hasSimdIntDot(GgmlType::Q8_0)) continue;
        CHECK(intDot(GgmlType::Q8_0, w.data(), a.data(), 32, path) == -520192.0f);
        CHECK(intDot(GgmlType::Q8_0, w.data() + 34, a.data() + 1, 32, path) == 520192.0f);
        CHECK(intDot(GgmlType::Q8_0, w.data(), a.data(), 64, path) == 0.0f);
    }

    // Q6_K at its largest: every 6-bit value 63 (q - 32 = 31), every scale 127, d = 1, times
    // activations 127 with d = 1: 256 * 31 * 127 * 127 = 127999744.
    std::vector<std::byte> q6(210, std::byte(0xff));
    for (int j = 0; j < 16; ++j)
        q6[std::size_t(192 + j)] = std::byte(127);
    q6[208] = std::byte(0x00);
    q6[209] = std::byte(0x3c);
    std::vector<Q8BlockK> ak(1);
    std::fill(std::begin(ak[0].qs), std::end(ak[0].qs), std::int8_t(127));
    std::fill(std::begin(ak[0].bsums), std::end(ak[0].bsums), std::int16_t(16 * 127));
    ak[0].d = 1.0f;
    for (IntDotPath path : {IntDotPath::Scalar, IntDotPath::Simd}) {
        if (path == IntDotPath::Simd && !hasSimdIntDot(GgmlType::Q6_K)) continue;
        CHECK(intDot(GgmlType::Q6_K, q6.data(), ak.data(), 256, path) == 127999744.0f);
    }

    // Q4_K: nibbles 15, scales and mins 63 (all 12 scale bytes 0xff), d = 1, dmin = 0.5:
    // d * 63 * 15 * 127 * 256 - dmin * 63 * 127 * 256 = 30723840 - 1024128 = 29699712.
    std::vector<std::byte> q4(144, std::byte(0xff));
    q4[0] = std::byte(0x00);
    q4[1] = std::byte(0x3c);  // 1.0
    q4[2] = std::byte(0x00);
    q4[3] = std::byte(0x38);  // 0.5
    for (IntDotPath path : {IntDotPath::Scalar, IntDotPath::Simd}) {
        if (path == IntDotPath::Simd && !hasSimdIntDot(GgmlType::Q4_K)) continue;
        CHECK(intDot(GgmlType::Q4_K, q4.data(), ak.data(), 256, path) == 29699712.0f);
    }
}

TEST_CASE("SIMD and scalar dot products agree on rows of any block count", "[intdot]") {
    const GgmlType type = GENERATE(GgmlType::Q8_0, GgmlType::Q4_0, GgmlType::Q4_1, GgmlType::Q5_0,
                                   GgmlType::Q5_1, GgmlType::IQ4_NL);
    if (!hasSimdIntDot(type)) return;  // the scalar path is all this build has: nothing to compare
    const GgmlTypeTraits traits = ggmlTypeTraits(type);
    const std::vector<std::byte> raw = readGolden(lower(ggmlTypeName(type)) + ".raw");
    for (std::int64_t n_blocks : {1, 3, 7, 8, 9, 11, 16, 19}) {
        INFO(ggmlTypeName(type) << ", " << n_blocks << " blocks");
        const std::int64_t n = 32 * n_blocks;
        REQUIRE(std::int64_t(raw.size()) >= n_blocks * traits.type_size);
        std::vector<float> x(static_cast<std::size_t>(n));
        for (std::int64_t i = 0; i < n; ++i)
            x[std::size_t(i)] = std::cos(0.11f * float(i)) * float(1 + i % 5);
        const ActRow a = quantizedRow(type, x);
        const float simd = intDot(type, raw.data(), a.data(), n, IntDotPath::Simd);
        const float scalar = intDot(type, raw.data(), a.data(), n, IntDotPath::Scalar);
        CHECK(std::memcmp(&simd, &scalar, 4) == 0);
    }
}

TEST_CASE("intDotRows of many rows gives every row the scalar path's bits", "[intdot]") {
    // 19 rows: two passes of the eight-row kernels (Q8_0, Q4_K on AVX2 builds) and a tail of
    // three. Each row is made of ggml's golden blocks, adversarial scales included (+-65504,
    // subnormals, zeros), taken in a different rotation per row so that the eight rows of a
    // pass differ.
    const GgmlType type = GENERATE(GgmlType::Q8_0, GgmlType::Q4_K, GgmlType::Q4_0);
    INFO("type " << ggmlTypeName(type));
    const GgmlTypeTraits traits = ggmlTypeTraits(type);
    const std::vector<std::byte> raw = readGolden(lower(ggmlTypeName(type)) + ".raw");
    const std::int64_t golden_blocks = std::int64_t(raw.size()) / traits.type_size;
    constexpr std::int64_t n_rows = 19;
    for (std::int64_t n : {256, 768, 1536, 2304}) {
        INFO(n << " values per row");
        const std::int64_t per_row = n / traits.block_size;
        const std::int64_t row_bytes = per_row * traits.type_size;
        std::vector<std::byte> w(std::size_t(n_rows * row_bytes));  // [n_rows][row_bytes]
        for (std::int64_t r = 0; r < n_rows; ++r)
            for (std::int64_t b = 0; b < per_row; ++b)
                std::memcpy(w.data() + r * row_bytes + b * traits.type_size,
                            raw.data() + ((5 * r + b) % golden_blocks) * traits.type_size,
                            std::size_t(traits.type_size));
        std::vector<float> x(static_cast<std::size_t>(n));
        for (std::int64_t i = 0; i < n; ++i)
            x[std::size_t(i)] = std::sin(0.23f * float(i)) * float(1 + i % 7);
        const ActRow a = quantizedRow(type, x);
        std::vector<float> out(n_rows);
        intDotRows(type, w.data(), row_bytes, n_rows, a.data(), n, out.data());
        for (std::int64_t r = 0; r < n_rows; ++r) {
            INFO("row " << r);
            const float scalar =
                intDot(type, w.data() + r * row_bytes, a.data(), n, IntDotPath::Scalar);
            CHECK(std::memcmp(&out[std::size_t(r)], &scalar, 4) == 0);
        }
    }
}
