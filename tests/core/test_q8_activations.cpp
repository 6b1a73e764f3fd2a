// The 8-bit activation rows of llama.cpp's integer products (core/engine/q8_activations.h),
// against ggml's CPU backend's own quantizers: tests/data/ggml/act_input.f32 ([16][256] floats:
// Gaussian rows, zeros, halfway cases, subnormals, huge values) and act_q8_0/q8_1/q8_k.raw, what
// quantize_row_q8_0 / q8_1 / q8_K (x86 AVX2 build) made of them. Written by
// scripts/golden/make_q8_activation_goldens.py with llama.cpp b1-0ad4a86.
#include <catch2/catch.hpp>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "core/engine/q8_activations.h"

using namespace kvscope;
using namespace kvscope::cpu;

namespace {

std::vector<char> readGolden(const std::string& name) {
    std::ifstream in(std::string(KVSCOPE_TEST_DATA_DIR) + "/ggml/" + name, std::ios::binary);
    REQUIRE(in.good());
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::vector<float> input() {
    const std::vector<char> bytes = readGolden("act_input.f32");
    REQUIRE(bytes.size() == 16 * 256 * 4);
    std::vector<float> x(bytes.size() / 4);  // [16][256]
    std::memcpy(x.data(), bytes.data(), bytes.size());
    return x;
}

/// Index of the first differing byte, or -1.
long firstDifference(const std::vector<std::byte>& got, const std::vector<char>& want) {
    REQUIRE(got.size() == want.size());
    for (std::size_t i = 0; i < got.size(); ++i)
        if (got[i] != std::byte(want[i])) return long(i);
    return -1;
}

}  // namespace

TEST_CASE("quantizeRowQ8_0 and Q8_1 give ggml's bytes", "[intdot][golden]") {
    const GgmlType type = GENERATE(GgmlType::Q8_0, GgmlType::Q8_1);
    const std::size_t size = type == GgmlType::Q8_0 ? 34 : 36;
    INFO(ggmlTypeName(type));
    const std::vector<float> x = input();
    std::vector<Q8Block32> blocks(x.size() / 32);
    if (type == GgmlType::Q8_0)
        quantizeRowQ8_0(x, blocks);
    else
        quantizeRowQ8_1(x, blocks);
    std::vector<std::byte> got(blocks.size() * size);
    for (std::size_t b = 0; b < blocks.size(); ++b)
        storeGgml(blocks[b], type, got.data() + b * size);
    const long diff =
        firstDifference(got, readGolden(type == GgmlType::Q8_0 ? "act_q8_0.raw" : "act_q8_1.raw"));
    INFO("first differing byte " << diff << " (block " << diff / long(size) << ")");
    CHECK(diff == -1);
}

TEST_CASE("quantizeRowQ8K gives ggml's bytes", "[intdot][golden]") {
    const std::vector<float> x = input();
    std::vector<Q8BlockK> blocks(x.size() / 256);
    quantizeRowQ8K(x, blocks);
    std::vector<std::byte> got(blocks.size() * 292);
    for (std::size_t b = 0; b < blocks.size(); ++b)
        storeGgml(blocks[b], got.data() + b * 292);
    const long diff = firstDifference(got, readGolden("act_q8_k.raw"));
    INFO("first differing byte " << diff << " (block " << diff / 292 << ")");
    CHECK(diff == -1);
}

TEST_CASE("Q8_0 and Q8_K activations by hand", "[intdot]") {
    // max |x| = 127: scale 1, so the values are the rounded inputs, ties to even (2.5 -> 2,
    // -3.5 -> -4, 0.5 -> 0); Q8_1's s is d * the sum.
    std::vector<float> x(32, 0.0f);
    x[0] = 127.0f;
    x[1] = 2.5f;
    x[2] = -3.5f;
    x[3] = 0.5f;
    x[4] = 1.25f;
    std::vector<Q8Block32> b(1);
    quantizeRowQ8_1(x, b);
    CHECK(b[0].d == 1.0f);
    CHECK(int(b[0].qs[0]) == 127);
    CHECK(int(b[0].qs[1]) == 2);
    CHECK(int(b[0].qs[2]) == -4);
    CHECK(int(b[0].qs[3]) == 0);
    CHECK(int(b[0].qs[4]) == 1);
    CHECK(b[0].s == 126.0f);  // 127 + 2 - 4 + 0 + 1
    // max |x| = 1: d = 1/127 stored as fp16, id = 127.
    x.assign(32, 0.0f);
    x[7] = -1.0f;
    x[8] = 0.5f;  // 63.5 -> 64 (ties to even)
    quantizeRowQ8_0(x, b);
    // 1/127 = 0.0078740... = 2^-7 * 1.00787; fp16 keeps 10 bits: 2^-7 * 1032 / 1024.
    CHECK(b[0].d == 0.00787353515625f);
    CHECK(int(b[0].qs[7]) == -127);
    CHECK(int(b[0].qs[8]) == 64);
    CHECK(b[0].s == 0.0f);

    // Q8_K: the scale comes from the value of largest magnitude with its sign (-2 here), so
    // d = 1 / (-127 / -2) and -2 -> -127; 1 -> 63.5 -> 64 (ties to even); bsums per 16.
    std::vector<float> y(256, 0.0f);
    y[0] = 1.0f;
    y[17] = -2.0f;
    y[40] = 2.0f;  // same magnitude later: the first one (negative) sets the sign
    std::vector<Q8BlockK> k(1);
    quantizeRowQ8K(y, k);
    CHECK(k[0].d == 1.0f / (-127.0f / -2.0f));
    CHECK(int(k[0].qs[0]) == 64);
    CHECK(int(k[0].qs[17]) == -127);
    CHECK(int(k[0].qs[40]) == 127);
    CHECK(k[0].bsums[0] == 64);
    CHECK(k[0].bsums[1] == -127);
    CHECK(k[0].bsums[2] == 127);
    CHECK(k[0].bsums[3] == 0);
}

TEST_CASE("activationType pairs each weight type with ggml's vec_dot_type", "[intdot]") {
    CHECK(activationType(GgmlType::Q4_0) == GgmlType::Q8_0);
    CHECK(activationType(GgmlType::Q5_0) == GgmlType::Q8_0);
    CHECK(activationType(GgmlType::Q8_0) == GgmlType::Q8_0);
    CHECK(activationType(GgmlType::IQ4_NL) == GgmlType::Q8_0);
    CHECK(activationType(GgmlType::Q4_1) == GgmlType::Q8_1);
    CHECK(activationType(GgmlType::Q5_1) == GgmlType::Q8_1);
    for (GgmlType t : {GgmlType::Q2_K, GgmlType::Q3_K, GgmlType::Q4_K, GgmlType::Q5_K,
                       GgmlType::Q6_K, GgmlType::IQ4_XS})
        CHECK(activationType(t) == GgmlType::Q8_K);
    CHECK(activationType(GgmlType::F16) == GgmlType::F16);
    CHECK(activationType(GgmlType::BF16) == GgmlType::BF16);
    CHECK(activationType(GgmlType::F32) == GgmlType::F32);
}
