#pragma once
// llama.cpp-compatible block formats, bit for bit as ggml's reference quantizers write them, read
// back through core/model/dequantize.h. Blocks of 32 values of a row; a partial last block is
// stored whole with its padding values quantized as 0.
//
//   q8_0  34 B: fp16 d = amax / 127, then 32 int8 q = roundf(x / d) (ties away from zero);
//         value = q * d. Bound: |x - value| <= d/2 + 127 * |d - fp16(d)| (ggml quantizes with the
//         fp32 d, decodes with the fp16 one).
//   q4_0  18 B: fp16 d = max / -8 where max is the value of largest magnitude, then 16 bytes:
//         byte j = element j in the low nibble, element j + 16 in the high; q = min(15, trunc(x /
//         d + 8.5)); value = (q - 8) * d. Bound: |d|/2 + 8 * |d - fp16(d)|, except values with x/d
//         in (7.5, 8] (the opposite sign of max, close to its magnitude): |d| + 8 * |d - fp16(d)|.
//
// Beyond ggml (which would store an infinite scale or hit UB): NaN is quantized as 0, +-inf as
// the block's largest finite magnitude with its sign, and a scale beyond 65504 is stored as
// +-65504 with codes clamped. Finite blocks with amax <= 127 * 65504 (q8_0), 8 * 65504 (q4_0)
// are bit-identical to ggml.
#include <memory>

#include "core/cache/kv_codec.h"

namespace kvscope {

std::unique_ptr<KvCodec> makeQ8_0Codec();
std::unique_ptr<KvCodec> makeQ4_0Codec();

}  // namespace kvscope
