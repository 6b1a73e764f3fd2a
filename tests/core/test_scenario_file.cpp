// The .kvscope.json scenario file: the exact text written, round trips, and every bad input.
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "core/trace/scenario_file.h"
#include "gguf_test_files.h"
#include "test_util.h"

using namespace kvscope;
using namespace kvscope::test;

namespace {

/// A scenario with every field away from its default.
ScenarioFile fullScenario() {
    ScenarioFile file;
    file.scenario.model = "builtin:demo-mqa";
    file.scenario.prompt = "KVScope \"quoted\"\nnew line";
    file.scenario.max_new_tokens = 40;
    file.scenario.sampling.temperature = 0.7f;
    file.scenario.sampling.top_k = 5;
    file.scenario.sampling.top_p = 0.9f;
    file.scenario.sampling.seed = 18446744073709551615ull;  // 2^64 - 1: needs all 64 bits
    file.scenario.mode = CacheMode::Recompute;
    file.scenario.cache_layout = CacheLayout::Paged;
    file.scenario.block_size = 32;
    file.scenario.cache_spec = parseKvCacheSpec("int4+w32", "test");
    file.scenario.max_context = 128;
    file.steps = 7;
    file.backend = "cuda";
    file.activations = "float";
    file.view = "memory";
    file.view_settings["layer"] = std::int64_t(1);
    file.view_settings["all_heads"] = true;
    file.view_settings["zoom"] = 1.5;
    file.view_settings["note"] = std::string("hi");
    return file;
}

std::string errorOf(const std::string& json) {
    return inputErrorOf([&] { readScenarioJson(json, "bad.kvscope.json"); });
}

std::string readAll(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

constexpr const char* kMinimal =
    R"({"kvscope_scenario": 1, "model": "builtin:demo", "prompt": "hi"})";

}  // namespace

TEST_CASE("scenario file: the default scenario is written as documented", "[scenario_file]") {
    ScenarioFile file;
    file.scenario.prompt = "KVScope KVScope KVSc";
    // The exact bytes, spelled out by hand (docs/scenario-schema.md shows the same file).
    const std::string expected =
        "{\n"
        "  \"kvscope_scenario\": 1,\n"
        "  \"model\": \"builtin:demo\",\n"
        "  \"prompt\": \"KVScope KVScope KVSc\",\n"
        "  \"steps\": 12,\n"
        "  \"max_new_tokens\": 32,\n"
        "  \"sampling\": {\n"
        "    \"temperature\": 0,\n"
        "    \"top_k\": 0,\n"
        "    \"top_p\": 1,\n"
        "    \"seed\": \"42\"\n"
        "  },\n"
        "  \"cache\": {\n"
        "    \"mode\": \"cached\",\n"
        "    \"layout\": \"contiguous\",\n"
        "    \"block_size\": 16,\n"
        "    \"codec\": \"fp32\",\n"
        "    \"max_context\": 0\n"
        "  },\n"
        "  \"backend\": \"cpu\",\n"
        "  \"activations\": \"q8\",\n"
        "  \"view\": {\n"
        "    \"name\": \"generate\"\n"
        "  }\n"
        "}\n";
    CHECK(scenarioFileJson(file) == expected);
}

TEST_CASE("scenario file: write, read, write gives the same scenario and bytes",
          "[scenario_file]") {
    const ScenarioFile file = fullScenario();
    const std::string text = scenarioFileJson(file);
    const ScenarioFile back = readScenarioJson(text, "mem");
    CHECK(back == file);
    CHECK(back.scenario.model == file.scenario.model);
    CHECK(back.scenario.prompt == file.scenario.prompt);
    CHECK(back.scenario.max_new_tokens == 40);
    CHECK(back.scenario.sampling.temperature == 0.7f);
    CHECK(back.scenario.sampling.top_k == 5);
    CHECK(back.scenario.sampling.top_p == 0.9f);
    CHECK(back.scenario.mode == CacheMode::Recompute);
    CHECK(back.scenario.cache_layout == CacheLayout::Paged);
    CHECK(back.scenario.block_size == 32);
    CHECK(back.scenario.cache_spec == file.scenario.cache_spec);
    CHECK(back.scenario.max_context == 128);
    CHECK(back.steps == 7);
    CHECK(back.backend == "cuda");
    CHECK(back.activations == "float");
    CHECK(back.view == "memory");
    CHECK(back.view_settings == file.view_settings);
    CHECK(back.scenario.sampling.seed == 18446744073709551615ull);
    CHECK(back.scenario.cache_spec.recent_window == 32);
    CHECK(std::get<double>(back.view_settings.at("zoom")) == 1.5);
    CHECK(std::get<std::string>(back.view_settings.at("note")) == "hi");
    CHECK(scenarioFileJson(back) == text);
}

TEST_CASE("scenario file: a view number whose double is whole reads as a whole number",
          "[scenario_file]") {
    // Found by fuzz_scenario: 11e-4006 underflows to the double 0, which the writer writes as
    // "0", which read back as the integer 0: the file changed on its first round trip.
    const std::string text =
        R"({"kvscope_scenario": 1, "model": "builtin:demo", "prompt": "p", "view": {"name": )"
        R"("memory", "tiny": 11e-4006, "almost": 0.99999999999999999999, "big": 1e300, )"
        R"("half": 2.5, "whole": 3.0}})";
    const ScenarioFile file = readScenarioJson(text, "fuzz");
    CHECK(std::get<std::int64_t>(file.view_settings.at("tiny")) == 0);
    CHECK(std::get<std::int64_t>(file.view_settings.at("almost")) == 1);
    CHECK(std::get<double>(file.view_settings.at("big")) == 1e300);  // beyond int64
    CHECK(std::get<double>(file.view_settings.at("half")) == 2.5);
    CHECK(std::get<std::int64_t>(file.view_settings.at("whole")) == 3);
    const std::string written = scenarioFileJson(file);
    const ScenarioFile back = readScenarioJson(written, "written");
    CHECK(back == file);
    CHECK(scenarioFileJson(back) == written);
}

TEST_CASE("scenario file: save to disk, open, save again is byte-identical", "[scenario_file]") {
    GgufTempDir dir;
    const std::string first = dir.file("a.kvscope.json");
    const std::string second = dir.file("b.kvscope.json");
    writeScenarioFile(fullScenario(), first);
    writeScenarioFile(readScenarioFile(first), second);
    CHECK(readAll(first) == readAll(second));
    CHECK(!readAll(first).empty());
}

TEST_CASE("scenario file: only the three required keys give the defaults", "[scenario_file]") {
    const ScenarioFile file = readScenarioJson(kMinimal, "min");
    CHECK(file.scenario.model == "builtin:demo");
    CHECK(file.scenario.prompt == "hi");
    CHECK(file.steps == 12);
    CHECK(file.backend == "cpu");
    CHECK(file.activations == "q8");  // files written before the key: llama.cpp's scheme
    CHECK(file.view == "generate");
    CHECK(file.scenario.cache_spec.isPlainFp32());
    CHECK(file.scenario.sampling.seed == 42);
}

TEST_CASE("scenario file: each bad file names its key", "[scenario_file]") {
    struct Case {
        std::string json;
        std::string needle;
    };
    const Case cases[] = {
        {"not json", "bad.kvscope.json"},
        {"[1]", "expected a KVScope scenario"},
        {R"({"model": "builtin:demo", "prompt": "x"})", "kvscope_scenario"},
        {R"({"kvscope_scenario": 2, "model": "m", "prompt": "x"})", "version 2 is newer"},
        {R"({"kvscope_scenario": 0, "model": "m", "prompt": "x"})", "version must be >= 1"},
        {R"({"kvscope_scenario": "1", "model": "m", "prompt": "x"})", "$.kvscope_scenario"},
        {R"({"kvscope_scenario": 1, "prompt": "x"})", "model"},
        {R"({"kvscope_scenario": 1, "model": "m"})", "prompt"},
        {R"({"kvscope_scenario": 1, "model": "", "prompt": "x"})", "$.model"},
        {R"({"kvscope_scenario": 1, "model": 3, "prompt": "x"})", "$.model"},
        {R"({"kvscope_scenario": 1, "model": "m", "prompt": "x", "promt": 1})", "promt"},
        {R"({"kvscope_scenario": 1, "model": "m", "prompt": "x", "steps": -1})", "$.steps"},
        {R"({"kvscope_scenario": 1, "model": "m", "prompt": "x", "steps": 1.5})", "$.steps"},
        {R"({"kvscope_scenario": 1, "model": "m", "prompt": "x", "max_new_tokens": 0})",
         "$.max_new_tokens"},
        {R"({"kvscope_scenario": 1, "model": "m", "prompt": "x", "sampling": {"top_p": 0}})",
         "top_p"},
        {R"({"kvscope_scenario": 1, "model": "m", "prompt": "x", "sampling": {"seed": 42}})",
         "$.sampling.seed"},
        {R"({"kvscope_scenario": 1, "model": "m", "prompt": "x", "sampling": {"seed": "-1"}})",
         "$.sampling.seed"},
        {R"({"kvscope_scenario": 1, "model": "m", "prompt": "x", "sampling": {"temp": 1}})",
         "temp"},
        {R"({"kvscope_scenario": 1, "model": "m", "prompt": "x", "cache": {"mode": "fast"}})",
         "$.cache.mode"},
        {R"({"kvscope_scenario": 1, "model": "m", "prompt": "x", "cache": {"layout": "tree"}})",
         "$.cache.layout"},
        {R"({"kvscope_scenario": 1, "model": "m", "prompt": "x", "cache": {"block_size": 0}})",
         "$.cache.block_size"},
        {R"({"kvscope_scenario": 1, "model": "m", "prompt": "x", "cache": {"codec": "int3"}})",
         "$.cache.codec"},
        {R"({"kvscope_scenario": 1, "model": "m", "prompt": "x", "cache": []})", "$.cache"},
        {R"({"kvscope_scenario": 1, "model": "m", "prompt": "x", "backend": "tpu"})", "$.backend"},
        {R"({"kvscope_scenario": 1, "model": "m", "prompt": "x", "activations": "q4"})",
         "$.activations"},
        {R"({"kvscope_scenario": 1, "model": "m", "prompt": "x", "view": {"layer": null}})",
         "$.view.layer"},
        {R"({"kvscope_scenario": 1, "model": "m", "prompt": "x", "view": {"name": 1}})",
         "$.view.name"},
        {R"({"kvscope_scenario": 1, "model": "m", "prompt": "x", "view": 3})", "$.view"},
    };
    for (const Case& c : cases) {
        INFO(c.json);
        const std::string message = errorOf(c.json);
        INFO(message);
        CHECK(message.find(c.needle) != std::string::npos);
    }
}

TEST_CASE("scenario file: a missing file and a write into a missing directory say why",
          "[scenario_file]") {
    GgufTempDir dir;
    const std::string missing = dir.file("none.kvscope.json");
    CHECK(inputErrorOf([&] { readScenarioFile(missing); }).find("none.kvscope.json") !=
          std::string::npos);
    const std::string in_missing_dir = dir.file("no/such/dir/a.kvscope.json");
    CHECK(inputErrorOf([&] {
              writeScenarioFile(ScenarioFile{}, in_missing_dir);
          }).find("cannot write") != std::string::npos);
    CHECK(!std::filesystem::exists(in_missing_dir));
}

TEST_CASE("scenario file: the file name ending is recognised in any case", "[scenario_file]") {
    CHECK(isScenarioFileName("a/b/lesson.kvscope.json"));
    CHECK(isScenarioFileName("LESSON.KVSCOPE.JSON"));
    CHECK(!isScenarioFileName("trace.json"));
    CHECK(!isScenarioFileName("kvscope.json"));
    CHECK(!isScenarioFileName(".json"));
}

TEST_CASE("scenario file: a bounded cache is written, read back and written the same",
          "[scenario_file][eviction]") {
    ScenarioFile file;
    file.scenario.prompt = "KVScope";
    file.scenario.eviction.policy = EvictionPolicy::Streaming;
    file.scenario.eviction.budget = 48;
    file.scenario.eviction.sinks = 2;
    file.scenario.eviction.window = 0;
    file.scenario.eviction.positions = EvictionPositions::Rerotate;
    file.scenario.eviction.shape = BudgetShape::Pyramid;
    file.scenario.eviction_budget_bytes = 98304;  // 48 tokens x 2 KiB (demo model, fp32)
    const std::string text = scenarioFileJson(file);
    // The object as docs/scenario-schema.md documents it, inside "cache".
    CHECK_THAT(text, Catch::Contains("    \"max_context\": 0,\n"
                                     "    \"eviction\": {\n"
                                     "      \"policy\": \"streaming\",\n"
                                     "      \"budget\": 48,\n"
                                     "      \"budget_bytes\": 98304,\n"
                                     "      \"sinks\": 2,\n"
                                     "      \"window\": 0,\n"
                                     "      \"pool\": 7,\n"
                                     "      \"positions\": \"rerotate\",\n"
                                     "      \"shape\": \"pyramid\",\n"
                                     "      \"per_head\": false\n"
                                     "    }\n"
                                     "  },\n"));
    const ScenarioFile back = readScenarioJson(text, "mem");
    CHECK(back == file);
    CHECK(back.scenario.eviction.policy == EvictionPolicy::Streaming);
    CHECK(back.scenario.eviction.budget == 48);
    CHECK(back.scenario.eviction.sinks == 2);
    CHECK(back.scenario.eviction.positions == EvictionPositions::Rerotate);
    CHECK(back.scenario.eviction.shape == BudgetShape::Pyramid);
    CHECK(back.scenario.eviction_budget_bytes == 98304);
    CHECK(scenarioFileJson(back) == text);

    SECTION("a file without it (every file before bounded caches) reads as the full cache") {
        const ScenarioFile old = readScenarioJson(kMinimal, "old.kvscope.json");
        CHECK(old.scenario.eviction == EvictionSpec{});
        CHECK_FALSE(old.scenario.eviction.bounded());
        CHECK(old.scenario.eviction_budget_bytes == 0);
        // ... and the full cache writes no eviction object: old files keep their bytes.
        CHECK(scenarioFileJson(old).find("eviction") == std::string::npos);
    }
}

TEST_CASE("scenario file: per_head is written, read back, and absent reads as layer-wise",
          "[scenario_file][eviction]") {
    ScenarioFile file;
    file.scenario.prompt = "KVScope";
    file.scenario.eviction.policy = EvictionPolicy::Tova;
    file.scenario.eviction.budget = 16;
    file.scenario.eviction.per_head = true;
    const std::string text = scenarioFileJson(file);
    CHECK_THAT(text, Catch::Contains("      \"shape\": \"uniform\",\n"
                                     "      \"per_head\": true\n"
                                     "    }\n"));
    const ScenarioFile back = readScenarioJson(text, "mem");
    CHECK(back.scenario.eviction.per_head);
    CHECK(back == file);
    CHECK(scenarioFileJson(back) == text);

    // A file written before per_head existed: the same object without the member.
    const std::string older =
        R"({"kvscope_scenario": 1, "model": "m", "prompt": "x", "cache": {"eviction": )"
        R"({"policy": "tova", "budget": 16, "budget_bytes": 0, "sinks": 4, "window": 0, )"
        R"("pool": 7, "positions": "original", "shape": "uniform"}}})";
    const ScenarioFile old = readScenarioJson(older, "old.kvscope.json");
    CHECK(old.scenario.eviction.policy == EvictionPolicy::Tova);
    CHECK(old.scenario.eviction.budget == 16);
    CHECK_FALSE(old.scenario.eviction.per_head);
}

TEST_CASE("scenario file: bad eviction settings name their key", "[scenario_file][eviction]") {
    const auto with = [](const std::string& eviction) {
        return R"({"kvscope_scenario": 1, "model": "m", "prompt": "x", "cache": {"eviction": )" +
               eviction + "}}";
    };
    const std::pair<std::string, std::string> cases[] = {
        {with(R"({"policy": "lru", "budget": 8})"), "$.cache.eviction.policy"},
        {with(R"({"policy": "window"})"), "needs \"budget\" >= 1"},
        {with(R"({"policy": "window", "budget": 0})"), "$.cache.eviction"},
        {with(R"({"policy": "window", "budget": -3})"), "$.cache.eviction.budget"},
        {with(R"({"policy": "streaming", "budget": 4, "sinks": 4})"), "sink count"},
        {with(R"({"policy": "h2o", "budget": 8, "window": 8})"), "below the budget"},
        {with(R"({"policy": "snapkv", "budget": 8, "pool": 4})"), "odd"},
        {with(R"({"policy": "window", "budget": 8, "positions": "shifted"})"),
         "$.cache.eviction.positions"},
        {with(R"({"policy": "window", "budget": 8, "shape": "cone"})"), "$.cache.eviction.shape"},
        {with(R"({"policy": "window", "budget": 8, "budget_bytes": "8k"})"),
         "$.cache.eviction.budget_bytes"},
        {with(R"({"policy": "window", "budget": 8, "budgt": 9})"), "budgt"},
        {with(R"({"policy": "tova", "budget": 8, "per_head": "yes"})"),
         "$.cache.eviction.per_head"},
        {with("[]"), "$.cache.eviction"},
    };
    for (const auto& [json, needle] : cases) {
        INFO(json);
        const std::string message = errorOf(json);
        INFO(message);
        CHECK(message.find(needle) != std::string::npos);
    }
}
