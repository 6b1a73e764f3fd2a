// The host/device math of the CUDA kernels (kernels/kernel_math.h, core/cache/kv_row_math.h),
// compiled by the host compiler and checked against the CPU backend and the core codecs: bit for
// bit where the arithmetic is the same, within a stated tolerance where the order differs (the
// split-K softmax). Plain C++: runs in CI without CUDA.
#include <catch2/catch.hpp>
#include <cmath>
#include <cstring>
#include <limits>
#include <random>
#include <vector>

#include "core/cache/kv_codec.h"
#include "core/cache/kv_row_math.h"
#include "core/engine/cpu_attention.h"
#include "core/engine/cpu_layer_ops.h"
#include "core/engine/cpu_math.h"
#include "core/engine/cpu_rope.h"
#include "kernels/kernel_math.h"
#include "random_values.h"

using namespace kvscope;

namespace {

std::vector<float> randomValues(std::size_t n, std::uint32_t seed, float spread = 3.0f) {
    return test::randomValues(n, seed, spread);
}

std::uint32_t bitsOf(float v) {
    std::uint32_t b;
    std::memcpy(&b, &v, sizeof b);
    return b;
}

/// Row math of `Row` against the core codec of `dtype`: the encoded bytes and every decoded value
/// (compared as bits, so NaN and -0 count).
template <typename Row>
void checkRowAgainstCodec(KvDtype dtype, const std::vector<float>& row) {
    const auto codec = makeKvCodec(dtype);
    const std::vector<std::byte> expected = codec->encoded(row);
    const std::int64_t n = std::int64_t(row.size());
    REQUIRE(Row::rowBytes(n) == std::int64_t(expected.size()));
    std::vector<std::uint8_t> bytes(expected.size());
    Row::encodeRow(row.data(), int(n), bytes.data());
    REQUIRE(std::memcmp(bytes.data(), expected.data(), bytes.size()) == 0);
    const std::vector<float> decoded = codec->decoded(expected, n);
    for (std::int64_t i = 0; i < n; ++i) {
        INFO("value " << i << " of " << n);
        CHECK(bitsOf(Row::decode(bytes.data(), int(i))) == bitsOf(decoded[std::size_t(i)]));
    }
}

template <typename Row>
void checkCodec(KvDtype dtype) {
    for (std::size_t n : {1u, 8u, 31u, 32u, 40u, 128u}) {
        INFO(toString(dtype) << ", row of " << n);
        checkRowAgainstCodec<Row>(dtype, randomValues(n, std::uint32_t(n)));
        checkRowAgainstCodec<Row>(dtype, randomValues(n, std::uint32_t(n) + 7, 1e-3f));
        checkRowAgainstCodec<Row>(dtype, randomValues(n, std::uint32_t(n) + 9, 3e4f));
    }
    std::vector<float> specials = randomValues(64, 3);
    specials[1] = std::numeric_limits<float>::quiet_NaN();
    specials[5] = std::numeric_limits<float>::infinity();
    specials[40] = -std::numeric_limits<float>::infinity();
    specials[41] = -0.0f;
    specials[42] = 1e-30f;
    specials[43] = 1e30f;
    INFO(toString(dtype) << ", NaN, inf, -0, tiny and huge values");
    checkRowAgainstCodec<Row>(dtype, specials);
}

}  // namespace

TEST_CASE("kernel row math encodes and decodes as the core codecs do, bit for bit",
          "[kernels][kernel-math]") {
    checkCodec<hd::RowF32>(KvDtype::F32);
    checkCodec<hd::RowF16>(KvDtype::F16);
    checkCodec<hd::RowBf16>(KvDtype::BF16);
    checkCodec<hd::RowFp8E4m3>(KvDtype::FP8_E4M3);
    checkCodec<hd::RowFp8E5m2>(KvDtype::FP8_E5M2);
    checkCodec<hd::RowInt8>(KvDtype::INT8);
    checkCodec<hd::RowInt4>(KvDtype::INT4);
    checkCodec<hd::RowQ8_0>(KvDtype::Q8_0);
}

TEST_CASE("kernel row math matches hand-computed codes", "[kernels][kernel-math]") {
    // fp16 of 1/3: 0x3555 (1.0101010101 x 2^-2, rounded down); 65520 rounds to inf (0x7c00).
    CHECK(hd::fp32ToFp16(1.0f / 3.0f) == 0x3555);
    CHECK(hd::fp32ToFp16(65520.0f) == 0x7c00);
    CHECK(hd::fp16ToFp32(0x0001) == std::ldexp(1.0f, -24));
    // bf16 of 1 + 2^-8 is a tie between 1 and 1 + 2^-7: to even, 1.0 (0x3f80).
    CHECK(hd::fp32ToBf16(1.0f + std::ldexp(1.0f, -8)) == 0x3f80);
    // e4m3: 448 = 1.75 x 2^8 is 0x7e, the largest; 1000 saturates to it; 1.0 = 0 0111 000.
    CHECK(hd::RowFp8E4m3::encodeValue(448.0f) == 0x7e);
    CHECK(hd::RowFp8E4m3::encodeValue(1000.0f) == 0x7e);
    CHECK(hd::RowFp8E4m3::encodeValue(1.0f) == 0x38);
    CHECK(hd::RowFp8E4m3::decodeValue(0x01) == std::ldexp(1.0f, -9));  // smallest subnormal
    // e5m2: 1.0 = 0 01111 00; 1e6 overflows to inf (0x7c).
    CHECK(hd::RowFp8E5m2::encodeValue(1.0f) == 0x3c);
    CHECK(std::isinf(hd::RowFp8E5m2::decodeValue(hd::RowFp8E5m2::encodeValue(1e6f))));
    // int8 of {1, -2, 0.5}: scale = the fp16 at or above 2/127 = 0.0157480: fp16 steps there
    // are 2^-16 above 2^-6 = 0.015625, 8.06 steps -> 9: 0.015625 + 9 * 2^-16 = 0.0157623291.
    // Codes: 1 / s = 63.44 -> 63, -2 / s = -126.88 -> -127, 0.5 / s = 31.72 -> 32.
    const float row[3] = {1.0f, -2.0f, 0.5f};
    std::uint8_t bytes[5] = {};
    hd::RowInt8::encodeRow(row, 3, bytes);
    CHECK(hd::loadFp16(bytes) == 0.015625f + 9.0f * std::ldexp(1.0f, -16));
    CHECK(std::int8_t(bytes[2]) == 63);
    CHECK(std::int8_t(bytes[3]) == -127);
    CHECK(std::int8_t(bytes[4]) == 32);
    // q8_0 of 32 values 0, 1, ..., 31: d = 31 / 127 (as fp16), code j = round(j * 127 / 31).
    float ramp[32];
    for (int j = 0; j < 32; ++j)
        ramp[j] = float(j);
    std::uint8_t q8[34] = {};
    hd::RowQ8_0::encodeRow(ramp, 32, q8);
    CHECK(std::int8_t(q8[2 + 31]) == 127);
    CHECK(std::int8_t(q8[2 + 1]) == 4);    // 127 / 31 = 4.10
    CHECK(std::int8_t(q8[2 + 10]) == 41);  // 40.97
    // int4 of 0..31: zero 0, scale 31 / 15 = 2.0667 -> fp16 2.068359375 (next step up);
    // code of 31 = round(14.99) = 15, of 16 = round(7.74) = 8.
    std::uint8_t q4[20] = {};
    hd::RowInt4::encodeRow(ramp, 32, q4);
    CHECK(hd::loadFp16(q4 + 2) == 0.0f);
    CHECK(hd::loadFp16(q4) == 2.068359375f);
    CHECK((q4[4 + 15] >> 4) == 15);
    CHECK((q4[4 + 0] >> 4) == 8);
}

TEST_CASE("the lane-wise dot product is cpu::dot bit for bit", "[kernels][kernel-math]") {
    for (std::int64_t n : {1, 7, 8, 9, 31, 32, 33, 40, 64, 100, 128, 288, 4096}) {
        const std::vector<float> a = randomValues(std::size_t(n), 1),
                                 b = randomValues(std::size_t(n), 2);
        INFO("n = " << n);
        CHECK(bitsOf(hd::dotFixed(a.data(), b.data(), n)) ==
              bitsOf(cpu::dot(a.data(), b.data(), n)));
    }
}

TEST_CASE("RMSNorm, SwiGLU and adjacent-pair RoPE of a row are the CPU backend's, bit for bit",
          "[kernels][kernel-math]") {
    const std::int64_t d = 288, n = 3;
    const std::vector<float> values = randomValues(std::size_t(n * d), 5);
    const std::vector<float> weight = randomValues(std::size_t(d), 6, 1.0f);
    Matrix x(n, d), out;
    std::memcpy(x.data(), values.data(), values.size() * sizeof(float));
    Vector w(d);
    std::memcpy(w.data(), weight.data(), weight.size() * sizeof(float));
    cpu::rmsNorm(x, w, 1e-5f, out);
    std::vector<float> row(static_cast<std::size_t>(d));
    for (std::int64_t i = 0; i < n; ++i) {
        hd::rmsNormRow(x.data() + i * d, weight.data(), d, 1e-5f, row.data());
        for (std::int64_t j = 0; j < d; ++j)
            REQUIRE(bitsOf(row[std::size_t(j)]) == bitsOf(out(i, j)));
    }

    Matrix gate = x, up = x * 0.5f;
    const Matrix gate_before = gate;
    cpu::swiGlu(gate, up);
    for (std::int64_t i = 0; i < gate.size(); ++i)
        REQUIRE(bitsOf(hd::swiGlu(gate_before.data()[i], up.data()[i])) == bitsOf(gate.data()[i]));

    Matrix geglu = gate_before;
    cpu::geGlu(geglu, up);
    for (std::int64_t i = 0; i < geglu.size(); ++i)
        REQUIRE(bitsOf(hd::geGlu(gate_before.data()[i], up.data()[i])) == bitsOf(geglu.data()[i]));

    // RoPE in both pair styles, a partial rotation too, with the CPU's own spec and table.
    const std::int64_t head_dim = 48, start = 17;
    for (RopeStyle style : {RopeStyle::Pairs, RopeStyle::Halves}) {
        for (std::int64_t rope_dims : {head_dim, head_dim / 2}) {
            ModelConfig c;
            c.head_dim = head_dim;
            c.rope_dims = rope_dims;
            c.rope_style = style;
            c.rope_theta = 10000.0f;
            const cpu::RopeSpec spec = cpu::ropeSpec(c, 0, Vector());
            Matrix heads(n, 2 * head_dim);
            std::memcpy(heads.data(), values.data(), std::size_t(heads.size()) * sizeof(float));
            Matrix rotated = heads;
            const cpu::RopeTable table = cpu::ropeTable(spec, start, n);
            cpu::applyRope(rotated, table, spec);
            const hd::RopePairs pairs =
                style == RopeStyle::Pairs ? hd::RopePairs::Adjacent : hd::RopePairs::Neox;
            for (std::int64_t i = 0; i < n; ++i) {
                for (std::int64_t h = 0; h < 2; ++h) {
                    float* head = heads.data() + i * 2 * head_dim + h * head_dim;
                    hd::ropeHead(head, table.cos.data() + i * rope_dims / 2,
                                 table.sin.data() + i * rope_dims / 2, rope_dims, pairs);
                    for (std::int64_t j = 0; j < head_dim; ++j)
                        REQUIRE(bitsOf(head[j]) == bitsOf(rotated(i, h * head_dim + j)));
                }
            }
        }
    }
}

TEST_CASE("RoPE pairs and GeGLU match hand calculations", "[kernels][kernel-math]") {
    // A quarter turn (cos 0, sin 1) maps a pair (a, b) to (-b, a).
    const float cos[2] = {0.0f, 0.0f}, sin[2] = {1.0f, 1.0f};
    float adjacent[4] = {1, 2, 3, 4}, neox[4] = {1, 2, 3, 4};
    hd::ropeHead(adjacent, cos, sin, 4, hd::RopePairs::Adjacent);  // pairs (0,1), (2,3)
    hd::ropeHead(neox, cos, sin, 4, hd::RopePairs::Neox);          // pairs (0,2), (1,3)
    CHECK(std::vector<float>(adjacent, adjacent + 4) == std::vector<float>{-2, 1, -4, 3});
    CHECK(std::vector<float>(neox, neox + 4) == std::vector<float>{-3, -4, 1, 2});
    // Partial rotary dims: only the first 2 of 4 values turn (NEOX pair (0, 1)).
    float partial[4] = {1, 2, 3, 4};
    hd::ropeHead(partial, cos, sin, 2, hd::RopePairs::Neox);
    CHECK(std::vector<float>(partial, partial + 4) == std::vector<float>{-2, 1, 3, 4});
    // gelu_tanh(1) = 0.5 (1 + tanh(0.7978845608 * 1.044715)) = 0.5 (1 + tanh(0.8335557)) =
    // 0.5 * (1 + 0.6823843) = 0.8411922, rounded to fp16 (steps of 2^-11 there: 1722.76 steps
    // -> 1723) = 0.84130859375 as ggml's table holds it; times up = 2.
    CHECK(hd::geGlu(1.0f, 2.0f) == 2.0f * 0.84130859375f);
    CHECK(hd::geGlu(0.0f, 5.0f) == 0.0f);
    CHECK(hd::geGlu(-12.0f, 3.0f) == 0.0f);  // ggml: 0 at x <= -10, x at x >= 10
    CHECK(hd::geGlu(12.5f, 2.0f) == 25.0f);
}

namespace {

/// Attention of one query over n keys: cpu::attendRow (three passes) as the reference.
struct AttentionCase {
    std::int64_t n_keys, head_dim;
    std::vector<float> q, k, v;  // [head_dim], [n_keys][head_dim] x 2
};

AttentionCase makeCase(std::int64_t n_keys, std::int64_t head_dim, std::uint32_t seed) {
    return {n_keys, head_dim, randomValues(std::size_t(head_dim), seed, 1.0f),
            randomValues(std::size_t(n_keys * head_dim), seed + 1, 1.0f),
            randomValues(std::size_t(n_keys * head_dim), seed + 2, 1.0f)};
}

}  // namespace

TEST_CASE("split-K attention with the online-softmax merge agrees with one-pass softmax",
          "[kernels][kernel-math]") {
    // Tolerance: the reference sums exp(s - max) in key order after a max pass; the split path
    // rescales running sums by exp(m_old - m_new) at every new maximum and once per merge. Each
    // rescale and each addition rounds once (relative 2^-24 = 6e-8); with up to ~1000 keys and
    // log2(1000) = 10 levels of partial sums the error stays below ~1e-6 relative in practice.
    // rtol = 1e-5 leaves a 10x margin; atol = 1e-6 covers outputs that cancel to near zero
    // (values are N(0, 1), so |out| <= a few).
    constexpr float kRtol = 1e-5f, kAtol = 1e-6f;
    for (std::int64_t n_keys : {1, 5, 16, 100, 1000}) {
        for (std::int64_t n_splits : {1, 2, 3, 7}) {
            const std::int64_t dim = 64;
            const AttentionCase c = makeCase(n_keys, dim, std::uint32_t(n_keys * 10 + n_splits));
            const KvRun run{0, n_keys, c.k.data(), c.v.data()};
            std::vector<float> ref(static_cast<std::size_t>(dim)),
                probs(static_cast<std::size_t>(n_keys));
            cpu::attendRow(c.q.data(), std::span(&run, 1), 0, dim,
                           cpu::AttendSpec{dim, 1.0f / std::sqrt(float(dim)), 0.0f}, 0, n_keys,
                           probs.data(), ref.data());

            const float scale = 1.0f / std::sqrt(float(dim));
            auto key = [&](std::int64_t j, std::int64_t d) {
                return c.k[std::size_t(j * dim + d)];
            };
            auto value = [&](std::int64_t j, std::int64_t d) {
                return c.v[std::size_t(j * dim + d)];
            };
            hd::SoftmaxState total = hd::emptySoftmax();
            std::vector<float> acc(static_cast<std::size_t>(dim), 0.0f),
                part(static_cast<std::size_t>(dim));
            std::vector<float> scores(static_cast<std::size_t>(n_keys));
            const std::int64_t per_split = (n_keys + n_splits - 1) / n_splits;
            for (std::int64_t s = 0; s < n_splits; ++s) {
                const std::int64_t first = std::min(n_keys, s * per_split);
                const std::int64_t last = std::min(n_keys, first + per_split);
                const hd::SoftmaxState st =
                    hd::attendSplit(c.q.data(), dim, scale, first, last, key, value, part.data(),
                                    scores.data() + first);
                hd::softmaxMerge(&total, acc.data(), st, part.data(), dim);
            }
            INFO(n_keys << " keys in " << n_splits << " splits");
            for (std::int64_t d = 0; d < dim; ++d) {
                const float got = hd::softmaxFinish(total, acc[std::size_t(d)]);
                const float want = ref[std::size_t(d)];
                CHECK(std::fabs(got - want) <= kAtol + kRtol * std::fabs(want));
            }
            // The attention weights rebuilt from the raw scores and the merged (m, l).
            for (std::int64_t j = 0; j < n_keys; ++j) {
                const float p = std::exp(scores[std::size_t(j)] - total.m) / total.l;
                CHECK(std::fabs(p - probs[std::size_t(j)]) <=
                      kAtol + kRtol * probs[std::size_t(j)]);
            }
        }
    }
}

TEST_CASE("merging an empty partial result changes nothing", "[kernels][kernel-math]") {
    hd::SoftmaxState a{2.0f, 3.0f};
    float acc[2] = {1.5f, -4.0f};
    const float none[2] = {99.0f, 99.0f};
    hd::softmaxMerge(&a, acc, hd::emptySoftmax(), none, 2);
    CHECK(a.m == 2.0f);
    CHECK(a.l == 3.0f);
    CHECK(acc[0] == 1.5f);
    CHECK(acc[1] == -4.0f);
    // Two halves with equal maxima: the sums add, nothing is rescaled.
    hd::SoftmaxState b{2.0f, 1.0f};
    const float acc_b[2] = {0.5f, 1.0f};
    hd::softmaxMerge(&a, acc, b, acc_b, 2);
    CHECK(a.l == 4.0f);
    CHECK(acc[0] == 2.0f);
    CHECK(acc[1] == -3.0f);
}
