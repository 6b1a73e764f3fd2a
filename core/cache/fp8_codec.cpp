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

/// Rounds a non-negative float below 2^24 to the nearest integer, ties to even (exact).
float roundHalfEven(float x) {
    const float floor_x = std::floor(x);
    const float fraction = x - floor_x;
    if (fraction > 0.5f) return floor_x + 1.0f;
    if (fraction < 0.5f) return floor_x;
    return std::fmod(floor_x, 2.0f) == 0.0f ? floor_x : floor_x + 1.0f;
}

/// The code of |value| (finite, non-NaN) without sign, before overflow handling: monotonic in
/// |value|, so codes past the format's largest finite one mean overflow.
int magnitudeCode(float magnitude, const Fp8Format& f) {
    if (magnitude == 0.0f) return 0;
    const int min_exponent = 1 - f.bias;
    int exponent = 0;
    std::frexp(magnitude, &exponent);  // magnitude = [0.5, 1) * 2^exponent
    exponent = std::max(exponent - 1, min_exponent);
    // Mantissa in units of the last place at this exponent: exact power-of-two scaling.
    const float units = std::ldexp(magnitude, f.mantissa_bits - exponent);
    const int q = int(std::min(roundHalfEven(units), float(1 << 20)));
    const int implicit = 1 << f.mantissa_bits;
    if (q < implicit) return q;  // subnormal (only at the smallest exponent)
    // q == 2 * implicit after rounding up: the next binade, mantissa 0 (the formula carries).
    return ((exponent + f.bias) << f.mantissa_bits) + (q - implicit);
}

std::uint8_t encode(float value, const Fp8Format& f) {
    const std::uint8_t sign = std::signbit(value) ? 0x80 : 0x00;
    if (std::isnan(value)) return sign | (f.ieee_specials ? kE5m2Nan : kE4m3Nan);
    if (std::isinf(value)) return sign | (f.ieee_specials ? kE5m2Inf : kE4m3Max);
    const int code = magnitudeCode(std::fabs(value), f);
    if (f.ieee_specials) return sign | std::uint8_t(std::min(code, int(kE5m2Inf)));
    return sign | std::uint8_t(std::min(code, int(kE4m3Max)));
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

template <KvDtype kDtype, std::uint8_t (*kEncode)(float), float (*kDecode)(std::uint8_t)>
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
        for (std::size_t i = 0; i < dst.size(); ++i)
            dst[i] = kDecode(std::to_integer<std::uint8_t>(src[i]));
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
    return std::make_unique<Fp8Codec<KvDtype::FP8_E4M3, fp32ToFp8E4m3, fp8E4m3ToFp32>>();
}

std::unique_ptr<KvCodec> makeFp8E5m2Codec() {
    return std::make_unique<Fp8Codec<KvDtype::FP8_E5M2, fp32ToFp8E5m2, fp8E5m2ToFp32>>();
}

}  // namespace kvscope
