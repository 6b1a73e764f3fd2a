// RoPE scaling beyond the trained context: LongRoPE's two factor sets chosen by the run's context
// (as llama.cpp's get_rope_factors), the attention factor on cos and sin, and key re-rotation on a
// LongRoPE model against the independent masked reference (tests/core/eviction_reference.h).
// llama.cpp's own outputs on the same model are in test_arch_golden.cpp.
#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>

#include "core/engine/key_rotation.h"
#include "core/model/model_source.h"
#include "tests/core/eviction_reference.h"

using namespace kvscope;
using namespace kvscope::test;

namespace {

const std::string kLongRope = std::string(KVSCOPE_TEST_DATA_DIR) + "/arch/phi3-longrope-f32.gguf";

}  // namespace

TEST_CASE("LongRoPE: the short factors up to the original context, the long ones above",
          "[rope][longrope]") {
    ModelConfig c;
    c.head_dim = 4;
    c.max_context = 8192;
    c.rope_orig_context = 256;
    ModelWeights w;
    w.rope_factors_short = Vector::Constant(2, 1.5f);
    w.rope_factors_long = Vector::Constant(2, 8.0f);
    CHECK(w.ropeFactors(c, 100)[0] == 1.5f);
    CHECK(w.ropeFactors(c, 256)[0] == 1.5f);  // llama.cpp: long only when n_ctx > original
    CHECK(w.ropeFactors(c, 257)[0] == 8.0f);
    CHECK(w.ropeFactors(c, 8192)[0] == 8.0f);
    c.rope_scaling = RopeScaling::LongRope;
    c.rope_attn_factor = 1.25f;
    CHECK(c.ropeScalingText(256) ==
          "LongRoPE short factors (context 256 <= original 256; long above), attention factor "
          "1.25 (cos and sin scaled)");
    CHECK(c.ropeScalingText(512) ==
          "LongRoPE long factors (context 512 > original 256), attention factor 1.25 (cos and "
          "sin scaled)");
    // Llama 3's rope_freqs, when there, whatever the context.
    w.rope_freqs = Vector::Constant(2, 3.0f);
    CHECK(w.ropeFactors(c, 8192)[0] == 3.0f);
}

TEST_CASE("The attention factor scales cos and sin; a moved key keeps it once",
          "[rope][longrope]") {
    ModelConfig c;
    c.n_layers = 1;
    c.head_dim = 4;
    c.rope_style = RopeStyle::Halves;
    c.rope_theta = 100.0f;
    c.rope_attn_factor = 1.5f;
    Vector factors(2);
    factors << 1.0f, 4.0f;
    const cpu::RopeSpec spec = cpu::ropeSpec(c, 0, factors);
    // Pair 0 turns by 1 radian per position, pair 1 by 100^(-1/2) / 4 = 0.025.
    REQUIRE(spec.freqs[0] == Approx(1.0));
    REQUIRE(spec.freqs[1] == Approx(0.025));
    const cpu::RopeTable t = cpu::ropeTable(spec, 3, 1);
    CHECK(t.cos(0, 0) == Approx(1.5 * std::cos(3.0)));
    CHECK(t.sin(0, 1) == Approx(1.5 * std::sin(0.075)));
    // A key of position 3 (scaled once) moved by 4 is the key of position 7, scaled once.
    const double k[4] = {0.3, -0.8, 0.5, 0.2};  // pairs (0, 2) and (1, 3)
    const auto rotated = [&](double pos, std::vector<float>& out) {
        out.assign(4, 0.0f);
        for (int p = 0; p < 2; ++p) {
            const double a = pos * (p == 0 ? 1.0 : 0.025);
            out[std::size_t(p)] = float(1.5 * (k[p] * std::cos(a) - k[p + 2] * std::sin(a)));
            out[std::size_t(p + 2)] = float(1.5 * (k[p] * std::sin(a) + k[p + 2] * std::cos(a)));
        }
    };
    std::vector<float> key, want;
    rotated(3.0, key);
    rotated(7.0, want);
    rotateKeyBlock(key.data(), 1, 4, 4, spec, deltaRotation(spec, 4));
    for (std::size_t e = 0; e < 4; ++e)
        CHECK(key[e] == Approx(want[e]).margin(1e-6));
}

TEST_CASE(
    "Re-rotated streaming on a LongRoPE model equals attention with keys at their cache "
    "positions",
    "[rope][longrope][evict]") {
    const auto model = loadModel(kLongRope);
    REQUIRE(model->config.rope_scaling == RopeScaling::LongRope);
    REQUIRE(model->config.ropeOrigContext() == 256);
    REQUIRE(model->config.rope_attn_factor ==
            Approx(std::sqrt(1.0 + std::log(32.0) / std::log(256.0))));
    const std::int64_t sinks = 2, budget = 6;
    const auto visible = [&](std::int64_t p) { return streamingVisible(p, sinks, budget); };
    const auto slot = [&](std::int64_t p, std::int64_t j) {
        const V v = visible(p);
        return std::int64_t(std::find(v.begin(), v.end(), j) - v.begin());
    };
    const auto last = [&](std::int64_t p) { return std::int64_t(visible(p).size()) - 1; };
    const auto tokens = testTokens(*model, 24);
    // Context 256 is the original one: the short set; 512 is above it: the long set.
    for (const std::int64_t n_ctx : {256, 512}) {
        INFO("context " << n_ctx);
        const Vector& mine =
            n_ctx == 512 ? model->weights.rope_factors_long : model->weights.rope_factors_short;
        const Vector& other =
            n_ctx == 512 ? model->weights.rope_factors_short : model->weights.rope_factors_long;
        MaskedReference ref{*model, visible, slot, last};
        ref.rope_factors = mine;
        MaskedReference wrong{*model, visible, slot, last};
        wrong.rope_factors = other;
        Session s(model, {.eviction = {.policy = EvictionPolicy::Streaming,
                                       .budget = budget,
                                       .sinks = sinks,
                                       .positions = EvictionPositions::Rerotate},
                          .max_context = n_ctx});
        std::size_t i = 0;
        double far = 0.0;
        feed(s, tokens, [&] {
            CHECK(maxAbsDiff(s.lastLogits(), ref.step(tokens[i])) < 1e-3);
            far = std::max(far, maxAbsDiff(s.lastLogits(), wrong.step(tokens[i])));
            ++i;
        });
        CHECK(far > 1e-2);  // a control: the other factor set is far off
    }
}

TEST_CASE("YaRN: ggml's ramp over the correction dims and its magnitude gain", "[rope][yarn]") {
    ModelConfig c;
    c.n_layers = 1;
    c.head_dim = 32;
    c.rope_style = RopeStyle::Halves;
    c.rope_theta = 1e6f;
    c.rope_freq_scale = 0.25f;  // factor 4
    c.rope_orig_context = 32;
    c.rope_scaling = RopeScaling::Yarn;
    // Correction dims, by hand: d(n) = 32 ln(32 / (2 pi n)) / (2 ln 1e6); beta_fast 32:
    // d = -2.13, floor, at least 0 -> 0; beta_slow 1: d = 1.88, ceil -> 2. Pair p blends
    // extrapolation (weight r = 1 - (p - 0) / (2 - 0), clamped) with interpolation x 0.25.
    const cpu::RopeSpec spec = cpu::ropeSpec(c, 0, Vector());
    CHECK(spec.freqs[0] == Approx(1.0));                                          // r = 1
    CHECK(spec.freqs[1] == Approx((0.5 * 0.25 + 0.5) * std::pow(10.0, -0.375)));  // r = 1/2
    CHECK(spec.freqs[2] == Approx(0.25 * std::pow(10.0, -0.75)));                 // r = 0
    CHECK(spec.freqs[10] == Approx(0.25 * std::pow(10.0, -3.75)));
    CHECK(spec.mscale == Approx(1.0 + 0.1 * std::log(4.0)));
    // A delta rotation stays a pure rotation.
    CHECK(deltaRotation(spec, 5).table.cos(0, 0) == Approx(std::cos(5.0)));
    CHECK(c.ropeScalingText(4096) ==
          "YaRN, factor 4 over original 32 (beta fast 32, slow 1; cos and sin x 1.139)");
}
