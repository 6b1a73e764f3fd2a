#pragma once
// The gated activations of the FFN, one element at a time, shared by the CPU backend
// (cpu_math.cpp, cpu_layer_ops.cpp) and the CUDA kernels (kernels/elementwise.cu): KVSCOPE_HD
// functions, plain C++ for the host compiler (core/util/host_device.h).
#include "core/util/half_math.h"
#include "core/util/host_device.h"

namespace kvscope::hd {

/// SwiGLU of one element: silu(gate) * up.
KVSCOPE_HD float swiGlu(float gate, float up) {
    return gate / (1.0f + expf(-gate)) * up;
}

/// The tanh approximation of GELU: 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))).
KVSCOPE_HD float geluTanh(float x) {
    constexpr float kSqrt2OverPi = 0.79788456080286535588f;  // sqrt(2 / pi)
    constexpr float kCubic = 0.044715f;
    return 0.5f * x * (1.0f + tanhf(kSqrt2OverPi * x * (1.0f + kCubic * x * x)));
}

/// GELU as ggml's CPU backend computes it (GGML_GELU_FP16): x rounded to fp16, geluTanh of
/// that, rounded to fp16 again; 0 at x <= -10 and x itself at x >= 10.
KVSCOPE_HD float geluTanhFp16(float x) {
    if (x <= -10.0f) return 0.0f;
    if (x >= 10.0f) return x;
    return fp16ToFp32(fp32ToFp16(geluTanh(fp16ToFp32(fp32ToFp16(x)))));
}

/// GeGLU of one element, as ggml_geglu: geluTanhFp16(gate) * up.
KVSCOPE_HD float geGlu(float gate, float up) {
    return geluTanhFp16(gate) * up;
}

}  // namespace kvscope::hd
