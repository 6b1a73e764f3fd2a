#include <cstring>

#include "core/engine/int_dot_kernels.h"
#include "core/model/dequantize_blocks.h"
#include "core/util/check.h"

// The 32-value blocks, portable: each weight block is unpacked to its 32 integers, in the order
// of its values, and multiplied with the activation block's. Layouts as in
// core/model/dequantize_blocks.cpp (ggml-common.h).

namespace kvscope::cpu::intdot {

namespace {

/// The block's integers, value j at q[j]. Returns the block's byte size.
int unpack32(GgmlType type, const std::byte* w, int q[32]) {
    switch (type) {
        case GgmlType::Q8_0:  // d, qs[32] int8
            for (int j = 0; j < 32; ++j)
                q[j] = std::int8_t(u8(w + 2 + j));
            return 34;
        case GgmlType::Q4_0:      // d, qs[16]: value j low nibble, j + 16 high; minus 8
        case GgmlType::Q4_1:      // d, m, qs[16]: the nibbles
        case GgmlType::IQ4_NL: {  // d, qs[16]: nibbles index the 16 levels
            const std::byte* qs = w + (type == GgmlType::Q4_1 ? 4 : 2);
            for (int j = 0; j < 16; ++j) {
                q[j] = u8(qs + j) & 0x0f;
                q[j + 16] = u8(qs + j) >> 4;
            }
            for (int j = 0; j < 32; ++j) {
                if (type == GgmlType::Q4_0) q[j] -= 8;
                if (type == GgmlType::IQ4_NL) q[j] = dequant::kIq4nlValues[q[j]];
            }
            return type == GgmlType::Q4_1 ? 20 : 18;
        }
        case GgmlType::Q5_0:    // d, qh (32 fifth bits), qs[16]; minus 16
        case GgmlType::Q5_1: {  // d, m, qh, qs[16]
            const int head = type == GgmlType::Q5_1 ? 4 : 2;
            std::uint32_t qh;
            std::memcpy(&qh, w + head, 4);
            const std::byte* qs = w + head + 4;
            for (int j = 0; j < 16; ++j) {
                q[j] = (u8(qs + j) & 0x0f) | int(((qh >> j) & 1) << 4);
                q[j + 16] = (u8(qs + j) >> 4) | int(((qh >> (j + 16)) & 1) << 4);
            }
            if (type == GgmlType::Q5_0)
                for (int j = 0; j < 32; ++j)
                    q[j] -= 16;
            return head + 20;
        }
        default:
            KVSCOPE_EXPECTS(false && "not a 32-value integer block type");
            return 0;
    }
}

}  // namespace

void sums32Scalar(GgmlType type, const std::byte* w, const Q8Block32* a, std::int64_t n_blocks,
                  std::int32_t* isum) {
    int q[32];
    for (std::int64_t b = 0; b < n_blocks; ++b) {
        w += unpack32(type, w, q);
        std::int32_t s = 0;
        for (int j = 0; j < 32; ++j)
            s += q[j] * a[b].qs[j];
        isum[b] = s;
    }
}

}  // namespace kvscope::cpu::intdot
