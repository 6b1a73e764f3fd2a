#include <cstring>

#include "core/engine/int_dot_kernels.h"
#include "core/model/dequantize_blocks.h"
#include "core/util/check.h"

// The 256-value super-blocks (k-quants, IQ4_XS), portable: each weight block is unpacked to its
// 256 integers in the order of its values and its integer sub-block scales, then
// isum = sum_j scale_j * sum_{i in sub-block j} q[i] * a[i]. Layouts as in
// core/model/dequantize_kquants.cpp (ggml-common.h).

namespace kvscope::cpu::intdot {

namespace {

struct Unpacked {
    int q[256];        // [256] the integers the dequantization scales
    int scale[16];     // [n_sub] integer sub-block scales
    int min[16] = {};  // [n_sub] integer sub-block mins (Q2_K, Q4_K, Q5_K), else 0
    int n_sub = 0;     // 8 sub-blocks of 32 or 16 of 16
    int bytes = 0;     // the block's size
};

void q2k(const std::byte* w, Unpacked& u) {  // scales[16] (low nibble), qs[64], d, dmin
    u.n_sub = 16;
    u.bytes = 84;
    for (int j = 0; j < 16; ++j) {
        u.scale[j] = u8(w + j) & 0x0f;
        u.min[j] = u8(w + j) >> 4;
    }
    const std::byte* q = w + 16;
    int* y = u.q;
    for (int n = 0; n < 256; n += 128, q += 32) {
        for (int shift = 0; shift < 8; shift += 2) {
            for (int l = 0; l < 32; ++l)
                *y++ = (u8(q + l) >> shift) & 3;
        }
    }
}

void q3k(const std::byte* w, Unpacked& u) {  // hmask[32], qs[64], scales[12], d
    u.n_sub = 16;
    u.bytes = 110;
    std::int8_t scales[16];
    dequant::q3kScales(w + 96, scales);
    for (int j = 0; j < 16; ++j)
        u.scale[j] = scales[j] - 32;
    const std::byte* hm = w;
    const std::byte* q = w + 32;
    int* y = u.q;
    int m = 1;
    for (int n = 0; n < 256; n += 128, q += 32) {
        for (int shift = 0; shift < 8; shift += 2, m <<= 1) {
            for (int l = 0; l < 32; ++l)
                *y++ = ((u8(q + l) >> shift) & 3) - ((u8(hm + l) & m) ? 0 : 4);
        }
    }
}

void q4k(const std::byte* w, Unpacked& u) {  // d, dmin, scales[12], qs[128]
    u.n_sub = 8;
    u.bytes = 144;
    for (int j = 0; j < 8; ++j)
        scaleMinK4(j, w + 4, u.scale[j], u.min[j]);
    const std::byte* q = w + 16;
    for (int j = 0; j < 4; ++j, q += 32) {
        for (int l = 0; l < 32; ++l) {
            u.q[64 * j + l] = u8(q + l) & 0x0f;
            u.q[64 * j + 32 + l] = u8(q + l) >> 4;
        }
    }
}

void q5k(const std::byte* w, Unpacked& u) {  // d, dmin, scales[12], qh[32], qs[128]
    u.n_sub = 8;
    u.bytes = 176;
    for (int j = 0; j < 8; ++j)
        scaleMinK4(j, w + 4, u.scale[j], u.min[j]);
    const std::byte* qh = w + 16;
    const std::byte* ql = w + 48;
    for (int j = 0; j < 4; ++j, ql += 32) {
        for (int l = 0; l < 32; ++l) {
            u.q[64 * j + l] = (u8(ql + l) & 0x0f) | (((u8(qh + l) >> (2 * j)) & 1) << 4);
            u.q[64 * j + 32 + l] = (u8(ql + l) >> 4) | (((u8(qh + l) >> (2 * j + 1)) & 1) << 4);
        }
    }
}

void q6k(const std::byte* w, Unpacked& u) {  // ql[128], qh[64], scales[16] int8, d
    u.n_sub = 16;
    u.bytes = 210;
    for (int j = 0; j < 16; ++j)
        u.scale[j] = std::int8_t(u8(w + 192 + j));
    const std::byte* ql = w;
    const std::byte* qh = w + 128;
    for (int n = 0; n < 256; n += 128, ql += 64, qh += 32) {
        for (int l = 0; l < 32; ++l) {
            const int h = u8(qh + l);
            u.q[n + l] = ((u8(ql + l) & 0x0f) | ((h & 3) << 4)) - 32;
            u.q[n + l + 32] = ((u8(ql + l + 32) & 0x0f) | (((h >> 2) & 3) << 4)) - 32;
            u.q[n + l + 64] = ((u8(ql + l) >> 4) | (((h >> 4) & 3) << 4)) - 32;
            u.q[n + l + 96] = ((u8(ql + l + 32) >> 4) | (((h >> 6) & 3) << 4)) - 32;
        }
    }
}

void iq4xs(const std::byte* w, Unpacked& u) {  // d, scales_h, scales_l[4], qs[128]
    u.n_sub = 8;
    u.bytes = 136;
    std::uint16_t scales_h;
    std::memcpy(&scales_h, w + 2, 2);
    const std::byte* qs = w + 8;
    for (int ib = 0; ib < 8; ++ib, qs += 16) {
        u.scale[ib] =
            (((u8(w + 4 + ib / 2) >> 4 * (ib % 2)) & 0x0f) | (((scales_h >> 2 * ib) & 3) << 4)) -
            32;
        for (int j = 0; j < 16; ++j) {
            u.q[32 * ib + j] = dequant::kIq4nlValues[u8(qs + j) & 0x0f];
            u.q[32 * ib + j + 16] = dequant::kIq4nlValues[u8(qs + j) >> 4];
        }
    }
}

void unpack(GgmlType type, const std::byte* w, Unpacked& u) {
    switch (type) {
        case GgmlType::Q2_K:
            return q2k(w, u);
        case GgmlType::Q3_K:
            return q3k(w, u);
        case GgmlType::Q4_K:
            return q4k(w, u);
        case GgmlType::Q5_K:
            return q5k(w, u);
        case GgmlType::Q6_K:
            return q6k(w, u);
        case GgmlType::IQ4_XS:
            return iq4xs(w, u);
        default:
            KVSCOPE_EXPECTS(false && "not a 256-value integer block type");
    }
}

}  // namespace

void sumsKScalar(GgmlType type, const std::byte* w, const Q8BlockK* a, std::int64_t n_blocks,
                 std::int32_t* isum, std::int32_t* msum) {
    for (std::int64_t b = 0; b < n_blocks; ++b) {
        Unpacked u;
        unpack(type, w, u);
        w += u.bytes;
        const int len = 256 / u.n_sub;
        std::int32_t s = 0, m = 0;
        for (int j = 0; j < u.n_sub; ++j) {
            std::int32_t sub = 0, sum_a = 0;
            for (int i = j * len; i < (j + 1) * len; ++i) {
                sub += u.q[i] * a[b].qs[i];
                sum_a += a[b].qs[i];
            }
            s += u.scale[j] * sub;
            m += u.min[j] * sum_a;
        }
        isum[b] = s;
        msum[b] = m;
    }
}

}  // namespace kvscope::cpu::intdot
