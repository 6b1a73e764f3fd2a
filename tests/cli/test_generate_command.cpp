#include <catch2/catch.hpp>

#include <set>
#include <string>
#include <vector>

#include "cli_test_util.h"
#include "core/model/model_source.h"
#include "core/util/json_writer.h"
#include "json_value.h"

using kvscope::test::JsonValue;
using kvscope::test::parseJson;
using kvscope::test::runCliCaptured;
using Args = std::vector<std::string>;

namespace {

Args generateArgs(const std::string& prompt, int n, const Args& extra = {}) {
    Args args{"generate", "--model",          "builtin:demo",   "--prompt",
              prompt,     "--max-new-tokens", std::to_string(n)};
    args.insert(args.end(), extra.begin(), extra.end());
    return args;
}

JsonValue generateJson(const std::string& prompt, int n, const Args& extra = {}) {
    Args args = generateArgs(prompt, n, extra);
    args.push_back("--json");
    const auto result = runCliCaptured(args);
    INFO("stderr: " << result.err);
    REQUIRE(result.code == 0);
    return parseJson(result.out);
}

std::vector<int> ids(const JsonValue& array) {
    std::vector<int> out;
    for (const JsonValue& v : array.array)
        out.push_back(int(v.number));
    return out;
}

}  // namespace

TEST_CASE("generate --json reports prompt, tokens, text and every step", "[cli][generate]") {
    const auto model = kvscope::loadModel("builtin:demo");
    const auto& tokenizer = *model->tokenizer;
    const std::string prompt = "Once upon a time";
    const int n = 12;
    const JsonValue json = generateJson(prompt, n);

    for (const char* key : {"model", "mode", "backend", "sampling", "prompt_tokens",
                            "generated_tokens", "text", "stop_reason", "steps"}) {
        INFO(key);
        CHECK(json.has(key));
    }
    CHECK(json["mode"].string == "cached");
    CHECK(json["sampling"]["temperature"].number == 0);
    CHECK(json["sampling"]["greedy"].boolean);

    // BOS first, then exactly what the tokenizer makes of the prompt.
    std::vector<int> expected_prompt{tokenizer.bos()};
    for (auto id : tokenizer.encode(prompt))
        expected_prompt.push_back(id);
    CHECK(ids(json["prompt_tokens"]) == expected_prompt);

    const std::vector<int> generated = ids(json["generated_tokens"]);
    CHECK(generated.size() <= std::size_t(n));
    std::string text;
    for (int id : generated) {
        CHECK(id != tokenizer.bos());
        CHECK(id != tokenizer.eos());
        text += tokenizer.decode(id);
    }
    // The decoded bytes, with any invalid UTF-8 replaced by U+FFFD as the JSON writer does.
    std::string expected_text;
    kvscope::appendJsonString(expected_text, text);
    CHECK(json["text"].string == parseJson(expected_text).string);
    if (json["stop_reason"].string == "max_new_tokens") CHECK(generated.size() == std::size_t(n));

    // One step per generated token (+1 when stopped by BOS/EOS): prefill first, then decode.
    const JsonValue& steps = json["steps"];
    const bool stopped_early = json["stop_reason"].string != "max_new_tokens";
    REQUIRE(steps.size() == generated.size() + (stopped_early ? 1 : 0));
    CHECK(steps[0]["phase"].string == "prefill");
    CHECK(steps[0]["position"].number == 0);
    CHECK(steps[0]["n_tokens"].number == double(expected_prompt.size()));
    double previous_kv = 0;
    for (std::size_t i = 0; i < steps.size(); ++i) {
        const JsonValue& step = steps[i];
        INFO("step " << i);
        if (i > 0) {
            CHECK(step["phase"].string == "decode");
            CHECK(step["position"].number == double(expected_prompt.size() + i - 1));
            CHECK(step["n_tokens"].number == 1);
        }
        if (i < generated.size()) {
            CHECK(step["token"].number == generated[i]);
        } else {  // the step that sampled the stopping token
            CHECK((step["token"].number == tokenizer.eos() ||
                   step["token"].number == tokenizer.bos()));
        }
        CHECK(step["prob"].number > 0);
        CHECK(step["prob"].number <= 1);
        CHECK(step["wall_ms"].number >= 0);
        CHECK(step["flops"].number > 0);
        CHECK(step["bytes_moved"].number > 0);
        CHECK(step["kv_bytes"].number > previous_kv);  // the cache grows every step
        CHECK(step["kv_bytes_allocated"].number >= step["kv_bytes"].number);
        previous_kv = step["kv_bytes"].number;
    }
    // K+V of every position held, fp32.
    const double kv_per_token =
        double(model->config.kvBytesPerTokenPerLayer(4) * model->config.n_layers);
    CHECK(steps[0]["kv_bytes"].number == kv_per_token * double(expected_prompt.size()));
}

TEST_CASE("generate prints the same text as its JSON, and a summary on stderr", "[cli][generate]") {
    const auto plain = runCliCaptured(generateArgs("The cat", 10));
    REQUIRE(plain.code == 0);
    const JsonValue json = generateJson("The cat", 10);
    const std::string& text = json["text"].string;
    CHECK(plain.out == text + "\n");
    CHECK(plain.err.find("tokens") != std::string::npos);
    CHECK(plain.err.find("KiB") != std::string::npos);
}

TEST_CASE("generate's summary gives the KV bytes held and allocated", "[cli][generate]") {
    const auto model = kvscope::loadModel("builtin:demo");
    const kvscope::ModelConfig& c = model->config;
    // K and V of every layer in fp32: 2 x 4 layers x 4 KV heads x 16 x 4 B = 2048 B per token.
    REQUIRE(2 * c.n_layers * c.n_kv_heads * c.head_dim * 4 == 2048);
    REQUIRE(c.max_context == 512);
    // BOS + "hello hello" (11 bytes) = 12 prompt tokens; 3 new tokens of which the last two
    // were fed: 14 positions held = 28672 B = 28.00 KiB of the contiguous reservation,
    // 512 x 2048 B = 1.00 MiB.
    const auto result = runCliCaptured(generateArgs("hello hello", 3));
    INFO("stderr: " << result.err);
    REQUIRE(result.code == 0);
    CHECK(result.err.find("; KV cache 28.00 KiB of 1.00 MiB allocated;") != std::string::npos);
}

TEST_CASE("greedy generation is deterministic", "[cli][generate]") {
    const auto first = runCliCaptured(generateArgs("abc", 16));
    const auto second = runCliCaptured(generateArgs("abc", 16));
    REQUIRE(first.code == 0);
    CHECK(first.out == second.out);
    CHECK(ids(generateJson("abc", 16)["generated_tokens"]) ==
          ids(generateJson("abc", 16)["generated_tokens"]));
}

TEST_CASE("seeded sampling is reproducible and the seed matters", "[cli][generate]") {
    const Args sampling{"--temperature", "1.5", "--top-k", "50", "--top-p", "0.95"};
    auto withSeed = [&](const std::string& seed) {
        Args extra = sampling;
        extra.insert(extra.end(), {"--seed", seed});
        return ids(generateJson("hello", 16, extra)["generated_tokens"]);
    };
    CHECK(withSeed("7") == withSeed("7"));
    std::set<std::vector<int>> distinct;
    for (const char* seed : {"1", "2", "3", "4", "5", "6"})
        distinct.insert(withSeed(seed));
    CHECK(distinct.size() >= 2);
    const JsonValue json = generateJson("hello", 4, {"--temperature", "0.5", "--seed", "99"});
    CHECK(json["sampling"]["seed"].number == 99);
    CHECK(json["sampling"]["temperature"].number == 0.5);
    CHECK_FALSE(json["sampling"]["greedy"].boolean);
}

TEST_CASE("cached and recompute modes generate the same tokens", "[cli][generate]") {
    for (const Args& sampling : {Args{}, Args{"--temperature", "0.9", "--seed", "5"}}) {
        Args recompute = sampling;
        recompute.insert(recompute.end(), {"--mode", "recompute"});
        const JsonValue cached = generateJson("To be or not", 12, sampling);
        const JsonValue recomputed = generateJson("To be or not", 12, recompute);
        CHECK(recomputed["mode"].string == "recompute");
        CHECK(ids(cached["generated_tokens"]) == ids(recomputed["generated_tokens"]));
        // Recompute re-runs the whole prefix: its last step costs more than a cached step.
        const auto& c_steps = cached["steps"];
        const auto& r_steps = recomputed["steps"];
        REQUIRE(c_steps.size() == r_steps.size());
        if (c_steps.size() > 1) {
            CHECK(r_steps[r_steps.size() - 1]["flops"].number >
                  c_steps[c_steps.size() - 1]["flops"].number);
        }
    }
}

TEST_CASE("an empty prompt is BOS alone", "[cli][generate]") {
    const auto model = kvscope::loadModel("builtin:demo");
    const JsonValue json = generateJson("", 3);
    CHECK(ids(json["prompt_tokens"]) == std::vector<int>{model->tokenizer->bos()});
    CHECK(json["generated_tokens"].size() <= 3);
    CHECK(runCliCaptured(generateArgs("", 3)).code == 0);
}

TEST_CASE("generate fills the context exactly to its limit", "[cli][generate]") {
    const auto model = kvscope::loadModel("builtin:demo");
    const std::int64_t max_context = model->config.max_context;
    // A long prompt, so that the limit is reached after a few steps: BOS + one token per byte.
    const int n_new = 5;
    const std::string prompt(std::size_t(max_context - 1 - n_new), 'a');
    const auto at_limit = runCliCaptured(generateArgs(prompt, n_new, {"--json"}));
    INFO(at_limit.err);
    REQUIRE(at_limit.code == 0);
    CHECK(parseJson(at_limit.out)["prompt_tokens"].size() + n_new == std::size_t(max_context));
    const auto over = runCliCaptured(generateArgs(prompt, n_new + 1));
    CHECK(over.code == 2);
    CHECK(over.err.find("context too long") != std::string::npos);
    CHECK(runCliCaptured(generateArgs(prompt + "a", n_new)).code == 2);
}
