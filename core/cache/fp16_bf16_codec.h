#pragma once
// IEEE float family: fp32 (a copy), fp16 and bf16, both rounded to nearest, ties to even. The
// inverse conversions live in core/model/dequantize.h (fp16ToFp32, bf16ToFp32).
#include <cstdint>
#include <memory>

#include "core/cache/kv_codec.h"

namespace kvscope {

/// float -> IEEE half, round to nearest even: subnormal halves are produced, values at or beyond
/// 65520 (the midpoint above 65504) become +-inf, inf stays inf, NaN stays a quiet NaN with the
/// top of its payload and its sign.
std::uint16_t fp32ToFp16(float value);
/// float -> bfloat16 (top 16 bits), round to nearest even; NaN stays a quiet NaN.
std::uint16_t fp32ToBf16(float value);

/// Layouts: fp32 4 B, fp16/bf16 2 B per value, little-endian, no scale.
std::unique_ptr<KvCodec> makeFp32Codec();
std::unique_ptr<KvCodec> makeFp16Codec();
std::unique_ptr<KvCodec> makeBf16Codec();

}  // namespace kvscope
