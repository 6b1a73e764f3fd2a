#include "core/model/dequantize_blocks.h"

// 32-value blocks. Layouts from ggml-common.h; "d" and "m" are fp16.
// This file is compiled with -ffp-contract=off (core/CMakeLists.txt): ggml's reference decoders
// round every product before the add, and so must these.

namespace kvscope::dequant {

namespace {
constexpr std::int64_t kQK = 32;
}  // namespace

/// Q4_0 [18 B]: d, qs[16]; byte j: element j low nibble, j + 16 high; value (nibble - 8) * d.
void q4_0(const std::byte* src, float* dst, std::int64_t n_blocks) {
    for (std::int64_t b = 0; b < n_blocks; ++b, src += 18, dst += kQK) {
        const float d = half(src);
        const std::byte* qs = src + 2;
        for (int j = 0; j < 16; ++j) {
            const int x0 = (u8(qs + j) & 0x0f) - 8;
            const int x1 = (u8(qs + j) >> 4) - 8;
            dst[j] = float(x0) * d;
            dst[j + 16] = float(x1) * d;
        }
    }
}

/// Q4_1 [20 B]: d, m, qs[16]; value nibble * d + m.
void q4_1(const std::byte* src, float* dst, std::int64_t n_blocks) {
    for (std::int64_t b = 0; b < n_blocks; ++b, src += 20, dst += kQK) {
        const float d = half(src), m = half(src + 2);
        const std::byte* qs = src + 4;
        for (int j = 0; j < 16; ++j) {
            const int x0 = u8(qs + j) & 0x0f;
            const int x1 = u8(qs + j) >> 4;
            dst[j] = float(x0) * d + m;
            dst[j + 16] = float(x1) * d + m;
        }
    }
}

/// Q5_0 [22 B]: d, qh (32 high bits, little-endian), qs[16]; value (5-bit - 16) * d.
void q5_0(const std::byte* src, float* dst, std::int64_t n_blocks) {
    for (std::int64_t b = 0; b < n_blocks; ++b, src += 22, dst += kQK) {
        const float d = half(src);
        std::uint32_t qh;
        std::memcpy(&qh, src + 2, sizeof qh);
        const std::byte* qs = src + 6;
        for (int j = 0; j < 16; ++j) {
            const std::uint8_t xh0 = std::uint8_t(((qh >> (j + 0)) << 4) & 0x10);
            const std::uint8_t xh1 = std::uint8_t(((qh >> (j + 12))) & 0x10);
            const int x0 = ((u8(qs + j) & 0x0f) | xh0) - 16;
            const int x1 = ((u8(qs + j) >> 4) | xh1) - 16;
            dst[j] = float(x0) * d;
            dst[j + 16] = float(x1) * d;
        }
    }
}

/// Q5_1 [24 B]: d, m, qh, qs[16]; value 5-bit * d + m.
void q5_1(const std::byte* src, float* dst, std::int64_t n_blocks) {
    for (std::int64_t b = 0; b < n_blocks; ++b, src += 24, dst += kQK) {
        const float d = half(src), m = half(src + 2);
        std::uint32_t qh;
        std::memcpy(&qh, src + 4, sizeof qh);
        const std::byte* qs = src + 8;
        for (int j = 0; j < 16; ++j) {
            const std::uint8_t xh0 = std::uint8_t(((qh >> (j + 0)) << 4) & 0x10);
            const std::uint8_t xh1 = std::uint8_t(((qh >> (j + 12))) & 0x10);
            const int x0 = (u8(qs + j) & 0x0f) | xh0;
            const int x1 = (u8(qs + j) >> 4) | xh1;
            dst[j] = float(x0) * d + m;
            dst[j + 16] = float(x1) * d + m;
        }
    }
}

/// Q8_0 [34 B]: d, qs[32] int8; value q * d.
void q8_0(const std::byte* src, float* dst, std::int64_t n_blocks) {
    for (std::int64_t b = 0; b < n_blocks; ++b, src += 34, dst += kQK) {
        const float d = half(src);
        for (int j = 0; j < 32; ++j)
            dst[j] = float(static_cast<std::int8_t>(u8(src + 2 + j))) * d;
    }
}

/// IQ4_NL [18 B]: d, qs[16]; value d * kvalues[nibble].
void iq4nl(const std::byte* src, float* dst, std::int64_t n_blocks) {
    for (std::int64_t b = 0; b < n_blocks; ++b, src += 18, dst += kQK) {
        const float d = half(src);
        const std::byte* qs = src + 2;
        for (int j = 0; j < 16; ++j) {
            dst[j] = d * float(kIq4nlValues[u8(qs + j) & 0x0f]);
            dst[j + 16] = d * float(kIq4nlValues[u8(qs + j) >> 4]);
        }
    }
}

}  // namespace kvscope::dequant
