#include <catch2/catch.hpp>
#include <limits>

#include "core/model/model_config.h"
#include "core/util/error.h"
#include "tests/core/tiny_models.h"

using namespace kvscope;

TEST_CASE("Attention variant is derived from the head counts", "[config]") {
    REQUIRE(test::tinyConfig(8, 8).attentionVariant() == AttentionVariant::MHA);
    REQUIRE(test::tinyConfig(8, 4).attentionVariant() == AttentionVariant::GQA);
    REQUIRE(test::tinyConfig(8, 1).attentionVariant() == AttentionVariant::MQA);
    REQUIRE(toString(AttentionVariant::GQA) == "GQA");
    REQUIRE(test::tinyConfig(8, 4).kvGroupSize() == 2);
}

TEST_CASE("Per-token KV bytes and parameter count match hand calculations", "[config]") {
    // stories260K: 5 layers, 4 KV heads x 8 dims -> 2 x 4 x 8 x 4 B = 256 B per layer per token,
    // 1280 B per token over 5 layers (../shared/models/README.md).
    ModelConfig c;
    c.n_layers = 5, c.d_model = 64, c.n_heads = 8, c.n_kv_heads = 4, c.head_dim = 8, c.d_ff = 172,
    c.vocab = 512, c.max_context = 512;
    REQUIRE(c.kvBytesPerTokenPerLayer(4) * c.n_layers == 1280);
    // Llama-2-7B: 32 layers x 2 x 4096 x 2 B (fp16) = 524288 B = 512 KiB per token.
    ModelConfig llama;
    llama.n_layers = 32, llama.d_model = 4096, llama.n_heads = 32, llama.n_kv_heads = 32,
    llama.head_dim = 128, llama.d_ff = 11008, llama.vocab = 32000, llama.max_context = 4096;
    REQUIRE(llama.kvBytesPerTokenPerLayer(2) * llama.n_layers == 524288);
    // Its published parameter count: 6,738,415,616 (embedding and output untied).
    REQUIRE(llama.parameterCount() == 6'738'415'616);
    // stories260K: 260K-class.
    REQUIRE(c.parameterCount() ==
            5 * (64 * 64 * 2 + 2 * 64 * 32 + 3 * 64 * 172 + 2 * 64) + 2 * 512 * 64 + 64);
}

TEST_CASE("Config validation names the bad field", "[config]") {
    ModelConfig c = test::tinyConfig(4, 2);
    REQUIRE_NOTHROW(c.validate());
    auto expect = [](ModelConfig bad, const std::string& text) {
        REQUIRE_THROWS_WITH(bad.validate(), Catch::Contains(text));
    };
    ModelConfig bad = c;
    bad.n_kv_heads = 3;
    expect(bad, "n_heads (4) must be divisible by n_kv_heads (3)");
    bad = c, bad.head_dim = 7;
    expect(bad, "head_dim must be even");
    bad = c, bad.n_layers = 0;
    expect(bad, "n_layers must be > 0");
    bad = c, bad.d_model = -5;
    expect(bad, "d_model must be > 0, got -5");
    bad = c, bad.vocab = 0;
    expect(bad, "vocab");
    bad = c, bad.rope_theta = std::numeric_limits<float>::quiet_NaN();
    expect(bad, "rope_theta");
    bad = c, bad.norm_eps = -1.0f;
    expect(bad, "norm_eps");
    bad = c, bad.max_context = std::int64_t(1) << 60;
    expect(bad, "KV cache bytes at max_context overflows 64 bits");
    bad = c, bad.d_model = std::int64_t(1) << 40, bad.d_ff = std::int64_t(1) << 40;
    expect(bad, "overflows 64 bits");
}

TEST_CASE("Architecture fields: layer windows, RoPE bases, query scale, parameters", "[config]") {
    // Qwen2.5-0.5B's shape: 24 layers, d 896, 14 heads over 2, head_dim 64, d_ff 4864, vocab
    // 151936, tied; Q/K/V biases add 896 + 2 x 128 = 1152 per layer (HF: 494,032,768 in all).
    ModelConfig qwen;
    qwen.n_layers = 24;
    qwen.d_model = 896;
    qwen.n_heads = 14;
    qwen.n_kv_heads = 2;
    qwen.head_dim = 64;
    qwen.d_ff = 4864;
    qwen.vocab = 151936;
    qwen.max_context = 32768;
    qwen.tied_output = true;
    qwen.qkv_bias = true;
    CHECK(qwen.parameterCount() == 494'032'768);
    CHECK(qwen.queryScale() == 1.0f / 8.0f);
    CHECK(qwen.layerPatternText() == "all 24 global");

    ModelConfig c = test::tinyConfig(4, 2);
    c.n_layers = 6;
    c.sliding_window = 16;
    c.local_layers = {true, true, true, true, true, false};
    c.rope_theta = 1e6f;
    c.rope_theta_local = 1e4f;
    c.rope_freq_scale = 0.125f;
    c.rope_freq_scale_local = 1.0f;
    c.attn_scale = 0.25f;
    CHECK(c.layerWindow(0) == 16);
    CHECK(c.layerWindow(5) == 0);
    CHECK(c.layerRopeTheta(4) == 1e4f);
    CHECK(c.layerRopeTheta(5) == 1e6f);
    CHECK(c.layerRopeFreqScale(0) == 1.0f);
    CHECK(c.layerRopeFreqScale(5) == 0.125f);
    CHECK(c.queryScale() == 0.25f);
    CHECK(c.layerPatternText() == "5 local (window 16), 1 global: LLLLLG");
    c.validate();
    c.final_softcap = -1.0f;
    CHECK_THROWS_WITH(c.validate(), Catch::Contains("final_softcap must be a finite number >= 0"));
    c.final_softcap = 0.0f;
    c.rope_dims = 6;  // head_dim 8
    c.validate();
    c.rope_dims = 10;
    CHECK_THROWS_WITH(c.validate(), Catch::Contains("rope_dims must be even and in [0, head_dim"));
}
