#pragma once
// The per-row math of the KV codecs, shared by the CPU cache (core/cache/*_codec.cpp call these)
// and the CUDA kernels (kernels/ dequantize inside attention and encode in the append kernel):
// ONE implementation, so a GPU stores the bytes the CPU stores and reads the values it reads.
//
// A row is one token of one KV head: n values. Every codec is a struct with
//   rowBytes(n)            == kvRowBytes(dtype, n) (core/cache/kv_dtype.h)
//   encodeRow(x, n, out)   fp32 [n] -> rowBytes(n) bytes
//   decode(row, i)         value i of an encoded row (what decoding the row gives at i)
// Grouped formats (int4, q8_0) quantize groups of 32 consecutive values; a partial last group
// is stored whole (zero padding). Non-finite inputs follow kv_codec.h: NaN -> 0 and +-inf
// clamped to the finite range in the integer formats; fp8 e4m3fn saturates, e5m2 keeps inf.
#include <cstdint>

#include "core/util/half_math.h"
#include "core/util/host_device.h"

namespace kvscope::hd {

// ---- shared pieces of the integer codecs ---------------------------------------------------

inline constexpr float kFp16Max = 65504.0f;
inline constexpr int kGroup = 32;

KVSCOPE_HD void storeFp16(std::uint8_t* p, float value) {
    const std::uint16_t bits = fp32ToFp16(value);
    p[0] = std::uint8_t(bits & 0xffu);
    p[1] = std::uint8_t(bits >> 8);
}

KVSCOPE_HD float loadFp16(const std::uint8_t* p) {
#if defined(__CUDA_ARCH__)
    // One 16-bit load where the address allows it (every row format keeps its fp16 fields at
    // even offsets when head_dim is even, as RoPE needs).
    if ((reinterpret_cast<std::uintptr_t>(p) & 1u) == 0)
        return fp16ToFp32(*reinterpret_cast<const std::uint16_t*>(p));
#endif
    return fp16ToFp32(std::uint16_t(p[0] | (std::uint16_t(p[1]) << 8)));
}

/// std::round(q) bit for bit: ties away from zero; inf and NaN come back as they are.
KVSCOPE_HD float roundHalfAway(float q) {
    const float t = truncf(q);
    return t + copysignf(float(fabsf(q - t) >= 0.5f), q);
}

/// The fp16 value nearest to `value` on the side of `direction` (> 0: >= value, < 0: <=),
/// clamped to [-65504, 65504]; NaN -> 0.
KVSCOPE_HD float roundFp16Toward(float value, float direction) {
    if (isNan(value)) return 0.0f;
    value = clampTo(value, -kFp16Max, kFp16Max);
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

KVSCOPE_HD float roundFp16Up(float value) {
    return roundFp16Toward(value, 1.0f);
}

KVSCOPE_HD float roundFp16Down(float value) {
    return roundFp16Toward(value, -1.0f);
}

/// min and max over the finite values of x[0, n); {0, 0} if there are none.
struct FiniteRange {
    float min = 0.0f, max = 0.0f;
};

KVSCOPE_HD FiniteRange finiteRange(const float* x, int n) {
    FiniteRange range;
    bool any = false;
    for (int i = 0; i < n; ++i) {
        const float v = x[i];
        if (!isFinite(v)) continue;
        if (!any) {
            range.min = v;
            range.max = v;
            any = true;
        }
        range.min = minOf(range.min, v);
        range.max = maxOf(range.max, v);
    }
    return range;
}

/// round((x - zero) / scale), ties away from zero, clamped to [0, max_code]; NaN -> as 0;
/// scale == 0 gives code 0.
KVSCOPE_HD int quantizeAffine(float x, float zero, float scale, int max_code) {
    if (scale == 0.0f) return 0;
    if (isNan(x)) x = 0.0f;
    const float q = roundHalfAway((x - zero) / scale);  // inf stays inf: clamped below
    return int(clampTo(q, 0.0f, float(max_code)));
}

/// Asymmetric parameters of a group: zero = fp16 rounded down from its min, scale = fp16
/// rounded up from (max - zero) / max_code.
struct Affine {
    float scale = 0.0f, zero = 0.0f;
};

KVSCOPE_HD Affine chooseAffine(const float* x, int n, int max_code) {
    const FiniteRange range = finiteRange(x, n);
    Affine p;
    p.zero = roundFp16Down(range.min);
    p.scale = roundFp16Up((range.max - p.zero) / float(max_code));
    return p;
}

// ---- the codecs ----------------------------------------------------------------------------

struct RowF32 {
    KVSCOPE_HD static std::int64_t rowBytes(std::int64_t n) { return 4 * n; }
    KVSCOPE_HD static void encodeRow(const float* x, int n, std::uint8_t* out) {
        for (int i = 0; i < n; ++i) {
            const std::uint32_t b = floatBits(x[i]);
            for (int k = 0; k < 4; ++k)
                out[4 * i + k] = std::uint8_t(b >> (8 * k));
        }
    }
    KVSCOPE_HD static float decode(const std::uint8_t* row, int i) {
        const std::uint8_t* p = row + 4 * i;
        return bitsFloat(std::uint32_t(p[0]) | (std::uint32_t(p[1]) << 8) |
                         (std::uint32_t(p[2]) << 16) | (std::uint32_t(p[3]) << 24));
    }
};

struct RowF16 {
    KVSCOPE_HD static std::int64_t rowBytes(std::int64_t n) { return 2 * n; }
    KVSCOPE_HD static void encodeRow(const float* x, int n, std::uint8_t* out) {
        for (int i = 0; i < n; ++i)
            storeFp16(out + 2 * i, x[i]);
    }
    KVSCOPE_HD static float decode(const std::uint8_t* row, int i) { return loadFp16(row + 2 * i); }
};

struct RowBf16 {
    KVSCOPE_HD static std::int64_t rowBytes(std::int64_t n) { return 2 * n; }
    KVSCOPE_HD static void encodeRow(const float* x, int n, std::uint8_t* out) {
        for (int i = 0; i < n; ++i) {
            const std::uint16_t b = fp32ToBf16(x[i]);
            out[2 * i] = std::uint8_t(b & 0xffu);
            out[2 * i + 1] = std::uint8_t(b >> 8);
        }
    }
    KVSCOPE_HD static float decode(const std::uint8_t* row, int i) {
        return bf16ToFp32(std::uint16_t(row[2 * i] | (std::uint16_t(row[2 * i + 1]) << 8)));
    }
};

/// One 8-bit float format: 1 sign bit, exponent_bits, mantissa_bits, bias; ieee_specials: e5m2
/// (exponent all ones = inf/NaN); otherwise e4m3fn (only S.1111.111 is NaN, no inf).
template <int kExponentBits, int kMantissaBits, int kBias, bool kIeeeSpecials>
struct RowFp8 {
    static constexpr std::uint8_t kNan = kIeeeSpecials ? 0x7e : 0x7f;
    static constexpr std::uint8_t kLargest = kIeeeSpecials ? 0x7c : 0x7e;  // inf / 448

    /// The code of a finite |value| (its bits without sign), rounded to nearest even on the
    /// bits; codes past the largest finite one mean overflow.
    KVSCOPE_HD static std::uint32_t magnitudeCode(std::uint32_t abs_bits) {
        const int biased = int(abs_bits >> 23);
        if (biased == 0) return 0;  // zero or an fp32 subnormal: below half the least step
        const int exponent = biased - 127;
        const int min_exponent = 1 - kBias;
        const std::uint32_t significand = (abs_bits & 0x7fffffu) | 0x800000u;  // 1.M x 2^23
        const int shift = 23 - kMantissaBits + maxOf(min_exponent - exponent, 0);
        if (shift > 24) return 0;  // below half of the smallest subnormal
        std::uint32_t q = significand >> shift;
        const std::uint32_t remainder = significand & ((1u << shift) - 1);
        const std::uint32_t half = 1u << (shift - 1);
        if (remainder > half || (remainder == half && (q & 1u))) ++q;
        if (exponent < min_exponent) return q;
        return (std::uint32_t(exponent - min_exponent) << kMantissaBits) + q;
    }
    KVSCOPE_HD static std::uint8_t encodeValue(float value) {
        const std::uint32_t bits = floatBits(value);
        const auto sign = std::uint8_t((bits >> 24) & 0x80u);
        const std::uint32_t abs_bits = bits & 0x7fffffffu;
        if (abs_bits > 0x7f800000u) return std::uint8_t(sign | kNan);
        if (abs_bits == 0x7f800000u) return std::uint8_t(sign | kLargest);
        return std::uint8_t(sign |
                            std::uint8_t(minOf(magnitudeCode(abs_bits), std::uint32_t(kLargest))));
    }
    KVSCOPE_HD static float decodeValue(std::uint8_t code) {
        const std::uint32_t sign = std::uint32_t(code & 0x80) << 24;
        const int exponent = (code >> kMantissaBits) & ((1 << kExponentBits) - 1);
        const int mantissa = code & ((1 << kMantissaBits) - 1);
        const int max_exponent = (1 << kExponentBits) - 1;
        if (kIeeeSpecials && exponent == max_exponent)
            return bitsFloat(sign | (mantissa == 0 ? 0x7f800000u : 0x7fc00000u));
        if (!kIeeeSpecials && (code & 0x7f) == kNan) return bitsFloat(sign | 0x7fc00000u);
        // mantissa (+ the implicit bit) times a power of two: exact, and every power here is a
        // normal float.
        const int e = exponent == 0 ? 1 - kBias - kMantissaBits : exponent - kBias - kMantissaBits;
        const float m = float(exponent == 0 ? mantissa : (1 << kMantissaBits) + mantissa);
        const float magnitude = m * bitsFloat(std::uint32_t(e + 127) << 23);
        return sign ? -magnitude : magnitude;
    }
    KVSCOPE_HD static std::int64_t rowBytes(std::int64_t n) { return n; }
    KVSCOPE_HD static void encodeRow(const float* x, int n, std::uint8_t* out) {
        for (int i = 0; i < n; ++i)
            out[i] = encodeValue(x[i]);
    }
    KVSCOPE_HD static float decode(const std::uint8_t* row, int i) { return decodeValue(row[i]); }
};
using RowFp8E4m3 = RowFp8<4, 3, 7, false>;
using RowFp8E5m2 = RowFp8<5, 2, 15, true>;

/// int8: symmetric, one fp16 scale per row, then n int8 codes.
struct RowInt8 {
    static constexpr int kMaxCode = 127;
    KVSCOPE_HD static std::int64_t rowBytes(std::int64_t n) { return n == 0 ? 0 : 2 + n; }
    KVSCOPE_HD static void encodeRow(const float* x, int n, std::uint8_t* out) {
        if (n == 0) return;
        const FiniteRange range = finiteRange(x, n);
        const float amax = maxOf(fabsf(range.min), fabsf(range.max));
        const float scale = roundFp16Up(amax / float(kMaxCode));
        storeFp16(out, scale);
        for (int i = 0; i < n; ++i) {
            int q = 0;
            if (scale != 0.0f && !isNan(x[i]))
                q = int(clampTo(roundHalfAway(x[i] / scale), -float(kMaxCode), float(kMaxCode)));
            out[2 + i] = std::uint8_t(std::int8_t(q));
        }
    }
    KVSCOPE_HD static float decode(const std::uint8_t* row, int i) {
        return float(std::int8_t(row[2 + i])) * loadFp16(row);
    }
};

/// int4: asymmetric groups of 32: fp16 scale, fp16 zero, 16 bytes of nibbles (value j in the
/// low nibble of byte j, value j + 16 in its high nibble).
struct RowInt4 {
    static constexpr int kGroupBytes = 20, kHalf = kGroup / 2, kMaxCode = 15;
    KVSCOPE_HD static std::int64_t rowBytes(std::int64_t n) {
        return (n + kGroup - 1) / kGroup * kGroupBytes;
    }
    KVSCOPE_HD static void encodeGroup(const float* x, int n, std::uint8_t* out) {
        const Affine p = chooseAffine(x, n, kMaxCode);
        storeFp16(out, p.scale);
        storeFp16(out + 2, p.zero);
        int codes[kGroup] = {};
        for (int i = 0; i < n; ++i)
            codes[i] = quantizeAffine(x[i], p.zero, p.scale, kMaxCode);
        for (int j = 0; j < kHalf; ++j)
            out[4 + j] = std::uint8_t(codes[j] | (codes[j + kHalf] << 4));
    }
    KVSCOPE_HD static void encodeRow(const float* x, int n, std::uint8_t* out) {
        for (int g = 0; g * kGroup < n; ++g)
            encodeGroup(x + g * kGroup, minOf(kGroup, n - g * kGroup), out + g * kGroupBytes);
    }
    KVSCOPE_HD static float decode(const std::uint8_t* row, int i) {
        const std::uint8_t* group = row + (i / kGroup) * kGroupBytes;
        const int j = i % kGroup;
        const int packed = group[4 + j % kHalf];
        const int code = j < kHalf ? (packed & 0x0f) : (packed >> 4);
        return float(code) * loadFp16(group) + loadFp16(group + 2);
    }
};

/// q8_0 (llama.cpp): blocks of 32: fp16 scale d, 32 int8 codes; value = code * d.
struct RowQ8_0 {
    static constexpr int kBlockBytes = 34;
    KVSCOPE_HD static std::int64_t rowBytes(std::int64_t n) {
        return (n + kGroup - 1) / kGroup * kBlockBytes;
    }
    /// ggml quantize_row_q8_0_ref of one block, after NaN -> 0 and +-inf -> +-(the largest
    /// finite magnitude) over the block's n values (zero padding past n).
    KVSCOPE_HD static void encodeBlock(const float* values, int n, std::uint8_t* out) {
        const FiniteRange range = finiteRange(values, n);
        const float limit = maxOf(fabsf(range.min), fabsf(range.max));
        float x[kGroup] = {};
        for (int i = 0; i < n; ++i)
            x[i] = isNan(values[i]) ? 0.0f : clampTo(values[i], -limit, limit);
        float amax = 0.0f;
        for (int j = 0; j < kGroup; ++j)
            amax = maxOf(amax, fabsf(x[j]));
        const float d = clampTo(amax / 127.0f, -kFp16Max, kFp16Max);
        const float id = d != 0.0f ? 1.0f / d : 0.0f;
        storeFp16(out, d);
        for (int j = 0; j < kGroup; ++j) {
            const float q = clampTo(roundHalfAway(x[j] * id), -127.0f, 127.0f);
            out[2 + j] = std::uint8_t(std::int8_t(q));
        }
    }
    KVSCOPE_HD static void encodeRow(const float* x, int n, std::uint8_t* out) {
        for (int b = 0; b * kGroup < n; ++b)
            encodeBlock(x + b * kGroup, minOf(kGroup, n - b * kGroup), out + b * kBlockBytes);
    }
    KVSCOPE_HD static float decode(const std::uint8_t* row, int i) {
        const std::uint8_t* block = row + (i / kGroup) * kBlockBytes;
        return float(std::int8_t(block[2 + i % kGroup])) * loadFp16(block);
    }
};

}  // namespace kvscope::hd
