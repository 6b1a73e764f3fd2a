#pragma once
// int8, symmetric, one scale per row (per token per KV head).
//
// Layout (n + 2 bytes, 0 for an empty row): fp16 scale d, then n int8 codes q in [-127, 127];
// value = q * d. d = max|x| / 127 rounded UP to fp16, so no value clips and every finite |x| <=
// 127 * 65504 decodes within d / 2. Larger magnitudes saturate at +-127 * 65504; NaN -> 0;
// +-inf -> +-127 * d (the scale comes from the finite values only).
#include <memory>

#include "core/cache/kv_codec.h"

namespace kvscope {

std::unique_ptr<KvCodec> makeInt8Codec();

}  // namespace kvscope
