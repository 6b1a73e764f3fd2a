// The layer types of 2025-26 models: hybrids whose recurrent layers hold a fixed state and no K/V
// (Qwen3-Next, LFM2, Granite-4.0-H, Jamba, Falcon-H1), chunked local attention (Llama 4), windows
// from layer_types (gpt-oss), per-layer KV heads (OpenELM). Configs as published on the Hugging
// Face Hub (tests/data/hf); every expected figure is a hand calculation written beside it.
#include <catch2/catch.hpp>
#include <fstream>
#include <string>

#include "core/memory/gguf_shape.h"
#include "core/memory/hf_config.h"
#include "core/memory/memory_estimator.h"
#include "core/memory/model_file.h"
#include "core/memory/model_presets.h"
#include "core/util/error.h"
#include "tests/core/gguf_test_files.h"
#include "tests/core/gguf_writer.h"

using namespace kvscope;

namespace {

constexpr std::int64_t KiB = 1024;
constexpr std::int64_t GiB = std::int64_t(1) << 30;

std::string fixturePath(const std::string& name) {
    return std::string(KVSCOPE_TEST_DATA_DIR) + "/hf/" + name;
}

ModelShape fixture(const std::string& name) {
    return readHfConfigFile(fixturePath(name));
}

ModelShape readText(std::string_view json) {
    return readHfConfig(parseJson(json, "inline.json"), "inline.json");
}

std::string readError(std::string_view json) {
    try {
        readText(json);
    } catch (const InputError& error) {
        return error.what();
    }
    FAIL("read without an error: " << std::string(json.substr(0, 120)));
    return {};
}

MemoryReport estimate(const ModelShape& shape, std::int64_t context, std::int64_t batch = 1) {
    CacheSpec cache;  // fp16, paged blocks of 16
    return estimateMemory(shape, cache, {.context = context, .batch = batch}, WeightSpec{},
                          GpuSpec{});
}

std::vector<std::int64_t> range(std::int64_t first, std::int64_t step, std::int64_t last) {
    std::vector<std::int64_t> out;
    for (std::int64_t i = first; i <= last; i += step)
        out.push_back(i);
    return out;
}

}  // namespace

TEST_CASE("Qwen3-Next: 12 attention layers hold K/V, 36 gated DeltaNet layers a fixed state",
          "[memory][hybrid]") {
    const ModelShape s = fixture("qwen3-next-80b-a3b-instruct.json");
    REQUIRE(s.n_layers == 48);
    // full_attention_interval 4: layers 3, 7, ..., 47 are full attention.
    REQUIRE(s.nTokenLayers() == 12);
    REQUIRE(s.nStateLayers() == 36);
    REQUIRE_FALSE(s.holdsKv(0));
    REQUIRE(s.holdsKv(3));
    REQUIRE(s.holdsKv(47));
    REQUIRE_THAT(std::string(s.origin("kv_free_layers")),
                 Catch::Contains("'full_attention_interval' = 4"));
    // K/V per token: 12 layers x 2 (K, V) x 2 KV heads x head_dim 256 x 2 B = 12 x 2048 = 24576 B
    // (24 KiB), not the 48 x 2048 = 96 KiB a reader counting every layer would say.
    const MemoryReport r = estimate(s, 262144);
    CHECK(r.kv_bytes_per_token == 24 * KiB);
    // The full 262144-token context: 262144 x 24 KiB = 6 GiB per sequence.
    CHECK(r.kv_bytes_per_sequence == 6 * GiB);
    // Gated DeltaNet state per layer (vLLM's gated_delta_net_state_shape):
    //   conv  (kernel 4 - 1) x (2 x 16 key heads x 128 + 32 value heads x 128) = 3 x 8192 = 24576
    //   state 32 value heads x 128 x 128 = 524288
    // (24576 + 524288) x 2 B (bf16) = 1097728 B per layer; x 36 layers = 39518208 B per sequence.
    CHECK(s.state.conv_values == 24576);
    CHECK(s.state.ssm_values == 524288);
    CHECK(s.state.dtype_bytes == 2);
    CHECK(r.state_bytes_per_sequence == 39518208);
    const MemoryTerm& term = r.term("state_bytes_per_sequence");
    CHECK_THAT(term.formula, Catch::Contains("36 gated DeltaNet (linear attention) layers"));
    CHECK_THAT(term.formula, Catch::Contains("whatever the context"));
    CHECK_THAT(term.sources[0], Catch::Contains("linear_conv_kernel_dim = 4"));
    // A batch of 8: the state is per sequence, apart from K/V.
    const MemoryReport b8 = estimate(s, 4096, 8);
    CHECK(b8.per_gpu.state == 8 * 39518208);
    CHECK(b8.per_gpu.used == 8 * 4096 * 24 * KiB);
}

TEST_CASE("LFM2: short convolutions hold (L - 1) inputs; layer_types and full_attn_idxs agree",
          "[memory][hybrid]") {
    const ModelShape s = fixture("lfm2-1.2b.json");
    REQUIRE(s.nTokenLayers() == 6);  // layers 2, 5, 8, 10, 12, 14
    REQUIRE(s.kv_free_layers == std::vector<std::int64_t>{0, 1, 3, 4, 6, 7, 9, 11, 13, 15});
    // K/V: 6 layers x 2 x 8 KV heads x 64 (2048 / 32) x 2 B = 6 x 2048 = 12288 B per token.
    const MemoryReport r = estimate(s, 1000);
    CHECK(r.kv_bytes_per_token == 12 * KiB);
    // Conv state (vLLM's short_conv_state_shape): (conv_L_cache 3 - 1) x hidden 2048 = 4096
    // values x 2 B = 8192 B per layer; x 10 conv layers = 81920 B (80 KiB) per sequence.
    CHECK(s.state.conv_values == 4096);
    CHECK(s.state.ssm_values == 0);
    CHECK(r.state_bytes_per_sequence == 80 * KiB);

    // Older files list only full_attn_idxs: the same layers.
    const ModelShape old = readText(R"({"model_type": "lfm2", "num_hidden_layers": 16,
        "hidden_size": 2048, "num_attention_heads": 32, "num_key_value_heads": 8,
        "vocab_size": 65536, "conv_L_cache": 3, "full_attn_idxs": [2, 5, 8, 10, 12, 14]})");
    CHECK(old.kv_free_layers == s.kv_free_layers);
    CHECK(old.state.conv_values == 4096);
    CHECK_THAT(std::string(old.origin("state_layers")), Catch::Contains("'full_attn_idxs'"));
    // When both are given they must agree.
    std::string types = R"("layer_types": [)";
    for (int i = 0; i < 16; ++i)
        types += std::string(i ? ", " : "") + (i == 3 ? "\"full_attention\"" : "\"conv\"");
    CHECK_THAT(readError(R"({"model_type": "lfm2", "num_hidden_layers": 16, "hidden_size": 2048,
        "num_attention_heads": 32, "num_key_value_heads": 8, "vocab_size": 65536,
        "conv_L_cache": 3, "full_attn_idxs": [2], )" +
                         types + "]}"),
               Catch::Contains("contradictory keys: layer_types[2] is 'conv' but full_attn_idxs "
                               "makes layer 2 an attention layer"));
}

TEST_CASE("Llama 4 Scout: chunked layers hold at most a chunk; no_rope_layers reads inverted",
          "[memory][hybrid]") {
    const ModelShape s = fixture("llama-4-scout-17b-16e-instruct.json");
    REQUIRE(s.n_layers == 48);
    REQUIRE(s.attention_chunk == 8192);
    REQUIRE(s.origin("attention_chunk") == "config.json key 'text_config.attention_chunk_size'");
    // no_rope_layers is [] in the file: Llama4TextConfig's interval 4 makes layers 3, 7, ..., 47
    // NoPE global layers and the other 36 chunked.
    REQUIRE(s.nChunkedLayers() == 36);
    REQUIRE(s.nGlobalLayers() == 12);
    REQUIRE_FALSE(s.isChunked(3));
    REQUIRE(s.isChunked(0));
    REQUIRE_THAT(std::string(s.origin("chunked_layers")),
                 Catch::Contains("Llama4TextConfig default 4"));
    // 2 x 8 KV heads x 128 x 2 B = 4096 B per token and layer.
    // 1 Mi tokens (1048576): 12 global layers x 1048576 + 36 chunked layers x 8192 tokens,
    // x 4096 B = 51539607552 + 1207959552 = 52747567104 B (49.125 GiB), where counting every
    // layer global would say 48 x 1048576 x 4096 = 192 GiB.
    const MemoryReport r = estimate(s, 1048576);
    CHECK(r.kv_bytes_per_token == 48 * 4096);
    CHECK(r.kv_bytes_per_sequence == std::int64_t(52747567104));
    CHECK_THAT(r.term("kv_bytes_per_sequence").formula,
               Catch::Contains("36 chunked-attention layers x min(1048576, chunk 8192) tokens"));
    // Inside the first chunk every layer holds every token: 8000 x 48 x 4096 B.
    CHECK(estimate(s, 8000).kv_bytes_per_sequence == 8000 * std::int64_t(48 * 4096));

    // An explicit list: 1 = the layer uses RoPE = chunked; 0 = NoPE = global.
    std::string flags;
    for (int i = 0; i < 48; ++i)
        flags += std::string(i ? ", " : "") + (i % 4 == 3 ? "0" : "1");
    const std::string head = R"({"model_type": "llama4", "text_config": {"model_type":
        "llama4_text", "num_hidden_layers": 48, "hidden_size": 5120, "num_attention_heads": 40,
        "num_key_value_heads": 8, "head_dim": 128, "vocab_size": 202048, )";
    const ModelShape listed =
        readText(head + R"("attention_chunk_size": 8192, "no_rope_layers": [)" + flags + "]}}");
    CHECK(listed.chunked_layers == s.chunked_layers);
    CHECK_THAT(std::string(listed.origin("chunked_layers")),
               Catch::Contains("1 = the layer uses RoPE = chunked"));
    // Bad: a chunk of 0, a list of the wrong length, a flag that is not 0 or 1.
    CHECK_THAT(readError(head + R"("attention_chunk_size": 0}})"),
               Catch::Contains("$.text_config.attention_chunk_size") &&
                   Catch::Contains("must be a positive integer, got 0"));
    CHECK_THAT(readError(head + R"("attention_chunk_size": 8192, "no_rope_layers": [1, 0]}})"),
               Catch::Contains("$.text_config.no_rope_layers") &&
                   Catch::Contains("has 2 entries for 48 layers"));
    CHECK_THAT(readError(head + R"("attention_chunk_size": 8192, "no_rope_layers": [)" +
                         flags.substr(0, flags.size() - 1) + "2]}}"),
               Catch::Contains("must be 0 or 1, got 2"));
}

TEST_CASE("gpt-oss-20b: layer_types windows 12 of 24 layers at 128 tokens", "[memory][hybrid]") {
    const ModelShape s = fixture("gpt-oss-20b.json");
    REQUIRE(s.sliding_window == 128);
    REQUIRE(s.nLocalLayers() == 12);
    REQUIRE(s.layer_is_local[0]);
    REQUIRE_FALSE(s.layer_is_local[1]);
    // 2 x 8 KV heads x 64 x 2 B = 2048 B per token and layer. A window of w tokens holds w
    // positions (the token and the w - 1 before it): at 128 and at 129 tokens a sliding layer
    // holds 128.
    CHECK(heldTokens(s, 0, 128) == 128);
    CHECK(heldTokens(s, 0, 129) == 128);
    CHECK(heldTokens(s, 1, 129) == 129);
    // 131072 tokens: 12 x 131072 x 2048 + 12 x 128 x 2048 = 3221225472 + 3145728 = 3224371200 B.
    CHECK(estimate(s, 131072).kv_bytes_per_sequence == 3224371200);
    // The preset gives the same figures.
    CHECK(estimate(findModelPreset("gpt-oss-20b").shape, 131072).kv_bytes_per_sequence ==
          3224371200);
}

TEST_CASE("Windows: Mistral 7B v0.1, Gemma 3 1B, and DeepSeek-V3's MLA through the estimator",
          "[memory][hybrid]") {
    // Mistral 7B v0.1: every layer windowed at 4096: 4096 and 4097 tokens hold the same.
    const ModelShape mistral = fixture("mistral-7b-v0.1.json");
    CHECK(estimate(mistral, 4097).kv_bytes_per_sequence == 4096 * 128 * KiB);
    // Gemma 3 1B at 8192: 4 global layers x 8192 + 22 local x 512 (window) tokens, at
    // 2 x 1 KV head x 256 x 2 B = 1024 B: (32768 + 11264) x 1024 = 45088768 B.
    const ModelShape gemma = fixture("gemma-3-1b-it.json");
    CHECK(estimate(gemma, 8192).kv_bytes_per_sequence == 45088768);
    // DeepSeek-V3: (512 + 64) x 2 B x 61 layers = 70272 B per token; 4096 tokens 287834112 B.
    const MemoryReport v3 = estimate(fixture("deepseek-v3.json"), 4096);
    CHECK(v3.kv_bytes_per_token == 70272);
    CHECK(v3.kv_bytes_per_sequence == 287834112);
    // Llama-3-70B fp16: 2 x 8 x 128 x 2 B x 80 layers = 327680 B = 320 KiB per token (the figure
    // NVIDIA and vLLM write-ups quote).
    CHECK(estimate(findModelPreset("llama-3-70b").shape, 16).kv_bytes_per_token == 320 * KiB);
}

TEST_CASE("OpenELM: a KV-head list gives each layer its own heads", "[memory][hybrid]") {
    const ModelShape s = fixture("openelm-270m.json");
    REQUIRE(s.n_layers == 16);
    REQUIRE(s.d_model == 1280);
    REQUIRE(s.n_heads == 20);    // the largest of num_query_heads
    REQUIRE(s.n_kv_heads == 5);  // the largest of num_kv_heads
    REQUIRE(s.layer_kv_heads.size() == 16);
    REQUIRE(s.kvHeadsOf(0) == 3);
    REQUIRE(s.kvHeadsOf(15) == 5);
    REQUIRE(s.max_context == 2048);
    REQUIRE(s.weight_bits == 32);
    // fp16: (6 x 3 + 6 x 4 + 4 x 5 = 62 KV heads) x 2 x 64 x 2 B = 15872 B per token, where
    // 16 layers x 5 heads would say 20480.
    const MemoryReport r = estimate(s, 2048);
    CHECK(r.kv_bytes_per_token == 15872);
    CHECK(r.kv_bytes_per_sequence == 2048 * 15872);
    CHECK(r.per_gpu.paged == 2048 * 15872);  // 2048 tokens fill 128 blocks exactly
    // Tensor parallel applies to each layer's heads: 3 KV heads cannot be split over 4 GPUs.
    CacheSpec cache;
    CHECK_THROWS_WITH(batchKvBytes(s, cache, {.context = 16, .tp = 4}),
                      Catch::Contains("3 KV heads cannot be replicated evenly over 4 GPUs"));
    // A list of the wrong length names the key.
    CHECK_THAT(readError(R"({"num_transformer_layers": 2, "model_dim": 64, "head_dim": 16,
        "num_query_heads": [4, 4], "num_kv_heads": [1, 2, 2], "vocab_size": 10})"),
               Catch::Contains("$.num_kv_heads") && Catch::Contains("has 3 entries but"));
    CHECK_THAT(readError(R"({"num_transformer_layers": 2, "model_dim": 64, "head_dim": 16,
        "num_query_heads": [4, 6], "num_kv_heads": [1, 4], "vocab_size": 10})"),
               Catch::Contains("layer 1: 6 query heads are not divisible by num_kv_heads[1] = 4"));
}

TEST_CASE("Granite-4.0-H and Jamba: Mamba layers between a few attention layers",
          "[memory][hybrid]") {
    const ModelShape g = fixture("granite-4.0-h-small.json");
    REQUIRE(g.nTokenLayers() == 4);
    REQUIRE(g.nStateLayers() == 36);
    // K/V: 4 layers x 2 x 8 x 128 x 2 B = 16384 B per token.
    const MemoryReport gr = estimate(g, 131072);
    CHECK(gr.kv_bytes_per_token == 16 * KiB);
    // Mamba-2 state (vLLM's mamba2_state_shape), I = mamba_expand 2 x 4096 = 8192:
    //   conv  (4 - 1) x (8192 + 2 x 1 group x 128) = 3 x 8448 = 25344
    //   state 128 heads x 64 x 128 = 1048576
    // (25344 + 1048576) x 2 B = 2147840 B per layer; x 36 = 77322240 B per sequence.
    CHECK(g.state.conv_values == 25344);
    CHECK(g.state.ssm_values == 1048576);
    CHECK(gr.state_bytes_per_sequence == 77322240);

    const ModelShape j = fixture("jamba-v0.1.json");
    // attn_layer_period 8, offset 4: layers 4, 12, 20, 28 are attention.
    REQUIRE(j.nTokenLayers() == 4);
    REQUIRE(j.holdsKv(4));
    REQUIRE_FALSE(j.holdsKv(5));
    // The Jamba paper (Lieber et al. 2024, table 1): 4 GB of KV cache at 256K context in 16 bits
    // (Mixtral 32 GB, Llama-2 7B 128 GB). 4 x 2 x 8 x 128 x 2 B = 16 KiB per token x 262144 =
    // 4 GiB.
    const MemoryReport jr = estimate(j, 262144);
    CHECK(jr.kv_bytes_per_sequence == 4 * GiB);
    CHECK(estimate(findModelPreset("mixtral-8x7b").shape, 262144).kv_bytes_per_token * 262144 ==
          32 * GiB);
    // Mamba-1 state, inner 2 x 4096 = 8192: conv 3 x 8192 = 24576, state 8192 x 16 = 131072;
    // 155648 x 2 B = 311296 B per layer; x 28 = 8716288 B.
    CHECK(jr.state_bytes_per_sequence == 8716288);
    CHECK(j.state.kind == "Mamba");
}

TEST_CASE("Falcon-H1: every layer has attention and a Mamba-2 mixer side by side",
          "[memory][hybrid]") {
    // The keys of tiiuae/Falcon-H1 configs, at small sizes.
    const ModelShape s = readText(R"({"model_type": "falcon_h1", "num_hidden_layers": 4,
        "hidden_size": 1024, "num_attention_heads": 8, "num_key_value_heads": 2, "head_dim": 64,
        "vocab_size": 32784, "mamba_d_ssm": 1536, "mamba_n_heads": 24, "mamba_d_head": 64,
        "mamba_d_state": 128, "mamba_n_groups": 1, "mamba_d_conv": 4, "mamba_expand": 2,
        "torch_dtype": "bfloat16"})");
    REQUIRE(s.nTokenLayers() == 4);
    REQUIRE(s.nStateLayers() == 4);
    // K/V 4 x 2 x 2 x 64 x 2 B = 2048 B per token. State: conv (4 - 1) x (1536 + 2 x 128) =
    // 5376, state 24 x 64 x 128 = 196608; 201984 x 2 B x 4 layers = 1615872 B per sequence.
    const MemoryReport r = estimate(s, 100);
    CHECK(r.kv_bytes_per_token == 2048);
    CHECK(r.state_bytes_per_sequence == 1615872);
}

TEST_CASE("Bad hybrid configs are refused naming the key", "[memory][hybrid]") {
    const std::string base = R"({"num_hidden_layers": 4, "hidden_size": 64,
        "num_attention_heads": 8, "vocab_size": 100, )";
    struct Case {
        std::string json;
        std::string expected;
    };
    const std::vector<Case> cases = {
        {base + R"("layer_types": ["full_attention", "retention", "full_attention",
            "full_attention"]})",
         "unsupported layer type 'retention'"},
        {base + R"("layer_types": ["full_attention", "conv", "mamba", "full_attention"],
            "conv_L_cache": 3})",
         "mixes layer types 'conv' and 'mamba'"},
        {base + R"("layer_types": ["linear_attention", "linear_attention", "linear_attention",
            "full_attention"], "linear_conv_kernel_dim": 4})",
         "unsupported layer type 'linear_attention' without its state sizes: missing "
         "'linear_num_key_heads'"},
        {base + R"("full_attention_interval": 2, "layer_types": ["linear_attention",
            "linear_attention", "linear_attention", "full_attention"]})",
         "contradictory keys: layer_types[1] is 'linear_attention' but full_attention_interval "
         "makes layer 1 an attention layer"},
        {base + R"("attn_layer_period": 2})", "missing 'attn_layer_offset'"},
        {base + R"("attn_layer_period": 2, "attn_layer_offset": 2})",
         "attn_layer_offset 2 must be less than attn_layer_period 2"},
        {base + R"("layer_types": ["mamba", "mamba", "mamba", "attention"], "mamba_d_conv": 4,
            "mamba_n_heads": 4, "mamba_d_head": 16, "mamba_d_state": 8, "mamba_expand": 2})",
         "contradictory keys: mamba_expand x hidden_size = 128 but mamba_n_heads x mamba_d_head "
         "= 64"},
        {base + R"("full_attn_idxs": [7], "conv_L_cache": 3})",
         "$.full_attn_idxs[0] (line 2, column 73): layer index 7 is outside [0, 4)"},
        {base + R"("layer_types": ["conv", "conv", "conv", "conv"], "conv_L_cache": 3})",
         "no layer holds K/V"},
        {base + R"("layer_types": ["chunked_attention", "full_attention", "full_attention",
            "full_attention"]})",
         "layer_types lists chunked_attention layers but attention_chunk_size is absent"},
    };
    for (const Case& c : cases) {
        INFO(c.json);
        CHECK_THAT(readError(c.json), Catch::Contains(c.expected));
    }
}

TEST_CASE("New presets: hybrids, chunked attention, per-layer heads", "[memory][hybrid]") {
    CHECK(estimate(findModelPreset("qwen3-next-80b-a3b").shape, 16).kv_bytes_per_token == 24 * KiB);
    CHECK(estimate(findModelPreset("qwen3-next-80b-a3b").shape, 16).state_bytes_per_sequence ==
          39518208);
    CHECK(estimate(findModelPreset("lfm2-1.2b").shape, 16).state_bytes_per_sequence == 80 * KiB);
    CHECK(estimate(findModelPreset("llama-4-scout").shape, 1048576).kv_bytes_per_sequence ==
          std::int64_t(52747567104));
    CHECK(estimate(findModelPreset("granite-4.0-h-small").shape, 16).state_bytes_per_sequence ==
          77322240);
    CHECK(estimate(findModelPreset("jamba-v0.1").shape, 262144).kv_bytes_per_sequence == 4 * GiB);
    CHECK(estimate(findModelPreset("openelm-270m").shape, 16).kv_bytes_per_token == 15872);
    for (const std::int64_t layer : range(3, 4, 47))
        CHECK_FALSE(findModelPreset("llama-4-scout").shape.isChunked(layer));
}

// --- GGUF headers of these architectures ---------------------------------------------------

namespace {

using test::ggufI32s;
using test::ggufStr;
using test::ggufU32;

/// A GGUF header with `arch`'s keys (no tensors: the shape needs none).
test::GgufWriter ggufHeader(const std::string& arch, std::uint32_t layers, std::uint32_t width,
                            std::uint32_t heads, std::uint32_t context) {
    test::GgufWriter w;
    w.kv("general.architecture", ggufStr(arch))
        .kv(arch + ".block_count", ggufU32(layers))
        .kv(arch + ".embedding_length", ggufU32(width))
        .kv(arch + ".attention.head_count", ggufU32(heads))
        .kv(arch + ".context_length", ggufU32(context))
        .kv(arch + ".vocab_size", ggufU32(1000));
    return w;
}

ModelShape ggufShape(const test::GgufWriter& writer, const std::string& name) {
    return readGgufShape(GgufFile::fromBytes(writer.build(), name)).shape;
}

}  // namespace

TEST_CASE("GGUF: qwen3next, lfm2, gemma3, gpt-oss, llama4 headers give the config's figures",
          "[memory][hybrid][gguf]") {
    // qwen3next as llama.cpp's converter writes Qwen3-Next-80B-A3B: ssm.state_size = key head
    // dim 128, group_count = 16 key heads, time_step_rank = 32 value heads, inner_size = 32 x 128.
    test::GgufWriter next = ggufHeader("qwen3next", 48, 2048, 16, 262144);
    next.kv("qwen3next.attention.head_count_kv", ggufU32(2))
        .kv("qwen3next.attention.key_length", ggufU32(256))
        .kv("qwen3next.attention.value_length", ggufU32(256))
        .kv("qwen3next.full_attention_interval", ggufU32(4))
        .kv("qwen3next.ssm.conv_kernel", ggufU32(4))
        .kv("qwen3next.ssm.state_size", ggufU32(128))
        .kv("qwen3next.ssm.group_count", ggufU32(16))
        .kv("qwen3next.ssm.time_step_rank", ggufU32(32))
        .kv("qwen3next.ssm.inner_size", ggufU32(4096));
    const ModelShape q = ggufShape(next, "qwen3next.gguf");
    // The same hand figures as the config.json: 24 KiB of K/V per token, 39518208 B of state.
    CHECK(estimate(q, 16).kv_bytes_per_token == 24 * KiB);
    CHECK(estimate(q, 16).state_bytes_per_sequence == 39518208);

    // lfm2: head_count_kv is an array, 0 for the short-convolution layers.
    std::vector<std::int32_t> kv(16, 0);
    for (int i : {2, 5, 8, 10, 12, 14})
        kv[std::size_t(i)] = 8;
    test::GgufWriter lfm = ggufHeader("lfm2", 16, 2048, 32, 128000);
    lfm.kv("lfm2.attention.head_count_kv", ggufI32s(kv)).kv("lfm2.shortconv.l_cache", ggufU32(3));
    const ModelShape l = ggufShape(lfm, "lfm2.gguf");
    CHECK(l.nTokenLayers() == 6);
    CHECK(estimate(l, 16).kv_bytes_per_token == 12 * KiB);
    CHECK(estimate(l, 16).state_bytes_per_sequence == 80 * KiB);

    // gemma3 (Gemma 3 1B): sliding_window 512, llama.cpp's pattern 6.
    test::GgufWriter gemma = ggufHeader("gemma3", 26, 1152, 4, 32768);
    gemma.kv("gemma3.attention.head_count_kv", ggufU32(1))
        .kv("gemma3.attention.key_length", ggufU32(256))
        .kv("gemma3.attention.value_length", ggufU32(256))
        .kv("gemma3.attention.sliding_window", ggufU32(512));
    CHECK(estimate(ggufShape(gemma, "gemma3.gguf"), 8192).kv_bytes_per_sequence == 45088768);

    // gpt-oss-20b: every other layer windowed at 128 from layer 0.
    test::GgufWriter oss = ggufHeader("gpt-oss", 24, 2880, 64, 131072);
    oss.kv("gpt-oss.attention.head_count_kv", ggufU32(8))
        .kv("gpt-oss.attention.key_length", ggufU32(64))
        .kv("gpt-oss.attention.value_length", ggufU32(64))
        .kv("gpt-oss.attention.sliding_window", ggufU32(128));
    CHECK(estimate(ggufShape(oss, "oss.gguf"), 131072).kv_bytes_per_sequence == 3224371200);

    // llama4: llama.cpp's fixed 8192-token chunks, 3 chunked layers then 1 global.
    test::GgufWriter scout = ggufHeader("llama4", 48, 5120, 40, 10485760);
    scout.kv("llama4.attention.head_count_kv", ggufU32(8))
        .kv("llama4.attention.key_length", ggufU32(128))
        .kv("llama4.attention.value_length", ggufU32(128));
    CHECK(estimate(ggufShape(scout, "scout.gguf"), 1048576).kv_bytes_per_sequence ==
          std::int64_t(52747567104));

    // Through readModelFileShape, as `memory --model` and the Memory view read files.
    test::GgufTempDir dir;
    const std::string path = dir.file("lfm2.gguf");
    {
        const std::vector<std::byte> bytes = lfm.build();
        std::ofstream out(path, std::ios::binary);
        out.write(reinterpret_cast<const char*>(bytes.data()), std::streamsize(bytes.size()));
    }
    CHECK(readModelFileShape(path).shape.nStateLayers() == 10);

    // Missing and contradictory keys are named.
    test::GgufWriter bad = ggufHeader("lfm2", 16, 2048, 32, 128000);
    bad.kv("lfm2.attention.head_count_kv", ggufI32s(kv));
    CHECK_THROWS_WITH(ggufShape(bad, "bad.gguf"),
                      Catch::Contains("missing key 'lfm2.shortconv.l_cache'"));
    test::GgufWriter short_list = ggufHeader("lfm2", 16, 2048, 32, 128000);
    short_list.kv("lfm2.attention.head_count_kv", ggufI32s({8, 0}));
    CHECK_THROWS_WITH(ggufShape(short_list, "short.gguf"),
                      Catch::Contains("lfm2.attention.head_count_kv") &&
                          Catch::Contains("has 2 entries for 16 layers"));
}

TEST_CASE("GGUF: the Memory view reads a stated sliding_window_pattern, as the engine does",
          "[memory][hybrid][gguf]") {
    // Gemma 3 1B's attention (1 KV head of 256, fp16: 1024 B per token per layer), 4 layers,
    // window 512, at 8192 tokens. A local layer holds 512 tokens, a global one 8192.
    const auto gemma4 = [] {
        test::GgufWriter w = ggufHeader("gemma3", 4, 1152, 4, 32768);
        w.kv("gemma3.attention.head_count_kv", ggufU32(1))
            .kv("gemma3.attention.key_length", ggufU32(256))
            .kv("gemma3.attention.value_length", ggufU32(256))
            .kv("gemma3.attention.sliding_window", ggufU32(512));
        return w;
    };
    // No pattern key: llama.cpp's period 6, so all 4 layers local: 4 x 512 x 1024 B.
    const ModelShape fallback = ggufShape(gemma4(), "p6.gguf");
    CHECK(fallback.layer_is_local == std::vector<bool>{true, true, true, true});
    CHECK(estimate(fallback, 8192).kv_bytes_per_sequence == 4 * 512 * 1024);
    // Period 2: local, global, local, global: (2 x 512 + 2 x 8192) x 1024 B.
    test::GgufWriter period = gemma4();
    period.kv("gemma3.attention.sliding_window_pattern", ggufU32(2));
    const ModelShape p2 = ggufShape(period, "p2.gguf");
    CHECK(p2.layer_is_local == std::vector<bool>{true, false, true, false});
    CHECK(estimate(p2, 8192).kv_bytes_per_sequence == 17825792);
    // An array of bools: three local layers and the third global: (3 x 512 + 8192) x 1024 B.
    test::GgufWriter array = gemma4();
    GgufValue::Array flags;
    for (bool local : {true, true, false, true})
        flags.push_back(test::ggufBool(local));
    array.kv("gemma3.attention.sliding_window_pattern",
             GgufValue::ofArray(GgufType::Bool, std::move(flags)));
    const ModelShape listed = ggufShape(array, "list.gguf");
    CHECK(listed.layer_is_local == std::vector<bool>{true, true, false, true});
    CHECK(estimate(listed, 8192).kv_bytes_per_sequence == 9961472);
    // A list of the wrong length is named.
    test::GgufWriter short_list = gemma4();
    GgufValue::Array two = {test::ggufBool(true), test::ggufBool(false)};
    short_list.kv("gemma3.attention.sliding_window_pattern",
                  GgufValue::ofArray(GgufType::Bool, std::move(two)));
    CHECK_THROWS_WITH(ggufShape(short_list, "short.gguf"),
                      Catch::Contains("gemma3.attention.sliding_window_pattern") &&
                          Catch::Contains("expected an array of 4 bools"));
}
