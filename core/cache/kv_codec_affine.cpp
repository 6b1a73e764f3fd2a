#include "core/cache/kv_codec_affine.h"
#include "core/cache/round_half_away.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "core/cache/fp16_bf16_codec.h"
#include "core/model/dequantize.h"

namespace kvscope::affine {

void storeFp16(std::byte* p, float value) {
    const std::uint16_t bits = fp32ToFp16(value);
    std::memcpy(p, &bits, sizeof bits);
}

float loadFp16(const std::byte* p) {
    std::uint16_t bits;
    std::memcpy(&bits, p, sizeof bits);
    return fp16ToFp32(bits);
}

namespace {

/// The nearest fp16 to `value` (finite, |value| <= 65504), then one step toward `direction` if
/// that one lies on the wrong side of `value`.
float roundFp16Toward(float value, float direction) {
    if (std::isnan(value)) return 0.0f;
    value = std::clamp(value, -kFp16Max, kFp16Max);
    const std::uint16_t nearest = fp32ToFp16(value);
    const float rounded = fp16ToFp32(nearest);
    if (rounded == value || (rounded > value) == (direction > 0.0f)) return rounded;
    // One fp16 step away from `rounded` toward `direction` (sign-magnitude encoding).
    const bool away_from_zero =
        (rounded > 0.0f || (rounded == 0.0f && direction > 0.0f)) == (direction > 0.0f);
    std::uint16_t bits = nearest;
    if (rounded == 0.0f) {
        bits = direction > 0.0f ? 0x0001 : 0x8001;  // the smallest subnormal
    } else {
        bits = away_from_zero ? std::uint16_t(bits + 1) : std::uint16_t(bits - 1);
    }
    return fp16ToFp32(bits);
}

}  // namespace

float roundFp16Up(float value) {
    return roundFp16Toward(value, 1.0f);
}

float roundFp16Down(float value) {
    return roundFp16Toward(value, -1.0f);
}

Range finiteRange(std::span<const float> values) {
    Range range;
    bool any = false;
    for (float v : values) {
        if (!std::isfinite(v)) continue;
        if (!any) {
            range = {v, v};
            any = true;
        }
        range.min = std::min(range.min, v);
        range.max = std::max(range.max, v);
    }
    return range;
}

int quantizeAffine(float x, float zero, float scale, int max_code) {
    if (scale == 0.0f) return 0;
    if (std::isnan(x)) x = 0.0f;
    const float q = roundHalfAway((x - zero) / scale);  // inf stays inf: clamped below
    return int(std::clamp(q, 0.0f, float(max_code)));
}

AffineParams chooseAffine(std::span<const float> values, int max_code) {
    const Range range = finiteRange(values);
    AffineParams params;
    params.zero = roundFp16Down(range.min);
    params.scale = roundFp16Up((range.max - params.zero) / float(max_code));
    return params;
}

}  // namespace kvscope::affine
