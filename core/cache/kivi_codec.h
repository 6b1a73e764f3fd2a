#pragma once
// kivi2: KIVI-style 2-bit asymmetric quantization with a full-precision recent window.
//
// A group is 32 values: fp16 scale d, fp16 zero point z, 8 bytes of codes q in [0, 3] (value i in
// byte i / 4, bits 2 * (i % 4)); value = q * d + z; 12 B. z = min rounded DOWN to fp16, d = (max -
// z) / 3 rounded UP to fp16, so finite values with |x| <= 65504 decode within d / 2. NaN -> the
// code nearest 0; +-inf -> clamped to the group's range. Padding codes are 0.
//
// A block of n tokens (encodeTokens) keeps its kvResidualTokens() most recent tokens in fp16 and
// quantizes the older q tokens, exactly as kvBytesForTokens() counts them:
//   values  q = n - min(n, R), per token along channels: q rows of ceil(row/32) groups (the row
//           codec, encode()).
//   keys    q = the older tokens that fill whole groups of 32 (the rest wait in fp16), per
//           channel along tokens: for each group of 32 tokens, for each channel, one group of
//           that channel's 32 token values.
// Layout: the quantized part ([token group][channel] groups for keys, [token][group] for values),
// then the recent tokens as fp16 rows [min(n, R)][row].
#include <cstdint>
#include <memory>

#include "core/cache/kv_codec.h"

namespace kvscope {

std::unique_ptr<KvCodec> makeKiviCodec(std::int64_t window = kKiviDefaultWindow);
/// int2: kivi2's per-token value rows for keys and values alike, no window (KIVI's baseline).
std::unique_ptr<KvCodec> makeInt2Codec();

}  // namespace kvscope
