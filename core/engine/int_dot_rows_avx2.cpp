#include "core/engine/int_dot_kernels.h"
#include "core/util/check.h"

// Q8_0 and Q4_K weights, eight rows per pass (AVX2; AVX-VNNI's dpbusd where the build has it):
// the matrix-vector products of decode. One register lane per row: block b of all eight rows is
// reduced to eight integer sums at once, and the float combination of intDot() runs on the eight
// rows side by side, each lane doing the scalar path's operations in its order:
//   Q8_0: v = (d_w * d_a) * isum,  Q4_K: v = (d_a * d_w) * isum - (d_a * dmin_w) * msum,
//   acc[b % 4] += v, result (acc0 + acc1) + (acc2 + acc3);
// so every row's result has the bits of intDot() (compiled with -ffp-contract=off,
// core/CMakeLists.txt). The integers are those of the one-row kernels, summed in another order
// (exact).

#include "core/engine/int_dot_avx2_parts.h"

namespace kvscope::cpu::intdot {

#if defined(__AVX2__)

namespace {

using avx2::dotAdd;
using avx2::kVnni;
using avx2::load;

/// [sum of the 8 s32 lanes of v[0], ..., of v[7]].
__m256i laneSums(const __m256i v[8]) {
    const __m256i h01 = _mm256_hadd_epi32(v[0], v[1]), h23 = _mm256_hadd_epi32(v[2], v[3]);
    const __m256i h45 = _mm256_hadd_epi32(v[4], v[5]), h67 = _mm256_hadd_epi32(v[6], v[7]);
    const __m256i h0123 = _mm256_hadd_epi32(h01, h23);  // [low halves of 0..3 | high halves]
    const __m256i h4567 = _mm256_hadd_epi32(h45, h67);
    return _mm256_add_epi32(_mm256_permute2x128_si256(h0123, h4567, 0x20),
                            _mm256_permute2x128_si256(h0123, h4567, 0x31));
}

/// [sum of the 4 s32 lanes of v[0], ..., of v[7]].
__m256i laneSums4(const __m128i v[8]) {
    __m256i p[4];
    for (int k = 0; k < 4; ++k)
        p[k] = _mm256_set_m128i(v[2 * k + 1], v[2 * k]);
    const __m256i h = _mm256_hadd_epi32(_mm256_hadd_epi32(p[0], p[1]),
                                        _mm256_hadd_epi32(p[2], p[3]));  // [0 2 4 6 | 1 3 5 7]
    return _mm256_permutevar8x32_epi32(h, _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7));
}

/// The sum of the 32 signed bytes of a.
int sum(__m256i a) {
    const __m256i s = dotAdd(_mm256_setzero_si256(), _mm256_set1_epi8(1), a);
    __m128i h = _mm_add_epi32(_mm256_castsi256_si128(s), _mm256_extracti128_si256(s, 1));
    h = _mm_add_epi32(h, _mm_shuffle_epi32(h, 0x4e));
    h = _mm_add_epi32(h, _mm_shuffle_epi32(h, 0xb1));
    return _mm_cvtsi128_si32(h);
}

/// The 32-bit words at base + offsets[r] (r = 0..7, byte offsets) as 8 lanes.
__m256i gatherWords(const std::byte* base, __m256i offsets) {
    return _mm256_i32gather_epi32(reinterpret_cast<const int*>(base), offsets, 1);
}

/// The low and high fp16 halves of 8 words as floats.
void halves(__m256i words, __m256& lo, __m256& hi) {
    // Per 128-bit lane [lo0..3 hi0..3 | lo4..7 hi4..7], then [lo0..7 | hi0..7].
    const __m256i packed = _mm256_packus_epi32(_mm256_and_si256(words, _mm256_set1_epi32(0xffff)),
                                               _mm256_srli_epi32(words, 16));
    const __m256i ordered = _mm256_permute4x64_epi64(packed, 0xd8);
    lo = _mm256_cvtph_ps(_mm256_castsi256_si128(ordered));
    hi = _mm256_cvtph_ps(_mm256_extracti128_si256(ordered, 1));
}

/// The row offsets 0, row_bytes, ..., 7 row_bytes. Precondition: 7 row_bytes + block < 2^31.
__m256i rowOffsets(std::int64_t row_bytes) {
    const int rb = int(row_bytes);
    return _mm256_setr_epi32(0, rb, 2 * rb, 3 * rb, 4 * rb, 5 * rb, 6 * rb, 7 * rb);
}

/// Prefetches the part b of n_blocks of the next eight rows (w: the current eight), so that the
/// eight row streams, which the hardware prefetchers follow poorly, arrive ahead of use.
void prefetchNext(const std::byte* w, std::int64_t row_bytes, std::int64_t b,
                  std::int64_t n_blocks) {
    const std::int64_t span = 8 * row_bytes;
    const std::byte* next = w + span;
    for (std::int64_t at = b * span / n_blocks; at < (b + 1) * span / n_blocks; at += 64)
        _mm_prefetch(reinterpret_cast<const char*>(next + at), _MM_HINT_T0);
}

/// Eight Q8_0 rows (w: [8][row_bytes], blocks of d, qs[32]) against a: out[0..7].
void eightRowsQ8_0(const std::byte* w, std::int64_t row_bytes, const Q8Block32* a,
                   std::int64_t n_blocks, float* out) {
    const __m256i offsets = rowOffsets(row_bytes);
    __m256 acc[4] = {_mm256_setzero_ps(), _mm256_setzero_ps(), _mm256_setzero_ps(),
                     _mm256_setzero_ps()};
    for (std::int64_t b = 0; b < n_blocks; ++b) {
        prefetchNext(w, row_bytes, b, n_blocks);
        const std::byte* wb = w + 34 * b;
        const __m256i av = load(a[b].qs);
        __m256i p[8];
        if constexpr (kVnni) {
            // (q_w + 128) . a - 128 sum(a): the weights as unsigned bytes, corrected below.
            const __m256i flip = _mm256_set1_epi8(char(0x80));
            for (int r = 0; r < 8; ++r)
                p[r] = dotAdd(_mm256_setzero_si256(),
                              _mm256_xor_si256(load(wb + r * row_bytes + 2), flip), av);
        } else {
            for (int r = 0; r < 8; ++r) {
                const __m256i q = load(wb + r * row_bytes + 2);
                p[r] =
                    dotAdd(_mm256_setzero_si256(), _mm256_sign_epi8(q, q), _mm256_sign_epi8(av, q));
            }
        }
        __m256i isum = laneSums(p);
        if constexpr (kVnni) isum = _mm256_sub_epi32(isum, _mm256_set1_epi32(128 * sum(av)));
        __m256 dw, unused;
        halves(gatherWords(wb, offsets), dw, unused);
        const __m256 v =
            _mm256_mul_ps(_mm256_mul_ps(dw, _mm256_set1_ps(a[b].d)), _mm256_cvtepi32_ps(isum));
        acc[b & 3] = _mm256_add_ps(acc[b & 3], v);
    }
    _mm256_storeu_ps(out,
                     _mm256_add_ps(_mm256_add_ps(acc[0], acc[1]), _mm256_add_ps(acc[2], acc[3])));
}

/// Eight Q4_K rows (w: [8][row_bytes], blocks of d, dmin, scales[12], qs[128]) against a.
void eightRowsQ4K(const std::byte* w, std::int64_t row_bytes, const Q8BlockK* a,
                  std::int64_t n_blocks, float* out) {
    const __m256i offsets = rowOffsets(row_bytes), low4 = _mm256_set1_epi8(0x0f);
    __m256 acc[4] = {_mm256_setzero_ps(), _mm256_setzero_ps(), _mm256_setzero_ps(),
                     _mm256_setzero_ps()};
    for (std::int64_t b = 0; b < n_blocks; ++b) {
        prefetchNext(w, row_bytes, b, n_blocks);
        const Q8BlockK& ab = a[b];
        const std::byte* wb = w + 144 * b;
        // Sums of the activations over each sub-block of 32: bsums in pairs.
        const __m128i pairs =
            _mm_hadd_epi16(_mm_loadu_si128(reinterpret_cast<const __m128i*>(ab.bsums)),
                           _mm_loadu_si128(reinterpret_cast<const __m128i*>(ab.bsums + 8)));
        __m256i rows[8];
        __m128i mins[8];
        for (int r = 0; r < 8; ++r) {
            const std::byte* wr = wb + r * row_bytes;
            const __m128i sm = avx2::scalesMinsK4(wr + 4);
            mins[r] = _mm_madd_epi16(pairs, _mm_cvtepu8_epi16(_mm_srli_si128(sm, 8)));
            __m256i sub[8];                // [sub-block j] s32 lanes of its products
            for (int j = 0; j < 4; ++j) {  // values 64j..64j+31: low nibbles, +32..: high
                const __m256i x = load(wr + 16 + 32 * j);
                sub[2 * j] =
                    dotAdd(_mm256_setzero_si256(), _mm256_and_si256(x, low4), load(ab.qs + 64 * j));
                sub[2 * j + 1] =
                    dotAdd(_mm256_setzero_si256(), _mm256_and_si256(_mm256_srli_epi16(x, 4), low4),
                           load(ab.qs + 64 * j + 32));
            }
            rows[r] = _mm256_mullo_epi32(laneSums(sub), _mm256_cvtepu8_epi32(sm));
        }
        const __m256i isum = laneSums(rows), msum = laneSums4(mins);
        __m256 dw, dmin;
        halves(gatherWords(wb, offsets), dw, dmin);
        const __m256 da = _mm256_set1_ps(ab.d);
        const __m256 v =
            _mm256_sub_ps(_mm256_mul_ps(_mm256_mul_ps(da, dw), _mm256_cvtepi32_ps(isum)),
                          _mm256_mul_ps(_mm256_mul_ps(da, dmin), _mm256_cvtepi32_ps(msum)));
        acc[b & 3] = _mm256_add_ps(acc[b & 3], v);
    }
    _mm256_storeu_ps(out,
                     _mm256_add_ps(_mm256_add_ps(acc[0], acc[1]), _mm256_add_ps(acc[2], acc[3])));
}

}  // namespace

bool hasEightRows(GgmlType type) {
    return type == GgmlType::Q8_0 || type == GgmlType::Q4_K;
}

void eightRows(GgmlType type, const std::byte* w, std::int64_t row_bytes, const void* a,
               std::int64_t n_blocks, float* out) {
    KVSCOPE_EXPECTS(hasEightRows(type) && 8 * row_bytes < (std::int64_t(1) << 31));
    if (type == GgmlType::Q8_0)
        return eightRowsQ8_0(w, row_bytes, static_cast<const Q8Block32*>(a), n_blocks, out);
    eightRowsQ4K(w, row_bytes, static_cast<const Q8BlockK*>(a), n_blocks, out);
}

#else  // no AVX2: the one-row kernels (int_dot.cpp) only

bool hasEightRows(GgmlType) {
    return false;
}
void eightRows(GgmlType, const std::byte*, std::int64_t, const void*, std::int64_t, float*) {
    KVSCOPE_EXPECTS(false && "built without AVX2");
}

#endif

}  // namespace kvscope::cpu::intdot
