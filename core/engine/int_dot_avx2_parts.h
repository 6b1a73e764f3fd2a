#pragma once
// The AVX2 parts both integer-dot files use (int_dot_avx2.cpp: one row; int_dot_rows_avx2.cpp:
// eight rows per pass): an unaligned load, the u8 x s8 multiply-add into s32 lanes, and the
// Q4_K / Q5_K 6-bit scale and min unpack. Only for translation units built with AVX2.
#if defined(__AVX2__)
#include <immintrin.h>

#include <cstddef>

namespace kvscope::cpu::intdot::avx2 {

inline __m256i load(const void* p) {
    return _mm256_loadu_si256(static_cast<const __m256i*>(p));
}

/// acc + unsigned bytes u times signed bytes a, summed four at a time into 8 s32 lanes. With
/// VNNI (AVX-VNNI or AVX-512 VNNI + VL: one instruction) u may be any byte; without it no pair
/// may exceed the s16 range (|u * a| pair sums <= 32767: u <= 128 with |a| <= 127 holds).
inline __m256i dotAdd(__m256i acc, __m256i u, __m256i a) {
#if defined(__AVXVNNI__)
    return _mm256_dpbusd_avx_epi32(acc, u, a);
#elif defined(__AVX512VNNI__) && defined(__AVX512VL__)
    return _mm256_dpbusd_epi32(acc, u, a);
#else
    return _mm256_add_epi32(acc,
                            _mm256_madd_epi16(_mm256_maddubs_epi16(u, a), _mm256_set1_epi16(1)));
#endif
}

/// Whether dotAdd is one VNNI instruction (u may then use all 8 bits).
#if defined(__AVXVNNI__) || (defined(__AVX512VNNI__) && defined(__AVX512VL__))
inline constexpr bool kVnni = true;
#else
inline constexpr bool kVnni = false;
#endif

/// The eight 6-bit scales and mins of a Q4_K / Q5_K block (the 12 bytes at q, read as three
/// 32-bit words u0, u1, u2), unpacked in one register: bytes 0..7 the scales, 8..15 the mins,
/// the same values as dequant::scaleMinK4 for j = 0..7:
///   j < 4: sc = q[j] & 63, m = q[j + 4] & 63;
///   j >= 4: sc = (q[j + 4] & 15) | (q[j - 4] >> 6) << 4, m = (q[j + 4] >> 4) | (q[j] >> 6) << 4;
/// as words: [u0 & low6, (u2 & low4) | top2(u0) << 4, u1 & low6, (u2 >> 4 & low4) | top2(u1) << 4].
/// Reads 16 bytes at q (the 12, then the start of the block's values).
inline __m128i scalesMinsK4(const std::byte* q) {
    const __m128i u = _mm_loadu_si128(reinterpret_cast<const __m128i*>(q));
    const __m128i low = _mm_srlv_epi32(_mm_shuffle_epi32(u, 0x98), _mm_setr_epi32(0, 0, 0, 4));
    const __m128i kept =
        _mm_and_si128(low, _mm_setr_epi32(0x3f3f3f3f, 0x0f0f0f0f, 0x3f3f3f3f, 0x0f0f0f0f));
    const __m128i top = _mm_and_si128(_mm_srli_epi32(_mm_shuffle_epi32(u, 0x50), 6),
                                      _mm_setr_epi32(0, 0x03030303, 0, 0x03030303));
    return _mm_or_si128(kept, _mm_slli_epi32(top, 4));
}

}  // namespace kvscope::cpu::intdot::avx2

#endif
