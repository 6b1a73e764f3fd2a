// fp8 e4m3fn / e5m2, fp16 and bf16: every code, every midpoint, saturation and NaN.
#include <bit>
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#include "core/cache/fp16_bf16_codec.h"
#include "core/cache/fp8_codec.h"
#include "core/cache/kv_codec.h"
#include "core/model/dequantize.h"

using namespace kvscope;

namespace {

constexpr double kNan = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

/// e4m3fn by the OCP formula: bias 7, no inf, S.1111.111 = NaN.
double e4m3Reference(int code) {
    const double s = (code & 0x80) ? -1.0 : 1.0;
    const int e = (code >> 3) & 0xf, m = code & 0x7;
    if (e == 15 && m == 7) return kNan;
    if (e == 0) return s * (m / 8.0) * std::ldexp(1.0, -6);
    return s * (1.0 + m / 8.0) * std::ldexp(1.0, e - 7);
}

/// e5m2 by the OCP formula: bias 15, IEEE inf/NaN.
double e5m2Reference(int code) {
    const double s = (code & 0x80) ? -1.0 : 1.0;
    const int e = (code >> 2) & 0x1f, m = code & 0x3;
    if (e == 31) return m == 0 ? s * kInf : kNan;
    if (e == 0) return s * (m / 4.0) * std::ldexp(1.0, -14);
    return s * (1.0 + m / 4.0) * std::ldexp(1.0, e - 15);
}

using Encode8 = std::uint8_t (*)(float);
using Decode8 = float (*)(std::uint8_t);

/// Between every pair of adjacent finite positive codes: the exact midpoint rounds to the even
/// code, one float step either side rounds to the nearer code; both signs.
void checkFp8Midpoints(Encode8 encode, Decode8 decode, int last_finite) {
    for (int c = 0; c < last_finite; ++c) {
        const float lo = decode(std::uint8_t(c)), hi = decode(std::uint8_t(c + 1));
        const float mid = lo + (hi - lo) / 2;  // exact: at most 5 significant bits
        REQUIRE(double(mid) == (double(lo) + double(hi)) / 2);
        const int even = (c % 2 == 0) ? c : c + 1;
        INFO("codes " << c << ", " << c + 1 << " midpoint " << mid);
        CHECK(encode(mid) == even);
        CHECK(encode(-mid) == (0x80 | even));
        CHECK(encode(std::nextafter(mid, 0.0f)) == c);
        CHECK(encode(std::nextafter(mid, 1e9f)) == c + 1);
    }
}

float bitsToFloat(std::uint32_t bits) {
    return std::bit_cast<float>(bits);
}

}  // namespace

TEST_CASE("fp8 e4m3fn: all 256 codes decode to the OCP values and encode back", "[codec]") {
    for (int code = 0; code < 256; ++code) {
        const double expected = e4m3Reference(code);
        const float got = fp8E4m3ToFp32(std::uint8_t(code));
        INFO("code 0x" << std::hex << code);
        if (std::isnan(expected)) {
            CHECK(std::isnan(got));
            CHECK((fp32ToFp8E4m3(got) & 0x7f) == 0x7f);
            continue;
        }
        CHECK(double(got) == expected);
        CHECK(std::signbit(got) == bool(code & 0x80));
        CHECK(fp32ToFp8E4m3(got) == code);
    }
    CHECK(fp8E4m3ToFp32(0x7e) == 448.0f);
    CHECK(fp8E4m3ToFp32(0x01) == std::ldexp(1.0f, -9));  // smallest subnormal
    CHECK(fp8E4m3ToFp32(0x08) == std::ldexp(1.0f, -6));  // smallest normal
}

TEST_CASE("fp8 e4m3fn: round to nearest even at every midpoint, satfinite, NaN", "[codec]") {
    checkFp8Midpoints(fp32ToFp8E4m3, fp8E4m3ToFp32, 0x7e);
    // Saturation: everything beyond 448, including the would-be 480 and infinity, is +-448.
    for (float v : {448.0f, 449.0f, 464.0f, 465.0f, 480.0f, 1e6f, std::numeric_limits<float>::max(),
                    std::numeric_limits<float>::infinity()}) {
        INFO(v);
        CHECK(fp32ToFp8E4m3(v) == 0x7e);
        CHECK(fp32ToFp8E4m3(-v) == 0xfe);
    }
    CHECK(fp32ToFp8E4m3(std::nanf("")) == 0x7f);
    CHECK(fp32ToFp8E4m3(-std::nanf("")) == 0xff);
    // Below half the smallest subnormal (2^-10): zero, sign kept.
    CHECK(fp32ToFp8E4m3(std::ldexp(1.0f, -10)) == 0x00);
    CHECK(fp32ToFp8E4m3(-std::ldexp(1.0f, -11)) == 0x80);
    CHECK(fp32ToFp8E4m3(std::numeric_limits<float>::denorm_min()) == 0x00);
    CHECK(fp32ToFp8E4m3(-0.0f) == 0x80);
}

TEST_CASE("fp8 e5m2: all 256 codes decode to the OCP values and encode back", "[codec]") {
    for (int code = 0; code < 256; ++code) {
        const double expected = e5m2Reference(code);
        const float got = fp8E5m2ToFp32(std::uint8_t(code));
        INFO("code 0x" << std::hex << code);
        if (std::isnan(expected)) {
            CHECK(std::isnan(got));
            const int back = fp32ToFp8E5m2(got);
            CHECK((back & 0x7c) == 0x7c);
            CHECK((back & 0x03) != 0);
            continue;
        }
        CHECK(double(got) == expected);
        CHECK(std::signbit(got) == bool(code & 0x80));
        CHECK(fp32ToFp8E5m2(got) == code);
    }
    CHECK(fp8E5m2ToFp32(0x7b) == 57344.0f);
    CHECK(fp8E5m2ToFp32(0x01) == std::ldexp(1.0f, -16));
}

TEST_CASE("fp8 e5m2: round to nearest even at every midpoint, overflow to inf, NaN", "[codec]") {
    checkFp8Midpoints(fp32ToFp8E5m2, fp8E5m2ToFp32, 0x7b);
    CHECK(fp32ToFp8E5m2(57344.0f) == 0x7b);
    CHECK(fp32ToFp8E5m2(std::nextafter(61440.0f, 0.0f)) == 0x7b);
    CHECK(fp32ToFp8E5m2(61440.0f) == 0x7c);  // the midpoint above max ties to even: inf
    CHECK(fp32ToFp8E5m2(-1e9f) == 0xfc);
    CHECK(fp32ToFp8E5m2(std::numeric_limits<float>::infinity()) == 0x7c);
    CHECK(fp32ToFp8E5m2(-std::numeric_limits<float>::infinity()) == 0xfc);
    CHECK(fp32ToFp8E5m2(std::nanf("")) == 0x7e);
    CHECK(fp32ToFp8E5m2(std::ldexp(1.0f, -17)) == 0x00);
    CHECK(fp32ToFp8E5m2(std::nextafter(std::ldexp(1.0f, -17), 1.0f)) == 0x01);
}

TEST_CASE("fp16: all 65536 codes round-trip through fp32", "[codec]") {
    for (std::uint32_t h = 0; h < 0x10000; ++h) {
        const float f = fp16ToFp32(std::uint16_t(h));
        const std::uint16_t back = fp32ToFp16(f);
        if (std::isnan(f)) {
            REQUIRE((back & 0x7c00) == 0x7c00);
            REQUIRE((back & 0x03ff) != 0);
            REQUIRE((back & 0x8000) == (h & 0x8000));
        } else {
            REQUIRE(back == h);
        }
    }
}

TEST_CASE("fp16: round to nearest even at every midpoint, subnormals, overflow", "[codec]") {
    for (std::uint32_t h = 0; h < 0x7bff; ++h) {
        const float lo = fp16ToFp32(std::uint16_t(h)), hi = fp16ToFp32(std::uint16_t(h + 1));
        const float mid = lo + (hi - lo) / 2;  // exact: 12 significant bits
        const std::uint32_t even = (h % 2 == 0) ? h : h + 1;
        REQUIRE(fp32ToFp16(mid) == even);
        REQUIRE(fp32ToFp16(-mid) == (0x8000 | even));
        REQUIRE(fp32ToFp16(std::nextafter(mid, 0.0f)) == h);
        REQUIRE(fp32ToFp16(std::nextafter(mid, 1e9f)) == h + 1);
    }
    CHECK(fp32ToFp16(std::ldexp(1.0f, -25)) == 0x0000);      // half the smallest subnormal
    CHECK(fp32ToFp16(3 * std::ldexp(1.0f, -25)) == 0x0002);  // 1.5 units: ties to even
    CHECK(fp32ToFp16(std::ldexp(1.0f, -24)) == 0x0001);      // smallest subnormal
    CHECK(fp32ToFp16(std::ldexp(1023.0f, -24)) == 0x03ff);   // largest subnormal
    CHECK(fp32ToFp16(std::ldexp(1.0f, -14)) == 0x0400);      // smallest normal
    CHECK(fp32ToFp16(65504.0f) == 0x7bff);
    CHECK(fp32ToFp16(std::nextafter(65520.0f, 0.0f)) == 0x7bff);
    CHECK(fp32ToFp16(65520.0f) == 0x7c00);
    CHECK(fp32ToFp16(-std::numeric_limits<float>::infinity()) == 0xfc00);
    CHECK(fp32ToFp16(-0.0f) == 0x8000);
    CHECK(fp32ToFp16(std::numeric_limits<float>::denorm_min()) == 0x0000);
}

TEST_CASE("bf16: every code round-trips, round to nearest even at every midpoint", "[codec]") {
    for (std::uint32_t b = 0; b < 0x10000; ++b) {
        const float f = bf16ToFp32(std::uint16_t(b));
        const std::uint16_t back = fp32ToBf16(f);
        if (std::isnan(f)) {
            REQUIRE(std::isnan(bf16ToFp32(back)));
            continue;
        }
        REQUIRE(back == b);
        if ((b & 0x7fff) >= 0x7f7f) continue;  // no finite neighbour above
        const float mid = bitsToFloat((b << 16) | 0x8000u);
        const std::uint32_t even = (b % 2 == 0) ? b : b + 1;
        REQUIRE(fp32ToBf16(mid) == even);
        REQUIRE(fp32ToBf16(bitsToFloat((b << 16) | 0x7fffu)) == b);
        REQUIRE(fp32ToBf16(bitsToFloat((b << 16) | 0x8001u)) == b + 1);
    }
    CHECK(fp32ToBf16(bitsToFloat(0x7f7f8000u)) == 0x7f80);  // above the max midpoint: inf
}

TEST_CASE("fp32/fp16/bf16/fp8 codecs store rows of exactly their bytes", "[codec]") {
    const std::vector<float> row = {0.0f, -1.5f, 3.14159f, 1e-5f, 300.0f, -0.0f, 7.0f};
    for (KvDtype dtype :
         {KvDtype::F32, KvDtype::F16, KvDtype::BF16, KvDtype::FP8_E4M3, KvDtype::FP8_E5M2}) {
        const auto codec = makeKvCodec(dtype);
        INFO(codec->name());
        const std::vector<std::byte> bytes = codec->encoded(row);
        CHECK(std::int64_t(bytes.size()) == kvRowBytes(dtype, std::int64_t(row.size())));
        const std::vector<float> back = codec->decoded(bytes, std::int64_t(row.size()));
        for (std::size_t i = 0; i < row.size(); ++i) {
            float expected = row[i];
            if (dtype == KvDtype::F16) expected = fp16ToFp32(fp32ToFp16(row[i]));
            if (dtype == KvDtype::BF16) expected = bf16ToFp32(fp32ToBf16(row[i]));
            if (dtype == KvDtype::FP8_E4M3) expected = fp8E4m3ToFp32(fp32ToFp8E4m3(row[i]));
            if (dtype == KvDtype::FP8_E5M2) expected = fp8E5m2ToFp32(fp32ToFp8E5m2(row[i]));
            CHECK(back[i] == expected);
        }
    }
}

namespace {

/// The fp8 code of `x` by brute force: the finite positive code whose value is nearest to |x|
/// (the even code on a tie), or `inf_code` at or past `inf_from` (e5m2; 0 = never), with x's
/// sign bit. NaN is not handled here.
int nearestFp8(float x, Decode8 decode, int last_finite, double inf_from, int inf_code) {
    const double a = std::fabs(double(x));
    const int sign = std::signbit(x) ? 0x80 : 0;
    if (inf_from > 0 && a >= inf_from) return sign | inf_code;
    int best = 0;
    double best_distance = kInf;
    for (int c = 0; c <= last_finite; ++c) {
        const double d = std::fabs(double(decode(std::uint8_t(c))) - a);
        if (d < best_distance || (d == best_distance && c % 2 == 0)) {
            best = c;
            best_distance = d;
        }
    }
    return sign | best;
}

}  // namespace

TEST_CASE("fp8: encoding equals the nearest code by brute force on a million floats", "[codec]") {
    std::vector<float> xs;
    for (std::uint64_t bits = 0; bits < (1ull << 32); bits += 8191) {  // every binade, both signs
        const float x = bitsToFloat(std::uint32_t(bits));
        if (!std::isnan(x)) xs.push_back(x);
    }
    std::uint32_t state = 12345;  // xorshift: values where the codes are dense
    for (int i = 0; i < 200000; ++i) {
        state ^= state << 13;
        state ^= state >> 17;
        state ^= state << 5;
        xs.push_back((float(state) / 4294967296.0f - 0.5f) * 2.0f * std::ldexp(1.0f, i % 24 - 10));
    }
    REQUIRE(xs.size() > 700000);
    std::int64_t checked = 0;
    for (float x : xs) {
        INFO("x = " << x << " bits " << std::bit_cast<std::uint32_t>(x));
        // e4m3fn saturates: the nearest finite code, also far past 448 and for +-inf.
        REQUIRE(fp32ToFp8E4m3(x) == nearestFp8(x, fp8E4m3ToFp32, 0x7e, 0, 0));
        // e5m2 rounds to inf from 61440, the midpoint between 57344 and the next step.
        REQUIRE(fp32ToFp8E5m2(x) == nearestFp8(x, fp8E5m2ToFp32, 0x7b, 61440.0, 0x7c));
        ++checked;
    }
    CHECK(checked == std::int64_t(xs.size()));
}
