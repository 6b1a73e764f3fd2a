#pragma once
// KVSCOPE_HD marks a function that runs on the CPU and, compiled by nvcc, on a CUDA device too:
// the one implementation of per-element math shared by core/ and kernels/. Empty for the host
// compiler, so core/ stays plain C++ (no CUDA header is included here or anywhere in core/).
// Functions marked KVSCOPE_HD use only what both sides have: fixed-width integers, float
// arithmetic and the C math functions (sqrtf, expf, fabsf, truncf, copysignf).
#include <cmath>
#include <cstdint>
#include <cstring>

#if defined(__CUDACC__)
#define KVSCOPE_HD __host__ __device__ inline
#else
#define KVSCOPE_HD inline
#endif

namespace kvscope::hd {

/// The bits of a float and back (std::bit_cast, which device code lacks in C++17).
KVSCOPE_HD std::uint32_t floatBits(float value) {
#if defined(__CUDA_ARCH__)
    return __float_as_uint(value);
#else
    std::uint32_t bits;
    std::memcpy(&bits, &value, sizeof bits);
    return bits;
#endif
}

KVSCOPE_HD float bitsFloat(std::uint32_t bits) {
#if defined(__CUDA_ARCH__)
    return __uint_as_float(bits);
#else
    float value;
    std::memcpy(&value, &bits, sizeof value);
    return value;
#endif
}

/// std::min / std::max / std::clamp with the standard library's exact comparisons (so NaN goes
/// where it goes there).
template <typename T>
KVSCOPE_HD T minOf(T a, T b) {
    return (b < a) ? b : a;
}
template <typename T>
KVSCOPE_HD T maxOf(T a, T b) {
    return (a < b) ? b : a;
}
template <typename T>
KVSCOPE_HD T clampTo(T v, T lo, T hi) {
    return (v < lo) ? lo : (hi < v) ? hi : v;
}

KVSCOPE_HD bool isNan(float v) {
    return v != v;
}

KVSCOPE_HD bool isFinite(float v) {
    return (floatBits(v) & 0x7f800000u) != 0x7f800000u;
}

}  // namespace kvscope::hd
