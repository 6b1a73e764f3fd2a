#pragma once
// int4, asymmetric, group-wise: groups of 32 consecutive values of a row.
//
// Layout per group (20 B; a partial last group is stored whole, its padding codes 0): fp16 scale
// d, fp16 zero point z, 16 bytes of codes q in [0, 15] (byte j: element j in the low nibble,
// element j + 16 in the high nibble, as q4_0); value = q * d + z. z = the group's min rounded DOWN
// to fp16 and d = (max - z) / 15 rounded UP to fp16, so every finite value with |x| <= 65504
// decodes within d / 2. NaN -> the code nearest 0; +-inf -> clamped to the group's range.
#include <memory>

#include "core/cache/kv_codec.h"

namespace kvscope {

std::unique_ptr<KvCodec> makeInt4Codec();

}  // namespace kvscope
