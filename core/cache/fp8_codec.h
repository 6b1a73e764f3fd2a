#pragma once
// 8-bit floats (OCP FP8), 1 byte per value, no scale, both rounded to nearest, ties to even.
//
//   e4m3fn  S.EEEE.MMM, bias 7, subnormals (E = 0: M/8 * 2^-6), max 448 (S.1111.110), no
//           infinities; NaN = S.1111.111. Encoding saturates ("satfinite"): every finite value
//           that rounds beyond 448 and +-inf become +-448; NaN becomes S.1111.111 (sign kept).
//   e5m2    S.EEEEE.MM, bias 15, IEEE-like: subnormals, max 57344, +-inf = S.11111.00, NaN =
//           S.11111.{01,10,11}. Encoding is IEEE round to nearest: values at or beyond 61440 (the
//           midpoint above 57344) become +-inf, inf stays inf, NaN becomes S.11111.10.
#include <cstdint>
#include <memory>

#include "core/cache/kv_codec.h"

namespace kvscope {

std::uint8_t fp32ToFp8E4m3(float value);
float fp8E4m3ToFp32(std::uint8_t code);
std::uint8_t fp32ToFp8E5m2(float value);
float fp8E5m2ToFp32(std::uint8_t code);

std::unique_ptr<KvCodec> makeFp8E4m3Codec();
std::unique_ptr<KvCodec> makeFp8E5m2Codec();

}  // namespace kvscope
