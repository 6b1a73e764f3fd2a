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
