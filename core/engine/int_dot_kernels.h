#pragma once
// The integer sums behind intDot() (core/engine/int_dot.h), per block family. Each function
// fills isum[n_blocks]: for 32-blocks sum_i q_w[i] * q_a[i]; for 256-blocks
// sum_j scale_j * sum_{i in sub-block j} q_w[i] * q_a[i], with q_w the integer the weight's
// dequantization multiplies (Q4_0: nibble - 8, Q4_K: nibble, Q3_K: 3-bit - 4, Q6_K: 6-bit - 32,
// IQ4_NL / IQ4_XS: the level) and scale_j its integer sub-block scale.
#include <cstddef>
#include <cstdint>

#include "core/engine/q8_activations.h"
#include "core/model/dequantize_blocks.h"
#include "core/model/ggml_type.h"

namespace kvscope::cpu::intdot {

inline std::uint8_t u8(const std::byte* p) {
    return std::to_integer<std::uint8_t>(*p);
}

/// The 6-bit scale and min of sub-block j (0..7) of Q4_K / Q5_K, as ints (dequant::scaleMinK4).
inline void scaleMinK4(int j, const std::byte* q, int& sc, int& m) {
    std::uint8_t sc8, m8;
    dequant::scaleMinK4(j, q, sc8, m8);
    sc = sc8;
    m = m8;
}

// 256-blocks also fill msum[n_blocks]: sum_j min_j * (the Q8_K sums over sub-block j) for the
// types with mins (Q2_K, Q4_K, Q5_K), 0 for the others.

// Portable (int_dot_blocks32.cpp, int_dot_superblocks.cpp).
void sums32Scalar(GgmlType type, const std::byte* w, const Q8Block32* a, std::int64_t n_blocks,
                  std::int32_t* isum);
void sumsKScalar(GgmlType type, const std::byte* w, const Q8BlockK* a, std::int64_t n_blocks,
                 std::int32_t* isum, std::int32_t* msum);

// AVX2 (int_dot_avx2.cpp); false when this build has no kernel for the type.
bool hasSimd(GgmlType type);
void sums32Simd(GgmlType type, const std::byte* w, const Q8Block32* a, std::int64_t n_blocks,
                std::int32_t* isum);
void sumsKSimd(GgmlType type, const std::byte* w, const Q8BlockK* a, std::int64_t n_blocks,
               std::int32_t* isum, std::int32_t* msum);
/// Q8_0 / Q4_0: the whole row, integer sums and the float combination of intDot() together,
/// eight blocks at a time, with the same float operations in the same order as the scalar
/// combination (so the same bits).
float dot32Fused(GgmlType type, const std::byte* w, const Q8Block32* a, std::int64_t n_blocks);
/// Q4_K / Q5_K / Q6_K: the same for a row of 256-blocks, one block at a time.
float dotKFused(GgmlType type, const std::byte* w, const Q8BlockK* a, std::int64_t n_blocks);

/// Q8_0 / Q4_K (AVX2 builds; int_dot_rows_avx2.cpp): eight rows at once (w: [8][row_bytes],
/// n_blocks blocks each) against one activation row, out[0..7]: the bits of dot32Fused /
/// dotKFused row by row. False / not callable without AVX2.
bool hasEightRows(GgmlType type);
void eightRows(GgmlType type, const std::byte* w, std::int64_t row_bytes, const void* a,
               std::int64_t n_blocks, float* out);

}  // namespace kvscope::cpu::intdot
