#pragma once
// Shared pieces of the integer codecs (int8, int4, kivi2): fp16 scale/zero storage, the finite
// range of a group, and clamped rounding that is defined for every input (NaN, inf, huge).
#include <cstddef>
#include <cstdint>
#include <span>

namespace kvscope::affine {

/// Largest finite fp16.
inline constexpr float kFp16Max = 65504.0f;

void storeFp16(std::byte* p, float value);
float loadFp16(const std::byte* p);

/// The fp16 value nearest to `value` that is >= it (<= it for roundFp16Down), clamped to
/// [-65504, 65504]. NaN is treated as 0.
float roundFp16Up(float value);
float roundFp16Down(float value);

/// min and max over the finite values of `values`; {0, 0} if there are none.
struct Range {
    float min = 0.0f, max = 0.0f;
};
Range finiteRange(std::span<const float> values);

/// round((x - zero) / scale), ties away from zero, clamped to [0, max_code]; NaN -> the code
/// nearest to 0's, +-inf -> clamped. scale == 0 gives code 0.
int quantizeAffine(float x, float zero, float scale, int max_code);

/// Affine (asymmetric) parameters of a group: zero = fp16 rounded down from the group's min,
/// scale = fp16 rounded up from (max - zero) / max_code, so every finite value in range
/// quantizes within scale / 2 (while |values| <= 65504).
struct AffineParams {
    float scale = 0.0f, zero = 0.0f;
};
AffineParams chooseAffine(std::span<const float> values, int max_code);

}  // namespace kvscope::affine
