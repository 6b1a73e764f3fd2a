#include "core/engine/int_dot.h"

#include <algorithm>
#include <cstring>

#if defined(__F16C__)
#include <immintrin.h>
#endif

#include "core/engine/int_dot_kernels.h"
#include "core/model/dequantize.h"
#include "core/util/check.h"

// Compiled with -ffp-contract=off (core/CMakeLists.txt): the combination below is the same
// rounded operations whichever path computed the integers.

namespace kvscope::cpu {

namespace {

/// The fp16 at p (unaligned) as a float: one instruction where the build has F16C, else
/// fp16ToFp32 (the same value for every non-NaN input).
inline float half(const std::byte* p) {
    std::uint16_t bits;
    std::memcpy(&bits, p, sizeof bits);
#if defined(__F16C__)
    return _cvtsh_ss(bits);
#else
    return fp16ToFp32(bits);
#endif
}

constexpr std::int64_t kChunk = 64;  // blocks whose integer sums are computed at a time

/// Four interleaved accumulators: block b goes to acc[b % 4].
struct Accumulators {
    float acc[4] = {0, 0, 0, 0};
    void add(std::int64_t b, float v) { acc[b & 3] += v; }
    float total() const { return (acc[0] + acc[1]) + (acc[2] + acc[3]); }
};

float dot32(GgmlType type, std::int64_t bytes, const std::byte* w, const Q8Block32* a,
            std::int64_t n_blocks, bool simd) {
    if (simd && (type == GgmlType::Q8_0 || type == GgmlType::Q4_0))
        return intdot::dot32Fused(type, w, a, n_blocks);
    const bool with_min = type == GgmlType::Q4_1 || type == GgmlType::Q5_1;
    std::int32_t isum[kChunk];
    Accumulators acc;
    for (std::int64_t first = 0; first < n_blocks; first += kChunk) {
        const std::int64_t n = std::min(kChunk, n_blocks - first);
        const std::byte* wb = w + first * bytes;
        if (simd)
            intdot::sums32Simd(type, wb, a + first, n, isum);
        else
            intdot::sums32Scalar(type, wb, a + first, n, isum);
        for (std::int64_t i = 0; i < n; ++i, wb += bytes) {
            const Q8Block32& ab = a[first + i];
            float v = (half(wb) * ab.d) * float(isum[i]);
            if (with_min) v = v + half(wb + 2) * ab.s;
            acc.add(first + i, v);
        }
    }
    return acc.total();
}

float dotK(GgmlType type, std::int64_t bytes, const std::byte* w, const Q8BlockK* a,
           std::int64_t n_blocks, bool simd) {
    if (simd && (type == GgmlType::Q4_K || type == GgmlType::Q5_K || type == GgmlType::Q6_K))
        return intdot::dotKFused(type, w, a, n_blocks);
    // Where the fp16 d (and dmin) sit in the block.
    const std::int64_t d_at = type == GgmlType::Q2_K   ? 80
                              : type == GgmlType::Q3_K ? 108
                              : type == GgmlType::Q6_K ? 208
                                                       : 0;
    const bool with_min =
        type == GgmlType::Q2_K || type == GgmlType::Q4_K || type == GgmlType::Q5_K;
    std::int32_t isum[kChunk], msum[kChunk];
    Accumulators acc;
    for (std::int64_t first = 0; first < n_blocks; first += kChunk) {
        const std::int64_t n = std::min(kChunk, n_blocks - first);
        const std::byte* wb = w + first * bytes;
        if (simd)
            intdot::sumsKSimd(type, wb, a + first, n, isum, msum);
        else
            intdot::sumsKScalar(type, wb, a + first, n, isum, msum);
        for (std::int64_t i = 0; i < n; ++i, wb += bytes) {
            const Q8BlockK& ab = a[first + i];
            float v = (ab.d * half(wb + d_at)) * float(isum[i]);
            if (with_min) v = v - (ab.d * half(wb + d_at + 2)) * float(msum[i]);
            acc.add(first + i, v);
        }
    }
    return acc.total();
}

}  // namespace

bool hasIntDot(GgmlType type) {
    const GgmlType a = activationType(type);
    return a == GgmlType::Q8_0 || a == GgmlType::Q8_1 || a == GgmlType::Q8_K;
}

bool hasSimdIntDot(GgmlType type) {
    return intdot::hasSimd(type);
}

float intDot(GgmlType type, const std::byte* w, const void* a, std::int64_t n, IntDotPath path) {
    float out;
    intDotRows(type, w, 0, 1, a, n, &out, path);
    return out;
}

void intDotRows(GgmlType type, const std::byte* w, std::int64_t row_bytes, std::int64_t n_rows,
                const void* a, std::int64_t n, float* out, IntDotPath path) {
    KVSCOPE_EXPECTS(hasIntDot(type) && n_rows >= 0);
    const GgmlTypeTraits traits = ggmlTypeTraits(type);
    const std::int64_t block = traits.block_size, bytes = traits.type_size;
    KVSCOPE_EXPECTS(n >= 0 && n % block == 0);
    KVSCOPE_EXPECTS(path != IntDotPath::Simd || hasSimdIntDot(type));
    const bool simd = path == IntDotPath::Simd || (path == IntDotPath::Best && hasSimdIntDot(type));
    std::int64_t r = 0;
    // The same bits, eight rows per pass (their offsets in 32 bits).
    if (simd && intdot::hasEightRows(type) && row_bytes < (std::int64_t(1) << 28)) {
        for (; r + 8 <= n_rows; r += 8, w += 8 * row_bytes)
            intdot::eightRows(type, w, row_bytes, a, n / block, out + r);
    }
    for (; r < n_rows; ++r, w += row_bytes) {
        out[r] = block == 32 ? dot32(type, bytes, w, static_cast<const Q8Block32*>(a), n / 32, simd)
                             : dotK(type, bytes, w, static_cast<const Q8BlockK*>(a), n / 256, simd);
    }
}

}  // namespace kvscope::cpu
