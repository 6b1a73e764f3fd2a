#include "core/engine/int_dot_kernels.h"
#include "core/util/check.h"

// AVX2 integer sums (every type with an integer dot product): the same
// integers as the scalar unpack-and-multiply of int_dot_blocks32.cpp / int_dot_superblocks.cpp,
// computed 32 bytes at a time with _mm256_maddubs_epi16 (u8 x s8 pairs into s16; no pair can
// saturate: |q_w| <= 128 or q_w <= 63, |q_a| <= 127) and _mm256_madd_epi16 (into s32).
// Built when the compiler targets AVX2 (-march=native on such a machine); otherwise hasSimd() is
// false and the engine uses the scalar path.

#include <cstring>

#include "core/engine/int_dot_avx2_parts.h"

namespace kvscope::cpu::intdot {

#if defined(__AVX2__)

namespace {

using avx2::load;
using avx2::scalesMinsK4;

int hsum(__m256i v) {
    __m128i s = _mm_add_epi32(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
    s = _mm_add_epi32(s, _mm_shuffle_epi32(s, 0x4e));
    s = _mm_add_epi32(s, _mm_shuffle_epi32(s, 0xb1));
    return _mm_cvtsi128_si32(s);
}

/// 16 s16 pairs -> 8 s32, each scaled: lanes 0..7 (values 0..15) by s_lo, 8..15 by s_hi.
__m256i scaled(__m256i p16, int s_lo, int s_hi) {
    const __m256i s = _mm256_set_m128i(_mm_set1_epi16(short(s_hi)), _mm_set1_epi16(short(s_lo)));
    return _mm256_madd_epi16(p16, s);
}

/// Unsigned bytes u times signed bytes a, summed four at a time into 8 s32 lanes (avx2::dotAdd
/// from zero).
__m256i dotUnsignedSigned(__m256i u, __m256i a) {
    return avx2::dotAdd(_mm256_setzero_si256(), u, a);
}

/// Signed bytes q (|q| <= 128) times signed bytes a (|a| <= 127), summed in 8 s32 lanes.
__m256i dotSigned(__m256i q, __m256i a) {
    return dotUnsignedSigned(_mm256_sign_epi8(q, q), _mm256_sign_epi8(a, q));
}

void q8_0(const std::byte* w, const Q8Block32* a, std::int64_t n, std::int32_t* isum) {
    for (std::int64_t b = 0; b < n; ++b, w += 34)  // d, qs[32]
        isum[b] = hsum(dotSigned(load(w + 2), load(a[b].qs)));
}

void q4_0(const std::byte* w, const Q8Block32* a, std::int64_t n, std::int32_t* isum) {
    const __m256i low4 = _mm256_set1_epi8(0x0f), eight = _mm256_set1_epi8(8);
    for (std::int64_t b = 0; b < n; ++b, w += 18) {  // d, qs[16]: values 0..15 low, 16..31 high
        const __m128i x = _mm_loadu_si128(reinterpret_cast<const __m128i*>(w + 2));
        const __m256i nib =
            _mm256_and_si256(_mm256_set_m128i(_mm_srli_epi16(x, 4), x), low4);  // [32] values 0..15
        isum[b] = hsum(dotSigned(_mm256_sub_epi8(nib, eight), load(a[b].qs)));
    }
}

/// The 32 nibbles of a 16-byte qs (ggml's order: value j in the low nibble of byte j, value
/// j + 16 in its high nibble) as bytes 0..15.
__m256i nibbles(const std::byte* qs) {
    const __m128i x = _mm_loadu_si128(reinterpret_cast<const __m128i*>(qs));
    return _mm256_and_si256(_mm256_set_m128i(_mm_srli_epi16(x, 4), x), _mm256_set1_epi8(0x0f));
}

/// Byte j = 0x10 where bit j of the 32 bits at p is set, else 0 (Q5_0 / Q5_1's fifth bits).
__m256i fifthBits(const std::byte* p) {
    std::uint32_t bits;
    std::memcpy(&bits, p, 4);
    // Bytes 8g..8g+7 all take byte g of the bits; byte k of each group ORed with every bit but
    // bit k is all ones exactly when bit k is set.
    const __m256i spread = _mm256_shuffle_epi8(
        _mm256_set1_epi32(int(bits)), _mm256_setr_epi64x(0x0000000000000000, 0x0101010101010101,
                                                         0x0202020202020202, 0x0303030303030303));
    const __m256i others = _mm256_set1_epi64x(0x7fbfdfeff7fbfdfe);
    const __m256i set = _mm256_cmpeq_epi8(_mm256_or_si256(spread, others), _mm256_set1_epi8(-1));
    return _mm256_and_si256(set, _mm256_set1_epi8(0x10));
}

void q4_1(const std::byte* w, const Q8Block32* a, std::int64_t n, std::int32_t* isum) {
    for (std::int64_t b = 0; b < n; ++b, w += 20)  // d, m, qs[16]: the nibbles
        isum[b] = hsum(dotUnsignedSigned(nibbles(w + 4), load(a[b].qs)));
}

void q5_0(const std::byte* w, const Q8Block32* a, std::int64_t n, std::int32_t* isum) {
    const __m256i sixteen = _mm256_set1_epi8(16);
    for (std::int64_t b = 0; b < n; ++b, w += 22) {  // d, qh (32 fifth bits), qs[16]; minus 16
        const __m256i q = _mm256_or_si256(nibbles(w + 6), fifthBits(w + 2));
        isum[b] = hsum(dotSigned(_mm256_sub_epi8(q, sixteen), load(a[b].qs)));
    }
}

void q5_1(const std::byte* w, const Q8Block32* a, std::int64_t n, std::int32_t* isum) {
    for (std::int64_t b = 0; b < n; ++b, w += 24) {  // d, m, qh, qs[16]
        const __m256i q = _mm256_or_si256(nibbles(w + 8), fifthBits(w + 4));
        isum[b] = hsum(dotUnsignedSigned(q, load(a[b].qs)));
    }
}

void iq4_nl(const std::byte* w, const Q8Block32* a, std::int64_t n, std::int32_t* isum) {
    const __m256i levels = _mm256_broadcastsi128_si256(
        _mm_loadu_si128(reinterpret_cast<const __m128i*>(dequant::kIq4nlValues)));
    for (std::int64_t b = 0; b < n; ++b, w += 18) {  // d, qs[16]: nibbles index the 16 levels
        const __m256i q = _mm256_shuffle_epi8(levels, nibbles(w + 2));
        isum[b] = hsum(dotSigned(q, load(a[b].qs)));
    }
}

/// sum_j m[j] * (bsums[2j] + bsums[2j + 1]) for the mins in bytes 8..15 of sm.
std::int32_t minSum8(__m128i sm, const Q8BlockK& a) {
    const __m128i pairs =
        _mm_hadd_epi16(_mm_loadu_si128(reinterpret_cast<const __m128i*>(a.bsums)),
                       _mm_loadu_si128(reinterpret_cast<const __m128i*>(a.bsums + 8)));
    const __m128i prod = _mm_madd_epi16(pairs, _mm_cvtepu8_epi16(_mm_srli_si128(sm, 8)));
    __m128i s = _mm_add_epi32(prod, _mm_shuffle_epi32(prod, 0x4e));
    s = _mm_add_epi32(s, _mm_shuffle_epi32(s, 0xb1));
    return _mm_cvtsi128_si32(s);
}

/// The 8 scales (bytes 0..7 of sm) as s16 in both 128-bit halves; wordOf(v, k) broadcasts
/// scale k to every lane.
__m256i scaleWords(__m128i sm) {
    return _mm256_broadcastsi128_si256(_mm_cvtepu8_epi16(sm));
}
__m256i wordOf(__m256i words, int k) {
    const __m256i pick = _mm256_set1_epi16(short((2 * k) | ((2 * k + 1) << 8)));
    return _mm256_shuffle_epi8(words, pick);
}

/// One Q4_K block (w: d, dmin, scales[12], qs[128]) against a: isum and msum.
inline void blockQ4K(const std::byte* w, const Q8BlockK& a, std::int32_t& isum,
                     std::int32_t& msum) {
    const __m256i low4 = _mm256_set1_epi8(0x0f);
    const __m128i sm = scalesMinsK4(w + 4);
    msum = minSum8(sm, a);
    const __m256i words = scaleWords(sm);
    const std::byte* q = w + 16;
    __m256i acc = _mm256_setzero_si256();
    for (int j = 0; j < 4; ++j, q += 32) {  // values 64j..64j+31 low nibbles, +32.. high
        const __m256i x = load(q);
        const __m256i lo = _mm256_and_si256(x, low4);
        const __m256i hi = _mm256_and_si256(_mm256_srli_epi16(x, 4), low4);
        const __m256i p_lo = _mm256_maddubs_epi16(lo, load(a.qs + 64 * j));
        const __m256i p_hi = _mm256_maddubs_epi16(hi, load(a.qs + 64 * j + 32));
        acc = _mm256_add_epi32(acc, _mm256_madd_epi16(p_lo, wordOf(words, 2 * j)));
        acc = _mm256_add_epi32(acc, _mm256_madd_epi16(p_hi, wordOf(words, 2 * j + 1)));
    }
    isum = hsum(acc);
}

/// One Q5_K block (w: d, dmin, scales[12], qh[32], qs[128]) against a: isum and msum.
inline void blockQ5K(const std::byte* w, const Q8BlockK& a, std::int32_t& isum,
                     std::int32_t& msum) {
    const __m256i low4 = _mm256_set1_epi8(0x0f), one = _mm256_set1_epi8(1);
    const __m128i sm = scalesMinsK4(w + 4);
    msum = minSum8(sm, a);
    const __m256i words = scaleWords(sm);
    __m256i qh = load(w + 16);  // bit 2j of byte l: value 64j + l; bit 2j+1: 64j + 32 + l
    const std::byte* ql = w + 48;
    __m256i acc = _mm256_setzero_si256();
    for (int j = 0; j < 4; ++j, ql += 32) {
        const __m256i x = load(ql);
        const __m256i h_lo = _mm256_slli_epi16(_mm256_and_si256(qh, one), 4);
        const __m256i h_hi = _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(qh, 1), one), 4);
        qh = _mm256_srli_epi16(qh, 2);
        const __m256i lo = _mm256_or_si256(_mm256_and_si256(x, low4), h_lo);
        const __m256i hi = _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(x, 4), low4), h_hi);
        const __m256i p_lo = _mm256_maddubs_epi16(lo, load(a.qs + 64 * j));
        const __m256i p_hi = _mm256_maddubs_epi16(hi, load(a.qs + 64 * j + 32));
        acc = _mm256_add_epi32(acc, _mm256_madd_epi16(p_lo, wordOf(words, 2 * j)));
        acc = _mm256_add_epi32(acc, _mm256_madd_epi16(p_hi, wordOf(words, 2 * j + 1)));
    }
    isum = hsum(acc);
}

void q4_k(const std::byte* w, const Q8BlockK* a, std::int64_t n, std::int32_t* isum,
          std::int32_t* msum) {
    for (std::int64_t b = 0; b < n; ++b, w += 144)
        blockQ4K(w, a[b], isum[b], msum[b]);
}

void q5_k(const std::byte* w, const Q8BlockK* a, std::int64_t n, std::int32_t* isum,
          std::int32_t* msum) {
    for (std::int64_t b = 0; b < n; ++b, w += 176)
        blockQ5K(w, a[b], isum[b], msum[b]);
}

/// One Q6_K block (w: ql[128], qh[64], scales[16] int8, d) against a: isum.
inline std::int32_t blockQ6K(const std::byte* w, const Q8BlockK& a) {
    const __m256i low4 = _mm256_set1_epi8(0x0f), three = _mm256_set1_epi8(3),
                  m32 = _mm256_set1_epi8(32);
    const std::int8_t* sc = reinterpret_cast<const std::int8_t*>(w + 192);
    const std::int8_t* qa = a.qs;
    __m256i acc = _mm256_setzero_si256();
    for (int half = 0; half < 2; ++half) {
        const std::byte* ql = w + 64 * half;
        const __m256i ql0 = load(ql), ql1 = load(ql + 32), qh = load(w + 128 + 32 * half);
        const auto high = [&](int shift) {  // bits shift, shift+1 of qh, placed at 4..5
            return _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(qh, shift), three), 4);
        };
        const __m256i q[4] = {
            _mm256_or_si256(_mm256_and_si256(ql0, low4), high(0)),
            _mm256_or_si256(_mm256_and_si256(ql1, low4), high(2)),
            _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(ql0, 4), low4), high(4)),
            _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(ql1, 4), low4), high(6))};
        for (int k = 0; k < 4; ++k) {  // values 128 half + 32k .. +31, scales 2 of 16 each
            const __m256i av = load(qa + 128 * half + 32 * k);
            const __m256i p =
                _mm256_sub_epi16(_mm256_maddubs_epi16(q[k], av), _mm256_maddubs_epi16(m32, av));
            const int s = 8 * half + 2 * k;
            acc = _mm256_add_epi32(acc, scaled(p, sc[s], sc[s + 1]));
        }
    }
    return hsum(acc);
}

void q6_k(const std::byte* w, const Q8BlockK* a, std::int64_t n, std::int32_t* isum,
          std::int32_t* msum) {
    for (std::int64_t b = 0; b < n; ++b, w += 210) {
        isum[b] = blockQ6K(w, a[b]);
        msum[b] = 0;
    }
}

/// Signed s8 values v (|v| <= 127) times activations a, as s16 pair sums (no pair saturates:
/// 2 * 127 * 127 < 32768).
__m256i pairsSigned(__m256i v, __m256i a) {
    return _mm256_maddubs_epi16(_mm256_sign_epi8(v, v), _mm256_sign_epi8(a, v));
}

void q2_k(const std::byte* w, const Q8BlockK* a, std::int64_t n, std::int32_t* isum,
          std::int32_t* msum) {
    const __m256i three = _mm256_set1_epi8(3);
    for (std::int64_t b = 0; b < n; ++b, w += 84) {  // scales[16] (scale | min << 4), qs[64]
        std::uint8_t sc[16];
        for (int j = 0; j < 16; ++j)
            sc[j] = u8(w + j) & 0x0f;
        const __m128i packed = _mm_loadu_si128(reinterpret_cast<const __m128i*>(w));
        const __m256i mins =
            _mm256_cvtepu8_epi16(_mm_and_si128(_mm_srli_epi16(packed, 4), _mm_set1_epi8(0x0f)));
        const __m256i bsums = load(a[b].bsums);  // [16] sums over each sub-block of 16
        msum[b] = hsum(_mm256_madd_epi16(mins, bsums));
        __m256i acc = _mm256_setzero_si256();
        for (int half = 0; half < 2; ++half) {
            const __m256i x = load(w + 16 + 32 * half);
            for (int k = 0; k < 4; ++k) {  // values 128 half + 32k .. +31: bits 2k, 2k+1
                const __m256i v = _mm256_and_si256(_mm256_srli_epi16(x, 2 * k), three);
                const __m256i p = _mm256_maddubs_epi16(v, load(a[b].qs + 128 * half + 32 * k));
                const int j = 8 * half + 2 * k;
                acc = _mm256_add_epi32(acc, scaled(p, sc[j], sc[j + 1]));
            }
        }
        isum[b] = hsum(acc);
    }
}

void q3_k(const std::byte* w, const Q8BlockK* a, std::int64_t n, std::int32_t* isum,
          std::int32_t* msum) {
    const __m256i three = _mm256_set1_epi8(3), four = _mm256_set1_epi8(4);
    for (std::int64_t b = 0; b < n; ++b, w += 110) {  // hmask[32], qs[64], scales[12], d
        std::int8_t sc[16];
        dequant::q3kScales(w + 96, sc);
        const __m256i hm = load(w);
        __m256i acc = _mm256_setzero_si256();
        for (int half = 0; half < 2; ++half) {
            const __m256i x = load(w + 32 + 32 * half);
            for (int k = 0; k < 4; ++k) {  // 2-bit value, minus 4 where its hmask bit is clear
                const __m256i bit = _mm256_set1_epi8(char(1 << (4 * half + k)));
                const __m256i set = _mm256_cmpeq_epi8(_mm256_and_si256(hm, bit), bit);
                const __m256i v =
                    _mm256_sub_epi8(_mm256_and_si256(_mm256_srli_epi16(x, 2 * k), three),
                                    _mm256_andnot_si256(set, four));
                const __m256i p = pairsSigned(v, load(a[b].qs + 128 * half + 32 * k));
                const int j = 8 * half + 2 * k;
                acc = _mm256_add_epi32(acc, scaled(p, sc[j] - 32, sc[j + 1] - 32));
            }
        }
        isum[b] = hsum(acc);
        msum[b] = 0;
    }
}

void iq4_xs(const std::byte* w, const Q8BlockK* a, std::int64_t n, std::int32_t* isum,
            std::int32_t* msum) {
    const __m256i levels = _mm256_broadcastsi128_si256(
        _mm_loadu_si128(reinterpret_cast<const __m128i*>(dequant::kIq4nlValues)));
    for (std::int64_t b = 0; b < n; ++b, w += 136) {  // d, scales_h, scales_l[4], qs[128]
        std::uint16_t scales_h;
        std::memcpy(&scales_h, w + 2, 2);
        __m256i acc = _mm256_setzero_si256();
        for (int ib = 0; ib < 8; ++ib) {  // sub-blocks of 32, as IQ4_NL blocks
            const int scale = (((u8(w + 4 + ib / 2) >> 4 * (ib % 2)) & 0x0f) |
                               (((scales_h >> 2 * ib) & 3) << 4)) -
                              32;
            const __m256i v = _mm256_shuffle_epi8(levels, nibbles(w + 8 + 16 * ib));
            const __m256i p = pairsSigned(v, load(a[b].qs + 32 * ib));
            acc = _mm256_add_epi32(acc, scaled(p, scale, scale));
        }
        isum[b] = hsum(acc);
        msum[b] = 0;
    }
}

/// The 8 s32 lanes of each of v[0..7] summed: [sum v0, ..., sum v7].
__m256i blockSums(const __m256i v[8]) {
    const __m256i h01 = _mm256_hadd_epi32(v[0], v[1]), h23 = _mm256_hadd_epi32(v[2], v[3]);
    const __m256i h45 = _mm256_hadd_epi32(v[4], v[5]), h67 = _mm256_hadd_epi32(v[6], v[7]);
    const __m256i h0123 = _mm256_hadd_epi32(h01, h23);  // [low halves of 0..3 | high halves]
    const __m256i h4567 = _mm256_hadd_epi32(h45, h67);
    return _mm256_add_epi32(_mm256_permute2x128_si256(h0123, h4567, 0x20),
                            _mm256_permute2x128_si256(h0123, h4567, 0x31));
}

/// The s32 lanes of block b's products (Q8_0 or Q4_0 weights at w, one 32-block).
__m256i blockProducts(GgmlType type, const std::byte* w, const Q8Block32& a) {
    if (type == GgmlType::Q8_0) return dotSigned(load(w + 2), load(a.qs));
    const __m128i x = _mm_loadu_si128(reinterpret_cast<const __m128i*>(w + 2));
    const __m256i nib =
        _mm256_and_si256(_mm256_set_m128i(_mm_srli_epi16(x, 4), x), _mm256_set1_epi8(0x0f));
    return dotSigned(_mm256_sub_epi8(nib, _mm256_set1_epi8(8)), load(a.qs));
}

}  // namespace

float dot32Fused(GgmlType type, const std::byte* w, const Q8Block32* a, std::int64_t n_blocks) {
    KVSCOPE_EXPECTS(type == GgmlType::Q8_0 || type == GgmlType::Q4_0);
    const std::int64_t bytes = type == GgmlType::Q8_0 ? 34 : 18;
    // acc[b % 4] += (d_w * d_a) * isum_b, in block order: lanes 0..3 of acc are acc[0..3].
    __m128 acc = _mm_setzero_ps();
    std::int64_t b = 0;
    for (; b + 8 <= n_blocks; b += 8) {
        __m256i products[8];
        short dw[8];
        for (int i = 0; i < 8; ++i) {
            const std::byte* wb = w + (b + i) * bytes;
            products[i] = blockProducts(type, wb, a[b + i]);
            std::memcpy(&dw[i], wb, 2);
        }
        // The scales gathered in registers (inserts, not a store and a wider load: the stores
        // of 8 scalars would not forward to one vector load and the pass would stall on it).
        const __m128i dw8 = _mm_set_epi16(dw[7], dw[6], dw[5], dw[4], dw[3], dw[2], dw[1], dw[0]);
        const __m256 da8 = _mm256_set_ps(a[b + 7].d, a[b + 6].d, a[b + 5].d, a[b + 4].d, a[b + 3].d,
                                         a[b + 2].d, a[b + 1].d, a[b].d);
        const __m256 scale = _mm256_mul_ps(_mm256_cvtph_ps(dw8), da8);
        const __m256 v = _mm256_mul_ps(scale, _mm256_cvtepi32_ps(blockSums(products)));
        acc = _mm_add_ps(acc, _mm256_castps256_ps128(v));
        acc = _mm_add_ps(acc, _mm256_extractf128_ps(v, 1));
    }
    float lanes[4];
    _mm_storeu_ps(lanes, acc);
    for (; b < n_blocks; ++b) {  // the tail, one block at a time, into the same accumulators
        const std::byte* wb = w + b * bytes;
        std::uint16_t dw;
        std::memcpy(&dw, wb, 2);
        const __m256i p = blockProducts(type, wb, a[b]);
        lanes[b & 3] += (_cvtsh_ss(dw) * a[b].d) * float(hsum(p));
    }
    return (lanes[0] + lanes[1]) + (lanes[2] + lanes[3]);
}

float dotKFused(GgmlType type, const std::byte* w, const Q8BlockK* a, std::int64_t n_blocks) {
    KVSCOPE_EXPECTS(type == GgmlType::Q4_K || type == GgmlType::Q5_K || type == GgmlType::Q6_K);
    const std::int64_t bytes = type == GgmlType::Q4_K ? 144 : type == GgmlType::Q5_K ? 176 : 210;
    const std::int64_t d_at = type == GgmlType::Q6_K ? 208 : 0;  // fp16 d (then dmin)
    float acc[4] = {0, 0, 0, 0};  // block b into acc[b % 4], as intDot()'s combination
    for (std::int64_t b = 0; b < n_blocks; ++b, w += bytes) {
        std::int32_t isum, msum = 0;
        if (type == GgmlType::Q4_K)
            blockQ4K(w, a[b], isum, msum);
        else if (type == GgmlType::Q5_K)
            blockQ5K(w, a[b], isum, msum);
        else
            isum = blockQ6K(w, a[b]);
        std::uint16_t dw[2];
        std::memcpy(dw, w + d_at, 4);
        float v = (a[b].d * _cvtsh_ss(dw[0])) * float(isum);
        if (type != GgmlType::Q6_K) v = v - (a[b].d * _cvtsh_ss(dw[1])) * float(msum);
        acc[b & 3] += v;
    }
    return (acc[0] + acc[1]) + (acc[2] + acc[3]);
}

bool hasSimd(GgmlType type) {
    switch (type) {
        case GgmlType::Q8_0:
        case GgmlType::Q4_0:
        case GgmlType::Q4_1:
        case GgmlType::Q5_0:
        case GgmlType::Q5_1:
        case GgmlType::IQ4_NL:
        case GgmlType::Q2_K:
        case GgmlType::Q3_K:
        case GgmlType::Q4_K:
        case GgmlType::Q5_K:
        case GgmlType::Q6_K:
        case GgmlType::IQ4_XS:
            return true;
        default:
            return false;
    }
}

void sums32Simd(GgmlType type, const std::byte* w, const Q8Block32* a, std::int64_t n,
                std::int32_t* isum) {
    switch (type) {
        case GgmlType::Q8_0:
            return q8_0(w, a, n, isum);
        case GgmlType::Q4_0:
            return q4_0(w, a, n, isum);
        case GgmlType::Q4_1:
            return q4_1(w, a, n, isum);
        case GgmlType::Q5_0:
            return q5_0(w, a, n, isum);
        case GgmlType::Q5_1:
            return q5_1(w, a, n, isum);
        default:
            KVSCOPE_EXPECTS(type == GgmlType::IQ4_NL);
            return iq4_nl(w, a, n, isum);
    }
}

void sumsKSimd(GgmlType type, const std::byte* w, const Q8BlockK* a, std::int64_t n,
               std::int32_t* isum, std::int32_t* msum) {
    switch (type) {
        case GgmlType::Q2_K:
            return q2_k(w, a, n, isum, msum);
        case GgmlType::Q3_K:
            return q3_k(w, a, n, isum, msum);
        case GgmlType::Q4_K:
            return q4_k(w, a, n, isum, msum);
        case GgmlType::Q5_K:
            return q5_k(w, a, n, isum, msum);
        case GgmlType::Q6_K:
            return q6_k(w, a, n, isum, msum);
        default:
            KVSCOPE_EXPECTS(type == GgmlType::IQ4_XS);
            return iq4_xs(w, a, n, isum, msum);
    }
}

#else  // no AVX2: the scalar path only

bool hasSimd(GgmlType) {
    return false;
}
float dot32Fused(GgmlType, const std::byte*, const Q8Block32*, std::int64_t) {
    KVSCOPE_EXPECTS(false && "built without AVX2");
    return 0;
}
void sums32Simd(GgmlType, const std::byte*, const Q8Block32*, std::int64_t, std::int32_t*) {
    KVSCOPE_EXPECTS(false && "built without AVX2");
}
float dotKFused(GgmlType, const std::byte*, const Q8BlockK*, std::int64_t) {
    KVSCOPE_EXPECTS(false && "built without AVX2");
    return 0;
}
void sumsKSimd(GgmlType, const std::byte*, const Q8BlockK*, std::int64_t, std::int32_t*,
               std::int32_t*) {
    KVSCOPE_EXPECTS(false && "built without AVX2");
}

#endif

}  // namespace kvscope::cpu::intdot
