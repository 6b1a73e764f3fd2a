#include <bit>
#include <catch2/catch.hpp>
#include <cmath>
#include <cstring>
#include <limits>
#include <stdexcept>
#include <vector>

#include "core/model/dequantize.h"
#include "core/model/ggml_type.h"

using namespace kvscope;

namespace {

std::vector<std::byte> bytesOf(std::initializer_list<int> values) {
    std::vector<std::byte> out;
    for (int v : values)
        out.push_back(std::byte(std::uint8_t(v)));
    return out;
}

void appendU16(std::vector<std::byte>& out, std::uint16_t v) {
    out.push_back(std::byte(v & 0xff));
    out.push_back(std::byte(v >> 8));
}

/// fp16 by the textbook formula, in double: an independent reference for fp16ToFp32.
double fp16Reference(std::uint16_t h) {
    const int sign = h >> 15, exponent = (h >> 10) & 0x1f, mantissa = h & 0x3ff;
    const double s = sign ? -1.0 : 1.0;
    if (exponent == 0) return s * std::ldexp(double(mantissa), -24);
    if (exponent == 31) {
        return mantissa == 0 ? s * std::numeric_limits<double>::infinity()
                             : std::numeric_limits<double>::quiet_NaN();
    }
    return s * std::ldexp(1.0 + mantissa / 1024.0, exponent - 15);
}

}  // namespace

TEST_CASE("fp16 -> fp32: ordinary, extreme and special values", "[gguf][dequantize]") {
    CHECK(fp16ToFp32(0x3C00) == 1.0f);
    CHECK(fp16ToFp32(0xC000) == -2.0f);
    CHECK(fp16ToFp32(0x3800) == 0.5f);
    CHECK(fp16ToFp32(0x3555) == 0.333251953125f);
    CHECK(fp16ToFp32(0x7BFF) == 65504.0f);                  // largest finite
    CHECK(fp16ToFp32(0x0400) == std::ldexp(1.0f, -14));     // smallest normal
    CHECK(fp16ToFp32(0x0001) == std::ldexp(1.0f, -24));     // smallest subnormal
    CHECK(fp16ToFp32(0x03FF) == std::ldexp(1023.0f, -24));  // largest subnormal
    CHECK(fp16ToFp32(0x8001) == -std::ldexp(1.0f, -24));
    CHECK(fp16ToFp32(0x0000) == 0.0f);
    CHECK_FALSE(std::signbit(fp16ToFp32(0x0000)));
    CHECK(fp16ToFp32(0x8000) == 0.0f);
    CHECK(std::signbit(fp16ToFp32(0x8000)));  // -0 keeps its sign
    CHECK(fp16ToFp32(0x7C00) == std::numeric_limits<float>::infinity());
    CHECK(fp16ToFp32(0xFC00) == -std::numeric_limits<float>::infinity());
    CHECK(std::isnan(fp16ToFp32(0x7E00)));
    CHECK(std::isnan(fp16ToFp32(0xFE00)));
    CHECK(std::isnan(fp16ToFp32(0x7C01)));  // signalling NaN stays NaN
    CHECK(std::bit_cast<std::uint32_t>(fp16ToFp32(0x7C01)) == 0x7F802000u);  // payload kept
}

TEST_CASE("fp16 -> fp32 agrees with the textbook formula for all 65536 inputs",
          "[gguf][dequantize]") {
    int mismatches = 0;
    for (std::uint32_t h = 0; h <= 0xFFFF; ++h) {
        const float got = fp16ToFp32(std::uint16_t(h));
        const double want = fp16Reference(std::uint16_t(h));
        const bool same = std::isnan(want) ? std::isnan(got) : double(got) == want;
        if (!same || std::signbit(got) != bool(h >> 15)) ++mismatches;
    }
    CHECK(mismatches == 0);
}

TEST_CASE("bf16 -> fp32 is the top half of a float", "[gguf][dequantize]") {
    CHECK(bf16ToFp32(0x3F80) == 1.0f);
    CHECK(bf16ToFp32(0xC040) == -3.0f);
    CHECK(bf16ToFp32(0x3E80) == 0.25f);
    CHECK(bf16ToFp32(0x7F80) == std::numeric_limits<float>::infinity());
    CHECK(bf16ToFp32(0xFF80) == -std::numeric_limits<float>::infinity());
    CHECK(std::isnan(bf16ToFp32(0x7FC0)));
    CHECK(bf16ToFp32(0x0001) == std::bit_cast<float>(0x00010000u));  // subnormal
    CHECK(std::signbit(bf16ToFp32(0x8000)));
    CHECK(bf16ToFp32(0x7F7F) == std::bit_cast<float>(0x7F7F0000u));  // largest finite
}

TEST_CASE("F32, F16 and BF16 tensors dequantize element by element", "[gguf][dequantize]") {
    const float f32[3] = {1.5f, -0.0f, 3.25e-9f};
    std::vector<std::byte> src(sizeof f32);
    std::memcpy(src.data(), f32, sizeof f32);
    std::vector<float> out(3);
    dequantize(GgmlType::F32, src, out);
    CHECK(out == std::vector<float>{1.5f, -0.0f, 3.25e-9f});
    CHECK(std::signbit(out[1]));

    std::vector<std::byte> f16;
    for (std::uint16_t h : {0x3C00, 0xC000, 0x0001, 0x7C00})
        appendU16(f16, h);
    std::vector<float> out16(4);
    dequantize(GgmlType::F16, f16, out16);
    CHECK(out16 == std::vector<float>{1.0f, -2.0f, std::ldexp(1.0f, -24),
                                      std::numeric_limits<float>::infinity()});

    std::vector<std::byte> bf16;
    for (std::uint16_t h : {0x3F80, 0xC040, 0x3E80})
        appendU16(bf16, h);
    std::vector<float> outbf(3);
    dequantize(GgmlType::BF16, bf16, outbf);
    CHECK(outbf == std::vector<float>{1.0f, -3.0f, 0.25f});
}

TEST_CASE("Q8_0 blocks: value = int8 * d, 34 bytes per 32 values", "[gguf][dequantize]") {
    std::vector<std::byte> src;
    appendU16(src, 0x3800);  // d = 0.5
    for (int i = 0; i < 32; ++i)
        src.push_back(std::byte(std::uint8_t(std::int8_t(i - 16))));
    src[2] = std::byte(0x80);   // q[0] = -128
    src[33] = std::byte(0x7F);  // q[31] = 127
    appendU16(src, 0xC000);     // second block: d = -2
    for (int i = 0; i < 32; ++i)
        src.push_back(std::byte(std::uint8_t(i)));
    REQUIRE(src.size() == 68);

    std::vector<float> out(64);
    dequantize(GgmlType::Q8_0, src, out);
    CHECK(out[0] == -64.0f);
    CHECK(out[1] == -7.5f);  // (1 - 16) * 0.5
    CHECK(out[16] == 0.0f);
    CHECK(out[20] == 2.0f);
    CHECK(out[31] == 63.5f);
    for (int i = 0; i < 32; ++i)
        CHECK(out[std::size_t(32 + i)] == float(i) * -2.0f);
}

TEST_CASE("Q4_0 block: low nibbles are elements 0..15, high nibbles 16..31", "[gguf][dequantize]") {
    // d = 0.5; byte j holds nibble j (low) and nibble 15 - j (high).
    std::vector<std::byte> src;
    appendU16(src, 0x3800);
    for (int j = 0; j < 16; ++j)
        src.push_back(std::byte(std::uint8_t(j | ((15 - j) << 4))));
    REQUIRE(src.size() == 18);
    std::vector<float> out(32);
    dequantize(GgmlType::Q4_0, src, out);
    // Hand-computed: element j = (j - 8) * 0.5, element 16 + j = (15 - j - 8) * 0.5.
    const std::vector<float> expected = {
        -4.0f, -3.5f, -3.0f, -2.5f, -2.0f, -1.5f, -1.0f, -0.5f,  // elements 0..7
        0.0f,  0.5f,  1.0f,  1.5f,  2.0f,  2.5f,  3.0f,  3.5f,   // 8..15
        3.5f,  3.0f,  2.5f,  2.0f,  1.5f,  1.0f,  0.5f,  0.0f,   // 16..23
        -0.5f, -1.0f, -1.5f, -2.0f, -2.5f, -3.0f, -3.5f, -4.0f,  // 24..31
    };
    CHECK(out == expected);

    // One byte 0xF0 with d = 2: element 0 = (0 - 8) * 2 = -16, element 16 = (15 - 8) * 2 = 14.
    std::vector<std::byte> one;
    appendU16(one, 0x4000);
    one.push_back(std::byte(0xF0));
    for (int j = 1; j < 16; ++j)
        one.push_back(std::byte(0x88));  // both nibbles 8 -> 0
    std::vector<float> out1(32);
    dequantize(GgmlType::Q4_0, one, out1);
    CHECK(out1[0] == -16.0f);
    CHECK(out1[16] == 14.0f);
    CHECK(out1[1] == 0.0f);
    CHECK(out1[31] == 0.0f);
}

TEST_CASE("dequantize checks its preconditions", "[gguf][dequantize]") {
    std::vector<float> out(32);
    const std::vector<std::byte> short_block(33);
    CHECK_THROWS_AS(dequantize(GgmlType::Q8_0, short_block, out), std::invalid_argument);
    std::vector<float> not_whole(31);
    CHECK_THROWS_AS(dequantize(GgmlType::Q8_0, std::vector<std::byte>(34), not_whole),
                    std::invalid_argument);
    CHECK_THROWS_WITH(dequantize(GgmlType::IQ2_XXS, std::vector<std::byte>(66), out),
                      Catch::Contains("IQ2_XXS") && Catch::Contains("not supported"));
    CHECK(canDequantize(GgmlType::Q8_0));
    CHECK(canDequantize(GgmlType::BF16));
    CHECK(canDequantize(GgmlType::Q4_1));
    CHECK(canDequantize(GgmlType::Q6_K));
    CHECK(canDequantize(GgmlType::IQ4_XS));
    CHECK_FALSE(canDequantize(GgmlType::IQ2_XXS));
    CHECK_FALSE(canDequantize(GgmlType::I32));
    const std::vector<std::byte> none = bytesOf({});
    std::vector<float> empty;
    CHECK_NOTHROW(dequantize(GgmlType::Q4_0, none, empty));
}

TEST_CASE("ggml type table: names, block sizes and type sizes", "[gguf][dequantize]") {
    struct Row {
        GgmlType type;
        const char* name;
        std::int64_t block, bytes;
    };
    const Row rows[] = {
        {GgmlType::F32, "F32", 1, 4},           {GgmlType::F16, "F16", 1, 2},
        {GgmlType::BF16, "BF16", 1, 2},         {GgmlType::Q4_0, "Q4_0", 32, 18},
        {GgmlType::Q4_1, "Q4_1", 32, 20},       {GgmlType::Q5_0, "Q5_0", 32, 22},
        {GgmlType::Q5_1, "Q5_1", 32, 24},       {GgmlType::Q8_0, "Q8_0", 32, 34},
        {GgmlType::Q8_1, "Q8_1", 32, 36},       {GgmlType::Q2_K, "Q2_K", 256, 84},
        {GgmlType::Q3_K, "Q3_K", 256, 110},     {GgmlType::Q4_K, "Q4_K", 256, 144},
        {GgmlType::Q5_K, "Q5_K", 256, 176},     {GgmlType::Q6_K, "Q6_K", 256, 210},
        {GgmlType::Q8_K, "Q8_K", 256, 292},     {GgmlType::IQ4_NL, "IQ4_NL", 32, 18},
        {GgmlType::IQ4_XS, "IQ4_XS", 256, 136}, {GgmlType::I8, "I8", 1, 1},
        {GgmlType::I64, "I64", 1, 8},           {GgmlType::F64, "F64", 1, 8},
    };
    for (const Row& row : rows) {
        INFO(row.name);
        const GgmlTypeTraits traits = ggmlTypeTraits(row.type);
        CHECK(std::string(traits.name) == row.name);
        CHECK(traits.block_size == row.block);
        CHECK(traits.type_size == row.bytes);
        CHECK(ggmlTypeName(row.type) == row.name);
    }
    CHECK_FALSE(ggmlTypeTraits(4u).has_value());  // retired Q4_2
    CHECK_FALSE(ggmlTypeTraits(99u).has_value());
    CHECK(ggmlTypeName(99u) == "type 99");
}
