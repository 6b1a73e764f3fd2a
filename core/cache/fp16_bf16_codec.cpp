#include "core/cache/fp16_bf16_codec.h"

#include <array>
#include <bit>
#include <cstring>

#include "core/model/dequantize.h"

namespace kvscope {

std::uint16_t fp32ToFp16(float value) {
    const auto bits = std::bit_cast<std::uint32_t>(value);
    const auto sign = std::uint16_t((bits >> 16) & 0x8000u);
    const std::uint32_t exponent = (bits >> 23) & 0xffu;  // float's biased exponent
    const std::uint32_t mantissa = bits & 0x7fffffu;
    if (exponent == 0xff && mantissa != 0)
        return std::uint16_t(sign | 0x7e00u | (mantissa >> 13));  // quiet NaN
    if (exponent >= 143) return std::uint16_t(sign | 0x7c00u);    // >= 2^16 or inf: inf
    if (exponent < 102) return sign;  // below 2^-25 (half the smallest subnormal): zero
    // The kept part q and the dropped remainder, in units of the half's last place.
    std::uint32_t q = 0, remainder = 0, half = 0;
    if (exponent < 113) {
        // A half subnormal: value = m * 2^(exponent - 150), in units of 2^-24.
        const std::uint32_t m = mantissa | 0x800000u;
        const std::uint32_t shift = 126 - exponent;  // 14..24
        q = m >> shift;
        remainder = m & ((1u << shift) - 1);
        half = 1u << (shift - 1);
    } else {
        q = ((exponent - 112) << 10) | (mantissa >> 13);
        remainder = mantissa & 0x1fffu;
        half = 0x1000u;
    }
    // Round to nearest even; a carry moves into the exponent (and up to inf) by itself.
    if (remainder > half || (remainder == half && (q & 1u))) ++q;
    return std::uint16_t(sign | q);
}

std::uint16_t fp32ToBf16(float value) {
    const auto bits = std::bit_cast<std::uint32_t>(value);
    if ((bits & 0x7fffffffu) > 0x7f800000u) return std::uint16_t((bits >> 16) | 0x0040u);
    const std::uint32_t rounding = 0x7fffu + ((bits >> 16) & 1u);
    return std::uint16_t((bits + rounding) >> 16);
}

namespace {

void storeU16(std::byte* p, std::uint16_t v) {
    std::memcpy(p, &v, sizeof v);
}

std::uint16_t loadU16(const std::byte* p) {
    std::uint16_t v;
    std::memcpy(&v, p, sizeof v);
    return v;
}

class Fp32Codec final : public KvCodec {
public:
    KvDtype dtype() const override { return KvDtype::F32; }
    void encode(std::span<const float> src, std::span<std::byte> dst) const override {
        requireRowBytes(src.size(), dst.size());
        if (!src.empty()) std::memcpy(dst.data(), src.data(), dst.size());
    }
    void decode(std::span<const std::byte> src, std::span<float> dst) const override {
        requireRowBytes(dst.size(), src.size());
        if (!dst.empty()) std::memcpy(dst.data(), src.data(), src.size());
    }
};

/// fp16 code -> fp32 for all 65536 codes (256 KiB), built once: decoding is a load.
const std::array<float, 65536>& fp16Table() {
    static const auto table = [] {
        std::array<float, 65536> t{};
        for (std::uint32_t code = 0; code < t.size(); ++code)
            t[code] = fp16ToFp32(std::uint16_t(code));
        return t;
    }();
    return table;
}

/// fp16 and bf16: 2 bytes per value. Encoding rounds with the scalar conversions; decoding is a
/// table load (fp16) or a shift (bf16: the top half of an fp32).
template <KvDtype kDtype, std::uint16_t (*kEncode)(float)>
class HalfCodec final : public KvCodec {
public:
    KvDtype dtype() const override { return kDtype; }
    void encode(std::span<const float> src, std::span<std::byte> dst) const override {
        requireRowBytes(src.size(), dst.size());
        for (std::size_t i = 0; i < src.size(); ++i)
            storeU16(dst.data() + 2 * i, kEncode(src[i]));
    }
    void decode(std::span<const std::byte> src, std::span<float> dst) const override {
        requireRowBytes(dst.size(), src.size());
        if constexpr (kDtype == KvDtype::F16) {
            const std::array<float, 65536>& table = fp16Table();
            for (std::size_t i = 0; i < dst.size(); ++i)
                dst[i] = table[loadU16(src.data() + 2 * i)];
        } else {
            for (std::size_t i = 0; i < dst.size(); ++i)
                dst[i] = std::bit_cast<float>(std::uint32_t(loadU16(src.data() + 2 * i)) << 16);
        }
    }
};

}  // namespace

std::unique_ptr<KvCodec> makeFp32Codec() {
    return std::make_unique<Fp32Codec>();
}

std::unique_ptr<KvCodec> makeFp16Codec() {
    return std::make_unique<HalfCodec<KvDtype::F16, fp32ToFp16>>();
}

std::unique_ptr<KvCodec> makeBf16Codec() {
    return std::make_unique<HalfCodec<KvDtype::BF16, fp32ToBf16>>();
}

}  // namespace kvscope
