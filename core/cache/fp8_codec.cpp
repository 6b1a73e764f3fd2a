#include "core/cache/fp8_codec.h"

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>

namespace kvscope {

namespace {

/// One 8-bit float format: 1 sign bit, exponent_bits, mantissa_bits, bias.
struct Fp8Format {
    int exponent_bits, mantissa_bits, bias;
    bool ieee_specials;  // e5m2: exponent all ones = inf/NaN; e4m3fn: only S.1111.111 is NaN
};

constexpr Fp8Format kE4m3{4, 3, 7, false};
constexpr Fp8Format kE5m2{5, 2, 15, true};

constexpr std::uint8_t kE4m3Max = 0x7e, kE4m3Nan = 0x7f;
constexpr std::uint8_t kE5m2Inf = 0x7c, kE5m2Nan = 0x7e;

/// The code of a finite |value| (its fp32 bits without sign), sign excluded, rounded to nearest
/// even on the bits. Monotonic in |value|: codes past the format's largest finite one mean
/// overflow.
std::uint32_t magnitudeCode(std::uint32_t abs_bits, const Fp8Format& f) {
    const int biased = int(abs_bits >> 23);
    if (biased == 0) return 0;  // zero, or an fp32 subnormal: far below half of fp8's least step
    const int exponent = biased - 127;
    const int min_exponent = 1 - f.bias;
    const std::uint32_t significand = (abs_bits & 0x7fffffu) | 0x800000u;  // 1.M x 2^23
    // Kept bits are in units of the last place at max(exponent, min_exponent).
    const int shift = 23 - f.mantissa_bits + std::max(min_exponent - exponent, 0);
    if (shift > 24) return 0;  // below half of the smallest subnormal
    std::uint32_t q = significand >> shift;
    const std::uint32_t remainder = significand & ((1u << shift) - 1);
    const std::uint32_t half = 1u << (shift - 1);
    if (remainder > half || (remainder == half && (q & 1u))) ++q;
    // Subnormal: q counts the smallest step (rounding up to 1 << mantissa_bits is the smallest
    // normal's code). Normal: q holds the implicit bit, so a carry moves into the exponent.
    if (exponent < min_exponent) return q;
    return (std::uint32_t(exponent - min_exponent) << f.mantissa_bits) + q;
}

std::uint8_t encode(float value, const Fp8Format& f) {
    const auto bits = std::bit_cast<std::uint32_t>(value);
    const auto sign = std::uint8_t((bits >> 24) & 0x80u);
    const std::uint32_t abs_bits = bits & 0x7fffffffu;
    if (abs_bits > 0x7f800000u) return sign | (f.ieee_specials ? kE5m2Nan : kE4m3Nan);
    if (abs_bits == 0x7f800000u) return sign | (f.ieee_specials ? kE5m2Inf : kE4m3Max);
    const std::uint32_t code = magnitudeCode(abs_bits, f);
    const std::uint32_t largest = f.ieee_specials ? kE5m2Inf : kE4m3Max;
    return sign | std::uint8_t(std::min(code, largest));
}

float decodeFormula(std::uint8_t code, const Fp8Format& f) {
    const float sign = (code & 0x80) ? -1.0f : 1.0f;
    const int exponent = (code >> f.mantissa_bits) & ((1 << f.exponent_bits) - 1);
    const int mantissa = code & ((1 << f.mantissa_bits) - 1);
    const int max_exponent = (1 << f.exponent_bits) - 1;
    if (f.ieee_specials && exponent == max_exponent)
        return mantissa == 0 ? sign * INFINITY : std::copysign(NAN, sign);
    if (!f.ieee_specials && (code & 0x7f) == kE4m3Nan) return std::copysign(NAN, sign);
    if (exponent == 0) return sign * std::ldexp(float(mantissa), 1 - f.bias - f.mantissa_bits);
    return sign * std::ldexp(float((1 << f.mantissa_bits) + mantissa),
                             exponent - f.bias - f.mantissa_bits);
}

using DecodeTable = std::array<float, 256>;

DecodeTable makeTable(const Fp8Format& f) {
    DecodeTable table{};
    for (int code = 0; code < 256; ++code)
        table[std::size_t(code)] = decodeFormula(std::uint8_t(code), f);
    return table;
}

const DecodeTable& e4m3Table() {
    static const DecodeTable table = makeTable(kE4m3);
    return table;
}

const DecodeTable& e5m2Table() {
    static const DecodeTable table = makeTable(kE5m2);
    return table;
}

template <KvDtype kDtype, std::uint8_t (*kEncode)(float), const DecodeTable& (*kTable)()>
class Fp8Codec final : public KvCodec {
public:
    KvDtype dtype() const override { return kDtype; }
    void encode(std::span<const float> src, std::span<std::byte> dst) const override {
        requireRowBytes(src.size(), dst.size());
        for (std::size_t i = 0; i < src.size(); ++i)
            dst[i] = std::byte(kEncode(src[i]));
    }
    void decode(std::span<const std::byte> src, std::span<float> dst) const override {
        requireRowBytes(dst.size(), src.size());
        const DecodeTable& table = kTable();
        for (std::size_t i = 0; i < dst.size(); ++i)
            dst[i] = table[std::to_integer<std::uint8_t>(src[i])];
    }
};

}  // namespace

std::uint8_t fp32ToFp8E4m3(float value) {
    return encode(value, kE4m3);
}

float fp8E4m3ToFp32(std::uint8_t code) {
    return e4m3Table()[code];
}

std::uint8_t fp32ToFp8E5m2(float value) {
    return encode(value, kE5m2);
}

float fp8E5m2ToFp32(std::uint8_t code) {
    return e5m2Table()[code];
}

std::unique_ptr<KvCodec> makeFp8E4m3Codec() {
    return std::make_unique<Fp8Codec<KvDtype::FP8_E4M3, fp32ToFp8E4m3, e4m3Table>>();
}

std::unique_ptr<KvCodec> makeFp8E5m2Codec() {
    return std::make_unique<Fp8Codec<KvDtype::FP8_E5M2, fp32ToFp8E5m2, e5m2Table>>();
}

}  // namespace kvscope
