#include "core/engine/cpu_rope.h"

#include <algorithm>
#include <cmath>

#include "core/util/check.h"

namespace kvscope::cpu {

namespace {

/// ggml's YaRN correction dim: the pair index that turns n_rot times over n_ctx_orig positions.
float yarnCorrDim(std::int64_t n_dims, std::int64_t n_ctx_orig, float n_rot, float base) {
    return float(n_dims) * std::log(float(n_ctx_orig) / (n_rot * 2.0f * float(M_PI))) /
           (2.0f * std::log(base));
}

/// ggml's rope_yarn_ramp at pair p: 1 (extrapolate) below `low`, 0 (interpolate) above `high`.
float yarnRamp(float low, float high, std::int64_t p) {
    const float y = (float(p) - low) / std::max(0.001f, high - low);
    return 1.0f - std::min(1.0f, std::max(0.0f, y));
}

}  // namespace

RopeSpec ropeSpec(const ModelConfig& c, std::int64_t layer, const Vector& factors) {
    RopeSpec spec;
    spec.style = c.rope_style;
    spec.head_dim = c.head_dim;
    spec.rope_dims = c.ropeDims();
    spec.mscale = c.rope_attn_factor;
    KVSCOPE_EXPECTS(spec.rope_dims % 2 == 0 && spec.rope_dims <= spec.head_dim);
    const std::int64_t half = spec.rope_dims / 2;
    KVSCOPE_EXPECTS(factors.size() == 0 || factors.size() == half);
    const float theta = c.layerRopeTheta(layer), scale = c.layerRopeFreqScale(layer);
    const bool yarn = c.rope_scaling == RopeScaling::Yarn;
    float low = 0.0f, high = 0.0f;  // YaRN's correction dims (ggml_rope_yarn_corr_dims)
    if (yarn) {
        const std::int64_t orig = c.ropeOrigContext();
        low =
            std::max(0.0f, std::floor(yarnCorrDim(spec.rope_dims, orig, c.yarn_beta_fast, theta)));
        high = std::min(float(spec.rope_dims - 1),
                        std::ceil(yarnCorrDim(spec.rope_dims, orig, c.yarn_beta_slow, theta)));
        spec.mscale *= 1.0f + 0.1f * std::log(1.0f / scale);
    }
    spec.freqs.resize(std::size_t(half));
    for (std::int64_t p = 0; p < half; ++p) {
        // llama2.c's float expression: with scale 1 and no factors the bits of earlier releases.
        float freq = 1.0f / std::pow(theta, float(2 * p) / float(spec.rope_dims));
        if (yarn) {
            if (factors.size() != 0) freq /= factors[p];
            const float mix = yarnRamp(low, high, p);  // ext_factor 1
            freq = scale * freq * (1.0f - mix) + freq * mix;
        } else {
            if (scale != 1.0f) freq *= scale;
            if (factors.size() != 0) freq /= factors[p];
        }
        spec.freqs[std::size_t(p)] = freq;
    }
    return spec;
}

RopeTable ropeTable(const RopeSpec& spec, std::int64_t start_pos, std::int64_t n) {
    const std::int64_t half = spec.rope_dims / 2;
    RopeTable t{Matrix(n, half), Matrix(n, half)};
    for (std::int64_t i = 0; i < n; ++i) {
        const float pos = float(start_pos + i);
        for (std::int64_t p = 0; p < half; ++p) {
            const float angle = pos * spec.freqs[std::size_t(p)];
            t.cos(i, p) = std::cos(angle) * spec.mscale;
            t.sin(i, p) = std::sin(angle) * spec.mscale;
        }
    }
    return t;
}

void rotateRow(float* row, std::int64_t width, const RopeTable& t, std::int64_t table_row,
               const RopeSpec& spec) {
    KVSCOPE_EXPECTS(spec.head_dim > 0 && width % spec.head_dim == 0);
    KVSCOPE_EXPECTS(t.cos.cols() == spec.rope_dims / 2 && table_row < t.cos.rows());
    const std::int64_t half = spec.rope_dims / 2;
    // The partner of pair p's first value: the next value (Pairs) or half a rope span on (Halves).
    const std::int64_t first_step = spec.style == RopeStyle::Pairs ? 2 : 1;
    const std::int64_t partner = spec.style == RopeStyle::Pairs ? 1 : half;
    for (std::int64_t base = 0; base < width; base += spec.head_dim) {
        for (std::int64_t p = 0; p < half; ++p) {
            const float c = t.cos(table_row, p), s = t.sin(table_row, p);
            float* a_at = row + base + p * first_step;
            const float a = a_at[0], b = a_at[partner];
            a_at[0] = a * c - b * s;
            a_at[partner] = a * s + b * c;
        }
    }
}

void applyRope(Matrix& x, const RopeTable& t, const RopeSpec& spec) {
    KVSCOPE_EXPECTS(t.cos.rows() == x.rows());
    for (std::int64_t i = 0; i < x.rows(); ++i)
        rotateRow(x.data() + i * x.cols(), x.cols(), t, i, spec);
}

}  // namespace kvscope::cpu
