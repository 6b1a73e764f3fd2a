#include "core/engine/q8_activations.h"

#include <algorithm>
#include <climits>
#include <cmath>
#include <cstdint>
#include <cstring>

#include "core/cache/fp16_bf16_codec.h"
#include "core/model/dequantize.h"
#include "core/util/check.h"

// Compiled with -ffp-contract=off (core/CMakeLists.txt): every product here is rounded on its own,
// as in ggml.

namespace kvscope::cpu {

namespace {

/// The float that an fp16 field stores.
float roundedToFp16(float v) {
    return fp16ToFp32(fp32ToFp16(v));
}

/// _mm256_cvtps_epi32 of a float already rounded to an integer: NaN and values outside int32
/// become INT32_MIN ("integer indefinite").
std::int32_t cvtToInt32(float r) {
    if (!(r >= -2147483648.0f && r < 2147483648.0f)) return INT32_MIN;
    return std::int32_t(r);
}

/// ggml's quantize_row_q8_0 / q8_1 on x86 (AVX): max|x| as _mm256_max_ps finds it, scale
/// 127 / max, products rounded half to even (_mm256_round_ps), converted to int32 and saturated
/// to int8 by the packs. (A scale that overflows to inf, after a subnormal max, gives -128 for
/// every nonzero value and for zeros alike, as the SIMD code does.) Returns the block's d
/// (unrounded); sum: the wrapped int32 sum of the converted values (Q8_1's s).
float quantize32(const float* x, std::int8_t* qs, std::int32_t& sum) {
    float max = 0.0f;
    for (int j = 0; j < 32; ++j)
        max = std::max(max, std::fabs(x[j]));
    const float d = max / 127.f;
    const float id = max != 0.0f ? 127.f / max : 0.0f;
    std::uint32_t wrapped = 0;
    for (int j = 0; j < 32; ++j) {
        const std::int32_t v = cvtToInt32(std::nearbyint(x[j] * id));  // ties to even
        wrapped += std::uint32_t(v);
        qs[j] = std::int8_t(std::clamp(v, -128, 127));
    }
    sum = std::int32_t(wrapped);
    return d;
}

/// ggml's nearest_int: adding 1.5 * 2^23 rounds to an integer (ties to even); the mantissa bits
/// are the result (garbage, as in ggml, for |v| > 2^22, infinities and NaN).
int nearestInt(float v) {
    const float shifted = v + 12582912.f;
    std::int32_t bits;
    std::memcpy(&bits, &shifted, sizeof bits);
    return (bits & 0x007fffff) - 0x00400000;
}

}  // namespace

GgmlType activationType(GgmlType w) {
    switch (w) {
        case GgmlType::Q4_0:
        case GgmlType::Q5_0:
        case GgmlType::Q8_0:
        case GgmlType::IQ4_NL:
            return GgmlType::Q8_0;
        case GgmlType::Q4_1:
        case GgmlType::Q5_1:
            return GgmlType::Q8_1;
        case GgmlType::Q2_K:
        case GgmlType::Q3_K:
        case GgmlType::Q4_K:
        case GgmlType::Q5_K:
        case GgmlType::Q6_K:
        case GgmlType::IQ4_XS:
            return GgmlType::Q8_K;
        case GgmlType::F16:
            return GgmlType::F16;
        case GgmlType::BF16:
            return GgmlType::BF16;
        default:
            return GgmlType::F32;
    }
}

void quantizeRowQ8_0(std::span<const float> x, std::span<Q8Block32> out) {
    KVSCOPE_EXPECTS(x.size() % 32 == 0 && out.size() == x.size() / 32);
    for (std::size_t b = 0; b < out.size(); ++b) {
        std::int32_t sum;
        out[b].d = roundedToFp16(quantize32(x.data() + 32 * b, out[b].qs, sum));
        out[b].s = 0.0f;
    }
}

void quantizeRowQ8_1(std::span<const float> x, std::span<Q8Block32> out) {
    KVSCOPE_EXPECTS(x.size() % 32 == 0 && out.size() == x.size() / 32);
    for (std::size_t b = 0; b < out.size(); ++b) {
        std::int32_t sum;
        const float d = quantize32(x.data() + 32 * b, out[b].qs, sum);
        out[b].d = roundedToFp16(d);
        out[b].s = roundedToFp16(d * float(sum));
    }
}

void quantizeRowQ8K(std::span<const float> x, std::span<Q8BlockK> out) {
    KVSCOPE_EXPECTS(x.size() % 256 == 0 && out.size() == x.size() / 256);
    for (std::size_t b = 0; b < out.size(); ++b) {
        const float* xb = x.data() + 256 * b;
        Q8BlockK& y = out[b];
        // The value of largest magnitude, the first one of it (ggml's quantize_row_q8_K_ref).
        float max = 0.0f, amax = 0.0f;
        for (int j = 0; j < 256; ++j) {
            if (std::fabs(xb[j]) > amax) {
                amax = std::fabs(xb[j]);
                max = xb[j];
            }
        }
        if (amax == 0.0f) {
            y.d = 0.0f;
            std::fill(std::begin(y.qs), std::end(y.qs), std::int8_t(0));
            std::fill(std::begin(y.bsums), std::end(y.bsums), std::int16_t(0));
            continue;
        }
        const float iscale = -127.f / max;
        for (int j = 0; j < 256; ++j) {
            const int v = nearestInt(iscale * xb[j]);
            y.qs[j] = std::int8_t(std::min(127, v));
        }
        for (int j = 0; j < 16; ++j) {
            int sum = 0;
            for (int i = 0; i < 16; ++i)
                sum += y.qs[16 * j + i];
            y.bsums[j] = std::int16_t(sum);
        }
        y.d = 1 / iscale;
    }
}

void storeGgml(const Q8Block32& b, GgmlType type, std::byte* out) {
    KVSCOPE_EXPECTS(type == GgmlType::Q8_0 || type == GgmlType::Q8_1);
    const std::uint16_t d = fp32ToFp16(b.d), s = fp32ToFp16(b.s);
    std::memcpy(out, &d, 2);
    if (type == GgmlType::Q8_1) std::memcpy(out + 2, &s, 2);
    std::memcpy(out + (type == GgmlType::Q8_1 ? 4 : 2), b.qs, 32);
}

void storeGgml(const Q8BlockK& b, std::byte* out) {
    std::memcpy(out, &b.d, 4);
    std::memcpy(out + 4, b.qs, 256);
    std::memcpy(out + 260, b.bsums, 32);
}

}  // namespace kvscope::cpu
