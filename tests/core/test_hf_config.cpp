// Reads config.json files as published on the Hugging Face Hub (tests/data/hf, one per model,
// named after it) and checks the shapes and the per-token KV sizes against hand calculations.
#include <catch2/catch.hpp>
#include <fstream>
#include <sstream>
#include <string>

#include "core/memory/hf_config.h"
#include "core/memory/model_shape.h"
#include "core/util/error.h"
#include "tests/core/gguf_test_files.h"
#include "tests/core/tiny_models.h"

using namespace kvscope;

namespace {

constexpr std::int64_t KiB = 1024;

std::string fixturePath(const std::string& name) {
    return std::string(KVSCOPE_TEST_DATA_DIR) + "/hf/" + name;
}

ModelShape readFixture(const std::string& name) {
    return readHfConfigFile(fixturePath(name));
}

std::string fixtureText(const std::string& name) {
    std::ifstream in(fixturePath(name), std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

ModelShape readText(std::string_view json) {
    return readHfConfig(parseJson(json, "inline.json"), "inline.json");
}

/// The InputError message reading `json` gives; fails the test when it reads.
std::string readError(std::string_view json) {
    try {
        readText(json);
    } catch (const InputError& error) {
        return error.what();
    }
    FAIL("read without an error: " << std::string(json.substr(0, 80)));
    return {};
}

std::string fileError(const std::string& path) {
    try {
        readHfConfigFile(path);
    } catch (const InputError& error) {
        return error.what();
    }
    FAIL("read without an error: " << path);
    return {};
}

void writeFile(const std::string& path, const std::string& bytes) {
    std::ofstream out(path, std::ios::binary);
    out << bytes;
}

std::int64_t globalLayers(const ModelShape& shape) {
    return shape.n_layers - shape.nLocalLayers();
}

// A minimal Llama-style config to vary in the robustness tests.
const std::string kBase =
    R"({"num_hidden_layers": 4, "hidden_size": 64, "num_attention_heads": 8, "vocab_size": 100)";

std::string withKeys(const std::string& extra) {
    return kBase + (extra.empty() ? "" : ", " + extra) + "}";
}

}  // namespace

TEST_CASE("HF config: Llama 2 7B is MHA, 32 heads of 128", "[hfconfig]") {
    const ModelShape s = readFixture("llama-2-7b-hf.json");
    REQUIRE(s.name == "meta-llama/Llama-2-7b-hf");
    REQUIRE(s.origin("name") == "config.json key '_name_or_path'");
    REQUIRE(s.source == fixturePath("llama-2-7b-hf.json"));
    REQUIRE(s.n_layers == 32);
    REQUIRE(s.d_model == 4096);
    REQUIRE(s.n_heads == 32);
    REQUIRE(s.n_kv_heads == 32);
    REQUIRE(s.head_dim == 128);
    REQUIRE(s.v_head_dim == 128);
    REQUIRE(s.attention == AttentionKind::MHA);
    REQUIRE(s.d_ff == 11008);
    REQUIRE(s.vocab == 32000);
    REQUIRE(s.max_context == 4096);
    REQUIRE(s.weight_dtype == "float16");
    REQUIRE(s.weight_bits == 16);
    REQUIRE(s.sliding_window == 0);
    REQUIRE(s.nLocalLayers() == 0);
    REQUIRE(s.origin("n_kv_heads") == "config.json key 'num_key_value_heads'");
    REQUIRE(s.origin("head_dim") == "derived: hidden_size / num_attention_heads = 4096 / 32");
    REQUIRE(s.origin("max_context") == "config.json key 'max_position_embeddings'");
    // Every field has an origin.
    for (const char* field :
         {"name", "source", "n_layers", "d_model", "n_heads", "n_kv_heads", "head_dim",
          "v_head_dim", "kv_lora_rank", "qk_rope_head_dim", "sliding_window", "layer_is_local",
          "cross_attention_layers", "max_context", "vocab", "d_ff", "weight_bits", "attention"}) {
        INFO(field);
        REQUIRE_FALSE(s.origin(field).empty());
    }
    // KV per token, fp16: 2 (K and V) x 32 KV heads x 128 x 2 B = 16 KiB per layer; x 32 layers
    // = 524288 B = 512 KiB per token. 4096 tokens: 2 GiB.
    REQUIRE(kvValuesPerTokenPerLayer(s) == 2 * 32 * 128);
    REQUIRE(kvValuesPerToken(s) * 2 == 512 * KiB);
    REQUIRE(kvValuesPerToken(s) * 2 * s.max_context == std::int64_t(2) << 30);
}

TEST_CASE("HF config: Llama 3.1 8B is GQA, 32 query heads over 8 KV heads", "[hfconfig]") {
    const ModelShape s = readFixture("llama-3.1-8b.json");
    REQUIRE(s.name == "llama-3.1-8b");  // no _name_or_path: the file's stem
    REQUIRE(s.n_heads == 32);
    REQUIRE(s.n_kv_heads == 8);
    REQUIRE(s.head_dim == 128);
    REQUIRE(s.attention == AttentionKind::GQA);
    REQUIRE(s.max_context == 131072);
    REQUIRE(s.vocab == 128256);
    REQUIRE(s.d_ff == 14336);
    REQUIRE(s.weight_bits == 16);
    // fp16: 2 x 8 x 128 x 2 B = 4 KiB per layer, x 32 layers = 131072 B = 128 KiB per token;
    // the full 131072-token context: 16 GiB.
    REQUIRE(kvValuesPerTokenPerLayer(s) * 2 == 4 * KiB);
    REQUIRE(kvValuesPerToken(s) * 2 == 128 * KiB);
    REQUIRE(kvValuesPerToken(s) * 2 * s.max_context == std::int64_t(16) << 30);
}

TEST_CASE("HF config: Mistral 7B v0.1 windows every layer at 4096 tokens", "[hfconfig]") {
    const ModelShape s = readFixture("mistral-7b-v0.1.json");
    REQUIRE(s.n_kv_heads == 8);
    REQUIRE(s.attention == AttentionKind::GQA);
    REQUIRE(s.sliding_window == 4096);
    REQUIRE(s.layer_is_local.size() == 32);
    REQUIRE(s.nLocalLayers() == 32);
    REQUIRE(s.max_context == 32768);
    REQUIRE(s.origin("sliding_window") == "config.json key 'sliding_window'");
    REQUIRE_THAT(std::string(s.origin("layer_is_local")), Catch::Contains("every layer local"));
    // Same 128 KiB per token as Llama 3.1 8B (fp16); the window caps a sequence's cache at
    // 4096 tokens x 128 KiB = 512 MiB however long it runs.
    REQUIRE(kvValuesPerToken(s) * 2 == 128 * KiB);
    REQUIRE(kvValuesPerToken(s) * 2 * s.sliding_window == std::int64_t(512) << 20);
}

TEST_CASE("HF config: Qwen2.5 7B carries a sliding window it does not use", "[hfconfig]") {
    const ModelShape s = readFixture("qwen2.5-7b.json");
    REQUIRE(s.n_layers == 28);
    REQUIRE(s.d_model == 3584);
    REQUIRE(s.n_heads == 28);
    REQUIRE(s.n_kv_heads == 4);
    REQUIRE(s.head_dim == 128);  // 3584 / 28
    REQUIRE(s.sliding_window == 0);
    REQUIRE(s.nLocalLayers() == 0);
    REQUIRE(s.origin("sliding_window") ==
            "config.json key 'use_sliding_window' = false (its 'sliding_window' 131072 is unused)");
    // fp16: 28 layers x 2 x 4 x 128 x 2 B = 57344 B = 56 KiB per token.
    REQUIRE(kvValuesPerToken(s) * 2 == 56 * KiB);
}

TEST_CASE("HF config: Qwen3 0.6B has an explicit head_dim wider than hidden / heads",
          "[hfconfig]") {
    const ModelShape s = readFixture("qwen3-0.6b.json");
    REQUIRE(s.d_model == 1024);
    REQUIRE(s.n_heads == 16);
    REQUIRE(s.head_dim == 128);  // not 1024 / 16 = 64
    REQUIRE(s.origin("head_dim") == "config.json key 'head_dim'");
    REQUIRE(s.n_kv_heads == 8);
    REQUIRE(s.n_layers == 28);
    REQUIRE(s.max_context == 40960);
    REQUIRE(s.sliding_window == 0);  // "sliding_window": null
    // fp16: 28 x 2 x 8 x 128 x 2 B = 114688 B = 112 KiB per token.
    REQUIRE(kvValuesPerToken(s) * 2 == 112 * KiB);
}

TEST_CASE("HF config: Gemma 2 9B alternates local and global layers from layer 0", "[hfconfig]") {
    const ModelShape s = readFixture("gemma-2-9b-it.json");
    REQUIRE(s.n_layers == 42);
    REQUIRE(s.d_model == 3584);
    REQUIRE(s.n_heads == 16);
    REQUIRE(s.n_kv_heads == 8);
    REQUIRE(s.head_dim == 256);  // not 3584 / 16 = 224
    REQUIRE(s.sliding_window == 4096);
    REQUIRE(s.layer_is_local[0]);
    REQUIRE_FALSE(s.layer_is_local[1]);
    REQUIRE(s.layer_is_local[40]);
    REQUIRE_FALSE(s.layer_is_local[41]);
    REQUIRE(s.nLocalLayers() == 21);
    REQUIRE_THAT(std::string(s.origin("layer_is_local")), Catch::Contains("model_type 'gemma2'"));
    // bf16: 42 x 2 x 8 x 256 x 2 B = 344064 B = 336 KiB per token.
    REQUIRE(kvValuesPerToken(s) * 2 == 336 * KiB);
}

TEST_CASE("HF config: Gemma 3 1B has 5 local layers per global one, and one KV head",
          "[hfconfig]") {
    const ModelShape s = readFixture("gemma-3-1b-it.json");
    REQUIRE(s.n_layers == 26);
    REQUIRE(s.n_heads == 4);
    REQUIRE(s.n_kv_heads == 1);
    REQUIRE(s.attention == AttentionKind::MQA);
    REQUIRE(s.head_dim == 256);
    REQUIRE(s.sliding_window == 512);
    for (std::int64_t i = 0; i < s.n_layers; ++i) {
        INFO("layer " << i);
        REQUIRE(s.layer_is_local[std::size_t(i)] == (i % 6 != 5));  // global: 5, 11, 17, 23
    }
    REQUIRE(globalLayers(s) == 4);
    // bf16: 26 x 2 x 1 x 256 x 2 B = 26624 B = 26 KiB per token.
    REQUIRE(kvValuesPerToken(s) * 2 == 26 * KiB);
}

TEST_CASE("HF config: Gemma 3 4B reads its nested text_config and Gemma3TextConfig defaults",
          "[hfconfig]") {
    const ModelShape s = readFixture("gemma-3-4b-it.json");
    REQUIRE(s.n_layers == 34);
    REQUIRE(s.origin("n_layers") == "config.json key 'text_config.num_hidden_layers'");
    REQUIRE(s.d_model == 2560);
    REQUIRE(s.d_ff == 10240);
    // The published file leaves these to transformers' Gemma3TextConfig defaults.
    REQUIRE(s.n_heads == 8);
    REQUIRE(s.origin("n_heads") ==
            "transformers Gemma3TextConfig default 8 (config.json has no "
            "'text_config.num_attention_heads')");
    REQUIRE(s.n_kv_heads == 4);
    REQUIRE(s.head_dim == 256);
    REQUIRE(s.vocab == 262208);
    REQUIRE(s.max_context == 131072);
    REQUIRE(s.sliding_window == 1024);
    REQUIRE(globalLayers(s) == 5);  // layers 5, 11, 17, 23, 29
    REQUIRE_FALSE(s.layer_is_local[29]);
    REQUIRE(s.layer_is_local[33]);
    REQUIRE(s.weight_bits == 16);  // the top-level torch_dtype
    REQUIRE(s.origin("weight_bits") == "config.json key 'torch_dtype' = 'bfloat16'");
    // bf16: 34 x 2 x 4 x 256 x 2 B = 139264 B = 136 KiB per token.
    REQUIRE(kvValuesPerToken(s) * 2 == 136 * KiB);

    // Newer configs list layer_types instead; the list is authoritative.
    std::string types;
    for (int i = 0; i < 34; ++i) {
        types += std::string(i ? ", " : "") +
                 (i % 3 == 2 ? "\"full_attention\"" : "\"sliding_attention\"");
    }
    const ModelShape listed = readText(R"({"model_type": "gemma3", "text_config": {
        "model_type": "gemma3_text", "hidden_size": 2560, "num_hidden_layers": 34,
        "sliding_window": 1024, "sliding_window_pattern": 6, "layer_types": [)" +
                                       types + "]}}");
    REQUIRE(listed.origin("layer_is_local") == "config.json key 'text_config.layer_types'");
    REQUIRE(globalLayers(listed) == 11);  // layers 2, 5, ..., 32 as listed, not the pattern
    REQUIRE_FALSE(listed.layer_is_local[2]);
    REQUIRE(listed.layer_is_local[3]);
}

TEST_CASE("HF config: Falcon 7B's multi_query means one KV head", "[hfconfig]") {
    const ModelShape s = readFixture("falcon-7b.json");
    REQUIRE(s.n_heads == 71);
    REQUIRE(s.n_kv_heads == 1);
    REQUIRE(s.attention == AttentionKind::MQA);
    REQUIRE(s.origin("n_kv_heads") ==
            "config.json key 'multi_query' = true: one KV head shared by all query heads");
    REQUIRE(s.head_dim == 64);  // 4544 / 71
    REQUIRE(s.d_ff == 4 * 4544);
    REQUIRE(s.max_context == 0);  // the config does not say
    REQUIRE(s.origin("max_context") == "config.json: absent, unknown");
    // bf16: 32 x 2 x 1 x 64 x 2 B = 8192 B = 8 KiB per token.
    REQUIRE(kvValuesPerToken(s) * 2 == 8 * KiB);

    // Copies of the config that also carry num_kv_heads = 71 still mean one KV head (Falcon's
    // attention ignores num_kv_heads unless new_decoder_architecture is set).
    std::string with_kv = fixtureText("falcon-7b.json");
    with_kv.insert(with_kv.find("\"num_hidden_layers\""), "\"num_kv_heads\": 71,\n  ");
    REQUIRE(readHfConfig(parseJson(with_kv, "falcon"), "falcon").n_kv_heads == 1);

    // Falcon 40B style: the new decoder architecture with num_kv_heads, and old key spellings.
    const ModelShape big = readText(R"({"model_type": "falcon", "n_layer": 60, "n_head": 128,
        "hidden_size": 8192, "new_decoder_architecture": true, "num_kv_heads": 8,
        "vocab_size": 65024})");
    REQUIRE(big.n_layers == 60);
    REQUIRE(big.origin("n_layers") == "config.json key 'n_layer'");
    REQUIRE(big.n_kv_heads == 8);
    REQUIRE(big.origin("n_kv_heads") == "config.json key 'num_kv_heads'");
    REQUIRE(big.attention == AttentionKind::GQA);
}

TEST_CASE("HF config: GPT-2 uses its own key names and is MHA by absence", "[hfconfig]") {
    const ModelShape s = readFixture("gpt2.json");
    REQUIRE(s.n_layers == 12);
    REQUIRE(s.origin("n_layers") == "config.json key 'n_layer'");
    REQUIRE(s.n_heads == 12);
    REQUIRE(s.d_model == 768);
    REQUIRE(s.origin("d_model") == "config.json key 'n_embd'");
    REQUIRE(s.n_kv_heads == 12);
    REQUIRE(s.origin("n_kv_heads") ==
            "config.json: absent, MHA assumed (n_kv_heads = n_head = 12)");
    REQUIRE(s.head_dim == 64);
    REQUIRE(s.max_context == 1024);
    REQUIRE(s.origin("max_context") == "config.json key 'n_positions'");
    REQUIRE(s.d_ff == 3072);
    REQUIRE(s.origin("d_ff") ==
            "derived: 4 * n_embd = 4 * 768 (gpt2 default when no intermediate size is given)");
    REQUIRE(s.vocab == 50257);
    REQUIRE(s.weight_bits == 0);  // no torch_dtype
    // 12 x 2 x 12 x 64 = 18432 values per token: 36 KiB in fp16, 72 KiB in fp32.
    REQUIRE(kvValuesPerToken(s) * 2 == 36 * KiB);
    REQUIRE(kvValuesPerToken(s) * 4 == 72 * KiB);
}

TEST_CASE("HF config: DeepSeek MLA caches 576 values per token and layer", "[hfconfig]") {
    const ModelShape lite = readFixture("deepseek-v2-lite.json");
    REQUIRE(lite.attention == AttentionKind::MLA);
    REQUIRE(lite.kv_lora_rank == 512);
    REQUIRE(lite.qk_rope_head_dim == 64);
    REQUIRE(lite.head_dim == 192);  // qk_nope_head_dim 128 + qk_rope_head_dim 64
    REQUIRE(lite.origin("head_dim") ==
            "derived: MLA K head = qk_nope_head_dim + qk_rope_head_dim = 128 + 64");
    REQUIRE(lite.v_head_dim == 128);
    REQUIRE(lite.n_heads == 16);
    REQUIRE(lite.n_layers == 27);
    // One latent (512) plus one shared RoPE key (64) per token and layer; no factor 2.
    REQUIRE(kvValuesPerTokenPerLayer(lite) == 576);
    // bf16: 27 x 576 x 2 B = 31104 B per token.
    REQUIRE(kvValuesPerToken(lite) * 2 == 31104);
    // Caching per-head K (192) and V (128) instead: 16 x 320 = 5120 values per layer, so MLA
    // keeps 576 / 5120 = 9/80 = 11.25% of that.
    REQUIRE(expandedKvValuesPerTokenPerLayer(lite) == 5120);
    REQUIRE(kvValuesPerTokenPerLayer(lite) * 80 == expandedKvValuesPerTokenPerLayer(lite) * 9);

    const ModelShape v3 = readFixture("deepseek-v3.json");
    REQUIRE(v3.n_layers == 61);
    REQUIRE(v3.n_heads == 128);
    REQUIRE(kvValuesPerTokenPerLayer(v3) == 576);
    // DeepSeek-V2 paper, table 1: MLA caches (d_c + d_h^R) l = 4.5 d_h l values per token with
    // d_h = 128, "equal to GQA with only 2.25 groups"; MHA would cache 2 n_h d_h l.
    REQUIRE(kvValuesPerTokenPerLayer(v3) * 2 == 9 * 128);
    REQUIRE(kvValuesPerTokenPerLayer(v3) == 2 * 128 * 9 / 4);
    REQUIRE(expandedKvValuesPerTokenPerLayer(v3) == 128 * (192 + 128));
    // bf16, 61 layers: 61 x 576 x 2 B = 70272 B per token (68.625 KiB).
    REQUIRE(kvValuesPerToken(v3) * 2 == 70272);
    // Its weights are stored in FP8 (quantization_config), computed in bf16.
    REQUIRE(v3.weight_dtype == "bfloat16");
    REQUIRE(v3.weight_bits == 8);
    REQUIRE_THAT(std::string(v3.origin("weight_bits")), Catch::Contains("'quant_method' = 'fp8'"));

    // transformers' native DeepseekV3Config writes head_dim = qk_rope_head_dim (64); it is not
    // the K head size and must not replace 128 + 64.
    std::string native = fixtureText("deepseek-v3.json");
    native.insert(native.find("\"hidden_act\""), "\"head_dim\": 64,\n  ");
    REQUIRE(readHfConfig(parseJson(native, "v3"), "v3").head_dim == 192);
}

TEST_CASE("HF config: Qwen2's use_sliding_window windows the layers from max_window_layers",
          "[hfconfig]") {
    const ModelShape s = readText(withKeys(R"("model_type": "qwen2", "sliding_window": 32,
        "use_sliding_window": true, "max_window_layers": 3)"));
    REQUIRE(s.sliding_window == 32);
    REQUIRE(s.layer_is_local == std::vector<bool>{false, false, false, true});
    const ModelShape none = readText(withKeys(R"("use_sliding_window": true)"));
    REQUIRE(none.nLocalLayers() == 0);
}

TEST_CASE("HF config: cross-attention layers are recorded and do not grow with the text",
          "[hfconfig]") {
    // Llama 3.2 11B Vision's text model: 40 layers, of which 8 attend to the image.
    const ModelShape s = readText(R"({"model_type": "mllama", "text_config": {
        "model_type": "mllama_text_model", "num_hidden_layers": 40, "hidden_size": 4096,
        "num_attention_heads": 32, "num_key_value_heads": 8, "vocab_size": 128256,
        "cross_attention_layers": [3, 8, 13, 18, 23, 28, 33, 38]}})");
    REQUIRE(s.cross_attention_layers == std::vector<std::int64_t>{3, 8, 13, 18, 23, 28, 33, 38});
    REQUIRE(s.nTokenLayers() == 32);
    REQUIRE(kvValuesPerToken(s) * 2 == 32 * 4 * KiB);  // 32 self-attention layers x 4 KiB
    REQUIRE_THAT(readError(withKeys(R"("cross_attention_layers": [1, 4])")),
                 Catch::Contains("$.cross_attention_layers[1] (line 1, column 120): layer index 4 "
                                 "is outside [0, 4)"));
    REQUIRE_THAT(readError(withKeys(R"("cross_attention_layers": [1, 1])")),
                 Catch::Contains("layer 1 is listed twice"));
}

TEST_CASE("HF config: bad configs are rejected naming the key", "[hfconfig]") {
    REQUIRE_NOTHROW(readText(withKeys("")));
    struct Case {
        std::string json;
        std::string expected;
    };
    const std::vector<Case> cases = {
        {R"({"hidden_size": 64, "num_attention_heads": 8, "vocab_size": 10})",
         "HF config inline.json: missing 'num_hidden_layers' (also tried 'n_layer' 'num_layers' "
         "'n_layers'): the model shape needs it"},
        {R"({"num_hidden_layers": 2, "hidden_size": 64, "vocab_size": 10})",
         "missing 'num_attention_heads'"},
        {R"({"num_hidden_layers": 2, "hidden_size": 64, "num_attention_heads": 8})",
         "missing 'vocab_size'"},
        {R"({"num_hidden_layers": "32", "hidden_size": 64, "num_attention_heads": 8})",
         "JSON inline.json: $.num_hidden_layers (line 1, column 23): expected an integer, got the "
         "string \"32\""},
        {R"({"num_hidden_layers": 2.5, "hidden_size": 64, "num_attention_heads": 8})",
         "$.num_hidden_layers (line 1, column 23): expected an integer, got the number 2.5"},
        {withKeys(R"("num_key_value_heads": -2)"),
         "$.num_key_value_heads (line 1, column 113): must be a positive integer, got -2"},
        {R"({"num_hidden_layers": 0, "hidden_size": 64, "num_attention_heads": 8})",
         "$.num_hidden_layers (line 1, column 23): must be a positive integer, got 0"},
        {withKeys(R"("num_key_value_heads": 3)"),
         "HF config inline.json: num_attention_heads 8 is not divisible by num_key_value_heads 3"},
        {R"({"num_hidden_layers": 2, "hidden_size": 100, "num_attention_heads": 8,
            "vocab_size": 10})",
         "hidden_size 100 is not divisible by num_attention_heads 8, so head_dim cannot be "
         "derived (the config has no 'head_dim' key)"},
        {withKeys(R"("sliding_window": -1)"),
         "$.sliding_window (line 1, column 108): must be >= 0"},
        {withKeys(R"("use_sliding_window": "no")"),
         "$.use_sliding_window (line 1, column 112): "
         "expected true or false"},
        {withKeys(R"("layer_types": ["full_attention"])"),
         "$.layer_types (line 1, column 105): has 1 entries but num_hidden_layers is 4"},
        {withKeys(R"("layer_types": ["full_attention", "linear_attention", "full_attention",
            "full_attention"], "sliding_window": 8)"),
         "$.layer_types[1] (line 1, column 124): unsupported layer type 'linear_attention'"},
        {withKeys(R"("layer_types": ["sliding_attention", "full_attention", "full_attention",
            "full_attention"])"),
         "layer_types lists sliding_attention layers but sliding_window is absent, null or 0"},
        {withKeys(R"("text_config": 5)"), "$.text_config (line 1, column 105): expected an object"},
        {"[1, 2]", "HF config inline.json: expected a JSON object at the top level, got an array"},
        {withKeys(R"("kv_lora_rank": 512, "qk_rope_head_dim": 64, "v_head_dim": 128)"),
         "missing 'qk_nope_head_dim'"},
        {withKeys(R"("torch_dtype": 16)"), "$.torch_dtype (line 1, column 105): expected a string"},
        // Values too large for anything the estimator will compute.
        {R"({"num_hidden_layers": 100000000, "hidden_size": 64, "num_attention_heads": 8,
            "vocab_size": 10})",
         "num_hidden_layers = 100000000 is more than the 65536 layers this reader accepts"},
        {withKeys(R"("num_key_value_heads": 2, "max_position_embeddings": 128,
            "head_dim": 4611686018427387904)"),
         "HF config inline.json: fp32 KV cache bytes at the maximum context (from "
         "num_hidden_layers, num_key_value_heads, head_dim, max_position_embeddings) overflows "
         "64 bits"},
        {R"({"num_hidden_layers": 4, "hidden_size": 8, "num_attention_heads": 8,
            "vocab_size": 4611686018427387904})",
         "fp32 embedding bytes (from vocab_size, hidden_size) overflows 64 bits"},
        {withKeys(R"("max_position_embeddings": 9000000000000000000)"),
         "the maximum context (from num_hidden_layers, num_attention_heads, hidden_size, "
         "max_position_embeddings) overflows 64 bits"},
        {withKeys(R"("intermediate_size": 2305843009213693952)"),
         "fp32 feed-forward weight bytes (from intermediate_size, hidden_size, num_hidden_layers) "
         "overflows 64 bits"},
        {withKeys(R"("num_key_value_heads": 1e30)"),
         "$.num_key_value_heads (line 1, column 113): the number 1e30 is outside the 64-bit "
         "integer range"},
    };
    for (const Case& c : cases) {
        INFO("config: " << c.json);
        REQUIRE_THAT(readError(c.json), Catch::Contains(c.expected));
    }
}

TEST_CASE("HF config files: truncated, not JSON, missing", "[hfconfig]") {
    test::GgufTempDir dir;
    const std::string text = fixtureText("llama-3.1-8b.json");
    const std::string truncated = dir.file("truncated.json");
    writeFile(truncated, text.substr(0, text.find("\"num_key_value_heads\"") + 8));
    REQUIRE_THAT(fileError(truncated), Catch::Contains("JSON " + truncated +
                                                       ": line 18, column 11: unterminated string "
                                                       "(it starts at line 18, column 3)"));
    const std::string cut_after_value = dir.file("cut.json");
    writeFile(cut_after_value, text.substr(0, text.find("\"num_key_value_heads\"")));
    REQUIRE_THAT(
        fileError(cut_after_value),
        Catch::Contains("line 18, column 3: expected an object key in double quotes, got end "
                        "of input"));  // the cut follows a comma
    const std::string binary = dir.file("model.gguf");
    writeFile(binary, std::string("GGUF\x03\x00\x00\x00\x00\x00\x00\x00", 12));
    REQUIRE_THAT(fileError(binary),
                 Catch::Contains("JSON " + binary + ": line 1, column 1: unexpected 'GGUF'"));
    const std::string yaml = dir.file("config.yaml");
    writeFile(yaml, "hidden_size: 4096\n");
    REQUIRE_THAT(fileError(yaml), Catch::Contains("unexpected 'hidden_size'; expected a JSON "
                                                  "value (strings need double quotes)"));
    const std::string empty = dir.file("empty.json");
    writeFile(empty, "");
    REQUIRE_THAT(fileError(empty), Catch::Contains("line 1, column 1: empty input"));
    REQUIRE_THAT(fileError(dir.file("absent.json")), Catch::Contains("no such file"));
    // A model folder's config.json is named after the folder.
    std::filesystem::create_directories(dir.file("Llama-3.1-8B"));
    const std::string in_folder = dir.file("Llama-3.1-8B/config.json");
    writeFile(in_folder, text);
    REQUIRE(readHfConfigFile(in_folder).name == "Llama-3.1-8B");
}

TEST_CASE("Model shapes from GGUF and built-in configs, and their validation", "[hfconfig]") {
    ModelConfig llama;
    llama.name = "llama-2-7b.gguf";
    llama.n_layers = 32, llama.d_model = 4096, llama.n_heads = 32, llama.n_kv_heads = 32,
    llama.head_dim = 128, llama.d_ff = 11008, llama.vocab = 32000, llama.max_context = 4096;
    const ModelShape gguf = shapeFromModelConfig(llama, "GGUF");
    const ModelShape hf = readFixture("llama-2-7b-hf.json");
    REQUIRE(gguf.attention == AttentionKind::MHA);
    REQUIRE(gguf.origin("n_kv_heads") == "GGUF: model config n_kv_heads");
    REQUIRE(gguf.weight_bits == 0);
    REQUIRE(kvValuesPerToken(gguf) == kvValuesPerToken(hf));
    REQUIRE(gguf.d_ff == hf.d_ff);
    REQUIRE(gguf.nLocalLayers() == 0);

    const ModelShape tiny = shapeFromModelConfig(test::tinyConfig(8, 2), "builtin");
    REQUIRE(tiny.attention == AttentionKind::GQA);
    REQUIRE(tiny.origin("head_dim") == "builtin: model config head_dim");
    REQUIRE(kvValuesPerTokenPerLayer(tiny) == 2 * 2 * 8);
    REQUIRE(toString(shapeFromModelConfig(test::tinyConfig(8, 1), "builtin").attention) == "MQA");

    ModelConfig bad = test::tinyConfig(8, 2);
    bad.n_kv_heads = 3;
    REQUIRE_THROWS_AS(shapeFromModelConfig(bad, "builtin"), InputError);

    const auto validateError = [](const ModelShape& shape) {
        try {
            shape.validate();
        } catch (const InputError& error) {
            return std::string(error.what());
        }
        return std::string("no error");
    };
    ModelShape wrong = tiny;
    wrong.layer_is_local.pop_back();
    REQUIRE_THAT(validateError(wrong),
                 Catch::Contains("layer_is_local has 1 entries for 2 layers"));
    wrong = tiny;
    wrong.layer_is_local[0] = true;
    REQUIRE_THAT(validateError(wrong), Catch::Contains("need sliding_window > 0"));
    wrong = tiny;
    wrong.attention = AttentionKind::MHA;
    REQUIRE_THAT(validateError(wrong), Catch::Contains("attention MHA does not match 8 heads"));
    wrong = tiny;
    wrong.kv_lora_rank = 512;
    REQUIRE_THAT(validateError(wrong), Catch::Contains("must be 0 unless attention is MLA"));
    wrong = tiny;
    wrong.max_context = std::int64_t(1) << 62;
    REQUIRE_THAT(validateError(wrong), Catch::Contains("fp32 KV cache bytes at max_context "
                                                       "overflows 64 bits"));
}

TEST_CASE("Corrupted config.json files are refused cleanly or still read", "[hfconfig]") {
    // Every prefix, seeded bit flips and size-lying values of a real config: each either reads
    // (a flip inside a string or to an equivalent digit can stay valid) or throws an InputError
    // that names the file; never a crash, hang or another exception.
    for (const char* name : {"llama-3.1-8b.json", "deepseek-v3.json", "gemma-3-4b-it.json"}) {
        const std::string text = fixtureText(name);
        REQUIRE(text.size() > 100);
        const auto check = [&](const std::string& variant) {
            try {
                const ModelShape shape = readText(variant);
                CHECK(shape.n_layers > 0);
            } catch (const InputError& e) {
                CHECK(std::string(e.what()).find("inline.json") != std::string::npos);
            }
        };
        for (std::size_t n = 0; n < text.size(); ++n)
            check(text.substr(0, n));
        std::uint64_t state = 12345;
        for (int i = 0; i < 2000; ++i) {
            state = state * 6364136223846793005ull + 1442695040888963407ull;
            std::string flipped = text;
            flipped[(state >> 33) % flipped.size()] ^= char(1 << ((state >> 20) % 8));
            check(flipped);
        }
    }
    // Sizes that lie: a layer count beyond any real model, heads that overflow the byte totals.
    std::string big = fixtureText("llama-3.1-8b.json");
    const std::size_t at = big.find("\"num_hidden_layers\": 32");
    REQUIRE(at != std::string::npos);
    big.replace(at, 23, "\"num_hidden_layers\": 4000000000000");
    CHECK_THROWS_WITH(readText(big), Catch::Contains("num_hidden_layers"));
}
