#pragma once
// ggml tensor data -> fp32, bit-identical to ggml's own to_float. Supported: F32 (copy), F16,
// BF16, Q4_0, Q4_1, Q5_0, Q5_1, Q8_0, Q2_K..Q6_K, IQ4_NL, IQ4_XS. Quantized types are
// decoded as a flat run of blocks, so a tensor whose rows are not a multiple of the block size
// (stories260K's Q8_0 ffn_down: rows of 172) decodes as long as its total element count is.
#include <cstddef>
#include <cstdint>
#include <span>

#include "core/model/ggml_type.h"

namespace kvscope {

/// IEEE half -> float, exact for every input: signed zeros, subnormals, infinities, NaN (the
/// payload is kept).
float fp16ToFp32(std::uint16_t bits);
/// bfloat16 -> float (the top 16 bits of a float), exact.
float bf16ToFp32(std::uint16_t bits);

/// True for the types dequantize() decodes.
bool canDequantize(GgmlType type);
/// "F32, F16, BF16, Q8_0, ...", for error messages.
const char* dequantizableTypeNames();

/// Decodes `dst.size()` values of `type` from `src`.
/// Preconditions (std::invalid_argument when broken): canDequantize(type); dst.size() is a
/// multiple of the type's block size; src.size() == dst.size() / block_size * type_size.
void dequantize(GgmlType type, std::span<const std::byte> src, std::span<float> dst);

}  // namespace kvscope
