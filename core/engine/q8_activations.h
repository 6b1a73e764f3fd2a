#pragma once
// The activation rows of llama.cpp's integer matrix products: before a quantized weight matrix
// multiplies a row of floats, ggml rounds that row once to 8-bit blocks of the weight type's
// "vec_dot_type" (ggml-cpu.c type_traits_cpu), and every dot product then multiplies integers.
//   Q8_0 (Q4_0, Q5_0, Q8_0, IQ4_NL weights): blocks of 32, one fp16 scale.
//   Q8_1 (Q4_1, Q5_1 weights): Q8_0 plus s = d * sum(q), both fp16, for the weights' offsets.
//   Q8_K (Q2_K..Q6_K, IQ4_XS weights): blocks of 256, an fp32 scale and 16 sums of 16 values.
// The quantizers here give the same bytes as ggml's CPU backend on x86-64 (quantize_row_q8_0 /
// q8_1 of ggml-cpu/arch/x86/quants.c: scale 127 / max|x|, round half to even; quantize_row_q8_K
// = quantize_row_q8_K_ref: scale -127 / (the value of largest magnitude), nearest_int).
// Golden bytes: tests/data/ggml/act_*.{f32,raw} (scripts/golden/make_q8_activation_goldens.py).
#include <cstddef>
#include <cstdint>
#include <span>

#include "core/model/ggml_type.h"

namespace kvscope::cpu {

/// A Q8_0 / Q8_1 activation block as ggml stores it: 34 B (Q8_0) or 36 B (Q8_1).
/// The engine keeps the fp16 fields decoded (d, s as floats: exactly the fp16 values).
struct Q8Block32 {
    float d = 0;         // the fp16 scale, decoded
    float s = 0;         // Q8_1 only: fp16(d * sum(qs)), decoded; 0 for Q8_0
    std::int8_t qs[32];  // [32] values in [-127, 127]
};

/// A Q8_K block, the same fields as ggml's block_q8_K (292 B).
struct Q8BlockK {
    float d = 0;             // fp32 scale: value = d * q
    std::int8_t qs[256];     // [256] values in [-127, 127]
    std::int16_t bsums[16];  // [16] sums of qs over each run of 16
};

/// The activation format ggml pairs with a weight type: Q8_0, Q8_1 or Q8_K for the quantized
/// types KVScope multiplies in integers, F16 / BF16 for those weights, F32 otherwise.
GgmlType activationType(GgmlType weight_type);

/// x: [n] floats, n a multiple of 32 -> out: [n / 32] blocks.
void quantizeRowQ8_0(std::span<const float> x, std::span<Q8Block32> out);
void quantizeRowQ8_1(std::span<const float> x, std::span<Q8Block32> out);
/// x: [n] floats, n a multiple of 256 -> out: [n / 256] blocks.
void quantizeRowQ8K(std::span<const float> x, std::span<Q8BlockK> out);

/// ggml's bytes of a block (34, 36 or 292 B), for comparisons with its goldens.
void storeGgml(const Q8Block32& b, GgmlType type, std::byte* out);
void storeGgml(const Q8BlockK& b, std::byte* out);

}  // namespace kvscope::cpu
