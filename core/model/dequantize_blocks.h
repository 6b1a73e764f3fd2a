#pragma once
// The block decoders behind dequantize(), one per ggml type, each a port of ggml's
// dequantize_row_* (ggml-quants.c) with the same float operations in the same order, so the
// results are bit-identical. Each decodes n_blocks whole blocks from `src` into `dst`.
// src: [n_blocks * type_size] bytes; dst: [n_blocks * block_size] floats.
#include <cstddef>
#include <cstdint>
#include <cstring>

#include "core/model/dequantize.h"

namespace kvscope::dequant {

/// The fp16 at `p` (unaligned) as a float.
inline float half(const std::byte* p) {
    std::uint16_t bits;
    std::memcpy(&bits, p, sizeof bits);
    return fp16ToFp32(bits);
}

inline std::uint8_t u8(const std::byte* p) {
    return std::to_integer<std::uint8_t>(*p);
}

/// ggml's kvalues_iq4nl: the 16 non-uniform levels of IQ4_NL and IQ4_XS.
inline constexpr std::int8_t kIq4nlValues[16] = {-127, -104, -83, -65, -49, -35, -22, -10,
                                                 1,    13,   25,  38,  53,  69,  89,  113};

// 32-value blocks (ggml's "legacy" quants and IQ4_NL).
void q4_0(const std::byte* src, float* dst, std::int64_t n_blocks);
void q4_1(const std::byte* src, float* dst, std::int64_t n_blocks);
void q5_0(const std::byte* src, float* dst, std::int64_t n_blocks);
void q5_1(const std::byte* src, float* dst, std::int64_t n_blocks);
void q8_0(const std::byte* src, float* dst, std::int64_t n_blocks);
void iq4nl(const std::byte* src, float* dst, std::int64_t n_blocks);

/// The 6-bit scale and min of sub-block j (0..7) from the 12 packed bytes of Q4_K / Q5_K (ggml's
/// get_scale_min_k4). Inline: the integer dot products call it for every block.
inline void scaleMinK4(int j, const std::byte* q, std::uint8_t& d, std::uint8_t& m) {
    const auto at = [q](int i) { return std::to_integer<std::uint8_t>(q[i]); };
    if (j < 4) {
        d = at(j) & 63;
        m = at(j + 4) & 63;
    } else {
        d = std::uint8_t((at(j + 4) & 0x0f) | ((at(j - 4) >> 6) << 4));
        m = std::uint8_t((at(j + 4) >> 4) | ((at(j) >> 6) << 4));
    }
}

/// Q3_K's 16 6-bit scales (biased by 32) from their 12 packed bytes (ggml's kmask shuffle).
void q3kScales(const std::byte* packed, std::int8_t scales[16]);

// 256-value super-blocks (k-quants and IQ4_XS).
void q2_k(const std::byte* src, float* dst, std::int64_t n_blocks);
void q3_k(const std::byte* src, float* dst, std::int64_t n_blocks);
void q4_k(const std::byte* src, float* dst, std::int64_t n_blocks);
void q5_k(const std::byte* src, float* dst, std::int64_t n_blocks);
void q6_k(const std::byte* src, float* dst, std::int64_t n_blocks);
void iq4xs(const std::byte* src, float* dst, std::int64_t n_blocks);

}  // namespace kvscope::dequant
