#include "core/model/dequantize.h"

#include <bit>
#include <cmath>
#include <cstring>
#include <stdexcept>
#include <string>

namespace kvscope {

float fp16ToFp32(std::uint16_t bits) {
    const std::uint32_t sign = std::uint32_t(bits >> 15) << 31;
    const std::uint32_t exponent = (bits >> 10) & 0x1f;
    const std::uint32_t mantissa = bits & 0x3ff;
    if (exponent == 0) {
        // Zero or subnormal: mantissa * 2^-24, exact in float.
        const float magnitude = std::ldexp(float(mantissa), -24);
        return sign ? -magnitude : magnitude;
    }
    if (exponent == 0x1f) {
        // Infinity (mantissa 0) or NaN (payload moved to the top of the float mantissa).
        return std::bit_cast<float>(sign | 0x7f800000u | (mantissa << 13));
    }
    return std::bit_cast<float>(sign | ((exponent - 15 + 127) << 23) | (mantissa << 13));
}

float bf16ToFp32(std::uint16_t bits) {
    return std::bit_cast<float>(std::uint32_t(bits) << 16);
}

bool canDequantize(GgmlType type) {
    return type == GgmlType::F32 || type == GgmlType::F16 || type == GgmlType::BF16 ||
           type == GgmlType::Q8_0 || type == GgmlType::Q4_0;
}

const char* dequantizableTypeNames() {
    return "F32, F16, BF16, Q8_0, Q4_0";
}

namespace {

std::uint16_t loadU16(const std::byte* p) {
    std::uint16_t value;
    std::memcpy(&value, p, sizeof value);
    return value;
}

/// Q8_0 block: fp16 scale d, then 32 int8 q; value i = q[i] * d.
void dequantizeQ8_0(std::span<const std::byte> src, std::span<float> dst) {
    constexpr std::size_t kBlock = 32, kBytes = 34;
    for (std::size_t b = 0; b < dst.size() / kBlock; ++b) {
        const std::byte* block = src.data() + b * kBytes;
        const float d = fp16ToFp32(loadU16(block));
        float* out = dst.data() + b * kBlock;
        for (std::size_t i = 0; i < kBlock; ++i)
            out[i] = float(static_cast<std::int8_t>(block[2 + i])) * d;
    }
}

/// Q4_0 block: fp16 scale d, then 16 bytes; byte j holds element j in its low nibble and
/// element j + 16 in its high nibble; value = (nibble - 8) * d.
void dequantizeQ4_0(std::span<const std::byte> src, std::span<float> dst) {
    constexpr std::size_t kBlock = 32, kBytes = 18;
    for (std::size_t b = 0; b < dst.size() / kBlock; ++b) {
        const std::byte* block = src.data() + b * kBytes;
        const float d = fp16ToFp32(loadU16(block));
        float* out = dst.data() + b * kBlock;
        for (std::size_t j = 0; j < kBlock / 2; ++j) {
            const auto packed = std::to_integer<int>(block[2 + j]);
            out[j] = float((packed & 0x0f) - 8) * d;
            out[j + kBlock / 2] = float((packed >> 4) - 8) * d;
        }
    }
}

}  // namespace

void dequantize(GgmlType type, std::span<const std::byte> src, std::span<float> dst) {
    if (!canDequantize(type)) {
        throw std::invalid_argument("dequantize: type " + ggmlTypeName(type) + " is not supported");
    }
    const GgmlTypeTraits traits = ggmlTypeTraits(type);
    const auto block = std::size_t(traits.block_size);
    if (dst.size() % block != 0 ||
        src.size() != dst.size() / block * std::size_t(traits.type_size)) {
        throw std::invalid_argument("dequantize: " + std::to_string(src.size()) + " bytes of " +
                                    traits.name + " do not hold " + std::to_string(dst.size()) +
                                    " values");
    }
    switch (type) {
        case GgmlType::F32:
            if (!dst.empty()) std::memcpy(dst.data(), src.data(), src.size());
            return;
        case GgmlType::F16:
            for (std::size_t i = 0; i < dst.size(); ++i)
                dst[i] = fp16ToFp32(loadU16(src.data() + 2 * i));
            return;
        case GgmlType::BF16:
            for (std::size_t i = 0; i < dst.size(); ++i)
                dst[i] = bf16ToFp32(loadU16(src.data() + 2 * i));
            return;
        case GgmlType::Q8_0:
            dequantizeQ8_0(src, dst);
            return;
        case GgmlType::Q4_0:
            dequantizeQ4_0(src, dst);
            return;
        default:
            return;  // unreachable: canDequantize() checked above
    }
}

}  // namespace kvscope
