#include "core/engine/cpu_layer_ops.h"

#include <cmath>

#include "core/engine/activation_math.h"
#include "core/engine/cpu_math.h"
#include "core/util/check.h"

namespace kvscope::cpu {

void addBias(Matrix& x, const Vector& bias) {
    KVSCOPE_EXPECTS(bias.size() == x.cols());
    for (std::int64_t i = 0; i < x.rows(); ++i) {
        float* row = x.data() + i * x.cols();
        for (std::int64_t j = 0; j < x.cols(); ++j)
            row[j] += bias[j];
    }
}

void rmsNormHeads(Matrix& x, const Vector& weight, float eps) {
    const std::int64_t hd = weight.size();
    KVSCOPE_EXPECTS(hd > 0 && x.cols() % hd == 0);
    float* data = x.data();
    for (std::int64_t at = 0; at < x.size(); at += hd)
        rmsNormRow(data + at, weight.data(), hd, eps, data + at);
}

float geluTanh(float x) {
    return hd::geluTanh(x);
}

float geluTanhFp16(float x) {
    return hd::geluTanhFp16(x);
}

void geGlu(Matrix& x, const Matrix& up) {
    KVSCOPE_EXPECTS(x.rows() == up.rows() && x.cols() == up.cols());
    float* g = x.data();
    const float* u = up.data();
    for (std::int64_t i = 0; i < x.size(); ++i)
        g[i] = hd::geGlu(g[i], u[i]);
}

void softcap(Matrix& x, float cap) {
    KVSCOPE_EXPECTS(cap > 0.0f);
    const float inv = 1.0f / cap;
    float* v = x.data();
    for (std::int64_t i = 0; i < x.size(); ++i)
        v[i] = cap * std::tanh(v[i] * inv);
}

}  // namespace kvscope::cpu
