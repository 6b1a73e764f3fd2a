#pragma once
// fp16 and bf16 <-> fp32, bit-exact and shared by the CPU (core/model's weights, core/cache's
// codecs) and the CUDA kernels (kernels/): the one implementation of these conversions.
#include <cstdint>

#include "core/util/host_device.h"

namespace kvscope::hd {

/// IEEE half -> float, exact for every code (NaN payloads move to the top of the mantissa).
KVSCOPE_HD float fp16ToFp32(std::uint16_t bits) {
#if defined(__CUDA_ARCH__)
    // The device's conversion instruction: exact, as below, for every code (a NaN stays a NaN).
    float value;
    asm("cvt.f32.f16 %0, %1;" : "=f"(value) : "h"(bits));
    return value;
#else
    const std::uint32_t sign = std::uint32_t(bits >> 15) << 31;
    const std::uint32_t exponent = (bits >> 10) & 0x1f;
    const std::uint32_t mantissa = bits & 0x3ff;
    if (exponent == 0) {
        // Zero or subnormal: mantissa * 2^-24, exact in float.
        const float magnitude = float(mantissa) * 5.9604644775390625e-08f;
        return sign ? -magnitude : magnitude;
    }
    if (exponent == 0x1f) return bitsFloat(sign | 0x7f800000u | (mantissa << 13));
    return bitsFloat(sign | ((exponent - 15 + 127) << 23) | (mantissa << 13));
#endif
}

/// float -> IEEE half, round to nearest even; overflow -> inf, NaN stays a quiet NaN.
KVSCOPE_HD std::uint16_t fp32ToFp16(float value) {
    const std::uint32_t bits = floatBits(value);
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

/// bf16 -> float: the top half of a float.
KVSCOPE_HD float bf16ToFp32(std::uint16_t bits) {
    return bitsFloat(std::uint32_t(bits) << 16);
}

/// float -> bf16, round to nearest even; NaN stays a quiet NaN.
KVSCOPE_HD std::uint16_t fp32ToBf16(float value) {
    const std::uint32_t bits = floatBits(value);
    if ((bits & 0x7fffffffu) > 0x7f800000u) return std::uint16_t((bits >> 16) | 0x0040u);
    const std::uint32_t rounding = 0x7fffu + ((bits >> 16) & 1u);
    return std::uint16_t((bits + rounding) >> 16);
}

}  // namespace kvscope::hd
