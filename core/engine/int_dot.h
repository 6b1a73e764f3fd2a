#pragma once
// Integer dot products of a quantized weight row with an 8-bit activation row, as llama.cpp
// computes them (ggml_vec_dot_<type>_q8_0 / _q8_1 / _q8_K). Per block, the products of the integer
// weights and activations are summed exactly in int32 (scaled by the sub-block scales where the
// type has them); the floats only enter in the block's combination
//   32-blocks (Q4_0 Q5_0 Q8_0 IQ4_NL x Q8_0; Q4_1 Q5_1 x Q8_1):
//       v_b = (d_w * d_a) * isum_b                      (+ m_w * s_a for Q4_1 / Q5_1)
//   256-blocks (Q2_K..Q6_K, IQ4_XS x Q8_K):
//       v_b = (d_a * d_w) * isum_b                      (- (d_a * dmin_w) * msum_b for Q2/4/5_K)
//       where msum_b = sum over sub-blocks of min_j * (the Q8_K block's sums over sub-block j)
// and the row's result is the sum of v_b over four interleaved accumulators (block b into b % 4),
// then (acc0 + acc1) + (acc2 + acc3). The integer sums come from a portable scalar path or, on
// x86-64 built with AVX2 (KVSCOPE_NATIVE on such a machine), from SIMD kernels for every one of
// these types (AVX-VNNI's dpbusd where the build has it); both give the same integers, and the
// float combination is the same operations, so the two paths give the same bits.
#include <cstddef>
#include <cstdint>

#include "core/engine/q8_activations.h"
#include "core/model/ggml_type.h"

namespace kvscope::cpu {

/// Which code computes the integer sums (tests compare them; the engine uses Best).
enum class IntDotPath { Best, Scalar, Simd };

/// True for the weight types with an integer dot product (activationType() is Q8_0/Q8_1/Q8_K).
bool hasIntDot(GgmlType weight_type);
/// True when this build has a SIMD kernel for the type.
bool hasSimdIntDot(GgmlType weight_type);

/// The dot product of one weight row w ([n] values of `type`, ggml's block bytes) with one
/// activation row a ([n / 32] Q8Block32 or [n / 256] Q8BlockK, per activationType(type)).
/// Preconditions: hasIntDot(type); n a multiple of the type's block size; path Simd only where
/// hasSimdIntDot(type).
float intDot(GgmlType type, const std::byte* w, const void* a, std::int64_t n,
             IntDotPath path = IntDotPath::Best);

/// intDot() of n_rows consecutive weight rows (w: [n_rows][row_bytes]) with one activation row:
/// out[r] = intDot(type, w + r * row_bytes, a, n, path). The engine's entry (one dispatch per
/// call, not per row). On the SIMD path Q8_0 and Q4_K rows go eight per pass
/// (int_dot_rows_avx2.cpp: one reduction for the eight, the next eight prefetched), with the
/// same bits.
void intDotRows(GgmlType type, const std::byte* w, std::int64_t row_bytes, std::int64_t n_rows,
                const void* a, std::int64_t n, float* out, IntDotPath path = IntDotPath::Best);

}  // namespace kvscope::cpu
