#include <cstring>

#include "core/model/dequantize_blocks.h"

// 256-value super-blocks. Layouts from ggml-common.h; "d" and "dmin" are fp16. Compiled with
// -ffp-contract=off like dequantize_blocks.cpp: `dl * q - ml` is two rounded operations in ggml.

namespace kvscope::dequant {

namespace {

constexpr std::int64_t kQK = 256;

}  // namespace

void q3kScales(const std::byte* packed, std::int8_t scales[16]) {
    constexpr std::uint32_t kmask1 = 0x03030303, kmask2 = 0x0f0f0f0f;
    std::uint32_t aux[4];
    std::memcpy(aux, packed, 12);
    const std::uint32_t tmp = aux[2];
    aux[2] = ((aux[0] >> 4) & kmask2) | (((tmp >> 4) & kmask1) << 4);
    aux[3] = ((aux[1] >> 4) & kmask2) | (((tmp >> 6) & kmask1) << 4);
    aux[0] = (aux[0] & kmask2) | (((tmp >> 0) & kmask1) << 4);
    aux[1] = (aux[1] & kmask2) | (((tmp >> 2) & kmask1) << 4);
    std::memcpy(scales, aux, 16);
}

/// Q2_K [84 B]: scales[16] (low nibble scale, high nibble min), qs[64] (2-bit), d, dmin.
void q2_k(const std::byte* src, float* y, std::int64_t n_blocks) {
    for (std::int64_t b = 0; b < n_blocks; ++b, src += 84) {
        const std::byte* scales = src;
        const std::byte* q = src + 16;
        const float d = half(src + 80), min = half(src + 82);
        int is = 0;
        for (int n = 0; n < kQK; n += 128) {
            int shift = 0;
            for (int j = 0; j < 4; ++j) {
                std::uint8_t sc = u8(scales + is++);
                float dl = d * float(sc & 0x0f), ml = min * float(sc >> 4);
                for (int l = 0; l < 16; ++l)
                    *y++ = dl * float(std::int8_t((u8(q + l) >> shift) & 3)) - ml;
                sc = u8(scales + is++);
                dl = d * float(sc & 0x0f);
                ml = min * float(sc >> 4);
                for (int l = 0; l < 16; ++l)
                    *y++ = dl * float(std::int8_t((u8(q + l + 16) >> shift) & 3)) - ml;
                shift += 2;
            }
            q += 32;
        }
    }
}

/// Q3_K [110 B]: hmask[32] (third bit), qs[64] (low 2 bits), scales[12] (16 x 6-bit), d.
void q3_k(const std::byte* src, float* y, std::int64_t n_blocks) {
    for (std::int64_t b = 0; b < n_blocks; ++b, src += 110) {
        const std::byte* hm = src;
        const std::byte* q = src + 32;
        const float d_all = half(src + 108);
        std::int8_t scales[16];
        q3kScales(src + 96, scales);
        int is = 0;
        std::uint8_t m = 1;
        for (int n = 0; n < kQK; n += 128) {
            int shift = 0;
            for (int j = 0; j < 4; ++j) {
                float dl = d_all * float(scales[is++] - 32);
                for (int l = 0; l < 16; ++l) {
                    const int v =
                        std::int8_t((u8(q + l) >> shift) & 3) - ((u8(hm + l) & m) ? 0 : 4);
                    *y++ = dl * float(v);
                }
                dl = d_all * float(scales[is++] - 32);
                for (int l = 0; l < 16; ++l) {
                    const int v = std::int8_t((u8(q + l + 16) >> shift) & 3) -
                                  ((u8(hm + l + 16) & m) ? 0 : 4);
                    *y++ = dl * float(v);
                }
                shift += 2;
                m = std::uint8_t(m << 1);
            }
            q += 32;
        }
    }
}

/// Q4_K [144 B]: d, dmin, scales[12] (8 x 6-bit scale and min), qs[128]; d1 * q - m1.
void q4_k(const std::byte* src, float* y, std::int64_t n_blocks) {
    for (std::int64_t b = 0; b < n_blocks; ++b, src += 144) {
        const float d = half(src), min = half(src + 2);
        const std::byte* scales = src + 4;
        const std::byte* q = src + 16;
        int is = 0;
        for (int j = 0; j < kQK; j += 64) {
            std::uint8_t sc, m;
            scaleMinK4(is + 0, scales, sc, m);
            const float d1 = d * float(sc), m1 = min * float(m);
            scaleMinK4(is + 1, scales, sc, m);
            const float d2 = d * float(sc), m2 = min * float(m);
            for (int l = 0; l < 32; ++l)
                *y++ = d1 * float(u8(q + l) & 0x0f) - m1;
            for (int l = 0; l < 32; ++l)
                *y++ = d2 * float(u8(q + l) >> 4) - m2;
            q += 32;
            is += 2;
        }
    }
}

/// Q5_K [176 B]: d, dmin, scales[12], qh[32] (fifth bit), qs[128].
void q5_k(const std::byte* src, float* y, std::int64_t n_blocks) {
    for (std::int64_t b = 0; b < n_blocks; ++b, src += 176) {
        const float d = half(src), min = half(src + 2);
        const std::byte* scales = src + 4;
        const std::byte* qh = src + 16;
        const std::byte* ql = src + 48;
        int is = 0;
        std::uint8_t u1 = 1, u2 = 2;
        for (int j = 0; j < kQK; j += 64) {
            std::uint8_t sc, m;
            scaleMinK4(is + 0, scales, sc, m);
            const float d1 = d * float(sc), m1 = min * float(m);
            scaleMinK4(is + 1, scales, sc, m);
            const float d2 = d * float(sc), m2 = min * float(m);
            for (int l = 0; l < 32; ++l)
                *y++ = d1 * float((u8(ql + l) & 0x0f) + ((u8(qh + l) & u1) ? 16 : 0)) - m1;
            for (int l = 0; l < 32; ++l)
                *y++ = d2 * float((u8(ql + l) >> 4) + ((u8(qh + l) & u2) ? 16 : 0)) - m2;
            ql += 32;
            is += 2;
            u1 = std::uint8_t(u1 << 2);
            u2 = std::uint8_t(u2 << 2);
        }
    }
}

/// Q6_K [210 B]: ql[128] (low 4 bits), qh[64] (high 2 bits), scales[16] int8, d.
void q6_k(const std::byte* src, float* y, std::int64_t n_blocks) {
    for (std::int64_t b = 0; b < n_blocks; ++b, src += 210) {
        const float d = half(src + 208);
        const std::byte* ql = src;
        const std::byte* qh = src + 128;
        const std::byte* sc = src + 192;
        for (int n = 0; n < kQK; n += 128) {
            for (int l = 0; l < 32; ++l) {
                const int is = l / 16;
                const auto s = [&](int i) { return float(std::int8_t(u8(sc + is + i))); };
                const int q1 =
                    std::int8_t((u8(ql + l) & 0x0f) | (((u8(qh + l) >> 0) & 3) << 4)) - 32;
                const int q2 =
                    std::int8_t((u8(ql + l + 32) & 0x0f) | (((u8(qh + l) >> 2) & 3) << 4)) - 32;
                const int q3 = std::int8_t((u8(ql + l) >> 4) | (((u8(qh + l) >> 4) & 3) << 4)) - 32;
                const int q4 =
                    std::int8_t((u8(ql + l + 32) >> 4) | (((u8(qh + l) >> 6) & 3) << 4)) - 32;
                y[l + 0] = d * s(0) * float(q1);
                y[l + 32] = d * s(2) * float(q2);
                y[l + 64] = d * s(4) * float(q3);
                y[l + 96] = d * s(6) * float(q4);
            }
            y += 128;
            ql += 64;
            qh += 32;
            sc += 8;
        }
    }
}

/// IQ4_XS [136 B]: d, scales_h (u16), scales_l[4], qs[128]; 8 sub-blocks of 32 with 6-bit
/// scales (ls - 32) over the IQ4_NL levels.
void iq4xs(const std::byte* src, float* y, std::int64_t n_blocks) {
    for (std::int64_t b = 0; b < n_blocks; ++b, src += 136) {
        const float d = half(src);
        std::uint16_t scales_h;
        std::memcpy(&scales_h, src + 2, sizeof scales_h);
        const std::byte* scales_l = src + 4;
        const std::byte* qs = src + 8;
        for (int ib = 0; ib < kQK / 32; ++ib) {
            const int ls = ((u8(scales_l + ib / 2) >> 4 * (ib % 2)) & 0x0f) |
                           (((scales_h >> 2 * ib) & 3) << 4);
            const float dl = d * float(ls - 32);
            for (int j = 0; j < 16; ++j) {
                y[j + 0] = dl * float(kIq4nlValues[u8(qs + j) & 0x0f]);
                y[j + 16] = dl * float(kIq4nlValues[u8(qs + j) >> 4]);
            }
            y += 32;
            qs += 16;
        }
    }
}

}  // namespace kvscope::dequant
