// `kvscope-cli memory` on hybrid models and its serving-engine section: exact bytes in JSON, the
// vLLM-style lines in text, and bad configs and flags exiting 2 with the key or flag named.
#include <catch2/catch.hpp>

#include <fstream>
#include <string>
#include <vector>

#include "cli_test_util.h"
#include "json_value.h"
#include "tests/core/gguf_test_files.h"

using Catch::Contains;
using kvscope::test::JsonValue;
using kvscope::test::runCliCaptured;

namespace {

JsonValue memoryJson(std::vector<std::string> args) {
    return kvscope::test::runCliJson("memory", std::move(args));
}

}  // namespace

TEST_CASE("memory: Qwen3-Next counts K/V of its 12 attention layers and the state apart",
          "[memory][cli][hybrid]") {
    const JsonValue j = memoryJson({"--preset", "qwen3-next-80b-a3b", "--seq", "4096"});
    CHECK(j["kv_bytes_per_token"].number == 24576);  // 12 x 2 x 2 x 256 x 2 B
    CHECK(j["kv_bytes_per_sequence"].number == 4096.0 * 24576);
    CHECK(j["state_bytes_per_sequence"].number == 39518208);  // 36 x 548864 values x 2 B
    CHECK_THAT(j["layers"].string,
               Contains("48 layers: 12 global attention, 36 gated DeltaNet (linear attention) "
                        "without K/V"));
    CHECK(j["serving"].isNull());  // no GPU
    const auto text = runCliCaptured({"memory", "--preset", "qwen3-next-80b-a3b", "--seq", "4096"});
    REQUIRE(text.code == 0);
    CHECK_THAT(text.out, Contains("state_bytes_per_sequence"));
    CHECK_THAT(text.out, Contains("from linear_conv_kernel_dim = 4"));
}

TEST_CASE("memory: the serving engine on an H100 and on an A10G", "[memory][cli][serving]") {
    const JsonValue h =
        memoryJson({"--preset", "llama-3.1-8b", "--seq", "131072", "--gpu", "H100-80GB"});
    const JsonValue& s = h["serving"];
    CHECK(s["available_kv"].number == 54969282560.0);  // 72e9 - 16060522496 - 970194944
    CHECK(s["num_blocks"].number == 26211);
    CHECK(s["fits"].boolean);
    const auto text = runCliCaptured(
        {"memory", "--preset", "llama-3.1-8b", "--seq", "131072", "--gpu", "H100-80GB"});
    REQUIRE(text.code == 0);
    CHECK_THAT(text.out, Contains("Maximum concurrency for 131,072 tokens per request: 3.20x"));
    CHECK_THAT(text.out, Contains("max-model-len 131072: STARTS"));

    const JsonValue a =
        memoryJson({"--preset", "llama-3.1-8b", "--seq", "131072", "--gpu", "A10G"});
    CHECK_FALSE(a["serving"]["fits"].boolean);
    CHECK(a["serving"]["max_model_len_fit"].number == 47008);
    REQUIRE(a["serving"]["fixes"].size() >= 3);
    CHECK(a["serving"]["fixes"][0]["flag"].string == "--max-model-len 47008");
    // --max-model-len overrides --seq for the engine; 47008 starts, 47009 does not.
    CHECK(memoryJson({"--preset", "llama-3.1-8b", "--gpu", "A10G", "--max-model-len",
                      "47008"})["serving"]["fits"]
              .boolean);
    CHECK_FALSE(memoryJson({"--preset", "llama-3.1-8b", "--gpu", "A10G", "--max-model-len",
                            "47009"})["serving"]["fits"]
                    .boolean);
    // A smaller profile batch shrinks the activation estimate.
    const JsonValue small = memoryJson(
        {"--preset", "llama-3.1-8b", "--gpu", "A10G", "--max-num-batched-tokens", "2048"});
    CHECK(small["serving"]["activations_estimate"].number <
          a["serving"]["activations_estimate"].number);
}

TEST_CASE("memory: bad hybrid configs and serving flags exit 2 naming the key or flag",
          "[memory][cli][hybrid]") {
    kvscope::test::GgufTempDir dir;
    const std::string path = dir.file("config.json");
    {
        std::ofstream out(path);
        out << R"({"num_hidden_layers": 4, "hidden_size": 64, "num_attention_heads": 8,
            "vocab_size": 100, "layer_types": ["full_attention", "linear_attention"]})";
    }
    const auto bad = runCliCaptured({"memory", "--config", path});
    CHECK(bad.code == 2);
    CHECK_THAT(bad.err, Contains("$.layer_types") && Contains("has 2 entries but"));
    const auto no_gpu =
        runCliCaptured({"memory", "--preset", "llama-3.1-8b", "--max-model-len", "100"});
    CHECK(no_gpu.code == 2);
    CHECK_THAT(no_gpu.err, Contains("--max-model-len: the serving engine needs a GPU"));
    const auto both = runCliCaptured({"memory", "--preset", "llama-3.1-8b", "--gpu", "A10G",
                                      "--usable", "0.9", "--gpu-memory-utilization", "0.8"});
    CHECK(both.code == 2);
    CHECK_THAT(both.err, Contains("give --usable or --gpu-memory-utilization, not both"));
    const auto zero = runCliCaptured(
        {"memory", "--preset", "llama-3.1-8b", "--gpu", "A10G", "--max-num-batched-tokens", "0"});
    CHECK(zero.code == 2);
    CHECK_THAT(zero.err, Contains("max-num-batched-tokens"));
}
