// `kvscope-cli memory`: JSON fields and exact bytes, presets and GPU list, bad flags exit 2.
#include <catch2/catch.hpp>

#include <unistd.h>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <tuple>
#include <vector>

#include "cli_test_util.h"
#include "json_value.h"
#include "tests/core/gguf_test_files.h"

using Catch::Contains;
using kvscope::test::JsonValue;
using kvscope::test::parseJson;
using kvscope::test::runCliCaptured;

namespace {

JsonValue memoryJson(std::vector<std::string> args) {
    return kvscope::test::runCliJson("memory", std::move(args));
}

}  // namespace

TEST_CASE("memory --json: Llama 3.1 8B at 128k, batch 8, fp16 on an H100", "[memory][cli]") {
    const JsonValue j = memoryJson({"--preset", "llama-3.1-8b", "--seq", "131072", "--batch", "8",
                                    "--kv-dtype", "fp16", "--gpu", "H100-80GB"});
    CHECK(j["kv_bytes_per_token"].number == 131072);                // 2 x 8 x 128 x 2 B x 32 layers
    CHECK(j["kv_bytes_per_sequence"].number == 131072.0 * 131072);  // 16 GiB
    CHECK(j["kv_bytes_total"].number == 8 * 131072.0 * 131072);     // 128 GiB
    CHECK(j["weights_bytes"].number == 2 * 8030261248.0);
    CHECK(j["fits"].boolean == false);
    CHECK(j["max_seq"].number == 53344);
    CHECK(j["max_batch"].number == 3);
    REQUIRE(j["terms"].size() > 5);
    const JsonValue& first = j["terms"][0];
    CHECK(first["name"].string == "kv_bytes_per_token_per_layer");
    CHECK(first["bytes"].number == 4096);
    CHECK_THAT(first["formula"].string, Contains("8 KV heads x (K 128 x 2 B + V 128 x 2 B)"));
    CHECK(first["sources"].size() >= 3);
}

TEST_CASE("memory --json: MLA, q8_0, builtin and no GPU", "[memory][cli]") {
    CHECK(memoryJson({"--preset", "deepseek-v2", "--seq", "1000"})["kv_bytes_per_token"].number ==
          69120);
    // q8_0: ceil(128/32) = 4 blocks x 34 B per head row: 2 x 8 x 136 x 32 layers = 69632.
    const JsonValue q = memoryJson({"--preset", "llama-3-8b", "--kv-dtype", "q8_0"});
    CHECK(q["kv_bytes_per_token"].number == 69632);
    CHECK(q["fits"].type == JsonValue::Type::Null);
    const JsonValue demo = memoryJson({"--model", "builtin:demo", "--seq", "8", "--gpu-mem",
                                       "1000000000", "--layout", "contiguous"});
    CHECK(demo["fits"].boolean == true);
}

TEST_CASE("memory --list-presets names the models and GPUs with their units", "[memory][cli]") {
    const auto result = runCliCaptured({"memory", "--list-presets"});
    REQUIRE(result.code == 0);
    CHECK_THAT(result.out, Contains("llama-2-70b"));
    CHECK_THAT(result.out, Contains("80 GB = 80000000000 B"));
    CHECK_THAT(result.out, Contains("24 GiB = 25769803776 B"));
}

TEST_CASE("memory: bad input exits 2 with a message naming it", "[memory][cli]") {
    const std::vector<std::vector<std::string>> bad = {
        {"memory"},
        {"memory", "--preset", "llama-9"},
        {"memory", "--preset", "gpt2", "--config", "x.json"},
        {"memory", "--preset", "gpt2", "--batch", "-1"},
        {"memory", "--preset", "gpt2", "--seq", "1000000000000"},
        {"memory", "--preset", "gpt2", "--kv-dtype", "fp12"},
        {"memory", "--preset", "gpt2", "--gpu", "Z80"},
        {"memory", "--preset", "gpt2", "--tp", "5"},
        {"memory", "--preset", "gpt2", "--layout", "ring"},
        {"memory", "--preset", "gpt2", "--kv-dtype", "kivi2"},
        {"memory", "--config", "/nonexistent/config.json"},
    };
    for (const auto& args : bad) {
        const auto result = runCliCaptured(args);
        INFO(args.back() << ": " << result.err);
        CHECK(result.code == 2);
        CHECK_FALSE(result.err.empty());
        CHECK(result.err.find("----") == std::string::npos);  // a flag is spelled once: --batch
        CHECK(result.out.empty());
    }
    CHECK(runCliCaptured({"memory", "--preset", "gpt2", "--batch", "-1"}).err ==
          "kvscope-cli: --batch: expected an integer in [1, 16777216], got '-1'\n");
}

TEST_CASE("memory: byte arithmetic never wraps; every count has its range", "[memory][cli]") {
    // Issue #16: --gpu-mem 9223372036854775807 --usable 1 printed a negative usable size and
    // said the model fits.
    const auto huge = runCliCaptured({"memory", "--preset", "llama-3.1-8b", "--gpu-mem",
                                      "9223372036854775807", "--usable", "1"});
    CHECK(huge.code == 2);
    CHECK(huge.err ==
          "kvscope-cli: --gpu-mem: expected an integer in [1, 1125899906842624], got "
          "'9223372036854775807'\n");
    // The largest GPU the calculator takes, all of it usable: 2^50 B exactly, positive.
    const JsonValue json = kvscope::test::runCliJson(
        "memory", {"--preset", "llama-3.1-8b", "--gpu-mem", "1125899906842624", "--usable", "1"});
    CHECK(json["gpu"]["usable_bytes"].number == 1125899906842624.0);
    for (const auto& [flag, value, range] :
         {std::tuple{"--seq", "1099511627777", "[1, 1099511627776]"},
          std::tuple{"--tp", "0", "[1, 1024]"}, std::tuple{"--block-size", "0", "[1, 1048576]"},
          std::tuple{"--shared-prefix", "-5", "[0, 1099511627776]"}}) {
        const auto result = runCliCaptured({"memory", "--preset", "gpt2", flag, value});
        INFO(flag << " " << value << ": " << result.err);
        CHECK(result.code == 2);
        CHECK_THAT(result.err, Contains(std::string(flag) + ": expected an integer in " + range));
    }
}

TEST_CASE("memory --model reads a llama2.c header alone, no tokenizer.bin beside it",
          "[memory][cli]") {
    // dim 8, hidden 16, 1 layer, 2 heads over 1 KV head (head_dim 4), vocab 4 (tied), seq_len 4.
    // Floats: embedding 4 x 8 = 32; layer 2 x 8 + 2 x 8 x 8 + 2 x 4 x 8 + 3 x 16 x 8 = 592;
    // rms_final 8; freq_cis 2 x (4 x 4 / 2) = 16: 648 floats, 28 + 2592 = 2620 bytes.
    const std::filesystem::path dir =
        std::filesystem::temp_directory_path() / ("kvscope-memory-bin-" + std::to_string(getpid()));
    std::filesystem::create_directories(dir);
    const std::filesystem::path bin = dir / "tiny.bin";
    {
        const std::int32_t header[7] = {8, 16, 1, 2, 1, 4, 4};
        std::ofstream out(bin, std::ios::binary);
        out.write(reinterpret_cast<const char*>(header), sizeof header);
        out << std::string(2620 - sizeof header, '\0');
    }
    const auto result = runCliCaptured({"memory", "--model", bin.string(), "--json"});
    std::filesystem::remove_all(dir);
    INFO(result.err);
    REQUIRE(result.code == 0);
    const JsonValue j = parseJson(result.out);
    CHECK(j["kv_bytes_per_token"].number == 16);     // 1 layer x 1 KV head x (4 + 4) x 2 B
    CHECK(j["kv_bytes_per_sequence"].number == 64);  // the header's 4 positions
}

TEST_CASE("memory --model stories260K.gguf defaults to its training context, 512",
          "[memory][cli][real-model]") {
    const auto path = kvscope::test::realModelPath("stories260K.gguf");
    if (!path) return;
    const JsonValue j = memoryJson({"--model", *path});
    CHECK(j["kv_bytes_per_token"].number == 640);  // 5 layers x 4 KV heads x (8 + 8) x 2 B
    CHECK(j["kv_bytes_per_sequence"].number == 640 * 512);
}
