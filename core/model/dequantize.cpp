#include "core/model/dequantize.h"

#include "core/model/dequantize_blocks.h"
#include "core/util/half_math.h"

#include <bit>
#include <cmath>
#include <cstring>
#include <stdexcept>
#include <string>

namespace kvscope {

float fp16ToFp32(std::uint16_t bits) {
    return hd::fp16ToFp32(bits);
}

float bf16ToFp32(std::uint16_t bits) {
    return hd::bf16ToFp32(bits);
}

namespace {
std::uint16_t loadU16(const std::byte* p) {
    std::uint16_t value;
    std::memcpy(&value, p, sizeof value);
    return value;
}

using BlockDecoder = void (*)(const std::byte*, float*, std::int64_t);

/// The decoder of a block-quantized type, or nullptr.
BlockDecoder blockDecoder(GgmlType type) {
    switch (type) {
        case GgmlType::Q4_0:
            return dequant::q4_0;
        case GgmlType::Q4_1:
            return dequant::q4_1;
        case GgmlType::Q5_0:
            return dequant::q5_0;
        case GgmlType::Q5_1:
            return dequant::q5_1;
        case GgmlType::Q8_0:
            return dequant::q8_0;
        case GgmlType::IQ4_NL:
            return dequant::iq4nl;
        case GgmlType::Q2_K:
            return dequant::q2_k;
        case GgmlType::Q3_K:
            return dequant::q3_k;
        case GgmlType::Q4_K:
            return dequant::q4_k;
        case GgmlType::Q5_K:
            return dequant::q5_k;
        case GgmlType::Q6_K:
            return dequant::q6_k;
        case GgmlType::IQ4_XS:
            return dequant::iq4xs;
        default:
            return nullptr;
    }
}

}  // namespace

bool canDequantize(GgmlType type) {
    return type == GgmlType::F32 || type == GgmlType::F16 || type == GgmlType::BF16 ||
           blockDecoder(type) != nullptr;
}

const char* dequantizableTypeNames() {
    return "F32, F16, BF16, Q8_0, Q4_0, Q4_1, Q5_0, Q5_1, Q2_K, Q3_K, Q4_K, Q5_K, Q6_K, "
           "IQ4_NL, "
           "IQ4_XS";
}

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
        default:
            blockDecoder(type)(src.data(), dst.data(), std::int64_t(dst.size() / block));
            return;
    }
}

}  // namespace kvscope
