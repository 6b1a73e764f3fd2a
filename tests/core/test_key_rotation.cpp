// Re-rotation of cached keys by a position delta (core/engine/key_rotation.h), against RoPE
// written out in double in the test: rotating the key of position p by d gives the key of p + d,
// for both styles, partial rotary dims, a local base and linear scaling.
#include <catch2/catch.hpp>
#include <cmath>
#include <vector>

#include "core/engine/key_rotation.h"

using namespace kvscope;

namespace {

/// RoPE of one head at position `pos`, in double: pair i turns by pos * scale * theta^(-2i/dims);
/// Pairs rotates (2i, 2i+1), Halves (i, i + dims/2); dimensions >= dims pass through.
std::vector<double> rope(std::vector<double> x, double pos, double theta, RopeStyle style,
                         std::int64_t dims, double scale) {
    for (std::int64_t i = 0; i < dims / 2; ++i) {
        const double a = pos * scale * std::pow(theta, -2.0 * double(i) / double(dims));
        const std::size_t u = std::size_t(style == RopeStyle::Pairs ? 2 * i : i);
        const std::size_t v = std::size_t(style == RopeStyle::Pairs ? 2 * i + 1 : i + dims / 2);
        const double x0 = x[u], x1 = x[v];
        x[u] = x0 * std::cos(a) - x1 * std::sin(a);
        x[v] = x0 * std::sin(a) + x1 * std::cos(a);
    }
    return x;
}

}  // namespace

TEST_CASE("Rotating a key by a delta gives the key of the moved position", "[evict][rope]") {
    const std::int64_t head_dim = 8, n_heads = 2;
    std::vector<double> raw(static_cast<std::size_t>(head_dim), 0.0);
    for (std::int64_t e = 0; e < head_dim; ++e)
        raw[std::size_t(e)] = 0.3 * double(e) - 0.7;
    struct Case {
        RopeStyle style;
        std::int64_t dims;
        float theta, scale;
    };
    for (const Case& c :
         {Case{RopeStyle::Pairs, 8, 10000.0f, 1.0f}, Case{RopeStyle::Halves, 8, 10000.0f, 1.0f},
          Case{RopeStyle::Halves, 4, 10000.0f, 1.0f},  // partial rotary dims
          Case{RopeStyle::Pairs, 8, 1000000.0f, 0.25f}}) {
        INFO("style " << int(c.style) << " dims " << c.dims << " theta " << c.theta << " scale "
                      << c.scale);
        ModelConfig config;
        config.n_layers = 1;
        config.head_dim = head_dim;
        config.rope_theta = c.theta;
        config.rope_style = c.style;
        config.rope_dims = c.dims;
        config.rope_freq_scale = c.scale;
        const cpu::RopeSpec spec = cpu::ropeSpec(config, 0, Vector());
        for (std::int64_t delta : {-1, -5, 37}) {
            const std::int64_t pos = 50;
            const std::vector<double> at_pos =
                rope(raw, double(pos), c.theta, c.style, c.dims, c.scale);
            const std::vector<double> want =
                rope(raw, double(pos + delta), c.theta, c.style, c.dims, c.scale);
            std::vector<float> row;  // [n_heads][head_dim]: the same head twice
            for (std::int64_t h = 0; h < n_heads; ++h)
                for (double x : at_pos)
                    row.push_back(float(x));
            rotateKeyBlock(row.data(), 1, n_heads * head_dim, n_heads * head_dim, spec,
                           deltaRotation(spec, delta));
            for (std::int64_t h = 0; h < n_heads; ++h)
                for (std::int64_t e = 0; e < head_dim; ++e)
                    CHECK(row[std::size_t(h * head_dim + e)] ==
                          Approx(want[std::size_t(e)]).margin(1e-5));
            // A control: the key of the unmoved position differs.
            CHECK(std::abs(at_pos[0] - want[0]) + std::abs(at_pos[1] - want[1]) +
                      std::abs(at_pos[4] - want[4]) >
                  1e-3);
        }
    }
}

TEST_CASE("The evictor's rotation takes a local layer's base", "[evict][rope]") {
    ModelConfig c;
    c.n_layers = 2;
    c.head_dim = 16;
    c.rope_theta = 1000000.0f;
    c.rope_theta_local = 10000.0f;
    c.sliding_window = 8;
    c.local_layers = {true, false};
    c.rope_style = RopeStyle::Halves;
    c.rope_dims = 8;
    // Pair 1 of 4 turns by theta^(-2/8) per position: 0.1 on the local layer, 0.0316 on the global.
    CHECK(cpu::ropeSpec(c, 0, Vector()).freqs[1] == Approx(0.1).epsilon(1e-6));
    CHECK(cpu::ropeSpec(c, 1, Vector()).freqs[1] == Approx(0.0316227766).epsilon(1e-6));
    CHECK(cpu::ropeSpec(c, 1, Vector()).style == RopeStyle::Halves);
    CHECK(cpu::ropeSpec(c, 1, Vector()).rope_dims == 8);
}
