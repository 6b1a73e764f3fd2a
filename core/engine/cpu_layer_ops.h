#pragma once
// The element-wise pieces of the architectures beyond llama, on the CPU: bias rows, per-head
// RMSNorm of Q and K (qwen3, gemma3), GeGLU with the tanh GELU (gemma), and soft-capping (gemma2).
#include <cstdint>

#include "core/model/weight_matrix.h"

namespace kvscope::cpu {

/// x[i] += bias for every row i. x: [n][d]; bias: [d].
void addBias(Matrix& x, const Vector& bias);

/// RMSNorm of every head of every row, in place, each head times `weight`.
/// x: [n][n_heads * head_dim]; weight: [head_dim].
void rmsNormHeads(Matrix& x, const Vector& weight, float eps);

/// The tanh approximation of GELU: 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))).
float geluTanh(float x);

/// GELU as ggml's CPU backend computes it (GGML_GELU_FP16): x rounded to fp16, geluTanh of
/// that, rounded to fp16 again (its lookup table); 0 at x <= -10 and x itself at x >= 10.
/// Within about 1e-3 relative of geluTanh(x); what llama.cpp's logits are made of.
float geluTanhFp16(float x);

/// x = geluTanhFp16(x) * up, element-wise (GeGLU, as ggml_geglu). x, up: [n][d_ff].
void geGlu(Matrix& x, const Matrix& up);

/// x -> cap * tanh(x / cap) for every element. Pre: cap > 0. x: [n][d].
void softcap(Matrix& x, float cap);

}  // namespace kvscope::cpu
