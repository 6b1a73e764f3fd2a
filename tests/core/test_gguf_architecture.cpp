// Every architecture's GGUF keys and tensors -> ModelConfig and ModelWeights, as llama.cpp's
// loader reads them (src/models/<arch>.cpp), and the refusals that name what is wrong. The files
// are written here by the test GGUF writer (tests/core/arch_model_file.h).
#include <catch2/catch.hpp>
#include <cmath>
#include <string>
#include <vector>

#include "core/cache/contiguous_kv_cache.h"
#include "core/engine/cpu_backend.h"
#include "core/engine/cpu_rope.h"
#include "core/model/gguf_model.h"
#include "core/model/random_weights.h"
#include "core/util/error.h"
#include "tests/core/arch_model_file.h"
#include "tests/core/eviction_reference.h"
#include "tests/core/tiny_models.h"

using namespace kvscope;
using namespace kvscope::test;

namespace {

ModelConfig archConfig(Architecture arch) {
    ModelConfig c = tinyConfig(4, 2);
    c.name = std::string("tiny-") + std::string(toString(arch));
    c.arch = arch;
    c.rope_style = arch == Architecture::Llama ? RopeStyle::Pairs : RopeStyle::Halves;
    c.norm_eps = 1e-6f;
    c.qkv_bias = arch == Architecture::Qwen2;
    c.qk_norm = arch == Architecture::Qwen3 || arch == Architecture::Gemma3;
    c.post_norms = arch == Architecture::Gemma2 || arch == Architecture::Gemma3;
    return c;
}

GgufFile fileOf(const GgufWriter& writer, const std::string& name = "arch.gguf") {
    return GgufFile::fromBytes(writer.build(), name);
}

std::string refusal(const GgufFile& file) {
    try {
        loadGgufModel(file);
    } catch (const InputError& e) {
        return e.what();
    }
    return "loaded";
}

/// Logits of every position of `tokens` in one prefill.
Matrix prefillLogits(const Model& model, const std::vector<TokenId>& tokens) {
    ContiguousKvCache cache(model.config.n_layers, model.config.kvDim(), model.config.max_context);
    ForwardOutput out;
    CpuBackend(1).forward(model, cache, tokens, 0, {.all_logits = true}, out);
    return out.logits;
}

const std::vector<TokenId> kTokens = {1, 40, 80, 120, 160, 200, 240, 30, 70, 110};

}  // namespace

TEST_CASE("qwen2: NEOX RoPE and Q/K/V biases from the file", "[gguf][arch-load]") {
    const ModelConfig c = archConfig(Architecture::Qwen2);
    const ModelWeights w = randomWeights(c, 3);
    const Model m = loadGgufModel(fileOf(archModelWriter("qwen2", c, w)));
    CHECK(m.config.arch == Architecture::Qwen2);
    CHECK(m.config.rope_style == RopeStyle::Halves);
    CHECK(m.config.qkv_bias);
    CHECK(m.weights.layers[1].bk == w.layers[1].bk);
    CHECK(m.weights.layers[0].bq.size() == c.qDim());
    ModelConfig no_bias = c;
    no_bias.qkv_bias = false;
    CHECK(c.parameterCount() - no_bias.parameterCount() == 2 * (c.qDim() + 2 * c.kvDim()));
}

TEST_CASE("Optional output and attention-output biases are added where llama.cpp adds them",
          "[gguf][arch-load]") {
    const ModelConfig c = archConfig(Architecture::Qwen2);
    const ModelWeights plain = randomWeights(c, 12);
    ModelWeights biased = plain;
    biased.output_bias = Vector::LinSpaced(c.vocab, -1.0f, 1.0f);
    const Model a = loadGgufModel(fileOf(archModelWriter("qwen2", c, plain)));
    const Model b = loadGgufModel(fileOf(archModelWriter("qwen2", c, biased)));
    CHECK(b.weights.output_bias == biased.output_bias);
    // The classifier's bias moves every logit by its entry, nothing else.
    const Matrix diff = prefillLogits(b, kTokens) - prefillLogits(a, kTokens);
    for (Eigen::Index r = 0; r < diff.rows(); ++r)
        CHECK((diff.row(r).transpose() - biased.output_bias).cwiseAbs().maxCoeff() < 1e-5f);
    // attn_output.bias changes the residual stream, so the logits move.
    biased.layers[0].bo = Vector::Constant(c.d_model, 0.5f);
    const Model with_bo = loadGgufModel(fileOf(archModelWriter("qwen2", c, biased)));
    CHECK(with_bo.weights.layers[0].bo.size() == c.d_model);
    CHECK(with_bo.weights.layers[1].bo.size() == 0);
    CHECK(prefillLogits(with_bo, kTokens) != prefillLogits(b, kTokens));
}

TEST_CASE("qwen3: head_dim from attention.key_length and per-head Q/K norms", "[gguf][arch-load]") {
    ModelConfig c = archConfig(Architecture::Qwen3);
    c.head_dim = 16;  // 4 heads x 16 = 64 != d_model 32
    const ModelWeights w = randomWeights(c, 4);
    const Model m = loadGgufModel(fileOf(archModelWriter("qwen3", c, w)));
    CHECK(m.config.head_dim == 16);
    CHECK(m.config.qDim() == 64);
    CHECK(m.config.qk_norm);
    CHECK(m.weights.layers[0].q_norm.size() == 16);
    CHECK(m.weights.layers[0].wo.cols() == 64);
    SECTION("a Q norm of the wrong size is named with the expected dims") {
        ModelWeights bad = w;
        bad.layers[0].q_norm = Vector::Ones(8);
        CHECK_THAT(
            refusal(fileOf(archModelWriter("qwen3", c, bad))),
            Catch::Contains("tensor 'blk.0.attn_q_norm.weight' has dims [8], expected [16]"));
    }
    SECTION("a missing K norm is named") {
        CHECK_THAT(
            refusal(fileOf(archModelWriter("qwen3", c, w, {}, {"blk.1.attn_k_norm.weight"}))),
            Catch::Contains("missing tensor 'blk.1.attn_k_norm.weight'"));
    }
}

TEST_CASE("gemma2: llama.cpp's defaults and the file's keys", "[gguf][arch-load]") {
    ModelConfig c = archConfig(Architecture::Gemma2);
    c.n_layers = 4;
    const ModelWeights w = randomWeights(c, 5);
    SECTION("defaults: window 4096 on even layers, caps 50 and 30") {
        const ModelConfig got = loadGgufModel(fileOf(archModelWriter("gemma2", c, w))).config;
        CHECK(got.sliding_window == 4096);
        CHECK(got.local_layers == std::vector<bool>{true, false, true, false});
        CHECK(got.attn_softcap == 50.0f);
        CHECK(got.final_softcap == 30.0f);
        CHECK(got.embedding_scale == std::sqrt(32.0f));
        CHECK(got.attn_scale == 1.0f / std::sqrt(8.0f));  // head_dim: not a 27B (46 layers)
        CHECK(got.post_norms);
        CHECK_FALSE(got.qk_norm);
        CHECK(got.ffn_activation == FfnActivation::GeluTanh);
        CHECK(got.layerRopeTheta(0) == c.rope_theta);
        CHECK(got.layerWindow(0) == 4096);
        CHECK(got.layerWindow(1) == 0);
        CHECK(got.layerPatternText() == "2 local (window 4096), 2 global: LGLG");
    }
    SECTION("the keys win") {
        const ModelConfig got =
            loadGgufModel(
                fileOf(archModelWriter("gemma2", c, w,
                                       {{"gemma2.attention.sliding_window", ggufU32(3)},
                                        {"gemma2.attn_logit_softcapping", ggufF32(20.0f)},
                                        {"gemma2.final_logit_softcapping", ggufF32(10.0f)},
                                        {"gemma2.attention.sliding_window_pattern", ggufU32(4)}})))
                .config;
        CHECK(got.sliding_window == 3);
        CHECK(got.local_layers == std::vector<bool>{true, true, true, false});
        CHECK(got.attn_softcap == 20.0f);
        CHECK(got.final_softcap == 10.0f);
    }
    SECTION("a missing post-FFN norm is named") {
        CHECK_THAT(
            refusal(fileOf(archModelWriter("gemma2", c, w, {}, {"blk.3.post_ffw_norm.weight"}))),
            Catch::Contains("missing tensor 'blk.3.post_ffw_norm.weight'"));
    }
}

TEST_CASE("gemma3: 5 local : 1 global with their own RoPE base and scale", "[gguf][arch-load]") {
    ModelConfig c = archConfig(Architecture::Gemma3);
    c.n_layers = 7;
    c.rope_theta = 1e6f;
    const ModelWeights w = randomWeights(c, 6);
    SECTION("with a window") {
        const ModelConfig got =
            loadGgufModel(fileOf(archModelWriter("gemma3", c, w,
                                                 {{"gemma3.attention.sliding_window", ggufU32(5)},
                                                  {"gemma3.rope.scaling.type", ggufStr("linear")},
                                                  {"gemma3.rope.scaling.factor", ggufF32(8.0f)}})))
                .config;
        CHECK(got.local_layers == std::vector<bool>{true, true, true, true, true, false, true});
        CHECK(got.sliding_window == 5);
        CHECK(got.qk_norm);
        CHECK(got.attn_softcap == 0.0f);
        CHECK(got.final_softcap == 0.0f);
        CHECK(got.layerRopeTheta(0) == 10000.0f);  // llama.cpp's default local base
        CHECK(got.layerRopeTheta(5) == 1e6f);
        CHECK(got.layerRopeFreqScale(0) == 1.0f);
        CHECK(got.layerRopeFreqScale(5) == 0.125f);
    }
    SECTION("rope.scaling.type none: the factor is not applied (as llama.cpp)") {
        const ModelConfig got =
            loadGgufModel(fileOf(archModelWriter("gemma3", c, w,
                                                 {{"gemma3.rope.scaling.type", ggufStr("none")},
                                                  {"gemma3.rope.scaling.factor", ggufF32(8.0f)}})))
                .config;
        CHECK(got.rope_freq_scale == 1.0f);
    }
    SECTION("without sliding_window every layer is global") {
        const ModelConfig got = loadGgufModel(fileOf(archModelWriter("gemma3", c, w))).config;
        CHECK(got.sliding_window == 0);
        CHECK(got.layerWindow(0) == 0);
        CHECK(got.layerPatternText() == "all 7 global");
    }
}

TEST_CASE("phi3: fused QKV and gate/up split into views, the same model as separate tensors",
          "[gguf][arch-load]") {
    ModelConfig c = archConfig(Architecture::Phi3);
    const ModelWeights w = randomWeights(c, 8);
    const Model phi3 = loadGgufModel(fileOf(archModelWriter("phi3", c, w)));
    const LayerWeights& l = phi3.weights.layers[1];
    CHECK(l.wq.isView());
    CHECK(l.wq.toMatrix() == w.layers[1].wq.toMatrix());
    CHECK(l.wk.toMatrix() == w.layers[1].wk.toMatrix());
    CHECK(l.wv.toMatrix() == w.layers[1].wv.toMatrix());
    CHECK(l.w_gate.toMatrix() == w.layers[1].w_gate.toMatrix());
    CHECK(l.w_up.toMatrix() == w.layers[1].w_up.toMatrix());
    // The same weights as separate tensors under another NEOX architecture without extras: the
    // same logits, bit for bit.
    const Model qwen2 = loadGgufModel(fileOf(archModelWriter("qwen2", c, w)));
    CHECK(prefillLogits(phi3, kTokens) == prefillLogits(qwen2, kTokens));
}

TEST_CASE("phi3: the file's sliding window on every layer, unless it bounds nothing",
          "[gguf][arch-load]") {
    ModelConfig c = archConfig(Architecture::Phi3);
    c.n_layers = 3;
    const ModelWeights w = randomWeights(c, 8);
    const auto windowed = [&](std::uint32_t window) {
        return loadGgufModel(
                   fileOf(archModelWriter("phi3", c, w,
                                          {{"phi3.attention.sliding_window", ggufU32(window)}})))
            .config;
    };
    // Phi-3-mini-4k states 2047 in a context of 4096: every layer holds its window (Hugging
    // Face's Phi-3; llama.cpp ignores the key).
    const ModelConfig mini = windowed(3);
    CHECK(mini.sliding_window == 3);
    CHECK(mini.layerWindow(0) == 3);
    CHECK(mini.layerWindow(2) == 3);
    CHECK(mini.layerPatternText() == "3 local (window 3), 0 global: LLL");
    // Phi-4 writes 0; Phi-3-mini-128k 262144, past its context: nothing is bounded.
    CHECK(windowed(0).layerPatternText() == "all 3 global");
    CHECK(windowed(std::uint32_t(c.max_context)).layerPatternText() == "all 3 global");
    CHECK(windowed(std::uint32_t(c.max_context - 1)).sliding_window == c.max_context - 1);
}

TEST_CASE("phi3 with a window of 4 from the file attends as the masked reference does",
          "[gguf][arch-load][swa]") {
    ModelConfig c = archConfig(Architecture::Phi3);
    c.rope_dims = 4;  // of head_dim 8, as Phi-4-mini rotates 3/4 of each head
    auto model = std::make_shared<Model>(loadGgufModel(fileOf(archModelWriter(
        "phi3", c, randomWeights(c, 12), {{"phi3.attention.sliding_window", ggufU32(4)}}))));
    REQUIRE(model->config.layerWindow(1) == 4);
    REQUIRE(model->config.rope_dims == 4);
    const auto tokens = testTokens(*model, 20);
    // Every layer: the query at p sees p-3..p (NEOX RoPE on 4 of 8 dims, original positions).
    MaskedReference ref{*model, [](std::int64_t p) { return lastW(p, 4); },
                        [](std::int64_t, std::int64_t j) { return j; },
                        [](std::int64_t p) { return p; }};
    Session s(model, {});
    std::size_t i = 0;
    feed(s, tokens, [&] {
        CHECK(maxAbsDiff(s.lastLogits(), ref.step(tokens[i++])) < 1e-3);
        for (std::int64_t l = 0; l < c.n_layers; ++l)
            CHECK(s.cache().layerLength(l) == std::min<std::int64_t>(std::int64_t(i), 4));
    });
    // A control: every key visible is far from the windowed session.
    CHECK(maxAbsDiff(s.lastLogits(), unmaskedLogits(*model, tokens)) > 1e-2);
}

TEST_CASE("llama: rope_freqs factors and a partial rope.dimension_count", "[gguf][arch-load]") {
    ModelConfig c = archConfig(Architecture::Llama);
    c.rope_dims = 4;  // of head_dim 8
    ModelWeights w = randomWeights(c, 9);
    w.rope_freqs = Vector(2);
    w.rope_freqs << 1.0f, 8.0f;
    const Model m = loadGgufModel(fileOf(archModelWriter("llama", c, w)));
    CHECK(m.config.rope_dims == 4);
    CHECK(m.config.rope_style == RopeStyle::Pairs);
    CHECK(m.weights.rope_freqs == w.rope_freqs);
    SECTION("rope_freqs must have rope_dims / 2 values") {
        ModelWeights bad = w;
        bad.rope_freqs = Vector::Ones(4);
        CHECK_THAT(refusal(fileOf(archModelWriter("llama", c, bad))),
                   Catch::Contains("tensor 'rope_freqs.weight' has dims [4], expected [2]"));
    }
}

TEST_CASE("Architecture refusals name what cannot run, and the header is still described",
          "[gguf][arch-load]") {
    const ModelConfig c = archConfig(Architecture::Llama);
    const ModelWeights w = randomWeights(c, 10);
    SECTION("an architecture KVScope does not run") {
        const GgufFile file = fileOf(archModelWriter("mamba", c, w));
        CHECK_THAT(refusal(file),
                   Catch::Contains("architecture 'mamba' is not supported for running (only "
                                   "llama, qwen2, qwen3, gemma2, gemma3, phi3)"));
        CHECK(readGgufModelInfo(file).config.d_model == 32);
    }
    SECTION("a tensor the architecture does not use") {
        GgufWriter writer = archModelWriter("llama", c, w);
        addArchVector(writer, "blk.0.ffn_up.bias", Vector::Zero(c.d_ff));
        CHECK_THAT(refusal(fileOf(writer)),
                   Catch::Contains("tensor 'blk.0.ffn_up.bias' [48] is not used by llama"));
    }
    SECTION("a RoPE scaling it does not compute") {
        const GgufFile file = fileOf(
            archModelWriter("qwen2", c, w, {{"qwen2.rope.scaling.type", ggufStr("dynamic")}}));
        CHECK_THAT(refusal(file), Catch::Contains("RoPE scaling 'dynamic' is not supported") &&
                                      Catch::Contains("(key 'qwen2.rope.scaling.type')"));
        CHECK(readGgufModelInfo(file).config.n_layers == 2);
    }
    SECTION("LongRoPE needs both factor sets, each of rope_dims / 2 positive divisors") {
        GgufWriter writer = archModelWriter("phi3", c, w);
        addArchVector(writer, "rope_factors_long.weight", Vector::Ones(4));
        CHECK_THAT(refusal(fileOf(writer)),
                   Catch::Contains("LongRoPE needs both rope_factors_short and rope_factors_long; "
                                   "only rope_factors_long is there"));
        addArchVector(writer, "rope_factors_short.weight", Vector::Zero(4));
        CHECK_THAT(refusal(fileOf(writer)),
                   Catch::Contains("rope_factors_short[0] is 0; RoPE frequency divisors must be "
                                   "finite and > 0"));
        const GgufFile zero = fileOf(
            archModelWriter("phi3", c, w, {{"phi3.rope.scaling.attn_factor", ggufF32(0.0f)}}));
        CHECK_THAT(refusal(zero), Catch::Contains("a RoPE attention factor of 0") &&
                                      Catch::Contains("(key 'phi3.rope.scaling.attn_factor')"));
    }
    SECTION("a gemma2 header claiming 2^32 - 1 layers is refused at once, naming the key") {
        const GgufFile file =
            fileOf(archModelWriter("gemma2", c, w, {{"gemma2.block_count", ggufU32(4294967295u)}}));
        CHECK_THROWS_WITH(readGgufModelInfo(file),
                          Catch::Contains("4294967295 layers are more than the 65536") &&
                              Catch::Contains("(key 'gemma2.block_count')"));
    }
    SECTION("a rope.dimension_count above head_dim") {
        CHECK_THAT(
            refusal(fileOf(
                archModelWriter("llama", c, w, {{"llama.rope.dimension_count", ggufU32(16)}}))),
            Catch::Contains("rope.dimension_count 16 must be even and in [2, head_dim = 8]"));
    }
}

TEST_CASE("A sliding-window layer masks in prefill and in decode alike", "[backend][arch-load]") {
    ModelConfig c = archConfig(Architecture::Gemma2);
    c.sliding_window = 3;
    c.local_layers = {true, false};
    c.embedding_scale = std::sqrt(32.0f);
    c.attn_softcap = 50.0f;
    c.final_softcap = 30.0f;
    c.ffn_activation = FfnActivation::GeluTanh;
    Model model;
    model.config = c;
    model.weights = randomWeights(c, 11);
    const Matrix batched = prefillLogits(model, kTokens);
    // Token by token: every step attends over the cache with the same mask.
    ContiguousKvCache cache(c.n_layers, c.kvDim(), c.max_context);
    CpuBackend backend(1);
    ForwardOutput out;
    for (std::size_t i = 0; i < kTokens.size(); ++i) {
        backend.forward(model, cache, std::span(kTokens).subspan(i, 1), std::int64_t(i),
                        {.want_attention = true}, out);
        CHECK(out.logits.row(0) == batched.row(Eigen::Index(i)));
    }
    // The last step's local-layer rows: zero before the window, summing to 1 inside it.
    const Matrix& local = out.attention[0];  // layer 0, head 0: [1][10]
    CHECK(local.leftCols(7).isZero());
    CHECK(local.rightCols(3).sum() == Approx(1.0f));
    CHECK(out.attention[std::size_t(c.n_heads)].leftCols(7).sum() > 0.0f);  // layer 1 is global
    // A window as long as the sequence changes nothing; a short one changes the last logits.
    model.config.sliding_window = 10;
    CHECK(prefillLogits(model, kTokens) == [&] {
        Model global = model;
        global.config.local_layers.clear();
        return prefillLogits(global, kTokens);
    }());
    CHECK(batched.row(9) != prefillLogits(model, kTokens).row(9));
}

TEST_CASE("qwen2 YaRN: rope.scaling.yarn_beta_fast and yarn_beta_slow move the ramp",
          "[gguf][arch-load][yarn]") {
    ModelConfig c = tinyConfig(1, 1);  // one head of 32: the ramp of qwen2-yarn-f32's head_dim
    c.arch = Architecture::Qwen2;
    c.rope_style = RopeStyle::Halves;
    c.head_dim = 32;
    c.rope_theta = 1e6f;
    c.norm_eps = 1e-6f;
    const ModelWeights w = randomWeights(c, 5);
    const GgufKvList yarn = {{"qwen2.rope.scaling.type", ggufStr("yarn")},
                             {"qwen2.rope.scaling.factor", ggufF32(4.0f)},
                             {"qwen2.rope.scaling.original_context_length", ggufU32(32)}};
    GgufKvList betas = yarn;
    betas.emplace_back("qwen2.rope.scaling.yarn_beta_fast", ggufF32(1.0f));
    betas.emplace_back("qwen2.rope.scaling.yarn_beta_slow", ggufF32(0.25f));
    const Model m = loadGgufModel(fileOf(archModelWriter("qwen2", c, w, betas)));
    REQUIRE(m.config.rope_scaling == RopeScaling::Yarn);
    CHECK(m.config.yarn_beta_fast == 1.0f);
    CHECK(m.config.yarn_beta_slow == 0.25f);
    // By hand: correction dim d(beta) = 32 ln(32 / (2 pi beta)) / (2 ln 1e6). beta_fast 1:
    // 32 ln 5.0930 / 27.631 = 1.885, floor -> low 1. beta_slow 0.25: 32 ln 20.372 / 27.631 =
    // 3.491, ceil -> high 4. Pair p's base frequency is 1e6^(-2p/32) = 10^(-0.375 p); it keeps
    // the weight r = 1 - clamp((p - 1) / 3) of it and 1 - r of it x 0.25 (factor 4).
    const cpu::RopeSpec spec = cpu::ropeSpec(m.config, 0, Vector());
    CHECK(spec.freqs[0] == Approx(1.0));                           // r = 1 (p < low)
    CHECK(spec.freqs[1] == Approx(std::pow(10.0, -0.375)));        // r = 1
    CHECK(spec.freqs[2] == Approx(0.75 * std::pow(10.0, -0.75)));  // r = 2/3
    CHECK(spec.freqs[3] == Approx(0.5 * std::pow(10.0, -1.125)));  // r = 1/3
    CHECK(spec.freqs[4] == Approx(0.25 * std::pow(10.0, -1.5)));   // r = 0
    CHECK(spec.mscale == Approx(1.0 + 0.1 * std::log(4.0)));       // the betas leave it alone
    CHECK(m.config.ropeScalingText(64) ==
          "YaRN, factor 4 over original 32 (beta fast 1, slow 0.25; cos and sin x 1.139)");

    // Without the keys: 32 and 1, whose ramp runs from pair 0 to pair 2 (r = 1/2 at pair 1).
    const Model plain = loadGgufModel(fileOf(archModelWriter("qwen2", c, w, yarn)));
    CHECK(plain.config.yarn_beta_fast == 32.0f);
    CHECK(plain.config.yarn_beta_slow == 1.0f);
    const cpu::RopeSpec plain_spec = cpu::ropeSpec(plain.config, 0, Vector());
    CHECK(plain_spec.freqs[1] == Approx((0.5 * 0.25 + 0.5) * std::pow(10.0, -0.375)));
    CHECK(plain_spec.freqs[2] == Approx(0.25 * std::pow(10.0, -0.75)));
    // And the logits move with the betas (position 40 is past the original context of 32).
    std::vector<TokenId> long_tokens;
    for (int i = 0; i < 48; ++i)
        long_tokens.push_back(TokenId(1 + (i * 37) % 250));
    CHECK(
        (prefillLogits(m, long_tokens) - prefillLogits(plain, long_tokens)).cwiseAbs().maxCoeff() >
        1e-4f);

    GgufKvList zero = yarn;
    zero.emplace_back("qwen2.rope.scaling.yarn_beta_slow", ggufF32(0.0f));
    const std::string why = refusal(fileOf(archModelWriter("qwen2", c, w, zero)));
    CHECK_THAT(why, Catch::Contains("qwen2.rope.scaling.yarn_beta_slow") &&
                        Catch::Contains("a YaRN beta of 0"));
}
