#include "core/engine/key_rotation.h"

#include <cmath>

#include "core/util/check.h"

namespace kvscope {

RopeParams ropeParamsOf(const ModelConfig& config, std::int64_t layer) {
    return RopeParams{.theta = config.layerRopeTheta(layer),
                      .style = config.rope_style,
                      .dims = config.ropeDims(),
                      .freq_scale = config.rope_freq_scale};
}

DeltaRotation deltaRotation(const RopeParams& rope, std::int64_t delta) {
    KVSCOPE_EXPECTS(rope.dims > 0 && rope.dims % 2 == 0);
    KVSCOPE_EXPECTS(rope.freq_factors.empty() ||
                    std::int64_t(rope.freq_factors.size()) == rope.dims / 2);
    DeltaRotation out{.delta = delta,
                      .cos = std::vector<float>(std::size_t(rope.dims / 2)),
                      .sin = std::vector<float>(std::size_t(rope.dims / 2))};
    for (std::int64_t p = 0; p < rope.dims / 2; ++p) {
        // The frequencies of the forward pass's RoPE table (cpu::ropeTable), so that a rotation
        // by delta composes with the rotation at the original position.
        float freq = 1.0f / std::pow(rope.theta, float(2 * p) / float(rope.dims));
        if (!rope.freq_factors.empty()) freq /= rope.freq_factors[std::size_t(p)];
        const float angle = float(delta) * rope.freq_scale * freq;
        out.cos[std::size_t(p)] = std::cos(angle);
        out.sin[std::size_t(p)] = std::sin(angle);
    }
    return out;
}

void rotateKeyBlock(float* rows, std::int64_t n_rows, std::int64_t row_stride, std::int64_t n_heads,
                    std::int64_t head_dim, const RopeParams& rope, const DeltaRotation& rot) {
    const std::int64_t half = rope.dims / 2;
    const float* c = rot.cos.data();
    const float* s = rot.sin.data();
    // Pairs: (2p, 2p + 1); Halves: (p, p + dims / 2). The style is chosen outside the loops.
    const std::int64_t step_a = rope.style == RopeStyle::Pairs ? 2 : 1;
    const std::int64_t offset_b = rope.style == RopeStyle::Pairs ? 1 : half;
    for (std::int64_t h = 0; h < n_rows * n_heads; ++h) {
        float* head = rows + (h / n_heads) * row_stride + (h % n_heads) * head_dim;  // [head_dim]
        for (std::int64_t p = 0; p < half; ++p) {
            float* a = head + p * step_a;
            float* b = a + offset_b;
            const float x0 = *a, x1 = *b;
            *a = x0 * c[p] - x1 * s[p];
            *b = x0 * s[p] + x1 * c[p];
        }
    }
}

void rotateKeyRows(float* rows, std::int64_t n, std::int64_t n_heads, std::int64_t head_dim,
                   const RopeParams& rope, std::span<const std::int64_t> delta) {
    KVSCOPE_EXPECTS(std::int64_t(delta.size()) == n);
    DeltaRotation rot;
    bool have = false;
    for (std::int64_t i = 0; i < n; ++i) {
        const std::int64_t d = delta[std::size_t(i)];
        if (d == 0) continue;
        if (!have || rot.delta != d) rot = deltaRotation(rope, d), have = true;
        rotateKeyBlock(rows + i * n_heads * head_dim, 1, n_heads * head_dim, n_heads, head_dim,
                       rope, rot);
    }
}

}  // namespace kvscope
